// Small, allocation-free helpers for reading On-Demand values the way the sources write them:
// ids as exact strings whatever their JSON type, counts that may be strings ("1,234"), and keys
// compared without unescaping. All inline; on the hot path.
#pragma once

#include <simdjson.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace earshot::ingest::json {

namespace od = simdjson::ondemand;

// The key of `field` as written in the document (escapes not decoded; keys in the sources never
// carry escapes). Valid while the document is.
inline std::string_view RawKey(od::field& field) {
  const char* begin = field.key().raw();
  const char* end = begin;
  while (*end != '"') end += (*end == '\\') ? 2 : 1;
  return {begin, static_cast<size_t>(end - begin)};
}

// Copies a string value into `out` (replacing its contents). Returns false, leaving `out` alone,
// when the value is null or not a string.
inline bool GetString(od::value value, std::string& out) {
  std::string_view s;
  if (value.get_string().get(s) != simdjson::SUCCESS) return false;
  out.assign(s.data(), s.size());
  return true;
}

inline std::string_view StringOr(od::value value, std::string_view fallback = {}) {
  std::string_view s;
  if (value.get_string().get(s) != simdjson::SUCCESS) return fallback;
  return s;
}

// Reads an id exactly: strings are copied, numbers are copied digit for digit from the document
// (never through a double, so ids above 2^53 survive). Returns false for null and other types.
inline bool GetId(od::value value, std::string& out) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return false;
  if (type == od::json_type::string) return GetString(value, out);
  if (type != od::json_type::number) return false;
  std::string_view token = value.raw_json_token();
  size_t end = 0;
  while (end < token.size() && token[end] != ' ' && token[end] != '\t' && token[end] != '\n' &&
         token[end] != '\r' && token[end] != ',' && token[end] != '}' && token[end] != ']') {
    ++end;
  }
  token = token.substr(0, end);
  // TWCS-style "3.0" ids: keep the integral part when the fraction is zero.
  if (size_t dot = token.find('.'); dot != std::string_view::npos) {
    std::string_view frac = token.substr(dot + 1);
    if (frac.find_first_not_of('0') == std::string_view::npos) token = token.substr(0, dot);
  }
  out.assign(token.data(), token.size());
  return true;
}

// Parses an integer written as digits with optional thousands separators ("1,234").
inline std::optional<int64_t> ParseCount(std::string_view s) {
  int64_t v = 0;
  bool any = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      if (v > (INT64_MAX - 9) / 10) return std::nullopt;
      v = v * 10 + (c - '0');
      any = true;
    } else if (c != ',' && c != ' ') {
      return std::nullopt;
    }
  }
  if (!any) return std::nullopt;
  return v;
}

// A count that may be an integer, a float (truncated) or a numeric string.
inline std::optional<int64_t> GetCount(od::value value) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return std::nullopt;
  if (type == od::json_type::number) {
    int64_t i;
    if (value.get_int64().get(i) == simdjson::SUCCESS) return i;
    double d;
    if (value.get_double().get(d) == simdjson::SUCCESS && d >= 0 && d < 9.2e18) {
      return static_cast<int64_t>(d);
    }
    return std::nullopt;
  }
  if (type == od::json_type::string) {
    std::string_view s;
    if (value.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
    return ParseCount(s);
  }
  return std::nullopt;
}

// A number that may be written as a string ("4", "3.5").
inline std::optional<double> GetDouble(od::value value) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return std::nullopt;
  if (type == od::json_type::number) {
    double d;
    if (value.get_double().get(d) == simdjson::SUCCESS) return d;
    return std::nullopt;
  }
  if (type == od::json_type::string) {
    std::string_view s;
    if (value.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
    double d;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return d;
  }
  return std::nullopt;
}

}  // namespace earshot::ingest::json
