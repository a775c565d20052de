// The token key prefilter (TokenKeyFilter + FindAsciiWordRuns): posts it drops must be posts the
// full engine would not match. Checked three ways: the word runs against the normalizer's own
// tokens on random texts, the hash functions against each other, and the engine with the filter
// against the engine without it (a rule set with an atom that has no key turns it off).
#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "pipeline/match/matcher.h"
#include "pipeline/match/rule_set.h"
#include "pipeline/normalize.h"

namespace earshot::pipeline::match {
namespace {

using Rng = std::mt19937_64;

// Pieces of text: ASCII, inert non-ASCII (separators, symbols, modifiers), non-inert non-ASCII
// (letters, compatibility forms, ignorables, marks) and references.
const std::vector<std::string> kPieces = {
    "delta", "Delta", "DELTA", "air", "best", "buy", "at", "t", "apple", "Apple", "x1", "_u",
    " ", " ", " ", ", ", ".", "-", "'", "/", "\n", "@", "#", "$", "@delta", "#delta", "$AAPL",
    "a#b", "https://delta.com/best", "www.apple.com", "http://t.co/x&amp;y",
    "\u2019", "\u201c", "\u201d", "\u2026", "\u2013", "\u00a0", "\u00b7",          // separators
    "\U0001F600", "\u2708\uFE0F", "\U0001F44D\U0001F3FD", "\U0001F1FA\U0001F1F8",  // symbols
    "\u4e30", "\u30c8", "\u200d", "\uFE0F", "\U0001F3FB",                          // and modifiers
    "\u00e9", "caf\u00e9", "\uFF24\uFF25", "\U0001D403\U0001D41E", "\u2122", "\u00ad", "\u200b",
    "\u0301", "\u034f", "\u24b6", "\uFB01", "\u0442",                              // not inert
    "&amp;", "&quot;", "&#39;", "&#x2019;", "&hellip;", "&#65;", "&eacute;", "&nbsp;", "&#x1F600;",
    "&", "&;", "&amp", "&#xFE0F;"};

std::string RandomText(Rng& rng, size_t pieces) {
  std::string s;
  for (size_t i = 0; i < pieces; ++i) s += kPieces[rng() % kPieces.size()];
  return s;
}

bool PureAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

TEST(KeyFilterTest, HashOfPaddedBytesEqualsHashOfView) {
  Rng rng(11);
  for (int i = 0; i < 2000; ++i) {
    std::string s = RandomText(rng, 1 + rng() % 6);
    std::string padded = s + std::string(8, static_cast<char>(rng()));  // garbage past the end
    EXPECT_EQ(TokenKeyFilter::HashPadded(padded.data(), s.size()), TokenKeyFilter::Hash(s)) << s;
  }
  EXPECT_NE(TokenKeyFilter::Hash("delta"), TokenKeyFilter::Hash("delt"));
  EXPECT_NE(TokenKeyFilter::Hash("nimbusairlines"), TokenKeyFilter::Hash("nimbusairliner"));
}

// Every pure-ASCII token of the normalized view (not a URL) is a run once its '@', '#' or '$' is
// removed, and two such tokens adjacent in the view are adjacent runs.
TEST(KeyFilterTest, WordRunsCoverTheAsciiTokens) {
  Rng rng(5);
  Normalizer normalizer;
  NormalizedText text;
  AsciiWordRuns runs;
  int found[2] = {0, 0}, refused[2] = {0, 0};
  for (int i = 0; i < 40000; ++i) {
    const std::string s = RandomText(rng, 1 + rng() % 12);
    normalizer.Normalize({}, s, NormalizeOptions{}, text);
    for (bool allow_symbols : {false, true}) {
      if (!FindAsciiWordRuns(s, allow_symbols, runs)) {
        ++refused[allow_symbols];
        continue;
      }
      ++found[allow_symbols];
      int prev_run = -2, prev_token = -2;
      for (size_t t = 0; t < text.tokens.size(); ++t) {
        const Token& tok = text.tokens[t];
        std::string_view view = text.TokenText(tok);
        if (tok.kind == TokenKind::kUrl || !PureAscii(view)) continue;
        uint32_t begin = tok.orig_begin;
        if (tok.kind != TokenKind::kWord) {
          view.remove_prefix(1);
          ++begin;
        }
        int run = -1;
        for (size_t r = 0; r < runs.count; ++r) {
          if (runs.bounds[2 * r] == begin) run = static_cast<int>(r);
        }
        ASSERT_GE(run, 0) << "[" << s << "] token '" << view << "' is no run"
                          << (allow_symbols ? " (symbols allowed)" : "");
        const auto r = static_cast<size_t>(run);
        ASSERT_EQ(std::string_view(runs.lowered.data() + runs.bounds[2 * r],
                                   runs.bounds[2 * r + 1] - runs.bounds[2 * r]),
                  view)
            << "[" << s << "]";
        if (prev_token == static_cast<int>(t) - 1) {
          ASSERT_EQ(prev_run, run - 1) << "[" << s << "] adjacent tokens, runs apart";
        }
        prev_run = run;
        prev_token = static_cast<int>(t);
      }
    }
  }
  // Both outcomes are exercised, and symbols are skipped only when allowed.
  EXPECT_GT(found[0], 1000);
  EXPECT_GT(refused[0], refused[1]);
  EXPECT_GT(refused[1], 1000);
}

TEST(KeyFilterTest, WhatIsInert) {
  AsciiWordRuns runs;
  for (const char* s : {"it\u2019s", "AT&amp;T", "\u201cDelta\u201d \u2026", "a\u00a0b", "&lt;3",
                        "Tom &amp; Jerry", "plain ascii", ""}) {
    EXPECT_TRUE(FindAsciiWordRuns(s, false, runs)) << s;
  }
  for (const char* s : {"Delta \u2708\uFE0F flight", "\U0001F44D\U0001F3FD ok", "\u4e30 x"}) {
    EXPECT_FALSE(FindAsciiWordRuns(s, false, runs)) << s;
    EXPECT_TRUE(FindAsciiWordRuns(s, true, runs)) << s;
  }
  // Letters, compatibility forms of ASCII, ignorables inside words, marks, and a modifier that
  // would leave a word open.
  for (const char* s : {"caf\u00e9", "\uFF24\uFF25\uFF2C\uFF34\uFF21", "\U0001D403\U0001D41E",
                        "Apple\u2122", "del\u00adta", "del\u200bta", "e\u0301", "de\u034flta",
                        "&#65;", "&eacute;", "@\uFE0Fdelta", "x\u200dy", "\xff"}) {
    EXPECT_FALSE(FindAsciiWordRuns(s, true, runs)) << s;
  }
  ASSERT_TRUE(FindAsciiWordRuns("AT&amp;T", false, runs));
  ASSERT_EQ(runs.count, 2u);  // "at" "t": never "amp"
  EXPECT_EQ(std::string_view(runs.lowered.data() + runs.bounds[2], 1), "t");
}

std::vector<BrandRule> Brands() {
  return {
      {"delta", "Delta", "delta OR @Delta OR #DeltaAirlines", "\"delta variant\"", "", {}},
      {"bestbuy", "Best Buy", "\"best buy\" OR @BestBuy", "", "", {}},
      {"att", "AT&T", "\"AT&T\" OR $T", "", "", {}},
      {"apple", "Apple", "{Apple} OR iPhone", "\"apple pie\"", "", {}},
      {"cafe", "Cafe", "café NEAR/2 delta", "", "", {}},
      {"wild", "Wild", "airl* OR x1", "", "", {}},
      {"toyota", "Toyota", "トヨタ OR 丰田", "", "", {}},
      {"smile", "Smile", "😀 apple", "", "", {}},
  };
}

std::vector<std::pair<uint32_t, std::vector<Span>>> Hits(const MatchResult& r) {
  std::vector<std::pair<uint32_t, std::vector<Span>>> out;
  for (size_t i = 0; i < r.count; ++i) {
    std::vector<Span> spans = r.hits[i].spans;
    spans.insert(spans.end(), r.hits[i].title_spans.begin(), r.hits[i].title_spans.end());
    out.emplace_back(r.hits[i].brand, std::move(spans));
  }
  return out;
}

TEST(KeyFilterTest, EngineMatchesTheSameWithAndWithoutTheFilter) {
  std::vector<CompileError> errors;
  auto with = RuleSet::Compile(Brands(), MatchOptions{}, errors);
  ASSERT_TRUE(with) << (errors.empty() ? "" : errors[0].message);
  auto brands = Brands();
  brands.push_back({"nokey", "No key", "?zqx", "", "", {}});  // a wildcard first: no key
  auto without = RuleSet::Compile(brands, MatchOptions{}, errors);
  ASSERT_TRUE(without) << (errors.empty() ? "" : errors[0].message);
  ASSERT_TRUE(with->key_filter().enabled());
  ASSERT_TRUE(with->key_filter().symbol_keys());  // 😀, トヨタ
  ASSERT_FALSE(without->key_filter().enabled());

  // Without symbol keys, emoji are skipped on the raw text.
  auto ascii_brands = Brands();
  ascii_brands.resize(6);
  auto ascii = RuleSet::Compile(ascii_brands, MatchOptions{}, errors);
  ASSERT_TRUE(ascii && ascii->key_filter().enabled() && !ascii->key_filter().symbol_keys());

  Matcher m_with(with), m_without(without), m_ascii(ascii);
  MatchResult r_with, r_without, r_ascii;
  Rng rng(3);
  const std::vector<std::string> extra = {"best buy", "AT&amp;T", "at&t", "$T", "@BestBuy",
                                          "#deltaairlines", "Apple", "airlines", "トヨタ", "丰田",
                                          "\U0001D403\U0001D41E\U0001D425\U0001D42D\U0001D41A",
                                          "caf\u00e9", "cafe\u0301", "\U0001F600 apple"};
  int matched = 0;
  for (int i = 0; i < 30000; ++i) {
    ingest::Post post;
    for (size_t k = 0, n = 1 + rng() % 10; k < n; ++k) {
      post.text += rng() % 4 == 0 ? extra[rng() % extra.size()] : kPieces[rng() % kPieces.size()];
      if (rng() % 3 == 0) post.text += ' ';
    }
    if (rng() % 4 == 0) post.title = RandomText(rng, 1 + rng() % 4);
    m_with.Match(post, r_with);
    m_without.Match(post, r_without);
    m_ascii.Match(post, r_ascii);
    auto hits_with = Hits(r_with), hits_without = Hits(r_without);
    ASSERT_EQ(hits_with, hits_without) << "title [" << post.title << "] text [" << post.text << "]";
    // The same for the brands of the smaller set (indices 0..5 are the same brands).
    std::vector<std::pair<uint32_t, std::vector<Span>>> first_six;
    for (auto& h : hits_without) {
      if (h.first < 6) first_six.push_back(h);
    }
    ASSERT_EQ(Hits(r_ascii), first_six) << "title [" << post.title << "] text [" << post.text << "]";
    matched += r_with.count > 0;
    // normalized() still shows the post, also when the prefilter skipped normalizing it.
    ASSERT_EQ(m_with.normalized().view, m_without.normalized().view);
  }
  EXPECT_GT(matched, 3000);
  // The filter did drop posts, on the raw text and after normalizing.
  std::cout << "[ key filter ] " << m_with.stats().posts << " posts: " << matched << " matched, "
            << m_with.stats().no_key_ascii << " dropped on the raw text, "
            << m_with.stats().no_key_view << " after normalizing, " << m_with.stats().scanned
            << " scanned\n";
  EXPECT_GT(m_with.stats().no_key_ascii, 1000u);
  EXPECT_GT(m_with.stats().no_key_view, 100u);
  EXPECT_GT(m_ascii.stats().no_key_ascii, m_with.stats().no_key_ascii);
  EXPECT_EQ(m_without.stats().scanned, m_without.stats().posts);
}

}  // namespace
}  // namespace earshot::pipeline::match
