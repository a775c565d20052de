// Unit tests of the query language: every operator, precedence, and every compile error.
#include <gtest/gtest.h>

#include <initializer_list>

#include "pipeline/match/matcher.h"
#include "pipeline/match/query.h"
#include "pipeline/match/rule_set.h"

namespace earshot::pipeline::match {
namespace {

// Renders a parsed query as an S-expression, to check structure and precedence.
std::string Render(const Query& q, int node) {
  const Node& n = q.nodes[static_cast<size_t>(node)];
  auto kids = [&](const char* op) {
    std::string s = std::string("(") + op;
    for (int c : n.children) s += " " + Render(q, c);
    return s + ")";
  };
  switch (n.kind) {
    case NodeKind::kTerm: {
      const TermSpec& t = q.terms[static_cast<size_t>(n.index)];
      std::string s = t.phrase ? "\"" + t.text + "\"" : t.text;
      return t.cased ? "{" + s + "}" : s;
    }
    case NodeKind::kField: {
      const FieldFilter& f = q.fields[static_cast<size_t>(n.index)];
      return std::string(FieldNameString(f.name)) + ":" +
             (f.value.empty() ? std::to_string(static_cast<int>(f.number)) : f.value);
    }
    case NodeKind::kNot: return kids("NOT");
    case NodeKind::kAnd: return kids("AND");
    case NodeKind::kOr: return kids("OR");
    case NodeKind::kNear:
      return kids(("NEAR/" + std::to_string(n.distance) + (n.ordered ? "f" : "")).c_str());
  }
  return "?";
}

std::string Parse(const std::string& text) {
  Query q;
  QueryError e;
  if (!ParseQuery(text, q, e)) return "error@" + std::to_string(e.offset) + ": " + e.message;
  return Render(q, q.root);
}

TEST(QueryParserTest, TermsPhrasesAndPrefixes) {
  EXPECT_EQ(Parse("apple"), "apple");
  EXPECT_EQ(Parse("\"apple pie\""), "\"apple pie\"");
  EXPECT_EQ(Parse("{US}"), "{US}");
  EXPECT_EQ(Parse("{\"Shell plc\"}"), "{\"Shell plc\"}");
  EXPECT_EQ(Parse("@NimbusAir #fail $AAPL appl* te?m"),
            "(AND @NimbusAir #fail $AAPL appl* te?m)");
  EXPECT_EQ(Parse("coca-cola"), "coca-cola");  // '-' inside a word is not NOT
  EXPECT_EQ(Parse("https://example.com/x"), "https://example.com/x");
}

TEST(QueryParserTest, Precedence) {
  EXPECT_EQ(Parse("a OR b c"), "(OR a (AND b c))");
  EXPECT_EQ(Parse("a b OR c"), "(OR (AND a b) c)");
  EXPECT_EQ(Parse("NOT a b"), "(AND (NOT a) b)");
  EXPECT_EQ(Parse("a AND NOT b OR c"), "(OR (AND a (NOT b)) c)");
  EXPECT_EQ(Parse("(a OR b) c"), "(AND (OR a b) c)");
  EXPECT_EQ(Parse("NOT a NEAR/2 b"), "(NOT (NEAR/2 a b))");
  EXPECT_EQ(Parse("a NEAR/2 b OR c"), "(OR (NEAR/2 a b) c)");
  EXPECT_EQ(Parse("a OR b OR c"), "(OR a b c)");
  EXPECT_EQ(Parse("-a b"), "(AND (NOT a) b)");
  EXPECT_EQ(Parse("a and b or not c"), "(AND a and b or not c)");  // lower case: words
}

TEST(QueryParserTest, NearForms) {
  EXPECT_EQ(Parse("a NEAR/3 b"), "(NEAR/3 a b)");
  EXPECT_EQ(Parse("a NEAR/3f b"), "(NEAR/3f a b)");
  EXPECT_EQ(Parse("a ONEAR/3 b"), "(NEAR/3f a b)");
  EXPECT_EQ(Parse("(a OR \"b c\") NEAR/0 d"), "(NEAR/0 (OR a \"b c\") d)");
  EXPECT_EQ(Parse("a NEAR/1 b NEAR/2 c"), "error@2: NEAR operands must be terms, phrases or "
                                          "OR-groups of them");
}

TEST(QueryParserTest, FieldFilters) {
  EXPECT_EQ(Parse("x lang:EN"), "(AND x lang:en)");
  EXPECT_EQ(Parse("x author:@Bob"), "(AND x author:bob)");
  EXPECT_EQ(Parse("x subreddit:r/Travel"), "(AND x subreddit:travel)");
  EXPECT_EQ(Parse("x rating:<=2 followers:>=10000"), "(AND x rating:2 followers:10000)");
  EXPECT_EQ(Parse("x site:\"example.com\""), "(AND x site:example.com)");
  EXPECT_EQ(Parse("x source:reddit url:example.com/a"), "(AND x source:reddit url:example.com/a)");
  // site: takes a domain as people paste it; a path or a port could never match a host.
  EXPECT_EQ(Parse("x site:https://www.Example.com/"), "(AND x site:www.example.com)");
  EXPECT_EQ(Parse("x site:http://news.example.com"), "(AND x site:news.example.com)");
  EXPECT_EQ(Parse("x site:example.com/support"),
            "error@2: site: takes a domain such as example.com, found 'example.com/support' "
            "(url:example.com/path matches links by their start)");
  EXPECT_EQ(Parse("x site:example.com:8080").substr(0, 36), "error@2: site: takes a domain such a");
}

TEST(QueryParserTest, SyntaxErrors) {
  EXPECT_EQ(Parse(""), "error@0: query is empty");
  EXPECT_EQ(Parse("   "), "error@0: query is empty");
  EXPECT_EQ(Parse("(a OR b"), "error@7: expected ')' to close the '(' at offset 0");
  EXPECT_EQ(Parse("a)"), "error@1: unexpected ')' without a matching '('");
  EXPECT_EQ(Parse("()"), "error@1: empty parentheses: expected a term inside");
  EXPECT_EQ(Parse("\"open"), "error@0: unterminated phrase: expected '\"'");
  EXPECT_EQ(Parse("\"  \""), "error@0: empty phrase");
  EXPECT_EQ(Parse("{US"), "error@0: unterminated '{': expected '}'");
  EXPECT_EQ(Parse("US}"), "error@2: unexpected '}' without a matching '{'");
  EXPECT_EQ(Parse("{}"), "error@0: empty '{}': expected a term inside");
  EXPECT_EQ(Parse("\u201Cnimbus air\u201D"),
            "error@0: typographic quote: a phrase is written between straight double quotes "
            "(\")");
  EXPECT_EQ(Parse("rating:nan"),
            "error@0: rating: expects a number, optionally after <, <=, >, >= or =");
  EXPECT_EQ(Parse("x followers:>inf"),
            "error@2: followers: expects a number, optionally after <, <=, >, >= or =");
  EXPECT_EQ(Parse("{a (b}"), "error@0: '{...}' holds one term or one \"phrase\"");
  EXPECT_EQ(Parse("a AND"),
            "error@5: expected a term, phrase, field filter or '(' after AND, found the end of "
            "the query");
  EXPECT_EQ(Parse("a OR OR b"),
            "error@5: expected a term, phrase, field filter or '(' after OR, found OR");
  EXPECT_EQ(Parse("NOT"),
            "error@3: expected a term, phrase, field filter or '(' after NOT, found the end of "
            "the query");
  EXPECT_EQ(Parse("OR a"),
            "error@0: expected a term, phrase, field filter or '(' here, found OR");
  EXPECT_EQ(Parse("a NEAR b"),
            "error@2: NEAR needs a distance: write NEAR/n (or NEAR/nf for in order)");
  EXPECT_EQ(Parse("a NEAR/x b"), "error@2: expected a number of words after '/' in NEAR/x");
  EXPECT_EQ(Parse("a NEAR/500 b"), "error@2: NEAR distance must be between 0 and 100");
  EXPECT_EQ(Parse("a NEAR/2 lang:en"),
            "error@9: expected a term, phrase, field filter or '(' after NEAR, found something "
            "else");
  EXPECT_EQ(Parse("a NEAR/2 (b c)"),
            "error@9: NEAR operands must be terms, phrases or OR-groups of them");
  EXPECT_EQ(Parse("x colour:red").substr(0, 31), "error@2: unknown field 'colour:");
  EXPECT_EQ(Parse("x rating:lots"),
            "error@2: rating: expects a number, optionally after <, <=, >, >= or =");
  EXPECT_EQ(Parse("x rating:11"), "error@2: rating: must be between 0 and 10");
  EXPECT_EQ(Parse("x followers:-5"), "error@2: followers: must not be negative");
  EXPECT_EQ(Parse("x lang:"), "error@2: lang: needs a value");
  EXPECT_EQ(Parse("x source:myspace").substr(0, 41), "error@2: source: unknown source 'myspace'");
  EXPECT_EQ(Parse(std::string(70000, 'a')), "error@0: query is longer than 64 KiB");
  EXPECT_EQ(Parse(std::string(100, '(') + "a" + std::string(100, ')')),
            "error@64: query nests too deeply");
}

// Compiles one brand and returns its first error (or "" when it compiles).
std::string FirstError(const std::string& query, const std::string& exclude = "") {
  std::vector<CompileError> errors;
  auto rs = RuleSet::Compile({{"b", "B", query, exclude, "", {}}}, MatchOptions{}, errors);
  if (errors.empty()) return rs ? "" : "null without errors";
  return std::string(errors[0].in_exclude ? "exclude" : "query") + "@" +
         std::to_string(errors[0].offset) + ": " + errors[0].message;
}

TEST(RuleSetTest, CompileErrors) {
  EXPECT_EQ(FirstError("apple"), "");
  EXPECT_EQ(FirstError("\"!!!\""), "query@0: '!!!' has no letters, digits or emoji to match");
  EXPECT_EQ(FirstError("x *"), "query@2: a lone wildcard '*' matches almost everything");
  EXPECT_EQ(FirstError("*pple"), "query@0: '*pple': a wildcard cannot start a word");
  // Messages quote a term as the query writes it, and name the word of a phrase at fault.
  EXPECT_EQ(FirstError("x OR *Pple"), "query@5: '*Pple': a wildcard cannot start a word");
  EXPECT_EQ(FirstError("\"big *Apple\""),
            "query@0: '*apple' in 'big *Apple': a wildcard cannot start a word");
  EXPECT_EQ(FirstError("\"Big ?\""),
            "query@0: a lone wildcard '?' in 'Big ?' matches almost everything");
  EXPECT_EQ(FirstError("A*"),
            "query@0: 'A*' matches almost everything: put at least two characters before '*'");
  // \\* and \\? are the characters: "E*TRADE" in a text is the words "e trade".
  EXPECT_EQ(FirstError("E\\*TRADE"), "");
  EXPECT_EQ(FirstError("\\*pple"), "");
  EXPECT_EQ(FirstError("\"\\?\\*\""), "query@0: '\\?\\*' has no letters, digits or emoji to match");
  EXPECT_EQ(FirstError("a*"),
            "query@0: 'a*' matches almost everything: put at least two characters before '*'");
  EXPECT_EQ(FirstError("NOT apple"),
            "query@0: query matches posts that contain none of its terms (a NOT or a field "
            "filter on its own); add a term it must find");
  EXPECT_EQ(FirstError("lang:en").substr(0, 40), "query@0: query matches posts that contai");
  EXPECT_EQ(FirstError("apple OR NOT pie").substr(0, 40),
            "query@0: query matches posts that contai");
  EXPECT_EQ(FirstError("apple OR NOT lang:en").substr(0, 40),
            "query@0: query matches posts that contai");
  EXPECT_EQ(FirstError("apple AND NOT apple"),
            "query@0: query can never match: it contradicts itself");
  EXPECT_EQ(FirstError("apple AND NOT APPLE"),
            "query@0: query can never match: it contradicts itself");
  EXPECT_EQ(FirstError("apple", "NOT pie").substr(0, 40),
            "exclude@0: query matches posts that cont");
  EXPECT_EQ(FirstError("apple", "(pie"), "exclude@4: expected ')' to close the '(' at offset 0");
  EXPECT_EQ(FirstError("apple lang:en"), "");
  EXPECT_EQ(FirstError("NOT (NOT apple)"), "");  // double negation is positive
}

TEST(RuleSetTest, MemoryBudgetTooSmallIsAnError) {
  std::vector<CompileError> errors;
  MatchOptions options;
  options.max_mem_bytes = 8u << 20;
  auto rs = RuleSet::Compile({{"b", "B", "apple", "", "", {}}}, options, errors);
  EXPECT_EQ(rs, nullptr);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message.rfind("matching.max_mem_bytes allows only 8 MiB", 0), 0u);
}

TEST(RuleSetTest, AtomsAreSharedAcrossBrands) {
  std::vector<CompileError> errors;
  auto rs = RuleSet::Compile({{"a", "A", "apple OR pie", "", "", {}},
                              {"b", "B", "APPLE OR {Apple} OR \"apple pie\"", "", "", {}}},
                             MatchOptions{}, errors);
  ASSERT_TRUE(rs) << errors[0].message;
  // apple, pie, {Apple} (cased) and "apple pie".
  EXPECT_EQ(rs->atoms().size(), 4u);
  EXPECT_TRUE(rs->has_cased_atoms());
  EXPECT_EQ(rs->folded_sets().size(), 1u);
  EXPECT_EQ(rs->cased_sets().size(), 1u);
}

TEST(RuleSetTest, ManyPatternsSplitIntoSeveralSets) {
  std::vector<BrandRule> rules;
  for (int i = 0; i < 250; ++i) {
    rules.push_back({"b" + std::to_string(i), "", "brandword" + std::to_string(i), "", "", {}});
  }
  MatchOptions options;
  options.patterns_per_set = 100;
  std::vector<CompileError> errors;
  auto rs = RuleSet::Compile(rules, options, errors);
  ASSERT_TRUE(rs);
  // Each plain word is two patterns (the word and its hashtag): 500 patterns, 100 a set.
  EXPECT_EQ(rs->folded_sets().size(), 5u);
  for (const auto& group : rs->folded_sets()) EXPECT_LE(group.atom_ids.size(), 100u);
  Matcher m(rs);
  ingest::Post post;
  post.text = "I like brandword7 and #brandword249 but not brandword1000";
  MatchResult result;
  m.Match(post, result);
  ASSERT_EQ(result.count, 2u);
  EXPECT_EQ(rs->brands()[result.hits[0].brand].rule.id, "b7");
  EXPECT_EQ(rs->brands()[result.hits[1].brand].rule.id, "b249");
}

// Matches `text` against brands given as (id, query) and returns matched ids.
std::vector<std::string> Matches(std::initializer_list<std::pair<std::string, std::string>> brands,
                                 const std::string& text, const std::string& title = "") {
  std::vector<BrandRule> rules;
  for (const auto& [id, query] : brands) rules.push_back({id, id, query, "", "", {}});
  std::vector<CompileError> errors;
  auto rs = RuleSet::Compile(rules, MatchOptions{}, errors);
  EXPECT_TRUE(rs) << (errors.empty() ? "" : errors[0].message);
  if (!rs) return {"<compile error>"};
  Matcher m(rs);
  ingest::Post post;
  post.text = text;
  post.title = title;
  MatchResult result;
  m.Match(post, result);
  std::vector<std::string> ids;
  for (size_t i = 0; i < result.count; ++i) ids.push_back(rs->brands()[result.hits[i].brand].rule.id);
  return ids;
}

using Ids = std::vector<std::string>;

TEST(MatcherTest, EveryOperator) {
  EXPECT_EQ(Matches({{"t", "apple"}}, "I love Apple."), Ids{"t"});
  EXPECT_EQ(Matches({{"t", "apple"}}, "pineapple"), Ids{});
  EXPECT_EQ(Matches({{"p", "\"apple pie\""}}, "an apple, pie"), Ids{"p"});  // punctuation: one gap
  EXPECT_EQ(Matches({{"p", "\"apple pie\""}}, "apple and pie"), Ids{});
  EXPECT_EQ(Matches({{"a", "apple AND pie"}}, "pie with apple"), Ids{"a"});
  EXPECT_EQ(Matches({{"a", "apple pie"}}, "apple"), Ids{});
  EXPECT_EQ(Matches({{"o", "apple OR pear"}}, "a pear"), Ids{"o"});
  EXPECT_EQ(Matches({{"n", "apple NOT pie"}}, "apple pie"), Ids{});
  EXPECT_EQ(Matches({{"n", "apple -pie"}}, "apple tart"), Ids{"n"});
  EXPECT_EQ(Matches({{"w", "appl*"}}, "apples"), Ids{"w"});
  EXPECT_EQ(Matches({{"w", "appl*"}}, "app"), Ids{});
  EXPECT_EQ(Matches({{"q", "colo?r"}}, "colour"), Ids{"q"});
  EXPECT_EQ(Matches({{"q", "colo?r"}}, "color"), Ids{});
  EXPECT_EQ(Matches({{"q", "caf?"}}, "café"), Ids{"q"});  // ? is one character, not one byte
  EXPECT_EQ(Matches({{"c", "{US}"}}, "made in the US"), Ids{"c"});
  EXPECT_EQ(Matches({{"c", "{US}"}}, "join us"), Ids{});
  EXPECT_EQ(Matches({{"h", "@delta"}}, "thanks @Delta!"), Ids{"h"});
  EXPECT_EQ(Matches({{"h", "@delta"}}, "thanks Delta"), Ids{});
  EXPECT_EQ(Matches({{"d", "delta"}}, "thanks @Delta"), Ids{});
  EXPECT_EQ(Matches({{"d", "delta"}}, "#Delta rocks"), Ids{"d"});
  EXPECT_EQ(Matches({{"g", "#delta"}}, "Delta rocks"), Ids{});
  EXPECT_EQ(Matches({{"s", "$aapl"}}, "buying $AAPL"), Ids{"s"});
}

TEST(MatcherTest, Proximity) {
  EXPECT_EQ(Matches({{"n", "flight NEAR/2 delayed"}}, "delayed my flight"), Ids{"n"});
  EXPECT_EQ(Matches({{"n", "flight NEAR/0 delayed"}}, "delayed my flight"), Ids{});
  EXPECT_EQ(Matches({{"n", "flight NEAR/1 delayed"}}, "flight was delayed"), Ids{"n"});
  EXPECT_EQ(Matches({{"f", "flight NEAR/3f delayed"}}, "delayed my flight"), Ids{});
  EXPECT_EQ(Matches({{"f", "flight NEAR/3f delayed"}}, "flight got delayed"), Ids{"f"});
  EXPECT_EQ(Matches({{"p", "\"nimbus air\" NEAR/1 (late OR delayed)"}}, "Nimbus Air very late"),
            Ids{"p"});
  EXPECT_EQ(Matches({{"p", "\"nimbus air\" NEAR/1 (late OR delayed)"}},
                    "Nimbus Air was very late"),
            Ids{});
  EXPECT_EQ(Matches({{"s", "apple NEAR/3 apple"}}, "apple"), Ids{});  // needs two occurrences
  EXPECT_EQ(Matches({{"s", "apple NEAR/3 apple"}}, "apple and apple"), Ids{"s"});
  // Proximity never crosses from the title into the text.
  EXPECT_EQ(Matches({{"t", "refund NEAR/1 nimbus"}}, "refund now", "Nimbus"), Ids{});
  // Many occurrences of both words: the nearest pair decides, on either side.
  std::string many;
  for (int i = 0; i < 3000; ++i) many += "delayed x y ";
  EXPECT_EQ(Matches({{"n", "flight NEAR/1 delayed"}}, many + "flight"), Ids{});
  EXPECT_EQ(Matches({{"n", "flight NEAR/2 delayed"}}, many + "flight"), Ids{"n"});
  EXPECT_EQ(Matches({{"n", "flight NEAR/0 delayed"}}, "flight x " + many + "delayed flight"),
            Ids{"n"});
  EXPECT_EQ(Matches({{"f", "flight NEAR/1f delayed"}}, many + "flight"), Ids{});
  EXPECT_EQ(Matches({{"f", "flight NEAR/1f delayed"}}, "flight x delayed " + many), Ids{"f"});
}

TEST(MatcherTest, VeryLongWordsWithoutWildcardBrands) {
  // A token of 255 bytes or more once read the (empty) prefix filter of a rule set without
  // wildcard keys: a crash on any long URL or word.
  for (size_t n : {254u, 255u, 300u, 5000u}) {
    EXPECT_EQ(Matches({{"a", "apple"}}, "see " + std::string(n, 'x') + " apple"), Ids{"a"}) << n;
    EXPECT_EQ(Matches({{"a", "apple"}}, "https://example.com/" + std::string(n, 'A')), Ids{}) << n;
  }
}

TEST(MatcherTest, FieldFilters) {
  std::vector<CompileError> errors;
  auto rs = RuleSet::Compile(
      {{"en", "en", "nimbus lang:en", "", "", {}},
       {"rd", "rd", "nimbus source:reddit subreddit:travel", "", "", {}},
       {"low", "low", "nimbus rating:<=2", "", "", {}},
       {"big", "big", "nimbus followers:>=10000", "", "", {}},
       {"au", "au", "nimbus author:@Kai", "", "", {}},
       {"site", "site", "nimbus site:nimbus.example", "", "", {}},
       {"url", "url", "nimbus url:www.help.example/tickets", "", "", {}}},
      MatchOptions{}, errors);
  ASSERT_TRUE(rs);
  EXPECT_TRUE(rs->all_brands_field_gated());
  Matcher m(rs);
  ingest::Post post;
  post.text = "nimbus";
  post.lang = "en-GB";
  post.source = ingest::Source::kReddit;
  post.community = "Travel";
  post.rating = 2;
  post.author.handle = "kai";
  post.author.followers = 9999;
  post.links = {"https://www.shop.nimbus.example/x", "http://help.example/tickets/55"};
  MatchResult result;
  m.Match(post, result);
  Ids ids;
  for (size_t i = 0; i < result.count; ++i) ids.push_back(rs->brands()[result.hits[i].brand].rule.id);
  EXPECT_EQ(ids, (Ids{"en", "rd", "low", "au", "site", "url"}));
  // Failing every gate skips the text entirely.
  ingest::Post other;
  other.text = "nimbus";
  m.Match(other, result);
  EXPECT_EQ(result.count, 0u);
  EXPECT_TRUE(m.normalized().tokens.empty());
}

TEST(MatcherTest, ExcludeVetoesAndSpansPointAtTheOriginalText) {
  std::vector<CompileError> errors;
  auto rs = RuleSet::Compile({{"apple", "Apple", "apple OR @apple", "\"apple pie\"", "", {}}},
                             MatchOptions{}, errors);
  ASSERT_TRUE(rs);
  Matcher m(rs);
  ingest::Post post;
  MatchResult result;
  post.text = "I baked apple pie";
  m.Match(post, result);
  EXPECT_EQ(result.count, 0u);
  post.text = "𝐀𝐩𝐩𝐥𝐞 and ＡＰＰＬＥ and @Apple";
  m.Match(post, result);
  ASSERT_EQ(result.count, 1u);
  std::vector<std::string> spans;
  for (const Span& s : result.hits[0].spans) spans.push_back(post.text.substr(s.begin, s.end - s.begin));
  EXPECT_EQ(spans, (std::vector<std::string>{"𝐀𝐩𝐩𝐥𝐞", "ＡＰＰＬＥ", "@Apple"}));
  post.title = "Apple news";
  post.text = "nothing here";
  m.Match(post, result);
  ASSERT_EQ(result.count, 1u);
  EXPECT_TRUE(result.hits[0].spans.empty());
  ASSERT_EQ(result.hits[0].title_spans.size(), 1u);
  EXPECT_EQ(result.hits[0].title_spans[0], (Span{0, 5}));
}

TEST(GlobTest, Wildcards) {
  EXPECT_TRUE(GlobMatch("ap*", "apple"));
  EXPECT_TRUE(GlobMatch("a*e", "apple"));
  EXPECT_FALSE(GlobMatch("a*x", "apple"));
  EXPECT_TRUE(GlobMatch("caf?", "café"));
  EXPECT_FALSE(GlobMatch("caf?", "cafés"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("?", ""));
}

}  // namespace
}  // namespace earshot::pipeline::match
