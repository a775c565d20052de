// libFuzzer target for brand matching: the query parser, the rule compiler, the normalizer and
// the matcher, on arbitrary bytes.
//
// Each input is used three ways:
//   1. the whole input is parsed as a query; a parsed query must be a well-formed tree;
//   2. the first line is compiled as a brand query (the rest, after an optional second line
//      used as the exclude, is the post text) and matched;
//   3. the whole input is matched as a post (first line as the title) against a fixed rule set
//      with every operator, wildcards, case-sensitive and non-Latin terms.
// Invariants: nothing crashes; every token and span lies within its field and, for valid UTF-8,
// starts and ends on character boundaries; and, for valid UTF-8 of moderate size, the engine
// agrees exactly with the simple ReferenceMatcher of the tests (tests/pipeline/).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/match/matcher.h"
#include "pipeline/match/query.h"
#include "pipeline/match/rule_set.h"
#include "pipeline/normalize.h"
#include "tests/pipeline/reference_matcher.h"

namespace {

using namespace earshot::pipeline;        // NOLINT
using namespace earshot::pipeline::match;  // NOLINT

[[noreturn]] void Broken(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "earshot fuzz invariant broken: %s %.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

bool Boundary(std::string_view s, uint32_t at) {
  return at == s.size() || (static_cast<unsigned char>(s[at]) & 0xC0) != 0x80;
}

void CheckSpans(const std::vector<Span>& spans, std::string_view field, bool valid) {
  for (const Span& sp : spans) {
    if (sp.begin > sp.end || sp.end > field.size()) Broken("span out of bounds");
    if (valid && (!Boundary(field, sp.begin) || !Boundary(field, sp.end))) {
      Broken("span not on a UTF-8 boundary");
    }
  }
}

void CheckQuery(const Query& q) {
  if (q.root < 0 || static_cast<size_t>(q.root) >= q.nodes.size()) Broken("bad root");
  for (const Node& n : q.nodes) {
    for (int c : n.children) {
      if (c < 0 || static_cast<size_t>(c) >= q.nodes.size()) Broken("bad child");
    }
    switch (n.kind) {
      case NodeKind::kTerm:
        if (n.index < 0 || static_cast<size_t>(n.index) >= q.terms.size()) Broken("bad term");
        break;
      case NodeKind::kField:
        if (n.index < 0 || static_cast<size_t>(n.index) >= q.fields.size()) Broken("bad field");
        break;
      case NodeKind::kNot:
        if (n.children.size() != 1) Broken("NOT arity");
        break;
      case NodeKind::kNear:
        if (n.children.size() != 2 || n.distance < 0 || n.distance > kMaxNearDistance) {
          Broken("NEAR shape");
        }
        break;
      case NodeKind::kAnd:
      case NodeKind::kOr:
        if (n.children.size() < 2) Broken("AND/OR arity");
        break;
    }
  }
}

void CheckTokens(const NormalizedText& t, std::string_view title, std::string_view text,
                 bool valid) {
  for (const Token& tok : t.tokens) {
    if (tok.view_begin > tok.view_end || tok.view_end > t.view.size()) Broken("token view range");
    if (tok.kind == TokenKind::kFieldBreak) continue;
    std::string_view field = tok.field == Field::kTitle ? title : text;
    if (tok.orig_begin > tok.orig_end || tok.orig_end > field.size()) Broken("token orig range");
    if (valid && (!Boundary(field, tok.orig_begin) || !Boundary(field, tok.orig_end))) {
      Broken("token not on a UTF-8 boundary");
    }
    if (t.TokenText(tok).find(' ') != std::string_view::npos) Broken("space inside a token");
  }
}

// Matches `post`, checks spans, and compares with the reference when asked.
void MatchAndCheck(Matcher& matcher, earshot::testing::ReferenceMatcher* reference,
                   const earshot::ingest::Post& post, bool valid) {
  MatchResult result;
  matcher.Match(post, result);
  CheckTokens(matcher.normalized(), post.title, post.text, valid);
  for (size_t i = 0; i < result.count; ++i) {
    CheckSpans(result.hits[i].spans, post.text, valid);
    CheckSpans(result.hits[i].title_spans, post.title, valid);
    if (result.hits[i].spans.empty() && result.hits[i].title_spans.empty()) {
      Broken("a matched brand without spans");
    }
  }
  if (reference == nullptr || result.scan_error) return;
  auto want = reference->Match(post);
  bool same = want.size() == result.count;
  for (size_t i = 0; same && i < result.count; ++i) {
    same = want[i].brand == result.hits[i].brand && want[i].spans == result.hits[i].spans &&
           want[i].title_spans == result.hits[i].title_spans;
  }
  if (!same) Broken("engine and reference disagree on text:", post.text);
}

std::vector<BrandRule> FixedRules() {
  const char* queries[][2] = {
      {"apple OR iphone OR @apple OR $AAPL", "\"apple pie\" OR \"big apple\""},
      {"delta OR #deltaairlines OR \"delta air lines\"", "\"delta variant\""},
      {"(united OR delta) NEAR/3 (flight OR gate)", ""},
      {"appl* OR te?m OR caf? OR ?pple OR ww*", ""},
      {"{US} OR {\"Big Mac\"} OR {IBM}", ""},
      {"トヨタ OR 丰田 OR тойота OR تويوتا", ""},
      {"nestlé OR straße OR \"h&m\" OR {AT&T}", ""},
      {"amazon ONEAR/2 (prime OR video)", "amazon NEAR/3 (river OR rainforest)"},
      {"shell NEAR/0f station", ""},
      {"delta lang:en", ""},
      {"\"new york\" NEAR/4 \"air lines\"", ""},
      {"https://apple.com OR 🍎 OR ✈", ""},
      {"a? OR ab* -abc", ""},
  };
  std::vector<BrandRule> rules;
  for (const auto& q : queries) {
    BrandRule r;
    r.id = "b" + std::to_string(rules.size());
    r.query = q[0];
    r.exclude = q[1];
    rules.push_back(std::move(r));
  }
  return rules;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8192) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const bool valid = ValidUtf8(input);

  // 1. The parser.
  Query query;
  QueryError error;
  if (ParseQuery(input, query, error)) {
    CheckQuery(query);
  } else if (error.message.empty() || error.offset > input.size()) {
    Broken("error without message or outside the query");
  }

  // 2. The first line as a brand query (second line: exclude), the rest as the text.
  size_t nl = input.find('\n');
  std::string_view text = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  BrandRule rule;
  rule.id = "fuzz";
  rule.query = std::string(input.substr(0, nl));
  size_t nl2 = text.find('\n');
  if (nl2 != std::string_view::npos && text.substr(0, 2) != "\n") {
    // Lines starting with "x:" carry an exclude, the rest stays text.
    if (text.substr(0, 2) == "x:") {
      rule.exclude = std::string(text.substr(2, nl2 - 2));
      text = text.substr(nl2 + 1);
    }
  }
  std::vector<CompileError> errors;
  std::vector<BrandRule> rules = {rule};
  auto compiled = RuleSet::Compile(rules, MatchOptions{}, errors);
  if (!compiled && errors.empty()) Broken("compile failed without an error");
  if (compiled) {
    if (!errors.empty()) Broken("compiled with errors");
    Matcher matcher(compiled);
    earshot::ingest::Post post;
    post.text = std::string(text);
    std::unique_ptr<earshot::testing::ReferenceMatcher> reference;
    if (valid && size <= 2048) reference = std::make_unique<earshot::testing::ReferenceMatcher>(rules);
    MatchAndCheck(matcher, reference.get(), post, valid);
  } else {
    for (const auto& e : errors) {
      if (e.message.empty()) Broken("compile error without a message");
    }
  }

  // 3. The whole input as a post against a fixed rule set.
  static const std::vector<BrandRule> kFixed = FixedRules();
  static const std::shared_ptr<const RuleSet> kRules = [] {
    std::vector<CompileError> e;
    auto rs = RuleSet::Compile(kFixed, MatchOptions{}, e);
    if (!rs) Broken("fixed rules do not compile", e.empty() ? "" : e[0].message);
    return rs;
  }();
  static Matcher matcher(kRules);
  static earshot::testing::ReferenceMatcher reference(kFixed);
  earshot::ingest::Post post;
  post.title = std::string(input.substr(0, nl == std::string_view::npos ? 0 : nl));
  post.text = std::string(text.empty() ? input : text);
  post.lang = size % 2 ? "en" : "";
  MatchAndCheck(matcher, valid && size <= 2048 ? &reference : nullptr, post, valid);
  return 0;
}
