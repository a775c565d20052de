#include "ingest/record_reader.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

#include "ingest/text.h"
#include "ingest/twcs_csv.h"

namespace earshot::ingest {
namespace {

constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  return i;
}

// True when the JSON value that starts at s[0] ends exactly at the end of `s` (bracket depth,
// outside strings, returns to zero on the last non-space byte).
bool IsCompleteValue(std::string_view s) {
  s = TrimAscii(s);
  if (s.empty() || (s[0] != '{' && s[0] != '[')) return false;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i == s.size() - 1;
    }
  }
  return false;
}

void ParseJsonLines(PostParser& parser, std::string_view data, Format format,
                    std::string_view name, const RecordCallback& on_record, ParseOutput& out) {
  Origin origin;
  origin.topic.assign(name);
  size_t pos = 0;
  int64_t line = 0;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    ++line;
    std::string_view record = data.substr(pos, end - pos);
    size_t capacity = data.size() + kPadding - pos;
    pos = end + 1;
    if (TrimAscii(record).empty()) continue;
    origin.line = line;
    parser.Parse(format, record, capacity, origin, {}, out);
    on_record(out);
    out.Clear();
  }
}

// Server-sent events: "event:" and "data:" lines, a blank line ends an event, ':' lines are
// comments (heartbeats). Only Mastodon's status events carry posts.
void ParseSse(PostParser& parser, std::string_view data, Format format, std::string_view name,
              const RecordCallback& on_record, ParseOutput& out) {
  Origin origin;
  origin.topic.assign(name);
  std::string event;
  std::string payload;
  int64_t event_line = 0;
  bool has_data = false;
  auto dispatch = [&] {
    if (!has_data) {
      event.clear();
      return;
    }
    origin.line = event_line;
    std::string_view ev = event.empty() ? std::string_view("message") : std::string_view(event);
    if (ev == "update" || ev == "status.update") {
      Format f = format == Format::kAuto ? Format::kMastodon : format;
      parser.Parse(f, payload, payload.size(), origin, ev, out);
    } else {
      out.rejections.push_back({RejectReason::kUnsupportedEvent,
                                "sse event '" + std::string(ev) + "' is not a post", origin});
    }
    on_record(out);
    out.Clear();
    event.clear();
    payload.clear();
    has_data = false;
  };
  size_t pos = 0;
  int64_t line = 0;
  while (pos <= data.size()) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    std::string_view text = data.substr(pos, end - pos);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    ++line;
    bool at_eof = end >= data.size();
    pos = end + 1;
    if (text.empty()) {
      dispatch();
      if (at_eof) break;
      continue;
    }
    if (text[0] == ':') {
      if (at_eof) break;
      continue;
    }
    size_t colon = text.find(':');
    std::string_view field = text.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    if (field == "event") {
      event.assign(value);
      event_line = line;
    } else if (field == "data") {
      if (!has_data && event.empty()) event_line = line;
      if (has_data) payload.push_back('\n');
      payload.append(value);
      has_data = true;
    }
    if (at_eof) {
      dispatch();
      break;
    }
  }
}

}  // namespace

std::string_view FramingName(Framing framing) {
  switch (framing) {
    case Framing::kJsonLines: return "json_lines";
    case Framing::kJsonDocument: return "json_document";
    case Framing::kSse: return "sse";
    case Framing::kCsv: return "csv";
  }
  return "unknown";
}

Framing DetectFraming(std::string_view data, Format format) {
  if (format == Format::kTwcsCsv) return Framing::kCsv;
  size_t start = SkipSpace(data, 0);
  std::string_view head = data.substr(start);
  if (head.rfind("\xEF\xBB\xBF", 0) == 0) head.remove_prefix(3);  // byte-order mark
  if (head.rfind("tweet_id,", 0) == 0) return Framing::kCsv;
  if (head.rfind("event:", 0) == 0 || head.rfind("data:", 0) == 0 || head.rfind(":", 0) == 0) {
    return Framing::kSse;
  }
  size_t newline = head.find('\n');
  if (newline == std::string_view::npos) return Framing::kJsonDocument;
  std::string_view rest = TrimAscii(head.substr(newline + 1));
  if (rest.empty()) return Framing::kJsonDocument;
  // A first line that holds a whole value, or that is not JSON at all, means one record per line;
  // a value that continues past its first line is one pretty-printed document.
  std::string_view first = TrimAscii(head.substr(0, newline));
  bool opens_value = !first.empty() && (first[0] == '{' || first[0] == '[');
  if (!opens_value || IsCompleteValue(first)) return Framing::kJsonLines;
  // The first line opens a value it does not close: a pretty-printed document, or JSON lines
  // whose first line is cut short (a capture started mid-record: that line alone is broken, not
  // the whole file). A next line that is no whole value of its own means a document. When it
  // is one, the whole input decides: a valid JSON document is one ("{\"data\": [" with a tweet
  // on each line below), anything else lines (a capture cut at both ends).
  std::string_view second = TrimAscii(rest.substr(0, rest.find('\n')));
  if (!IsCompleteValue(second)) return Framing::kJsonDocument;
  simdjson::dom::parser validator;
  simdjson::dom::element ignored;
  return validator.parse(head.data(), head.size()).get(ignored) == simdjson::SUCCESS
             ? Framing::kJsonDocument
             : Framing::kJsonLines;
}

void ParseInput(PostParser& parser, std::string_view data, Format format, std::string_view name,
                const RecordCallback& on_record) {
  ParseOutput out;
  // A UTF-8 byte-order mark opens some exported files; it is not part of the first record.
  if (data.rfind("\xEF\xBB\xBF", 0) == 0) data.remove_prefix(3);
  switch (DetectFraming(data, format)) {
    case Framing::kCsv:
      ParseTwcsCsv(data, name, on_record);
      return;
    case Framing::kSse:
      ParseSse(parser, data, format, name, on_record, out);
      return;
    case Framing::kJsonLines:
      ParseJsonLines(parser, data, format, name, on_record, out);
      return;
    case Framing::kJsonDocument: {
      Origin origin;
      origin.topic.assign(name);
      origin.line = 1;
      parser.ParseDocument(format, data, data.size() + kPadding, origin, out);
      on_record(out);
      return;
    }
  }
}

std::string ReadInput(const std::string& path, simdjson::padded_string& out) {
  if (path == "-") {
    std::string buffer((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    out = simdjson::padded_string(buffer);
    return {};
  }
  auto result = simdjson::padded_string::load(path);
  if (result.error()) {
    return path + ": cannot read: " + std::string(simdjson::error_message(result.error()));
  }
  out = std::move(result).value_unsafe();
  return {};
}

}  // namespace earshot::ingest
