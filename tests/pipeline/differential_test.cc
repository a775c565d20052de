// Differential test: the engine (RuleSet + Matcher: RE2::Set, candidate index, atom cache)
// against ReferenceMatcher (per brand, per term, a plain scan of the token list) on random
// queries and texts drawn from one small vocabulary, so that they overlap often. They must agree
// exactly on the matched brands and on every span.
//
// Many queries share one compiled rule set (a batch of brands) and every text of the batch is
// matched against all of them, so 100,000+ query/text pairs run in a few seconds.
#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/match/matcher.h"
#include "pipeline/match/rule_set.h"
#include "tests/pipeline/reference_matcher.h"
#include "ingest/text.h"

namespace earshot::pipeline::match {
namespace {

using Rng = std::mt19937_64;

const std::vector<std::string> kWords = {
    "apple", "delta", "united", "air", "lines", "pie", "watch", "new", "york", "team",
    "term", "café", "cafe", "straße", "strasse", "us", "nations", "flight", "late", "tesla",
    "amazon", "river", "shell", "target", "gap", "year"};
const std::vector<std::string> kNonLatin = {"トヨタ", "丰田", "тойота", "Тойота", "تويوتا", "ト"};
const std::vector<std::string> kNoise = {"the", "of", "and", "my", "is", "a", "to", "!", "42"};
const std::vector<std::string> kEmoji = {"😀", "✈️", "🍎", "🇺🇸", "👍🏽", "❤"};
const std::vector<std::string> kUrls = {"https://delta.com/x", "www.apple.com", "http://t.co/apple",
                                        "https://www.united.com/us?q=delta"};
const std::vector<std::string> kSeparators = {" ", " ", " ", ", ", "-", "\n", "", ". ", "'s ",
                                              "\u00a0", "/"};

size_t Pick(Rng& rng, size_t n) { return static_cast<size_t>(rng() % n); }
template <typename T>
const T& PickOf(Rng& rng, const std::vector<T>& v) { return v[Pick(rng, v.size())]; }
bool Chance(Rng& rng, int percent) { return static_cast<int>(rng() % 100) < percent; }


// Case and Unicode variants of an ASCII-ish word: as is, Capitalized, UPPER, fullwidth,
// mathematical bold, or with a combining acute accent instead of a precomposed é.
std::string Variant(Rng& rng, const std::string& word) {
  int kind = static_cast<int>(Pick(rng, 10));
  std::string out;
  auto ascii_only = word.find_first_of("\x80\xff") == std::string::npos &&
                    std::all_of(word.begin(), word.end(), [](char c) { return (c & 0x80) == 0; });
  if (kind <= 3 || !ascii_only) {
    if (word == "café" && Chance(rng, 50)) return "cafe\u0301";
    if (word == "straße" && Chance(rng, 50)) return "STRASSE";
    return word;
  }
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    bool letter = c >= 'a' && c <= 'z';
    switch (kind) {
      case 4:
      case 5: out.push_back(i == 0 && letter ? static_cast<char>(c - 32) : c); break;
      case 6:
      case 7: out.push_back(letter ? static_cast<char>(c - 32) : c); break;
      case 8:
        if (letter) ingest::AppendUtf8(0xFF41 + static_cast<uint32_t>(c - 'a'), out);
        else out.push_back(c);
        break;
      default:
        if (letter) ingest::AppendUtf8(0x1D41A + static_cast<uint32_t>(c - 'a'), out);
        else out.push_back(c);
        break;
    }
  }
  return out;
}

// --- Queries ---

std::string Word(Rng& rng) {
  if (Chance(rng, 8)) return PickOf(rng, kNonLatin);
  return PickOf(rng, kWords);
}

std::string CaseVariant(Rng& rng, std::string w) {
  if (Chance(rng, 20) && !w.empty() && w[0] >= 'a' && w[0] <= 'z') w[0] = static_cast<char>(w[0] - 32);
  if (Chance(rng, 10)) {
    for (char& c : w) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
  }
  return w;
}

std::string Term(Rng& rng) {
  int kind = static_cast<int>(Pick(rng, 22));
  std::string w = Word(rng);
  switch (kind) {
    case 0:
    case 1: return "#" + w;
    case 2: return "@" + w;
    case 3: return "$" + CaseVariant(rng, w);
    case 4:
    case 5: return "\"" + w + " " + Word(rng) + "\"";
    case 6: return "\"" + w + " " + Word(rng) + " " + Word(rng) + "\"";
    case 7: {  // trailing wildcard after 2+ characters
      if (w.size() < 3 || (w[0] & 0x80)) return w;
      size_t keep = 2 + Pick(rng, w.size() - 2);
      return w.substr(0, keep) + "*";
    }
    case 8: {  // single-character wildcard (ASCII position)
      if (w.size() < 3 || (w[0] & 0x80)) return w;
      size_t at = Pick(rng, w.size());
      if (static_cast<unsigned char>(w[at]) >= 0x80) return w;
      w[at] = '?';
      return w;
    }
    case 9: return "{" + CaseVariant(rng, w) + "}";
    case 10: return "{\"" + CaseVariant(rng, w) + " " + Word(rng) + "\"}";
    case 11: return "\"" + w + "* " + Word(rng) + "\"";
    case 12: return "?" + w;  // a leading '?' could cover the '@' of a mention
    case 13: {                 // wildcards that could run into URL tokens
      static const std::vector<std::string> kUrlish = {"ww*", "htt*", "http?", "t.co", "www",
                                                       "https*", "?ww*", "de*"};
      return PickOf(rng, kUrlish);
    }
    default: return CaseVariant(rng, w);
  }
}

std::string Field(Rng& rng) {
  static const std::vector<std::string> kFields = {
      "lang:en",      "lang:es",         "source:reddit",       "source:x",
      "rating:<=2",   "rating:>3",       "followers:>=1000",    "followers:<100",
      "author:jane",  "site:delta.com",  "url:delta.com/us",    "subreddit:flying",
      "-site:t.co",   "NOT lang:en"};
  return PickOf(rng, kFields);
}

std::string NearOperand(Rng& rng) {
  if (Chance(rng, 25)) return "(" + Term(rng) + " OR " + Term(rng) + ")";
  return Term(rng);
}

std::string Query(Rng& rng, int depth) {
  int kind = static_cast<int>(Pick(rng, depth >= 2 ? 3 : 9));
  switch (kind) {
    case 0:
    case 1:
    case 2: return Term(rng);
    case 3: {
      int n = static_cast<int>(Pick(rng, 5));
      std::string op = Chance(rng, 30) ? (Chance(rng, 50) ? "NEAR/" + std::to_string(n) + "f"
                                                          : "ONEAR/" + std::to_string(n))
                                       : "NEAR/" + std::to_string(n);
      return NearOperand(rng) + " " + op + " " + NearOperand(rng);
    }
    case 4: return Query(rng, depth + 1) + " OR " + Query(rng, depth + 1);
    case 5: return Query(rng, depth + 1) + " AND " + Query(rng, depth + 1);
    case 6: return Query(rng, depth + 1) + " " + Query(rng, depth + 1);  // implicit AND
    case 7: return Query(rng, depth + 1) + (Chance(rng, 50) ? " NOT " : " -") + Term(rng);
    default: return "(" + Query(rng, depth + 1) + ") " + Field(rng);
  }
}

// --- Texts ---

std::string Text(Rng& rng, int max_items) {
  std::string out;
  int items = static_cast<int>(Pick(rng, static_cast<size_t>(max_items) + 1));
  for (int i = 0; i < items; ++i) {
    if (i) out += PickOf(rng, kSeparators);
    int kind = static_cast<int>(Pick(rng, 20));
    if (kind < 9) {
      out += Variant(rng, PickOf(rng, kWords));
    } else if (kind < 11) {
      out += PickOf(rng, kNoise);
    } else if (kind == 11) {
      out += "#" + Variant(rng, PickOf(rng, kWords));
    } else if (kind == 12) {
      out += "@" + PickOf(rng, kWords);
    } else if (kind == 13) {
      out += "$" + CaseVariant(rng, PickOf(rng, kWords));
    } else if (kind == 14) {
      out += PickOf(rng, kEmoji);
    } else if (kind == 15) {
      out += PickOf(rng, kUrls);
    } else if (kind == 16) {
      out += PickOf(rng, kNonLatin);
    } else if (kind == 17) {
      out += PickOf(rng, kWords) + PickOf(rng, kWords);  // run together
    } else {
      out += PickOf(rng, kWords) + " " + PickOf(rng, kWords);
    }
  }
  return out;
}

ingest::Post RandomPost(Rng& rng) {
  ingest::Post post;
  post.text = Text(rng, 12);
  if (Chance(rng, 20)) post.title = Text(rng, 4);
  static const std::vector<std::string> kLangs = {"", "en", "en-US", "es"};
  post.lang = PickOf(rng, kLangs);
  post.source = Chance(rng, 50) ? ingest::Source::kX : ingest::Source::kReddit;
  if (Chance(rng, 40)) post.rating = static_cast<double>(1 + Pick(rng, 5));
  if (Chance(rng, 60)) post.author.followers = static_cast<int64_t>(Pick(rng, 3000));
  post.author.handle = Chance(rng, 30) ? "Jane" : "bob";
  post.community = Chance(rng, 30) ? "flying" : "";
  if (Chance(rng, 20)) post.links.push_back("https://www.delta.com/us/x");
  if (Chance(rng, 20)) post.links.push_back("https://t.co/abc");
  return post;
}

std::string Describe(const BrandRule& rule, const ingest::Post& post) {
  std::ostringstream os;
  os << "query [" << rule.query << "]";
  if (!rule.exclude.empty()) os << " exclude [" << rule.exclude << "]";
  os << " text [" << post.text << "]";
  if (!post.title.empty()) os << " title [" << post.title << "]";
  os << " lang=" << post.lang << " source=" << ingest::SourceName(post.source)
     << " rating=" << (post.rating ? std::to_string(*post.rating) : "-")
     << " followers=" << (post.author.followers ? std::to_string(*post.author.followers) : "-")
     << " community=" << post.community << " links=" << post.links.size();
  return os.str();
}

std::string SpansString(const std::vector<Span>& spans) {
  std::string s;
  for (const auto& sp : spans) s += "[" + std::to_string(sp.begin) + "," + std::to_string(sp.end) + ")";
  return s;
}

TEST(DifferentialTest, EngineAgreesWithReferenceOnRandomQueriesAndTexts) {
  constexpr int kBatches = 60;
  constexpr int kBrandsPerBatch = 64;
  constexpr int kPostsPerBatch = 48;
  Rng rng(20240611);
  int64_t pairs = 0, generated = 0, rejected = 0, matched_pairs = 0, mismatches = 0;
  for (int batch = 0; batch < kBatches; ++batch) {
    std::vector<BrandRule> rules;
    for (int b = 0; b < kBrandsPerBatch; ++b) {
      BrandRule r;
      r.id = "b" + std::to_string(b);
      r.query = Query(rng, 0);
      if (Chance(rng, 25)) r.exclude = Query(rng, 1);
      rules.push_back(std::move(r));
    }
    generated += static_cast<int64_t>(rules.size());
    std::shared_ptr<const RuleSet> compiled;
    for (;;) {
      std::vector<CompileError> errors;
      compiled = RuleSet::Compile(rules, MatchOptions{}, errors);
      if (compiled || errors.empty()) break;
      std::vector<bool> bad(rules.size(), false);
      for (const auto& e : errors) bad[e.brand] = true;
      std::vector<BrandRule> kept;
      for (size_t i = 0; i < rules.size(); ++i) {
        if (bad[i]) {
          ++rejected;
        } else {
          kept.push_back(rules[i]);
        }
      }
      rules = std::move(kept);
      if (rules.empty()) break;
    }
    if (!compiled) continue;
    Matcher matcher(compiled);
    testing::ReferenceMatcher reference(rules);
    ASSERT_TRUE(reference.ok());
    MatchResult result;
    for (int p = 0; p < kPostsPerBatch; ++p) {
      ingest::Post post = RandomPost(rng);
      matcher.Match(post, result);
      ASSERT_FALSE(result.scan_error);
      auto want = reference.Match(post);
      pairs += static_cast<int64_t>(rules.size());
      matched_pairs += static_cast<int64_t>(want.size());
      // Compare brand by brand, so a mismatch names its query.
      std::vector<const BrandHit*> engine_of(rules.size(), nullptr);
      std::vector<const testing::ReferenceMatcher::Hit*> ref_of(rules.size(), nullptr);
      for (size_t i = 0; i < result.count; ++i) engine_of[result.hits[i].brand] = &result.hits[i];
      for (const auto& h : want) ref_of[h.brand] = &h;
      for (size_t b = 0; b < rules.size(); ++b) {
        const BrandHit* e = engine_of[b];
        const auto* r = ref_of[b];
        bool same = (e == nullptr) == (r == nullptr) &&
                    (e == nullptr || (e->spans == r->spans && e->title_spans == r->title_spans));
        if (!same) {
          ++mismatches;
          if (mismatches <= 20) {
            ADD_FAILURE() << "engine " << (e ? "matched" : "did not match") << ", reference "
                          << (r ? "matched" : "did not match") << ": " << Describe(rules[b], post)
                          << (e && r ? " spans engine " + SpansString(e->spans) + SpansString(e->title_spans) +
                                           " reference " + SpansString(r->spans) + SpansString(r->title_spans)
                                     : "");
          }
        }
      }
    }
  }
  std::cout << "[ differential ] " << pairs << " query/text pairs, " << matched_pairs
            << " matches; " << generated << " queries generated, " << rejected
            << " rejected by the compiler; " << mismatches << " mismatches\n";
  EXPECT_EQ(mismatches, 0);
  EXPECT_GE(pairs, 100000);
  EXPECT_GE(matched_pairs, 2000);  // the vocabulary overlaps enough to exercise matching
  EXPECT_LE(rejected * 4, generated);  // most generated queries are valid
}

}  // namespace
}  // namespace earshot::pipeline::match

