#include "ingest/twcs_csv.h"

#include <array>
#include <string>

#include "ingest/time_parse.h"
#include "ingest/text.h"

namespace earshot::ingest {
namespace {

constexpr size_t kColumns = 7;  // tweet_id,author_id,inbound,created_at,text,response,in_response

// "3.0" -> "3"; other ids unchanged.
std::string CleanId(std::string_view id) {
  id = TrimAscii(id);
  if (size_t dot = id.find('.'); dot != std::string_view::npos &&
                                 id.substr(dot + 1).find_first_not_of('0') == std::string_view::npos) {
    id = id.substr(0, dot);
  }
  return std::string(id);
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool ReadCsvRecord(std::string_view data, size_t& pos, std::vector<std::string>& fields,
                   int64_t& lines, bool& malformed) {
  fields.clear();
  malformed = false;
  if (pos >= data.size()) return false;
  std::string field;
  bool in_quotes = false;
  bool quoted = false;
  while (pos < data.size()) {
    char c = data[pos++];
    if (in_quotes) {
      if (c == '"') {
        if (pos < data.size() && data[pos] == '"') {
          field.push_back('"');
          ++pos;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++lines;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && field.empty() && !quoted) {
      in_quotes = quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      quoted = false;
    } else if (c == '\n') {
      ++lines;
      break;
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  if (in_quotes) malformed = true;  // unterminated quote at end of input
  fields.push_back(std::move(field));
  return true;
}

void ParseTwcsCsv(std::string_view data, std::string_view name,
                  const std::function<void(ParseOutput&)>& on_record) {
  ParseOutput out;
  Origin origin;
  origin.topic.assign(name);
  std::vector<std::string> fields;
  size_t pos = 0;
  // A UTF-8 byte order mark (spreadsheet exports) would otherwise hide the header.
  if (data.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  int64_t line = 1;
  bool malformed = false;
  bool header = true;
  while (true) {
    int64_t row_line = line;
    if (!ReadCsvRecord(data, pos, fields, line, malformed)) break;
    if (header) {
      header = false;
      if (!fields.empty() && fields[0] == "tweet_id") continue;
    }
    if (fields.size() == 1 && TrimAscii(fields[0]).empty()) continue;  // blank line
    origin.line = row_line;
    RecordContext ctx{origin, out};
    if (malformed || fields.size() != kColumns) {
      ctx.Reject(RejectReason::kMalformedJson,
                 malformed ? "unterminated quoted field"
                           : "csv row has " + std::to_string(fields.size()) + " fields, expected 7");
    } else {
      Post& post = ctx.NewPost();
      post.source = Source::kX;
      post.id = CleanId(fields[0]);
      post.author.id = CleanId(fields[1]);  // pandas may have written it as a float too
      // Company accounts keep their handle; customers are anonymised to integers.
      if (!AllDigits(post.author.id)) post.author.handle = post.author.id;
      if (auto t = ParseTwitterTime(fields[3])) post.created_at_ms = *t;
      AppendHtmlUnescaped(fields[4], post.text);
      std::string_view parent = TrimAscii(fields[6]);
      if (!parent.empty()) {
        post.kind = PostKind::kReply;
        post.parent_id = CleanId(parent.substr(0, parent.find(',')));
      }
      post.url = "https://x.com/i/web/status/" + post.id;
      if (!IsValidUtf8(post.text)) {
        ctx.DropLastPost();
        ctx.Reject(RejectReason::kBadEncoding, "row text is not valid UTF-8");
      } else {
        FinishPost(ctx);
      }
    }
    on_record(out);
    out.Clear();
  }
}

}  // namespace earshot::ingest
