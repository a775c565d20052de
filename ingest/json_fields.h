// Small, allocation-free helpers for reading On-Demand values the way the sources write them:
// ids as exact strings whatever their JSON type, counts that may be strings ("1,234"), and keys
// compared without unescaping. All inline; on the hot path.
#pragma once

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace earshot::ingest::json {

namespace od = simdjson::ondemand;

// Adapters iterate an object's fields as
//
//   for (auto field_result : object) {
//     if (auto e = field_result.error()) return e;
//     od::field&& field = std::move(field_result).value_unsafe();  // a reference, no copy
//
// rather than copying each field out with `od::field field; std::move(field_result).get(field)`:
// with g++ 12 that copy stores the field's iterator as two scalars and reloads it as one 16-byte
// vector, a failed store-to-load forward that cost about 12% of the time of a review adapter.

// The key of `field` as written in the document (escapes not decoded; keys in the sources never
// carry escapes). Valid while the document is.
//
// A key of up to 15 bytes without a backslash (nearly every key) is found with one 16-byte
// compare: the read stays inside the document's SIMDJSON_PADDING, which every On-Demand
// document has after its last byte.
inline std::string_view RawKey(od::field& field) {
  const char* begin = field.key().raw();
#if defined(__SSE2__)
  __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(begin));
  auto quotes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('"'))));
  auto escapes =
      static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('\\'))));
  // The first quote, when no backslash comes before it.
  if (quotes != 0 && (escapes & ((quotes & -quotes) - 1)) == 0) {
    return {begin, static_cast<size_t>(__builtin_ctz(quotes))};
  }
#endif
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

// Views a string value (in simdjson's string buffer: valid while the document is, as long as
// nothing rewinds it). Returns false, leaving `out` alone, when the value is null or not a string.
inline bool GetStringView(od::value value, std::string_view& out) {
  std::string_view s;
  if (value.get_string().get(s) != simdjson::SUCCESS) return false;
  out = s;
  return true;
}

// The digits of a number token as written (raw_json_token() runs on to the next structural
// character), with a zero fraction dropped (TWCS-style "3.0" ids).
inline std::string_view IdDigits(std::string_view token) {
  size_t end = 0;
  size_t dot = std::string_view::npos;  // the first '.'
  while (end < token.size() && token[end] != ' ' && token[end] != '\t' && token[end] != '\n' &&
         token[end] != '\r' && token[end] != ',' && token[end] != '}' && token[end] != ']') {
    if (token[end] == '.' && dot == std::string_view::npos) dot = end;
    ++end;
  }
  token = token.substr(0, end);
  if (dot != std::string_view::npos) {
    std::string_view frac = token.substr(dot + 1);
    if (frac.find_first_not_of('0') == std::string_view::npos) token = token.substr(0, dot);
  }
  return token;
}

// GetId without the copy: a view of the string (see GetStringView) or of the number's digits in
// the document. Returns false, leaving `out` alone, for null and other types.
inline bool GetIdView(od::value value, std::string_view& out) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return false;
  if (type == od::json_type::string) return GetStringView(value, out);
  if (type != od::json_type::number) return false;
  out = IdDigits(value.raw_json_token());
  return true;
}

// Reads an id exactly: strings are copied, numbers are copied digit for digit from the document
// (never through a double, so ids above 2^53 survive). Returns false for null and other types.
inline bool GetId(od::value value, std::string& out) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return false;
  if (type == od::json_type::string) return GetString(value, out);
  if (type != od::json_type::number) return false;
  std::string_view token = IdDigits(value.raw_json_token());
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

// A whole number written as an integer, a float (truncated) or a numeric string ("1,234").
// Below zero only when `signed_ok`.
inline std::optional<int64_t> GetWholeNumber(od::value value, bool signed_ok) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return std::nullopt;
  if (type == od::json_type::number) {
    int64_t i;
    if (value.get_int64().get(i) == simdjson::SUCCESS) {
      return signed_ok || i >= 0 ? std::optional<int64_t>(i) : std::nullopt;
    }
    double d;
    if (value.get_double().get(d) == simdjson::SUCCESS && (signed_ok ? d > -9.2e18 : d >= 0) &&
        d < 9.2e18) {
      return static_cast<int64_t>(d);
    }
    return std::nullopt;
  }
  if (type == od::json_type::string) {
    std::string_view s;
    if (value.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
    const bool negative = signed_ok && !s.empty() && s[0] == '-';
    std::optional<int64_t> magnitude = ParseCount(negative ? s.substr(1) : s);
    if (!magnitude) return std::nullopt;
    return negative ? -*magnitude : *magnitude;
  }
  return std::nullopt;
}

// A count. One below zero is a broken field (the schemas say counts are >= 0): absent.
inline std::optional<int64_t> GetCount(od::value value) { return GetWholeNumber(value, false); }

// A signed whole number: a score (Reddit's goes below zero when a post is downvoted).
inline std::optional<int64_t> GetScore(od::value value) { return GetWholeNumber(value, true); }

// The value of a short plain decimal number token ("4", "-3.5", "5.0": at most 15 digits, no
// exponent, JSON's syntax), or nullopt for anything else. Exact: the digits as an integer below
// 2^53 divided by a power of ten up to 10^15, both exact doubles, is the correctly rounded value
// (Clinger's fast path), the same double simdjson's get_double() returns.
inline std::optional<double> ShortDecimal(std::string_view token) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  size_t i = 0;
  bool negative = i < token.size() && token[i] == '-';
  i += negative;
  size_t int_start = i;
  uint64_t mantissa = 0;
  while (i < token.size() && token[i] >= '0' && token[i] <= '9') {
    mantissa = mantissa * 10 + static_cast<uint64_t>(token[i] - '0');
    ++i;
  }
  size_t int_digits = i - int_start;
  if (int_digits == 0 || (int_digits > 1 && token[int_start] == '0')) return std::nullopt;
  size_t frac_digits = 0;
  if (i < token.size() && token[i] == '.') {
    size_t frac_start = ++i;
    while (i < token.size() && token[i] >= '0' && token[i] <= '9') {
      mantissa = mantissa * 10 + static_cast<uint64_t>(token[i] - '0');
      ++i;
    }
    frac_digits = i - frac_start;
    if (frac_digits == 0) return std::nullopt;
  }
  // Anything after the digits must end the token (white space or the next structural character).
  if (i < token.size() && token[i] != ' ' && token[i] != '\t' && token[i] != '\n' &&
      token[i] != '\r' && token[i] != ',' && token[i] != '}' && token[i] != ']') {
    return std::nullopt;
  }
  if (int_digits + frac_digits > 15) return std::nullopt;
  double d = static_cast<double>(mantissa) / kPow10[frac_digits];
  return negative ? -d : d;
}

// A number that may be written as a string ("4", "3.5").
inline std::optional<double> GetDouble(od::value value) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return std::nullopt;
  if (type == od::json_type::number) {
    if (auto d = ShortDecimal(value.raw_json_token())) return d;
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