namespace earshot::pipeline {
namespace {

// The all-ASCII fast path of the Normalizer must produce exactly what the general loop produces.
// A trailing " é" sends a text down the general loop without changing its earlier tokens.
TEST(NormalizerDifferentialTest, AsciiFastPathEqualsGeneralPath) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "aAbZz09_ @#$.:/-,!?'\")(\nhtpsw";
  const std::vector<std::string> pieces = {"https://", "http://", "www.", "HTTPS://x.com/a?b=1",
                                           "@", "#", "$", "##", "@@a", "a#b", "x$Y"};
  Normalizer normalizer;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    size_t len = rng() % 40;
    while (s.size() < len) {
      if (rng() % 5 == 0) {
        s += pieces[rng() % pieces.size()];
      } else {
        s += alphabet[rng() % alphabet.size()];
      }
    }
    for (bool cased : {false, true}) {
      NormalizeOptions options;
      options.cased = cased;
      NormalizedText fast, general;
      normalizer.Normalize({}, s, options, fast);
      normalizer.Normalize({}, s + " \xC3\xA9", options, general);
      ASSERT_EQ(general.tokens.size(), fast.tokens.size() + 1) << "[" << s << "]";
      for (size_t t = 0; t < fast.tokens.size(); ++t) {
        const Token& a = fast.tokens[t];
        const Token& b = general.tokens[t];
        ASSERT_EQ(fast.TokenText(a), general.TokenText(b)) << "[" << s << "]";
        ASSERT_TRUE(a.kind == b.kind && a.position == b.position && a.orig_begin == b.orig_begin &&
                    a.orig_end == b.orig_end && a.view_begin == b.view_begin)
            << "[" << s << "] token " << t;
        if (cased) {
          ASSERT_EQ(fast.CasedText(a), general.CasedText(b)) << "[" << s << "]";
        }
      }
    }
  }
}

}  // namespace
}  // namespace earshot::pipeline
