#include "pipeline/match/query.h"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>

#include "ingest/post.h"

namespace earshot::pipeline::match {
namespace {

constexpr std::array<std::string_view, 8> kFieldNames = {
    "author", "lang", "source", "site", "url", "subreddit", "rating", "followers"};

enum class Tok : uint8_t { kEnd, kLParen, kRParen, kTerm, kField, kAnd, kOr, kNot, kNear };

struct Lexeme {
  Tok tok = Tok::kEnd;
  uint32_t offset = 0;
  TermSpec term;       // kTerm
  FieldFilter field;   // kField
  int distance = 0;    // kNear
  bool ordered = false;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDelimiter(char c) { return IsSpace(c) || c == '(' || c == ')' || c == '"' || c == '{' || c == '}'; }

// \* and \? are the characters themselves, which separate words in a text as any punctuation
// does: they become two spaces (the same length, so error columns stay right).
std::string UnescapeWildcards(std::string_view term) {
  std::string out(term);
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '\\' && (out[i + 1] == '*' || out[i + 1] == '?')) {
      out[i] = out[i + 1] = ' ';
      ++i;
    }
  }
  return out;
}

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, Query& query, QueryError& error)
      : text_(text), query_(query), error_(error) {}

  bool Run() {
    if (text_.size() > kMaxQueryBytes) return Fail(0, "query is longer than 64 KiB");
    if (!Next()) return false;
    if (cur_.tok == Tok::kEnd) return Fail(0, "query is empty");
    int root = ParseOr(0);
    if (root < 0) return false;
    if (cur_.tok == Tok::kRParen) return Fail(cur_.offset, "unexpected ')' without a matching '('");
    if (cur_.tok != Tok::kEnd) return Fail(cur_.offset, "expected an operator or the end");
    query_.root = root;
    return true;
  }

 private:
  bool Fail(uint32_t offset, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_.offset = offset;
      error_.message = std::move(message);
    }
    return false;
  }

  // Reads the next lexeme into cur_. Returns false on a lexical error.
  bool Next() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
    cur_ = Lexeme{};
    cur_.offset = static_cast<uint32_t>(pos_);
    if (pos_ >= text_.size()) return true;
    char c = text_[pos_];
    if (c == '(') {
      cur_.tok = Tok::kLParen;
      ++pos_;
      return true;
    }
    if (c == ')') {
      cur_.tok = Tok::kRParen;
      ++pos_;
      return true;
    }
    if (c == '}') return Fail(cur_.offset, "unexpected '}' without a matching '{'");
    if (c == '"') return LexPhrase(false);
    if (c == '{') {
      size_t close = text_.find('}', pos_ + 1);
      if (close == std::string_view::npos) return Fail(cur_.offset, "unterminated '{': expected '}'");
      std::string_view inner = text_.substr(pos_ + 1, close - pos_ - 1);
      size_t a = 0, b = inner.size();
      while (a < b && IsSpace(inner[a])) ++a;
      while (b > a && IsSpace(inner[b - 1])) --b;
      inner = inner.substr(a, b - a);
      bool quoted = inner.size() >= 2 && inner.front() == '"' && inner.back() == '"';
      if (quoted) inner = inner.substr(1, inner.size() - 2);
      if (inner.empty()) return Fail(cur_.offset, "empty '{}': expected a term inside");
      if (inner.find_first_of("{}\"()") != std::string_view::npos) {
        return Fail(cur_.offset, "'{...}' holds one term or one \"phrase\"");
      }
      cur_.tok = Tok::kTerm;
      cur_.term = TermSpec{UnescapeWildcards(inner), true, quoted, cur_.offset, std::string(inner)};
      pos_ = close + 1;
      return true;
    }
    if (c == '-' && pos_ + 1 < text_.size() && !IsSpace(text_[pos_ + 1]) && text_[pos_ + 1] != ')') {
      cur_.tok = Tok::kNot;  // -term is NOT term
      ++pos_;
      return true;
    }
    size_t start = pos_;
    while (pos_ < text_.size() && !IsDelimiter(text_[pos_])) ++pos_;
    std::string_view word = text_.substr(start, pos_ - start);
    if (word.empty()) return Fail(cur_.offset, std::string("unexpected '") + c + "'");
    // Typographic quotes, as word processors and chat apps write them, would make a "phrase"
    // an AND of words: refuse them rather than match something else.
    for (std::string_view curly : {"\u201C", "\u201D", "\u201E", "\u00AB", "\u00BB"}) {
      if (const size_t at = word.find(curly); at != std::string_view::npos) {
        return Fail(static_cast<uint32_t>(start + at),
                    "typographic quote: a phrase is written between straight double quotes (\")");
      }
    }
    if (word == "AND") {
      cur_.tok = Tok::kAnd;
      return true;
    }
    if (word == "OR") {
      cur_.tok = Tok::kOr;
      return true;
    }
    if (word == "NOT") {
      cur_.tok = Tok::kNot;
      return true;
    }
    if (word == "NEAR" || word.rfind("NEAR/", 0) == 0 || word.rfind("ONEAR/", 0) == 0) {
      return LexNear(word);
    }
    size_t colon = word.find(':');
    if (colon != std::string_view::npos && colon > 0) {
      std::string_view name = word.substr(0, colon);
      std::string lname = Lowercase(name);
      if (lname != "http" && lname != "https") return LexField(lname, word.substr(colon + 1));
    }
    cur_.tok = Tok::kTerm;
    cur_.term = TermSpec{UnescapeWildcards(word), false, false, cur_.offset, std::string(word)};
    return true;
  }

  bool LexPhrase(bool /*unused*/) {
    size_t close = text_.find('"', pos_ + 1);
    if (close == std::string_view::npos) return Fail(cur_.offset, "unterminated phrase: expected '\"'");
    std::string_view inner = text_.substr(pos_ + 1, close - pos_ - 1);
    bool blank = true;
    for (char ch : inner) blank = blank && IsSpace(ch);
    if (blank) return Fail(cur_.offset, "empty phrase");
    cur_.tok = Tok::kTerm;
    cur_.term = TermSpec{UnescapeWildcards(inner), false, true, cur_.offset, std::string(inner)};
    pos_ = close + 1;
    return true;
  }

  bool LexNear(std::string_view word) {
    bool onear = word[0] == 'O';
    std::string_view rest = word.substr(onear ? 5 : 4);
    if (rest.empty() || rest[0] != '/') {
      return Fail(cur_.offset, "NEAR needs a distance: write NEAR/n (or NEAR/nf for in order)");
    }
    rest.remove_prefix(1);
    bool ordered = onear;
    if (!rest.empty() && rest.back() == 'f' && !onear) {
      ordered = true;
      rest.remove_suffix(1);
    }
    int n = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (rest.empty() || ec != std::errc() || ptr != rest.data() + rest.size()) {
      return Fail(cur_.offset, "expected a number of words after '/' in " + std::string(word));
    }
    if (n < 0 || n > kMaxNearDistance) {
      return Fail(cur_.offset, "NEAR distance must be between 0 and " +
                                   std::to_string(kMaxNearDistance));
    }
    cur_.tok = Tok::kNear;
    cur_.distance = n;
    cur_.ordered = ordered;
    return true;
  }

  bool LexField(const std::string& name, std::string_view value) {
    std::optional<FieldName> field;
    for (size_t i = 0; i < kFieldNames.size(); ++i) {
      if (kFieldNames[i] == name) field = static_cast<FieldName>(i);
    }
    if (!field) {
      return Fail(cur_.offset, "unknown field '" + name +
                                   ":'; fields are author, lang, source, site, url, subreddit, "
                                   "rating, followers (quote the term to search for it as text)");
    }
    std::string owned(value);
    if (owned.empty() && pos_ < text_.size() && text_[pos_] == '"') {
      size_t close = text_.find('"', pos_ + 1);
      if (close == std::string_view::npos) return Fail(cur_.offset, "unterminated phrase: expected '\"'");
      owned.assign(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
    }
    FieldFilter f;
    f.name = *field;
    std::string_view v = owned;
    if (*field == FieldName::kRating || *field == FieldName::kFollowers) {
      if (v.rfind("<=", 0) == 0) {
        f.cmp = Comparison::kLe;
        v.remove_prefix(2);
      } else if (v.rfind(">=", 0) == 0) {
        f.cmp = Comparison::kGe;
        v.remove_prefix(2);
      } else if (v.rfind("<", 0) == 0) {
        f.cmp = Comparison::kLt;
        v.remove_prefix(1);
      } else if (v.rfind(">", 0) == 0) {
        f.cmp = Comparison::kGt;
        v.remove_prefix(1);
      } else if (v.rfind("=", 0) == 0) {
        v.remove_prefix(1);
      }
      double number = 0;
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), number);
      if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(number)) {
        return Fail(cur_.offset, name + ": expects a number, optionally after <, <=, >, >= or =");
      }
      if (*field == FieldName::kRating && (number < 0 || number > 10)) {
        return Fail(cur_.offset, "rating: must be between 0 and 10");
      }
      if (*field == FieldName::kFollowers && number < 0) {
        return Fail(cur_.offset, "followers: must not be negative");
      }
      f.number = number;
    } else {
      if (v.empty()) return Fail(cur_.offset, name + ": needs a value");
      f.value = Lowercase(v);
      if (f.name == FieldName::kAuthor && !f.value.empty() && f.value[0] == '@') {
        f.value.erase(0, 1);
      }
      if (f.name == FieldName::kSubreddit && f.value.rfind("r/", 0) == 0) f.value.erase(0, 2);
      if (f.name == FieldName::kSite) {
        // A domain, as people paste it: the scheme and a closing '/' are dropped ("www." is
        // kept: site:www.gov.uk must not become every *.gov.uk). A path or a port could never
        // match a host.
        if (const size_t scheme = f.value.find("://"); scheme != std::string::npos) {
          f.value.erase(0, scheme + 3);
        }
        if (!f.value.empty() && f.value.back() == '/') f.value.pop_back();
        if (f.value.find_first_of("/?#:@") != std::string::npos) {
          return Fail(cur_.offset, "site: takes a domain such as example.com, found '" +
                                       std::string(v) +
                                       "' (url:example.com/path matches links by their start)");
        }
      }
      if (f.name == FieldName::kSource && !ingest::SourceFromName(f.value)) {
        return Fail(cur_.offset, "source: unknown source '" + f.value +
                                     "'; sources are x, reddit, bluesky, mastodon, yelp, amazon, "
                                     "app_store, google_play, generic");
      }
      if (f.value.empty()) return Fail(cur_.offset, name + ": needs a value");
    }
    cur_.tok = Tok::kField;
    cur_.field = std::move(f);
    return true;
  }

  int Add(Node node) {
    query_.nodes.push_back(std::move(node));
    return static_cast<int>(query_.nodes.size() - 1);
  }

  int Combine(NodeKind kind, int left, int right, uint32_t offset) {
    // Flatten chains of the same operator: a OR b OR c is one node with three children.
    if (query_.nodes[static_cast<size_t>(left)].kind == kind) {
      query_.nodes[static_cast<size_t>(left)].children.push_back(right);
      return left;
    }
    Node n{kind, offset};
    n.children = {left, right};
    return Add(std::move(n));
  }

  int ParseOr(int depth) {
    int left = ParseAnd(depth);
    if (left < 0) return -1;
    while (cur_.tok == Tok::kOr) {
      uint32_t offset = cur_.offset;
      if (!Next()) return -1;
      if (!StartsOperand()) return ExpectOperand("after OR");
      int right = ParseAnd(depth);
      if (right < 0) return -1;
      left = Combine(NodeKind::kOr, left, right, offset);
    }
    return left;
  }

  bool StartsOperand() const {
    return cur_.tok == Tok::kLParen || cur_.tok == Tok::kTerm || cur_.tok == Tok::kField ||
           cur_.tok == Tok::kNot;
  }

  int ExpectOperand(const std::string& where) {
    std::string found = cur_.tok == Tok::kEnd      ? "the end of the query"
                        : cur_.tok == Tok::kRParen ? "')'"
                        : cur_.tok == Tok::kAnd    ? "AND"
                        : cur_.tok == Tok::kOr     ? "OR"
                        : cur_.tok == Tok::kNear   ? "NEAR"
                                                   : "something else";
    Fail(cur_.offset, "expected a term, phrase, field filter or '(' " + where + ", found " + found);
    return -1;
  }

  int ParseAnd(int depth) {
    int left = ParseNot(depth);
    if (left < 0) return -1;
    while (cur_.tok == Tok::kAnd || StartsOperand()) {
      uint32_t offset = cur_.offset;
      if (cur_.tok == Tok::kAnd) {
        if (!Next()) return -1;
        if (!StartsOperand()) return ExpectOperand("after AND");
      }
      int right = ParseNot(depth);
      if (right < 0) return -1;
      left = Combine(NodeKind::kAnd, left, right, offset);
    }
    return left;
  }

  int ParseNot(int depth) {
    if (cur_.tok == Tok::kNot) {
      uint32_t offset = cur_.offset;
      if (depth >= kMaxQueryDepth) {
        Fail(offset, "query nests too deeply");
        return -1;
      }
      if (!Next()) return -1;
      if (!StartsOperand()) return ExpectOperand("after NOT");
      int child = ParseNot(depth + 1);
      if (child < 0) return -1;
      Node n{NodeKind::kNot, offset};
      n.children = {child};
      return Add(std::move(n));
    }
    return ParseNear(depth);
  }

  // True when node `i` may be a NEAR operand: a term, or an OR of terms.
  bool IsNearOperand(int i) const {
    const Node& n = query_.nodes[static_cast<size_t>(i)];
    if (n.kind == NodeKind::kTerm) return true;
    if (n.kind != NodeKind::kOr) return false;
    for (int c : n.children) {
      if (!IsNearOperand(c)) return false;
    }
    return true;
  }

  int ParseNear(int depth) {
    int left = ParsePrimary(depth);
    if (left < 0) return -1;
    while (cur_.tok == Tok::kNear) {
      Lexeme op = cur_;
      if (!Next()) return -1;
      if (cur_.tok != Tok::kLParen && cur_.tok != Tok::kTerm) {
        return ExpectOperand("after NEAR");
      }
      uint32_t right_offset = cur_.offset;
      int right = ParsePrimary(depth);
      if (right < 0) return -1;
      if (!IsNearOperand(left)) {
        Fail(query_.nodes[static_cast<size_t>(left)].offset,
             "NEAR operands must be terms, phrases or OR-groups of them");
        return -1;
      }
      if (!IsNearOperand(right)) {
        Fail(right_offset, "NEAR operands must be terms, phrases or OR-groups of them");
        return -1;
      }
      Node n{NodeKind::kNear, op.offset};
      n.distance = op.distance;
      n.ordered = op.ordered;
      n.children = {left, right};
      left = Add(std::move(n));
    }
    return left;
  }

  int ParsePrimary(int depth) {
    switch (cur_.tok) {
      case Tok::kLParen: {
        uint32_t open = cur_.offset;
        if (depth >= kMaxQueryDepth) {
          Fail(open, "query nests too deeply");
          return -1;
        }
        if (!Next()) return -1;
        if (cur_.tok == Tok::kRParen) {
          Fail(cur_.offset, "empty parentheses: expected a term inside");
          return -1;
        }
        int inner = ParseOr(depth + 1);
        if (inner < 0) return -1;
        if (cur_.tok != Tok::kRParen) {
          Fail(cur_.offset, "expected ')' to close the '(' at offset " + std::to_string(open));
          return -1;
        }
        query_.nodes[static_cast<size_t>(inner)].offset =
            std::min(query_.nodes[static_cast<size_t>(inner)].offset, open);
        if (!Next()) return -1;
        return inner;
      }
      case Tok::kTerm: {
        query_.terms.push_back(cur_.term);
        Node n{NodeKind::kTerm, cur_.offset};
        n.index = static_cast<int>(query_.terms.size() - 1);
        if (!Next()) return -1;
        return Add(std::move(n));
      }
      case Tok::kField: {
        query_.fields.push_back(cur_.field);
        Node n{NodeKind::kField, cur_.offset};
        n.index = static_cast<int>(query_.fields.size() - 1);
        if (!Next()) return -1;
        return Add(std::move(n));
      }
      default:
        return ExpectOperand("here");
    }
  }

  std::string_view text_;
  Query& query_;
  QueryError& error_;
  size_t pos_ = 0;
  Lexeme cur_;
  bool failed_ = false;
};

}  // namespace

std::string_view FieldNameString(FieldName name) { return kFieldNames[static_cast<size_t>(name)]; }

bool ParseQuery(std::string_view text, Query& query, QueryError& error) {
  query = Query{};
  Parser parser(text, query, error);
  return parser.Run();
}

}  // namespace earshot::pipeline::match
