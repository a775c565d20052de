#include "app/brands.h"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <utility>

namespace earshot::app {
namespace {

// UTF-8 length of a code point.
uint32_t Utf8Length(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

// A YAML double-quoted escape at `s` (which starts with the backslash): the bytes it takes in
// the source and the bytes it stands for in the value; {0, 0} when it is not one.
std::pair<size_t, uint32_t> Escape(std::string_view s) {
  if (s.size() < 2) return {0, 0};
  auto hex = [&](size_t digits) -> std::pair<size_t, uint32_t> {
    if (s.size() < 2 + digits) return {0, 0};
    uint32_t cp = 0;
    for (size_t k = 2; k < 2 + digits; ++k) {
      const char c = s[k];
      const int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
      if (d < 0) return {0, 0};
      cp = cp * 16 + static_cast<uint32_t>(d);
    }
    return {2 + digits, Utf8Length(cp)};
  };
  switch (s[1]) {
    case 'x':
      return hex(2);
    case 'u':
      return hex(4);
    case 'U':
      return hex(8);
    case 'N':
    case '_':
      // U+0085 and U+00A0, which yaml-cpp 0.7 decodes to the single bytes 0x85 and 0xA0.
      return {2, 1};
    case 'L':
    case 'P':
      return {2, 3};  // U+2028, U+2029
    case '0':
    case 'a':
    case 'b':
    case 't':
    case '\t':
    case 'n':
    case 'v':
    case 'f':
    case 'r':
    case 'e':
    case ' ':
    case '"':
    case '\'':  // yaml-cpp accepts it
    case '/':
    case '\\':
      return {2, 1};
    default:
      return {0, 0};
  }
}

// Blanks before a line break are dropped by folding; a '\r' of a CRLF break goes with them.
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Where byte `offset` of a scalar's value is in the YAML source, given where the scalar starts
// (`at`: its quote, its block indicator or its first character). The value is read back from
// the source: plain, single- and double-quoted scalars (escapes, '' and line folding) and block
// scalars. When the source does not read back as the value, the scalar's start it is.
SourceLocation Locate(std::string_view source, std::string_view value, SourceLocation at,
                      uint32_t offset) {
  if (at.line <= 0 || at.column <= 0) return at;
  size_t line_start = 0;
  for (int line = 1; line < at.line; ++line) {
    line_start = source.find('\n', line_start);
    if (line_start == std::string_view::npos) return at;
    ++line_start;
  }
  size_t i = line_start + static_cast<size_t>(at.column - 1);
  if (i >= source.size()) return at;
  int line = at.line;
  auto new_line = [&](size_t next) {
    line_start = next;
    ++line;
  };
  auto here = [&] { return SourceLocation{line, static_cast<int>(i - line_start + 1)}; };
  const char style = source[i];
  const bool dq = style == '"', sq = style == '\'', block = style == '|' || style == '>';
  size_t decoded = 0;
  if (block) {
    // An offset in the line breaks that end the value is the end of its last line.
    const size_t end = value.find_last_not_of('\n');
    offset = static_cast<uint32_t>(
        std::min<size_t>(offset, end == std::string_view::npos ? 0 : end + 1));
    // The content starts on the next line; its first line with content sets the indentation.
    i = source.find('\n', i);
    if (i == std::string_view::npos) return at;
    new_line(++i);
    auto line_end = [&](size_t from) {
      const size_t e = source.find('\n', from);
      return e == std::string_view::npos ? source.size() : e;
    };
    size_t indent = 0;
    for (size_t k = i; k < source.size(); k = line_end(k) + 1) {
      size_t n = 0;
      while (k + n < source.size() && source[k + n] == ' ') ++n;
      if (k + n < source.size() && source[k + n] != '\n' && source[k + n] != '\r') {
        indent = n;
        break;
      }
    }
    // Literal: every line is its text and a '\n'. Folded: a break between two lines of text is
    // a space, or one '\n' for each empty line between them.
    const bool folded = style == '>';
    bool text_before = false;
    size_t empty = 0;
    while (i < source.size()) {
      size_t end = line_end(i);
      if (end > i && source[end - 1] == '\r') --end;  // CRLF
      for (size_t k = 0; k < indent && i < end && source[i] == ' '; ++k) ++i;
      bool blank = true;
      for (size_t k = i; k < end && blank; ++k) blank = source[k] == ' ';
      if (blank) {
        ++empty;
      } else {
        if (text_before)
          decoded += folded ? (empty == 0 ? 1 : empty) : 1 + empty;
        else
          decoded += empty;
        empty = 0;
        if (decoded > offset) return here();
        for (; i < end; ++i) {
          if (decoded == offset) return here();
          if (decoded >= value.size() || value[decoded] != source[i]) return at;
          ++decoded;
        }
        if (decoded == offset) return here();
        text_before = true;
      }
      i = line_end(i);
      if (i >= source.size()) break;
      new_line(++i);
    }
    return at;
  }
  if (dq || sq) ++i;
  auto skip_blanks = [&] {
    while (i < source.size() && IsBlank(source[i])) ++i;
  };
  while (i < source.size()) {
    if (decoded == offset) return here();
    const char c = source[i];
    size_t blanks = i;
    while (blanks < source.size() && IsBlank(source[blanks])) ++blanks;
    if (blanks < source.size() && source[blanks] == '\n') {
      // Line folding: blanks before a break are dropped; the break and the next line's
      // indentation are one space, or one '\n' for each empty line after it.
      i = blanks;
      new_line(++i);
      skip_blanks();
      size_t empty = 0;
      while (i < source.size() && source[i] == '\n') {
        new_line(++i);
        skip_blanks();
        ++empty;
      }
      decoded += empty == 0 ? 1 : empty;
      if (decoded > offset) return here();
      continue;
    }
    if (dq && c == '\\' && i + 1 < source.size() && source[i + 1] == '\n') {
      // An escaped line break joins the lines with nothing between them.
      i += 2;
      new_line(i);
      skip_blanks();
      continue;
    }
    if ((dq && c == '"') ||
        (sq && c == '\'' && (i + 1 >= source.size() || source[i + 1] != '\''))) {
      break;  // the closing quote
    }
    if (dq && c == '\\') {
      const auto [length, bytes] = Escape(source.substr(i));
      if (length == 0) return at;
      if (offset < decoded + bytes) return here();  // inside what the escape stands for
      i += length;
      decoded += bytes;
      continue;
    }
    if (decoded >= value.size() || value[decoded] != c) return at;
    i += sq && c == '\'' ? 2 : 1;  // '' is one quote
    ++decoded;
  }
  // Right after the last byte: where "found the end of the query" points.
  return decoded == offset ? here() : at;
}

}  // namespace

std::shared_ptr<const pipeline::match::RuleSet> CompileBrands(const Config& config,
                                                              std::vector<ConfigError>& errors) {
  std::vector<pipeline::match::BrandRule> rules;
  rules.reserve(config.brands.size());
  for (const BrandConfig& b : config.brands) {
    rules.push_back({b.id, b.name, b.query, b.exclude, b.competitors, b.tags});
  }
  std::vector<pipeline::match::CompileError> compile_errors;
  auto rule_set =
      pipeline::match::RuleSet::Compile(std::move(rules), config.matching, compile_errors);
  for (const auto& e : compile_errors) {
    const BrandConfig& b = config.brands[e.brand];
    const std::string& text = e.in_exclude ? b.exclude : b.query;
    SourceLocation at = e.in_exclude ? b.exclude_location : b.query_location;
    std::string what = "brand '" + b.id + "' " + (e.in_exclude ? "exclude" : "query") + ": ";
    if (e.message.rfind("matching.", 0) == 0 || e.message.rfind("RE2::Set", 0) == 0) {
      errors.push_back({config.path, config.matching_location, e.message});
    } else {
      errors.push_back({config.path, Locate(config.source, text, at, e.offset), what + e.message});
    }
  }
  return rule_set;
}

LoadedBrands LoadConfigAndBrands(const std::string& path) {
  LoadedBrands out;
  ConfigResult loaded = LoadConfig(path);
  std::vector<ConfigError> errors = loaded.errors;
  std::shared_ptr<const pipeline::match::RuleSet> rules;
  if (loaded.ok()) rules = CompileBrands(*loaded.config, errors);
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
  out.error_count = errors.size();
  if (errors.empty()) {
    out.config = loaded.config;
    out.rules = std::move(rules);
  }
  return out;
}

}  // namespace earshot::app
