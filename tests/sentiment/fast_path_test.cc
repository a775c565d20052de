// The data structures behind the engines' speed: the lexicon's hash table (tags, Bloom filter,
// growth), the feature extractor's word cache (replays must equal a fresh computation, also after
// a lexicon change) and its sparse-feature bound. Always runs (lexicons written here).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "pipeline/sentiment/features.h"
#include "pipeline/sentiment/lexicon.h"
#include "pipeline/sentiment/lexicon_scorer.h"
#include "tests/testing/fixtures.h"

namespace earshot::pipeline::sentiment {
namespace {

using ::earshot::testing::WriteScratchFile;

std::shared_ptr<const Lexicon> LoadLexicon(const std::string& name, const std::string& content) {
  auto r =
      Lexicon::Load({{WriteScratchFile(name, content), LexiconFormat::kEarshot, "", 1.0, true}});
  EXPECT_TRUE(r.lexicon) << r.error;
  return r.lexicon;
}

// Distinct lower-case keys of 1 to 40 bytes (letters, digits, punctuation, UTF-8).
std::vector<std::string> GeneratedKeys(size_t count) {
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789:;()<>-'_";
  std::mt19937_64 rng(7);
  std::vector<std::string> keys;
  while (keys.size() < count) {
    size_t length = 1 + rng() % 40;
    std::string key;
    for (size_t i = 0; i < length; ++i) key.push_back(alphabet[rng() % alphabet.size()]);
    if (rng() % 10 == 0) key += "\xC3\xA9";  // é
    keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

TEST(LexiconTableTest, FindsEveryKeyAndNothingElseThroughGrowth) {
  // 20,000 keys: the table grows from 1,024 slots to 65,536, the filter fills up, and linear
  // probing runs long chains.
  std::vector<std::string> keys = GeneratedKeys(20000);
  std::string content;
  for (size_t i = 0; i < keys.size(); ++i) {
    content += keys[i] + "\t" + std::to_string(static_cast<double>(i % 17) / 4 - 2) + "\n";
  }
  auto lexicon = LoadLexicon("many.tsv", content);
  ASSERT_TRUE(lexicon);
  EXPECT_GE(lexicon->size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const LexiconEntry* e = lexicon->Find(keys[i]);
    ASSERT_NE(e, nullptr) << keys[i];
    EXPECT_FLOAT_EQ(e->valence, static_cast<float>(static_cast<double>(i % 17) / 4 - 2));
    EXPECT_EQ(lexicon->Find(keys[i], Lexicon::KeyHash(keys[i])), e);
  }
  // Near misses: one byte changed, one byte more or less, a prefix (the built-in rule words,
  // "so", "not", ..., are in every lexicon).
  auto rule_words = LoadLexicon("empty.tsv", "");
  ASSERT_TRUE(rule_words);
  size_t absent = 0;
  for (const std::string& k : keys) {
    for (std::string probe : {k + "x", k.substr(0, k.size() - 1), k.substr(0, k.size() / 2),
                              std::string(1, static_cast<char>(k[0] ^ 1)) + k.substr(1)}) {
      if (probe.empty() || std::binary_search(keys.begin(), keys.end(), probe) ||
          rule_words->Find(probe) != nullptr) {
        continue;
      }
      EXPECT_EQ(lexicon->Find(probe), nullptr) << probe;
      ++absent;
    }
  }
  EXPECT_GT(absent, keys.size() * 3);
  EXPECT_EQ(lexicon->Find(""), nullptr);
}

TEST(LexiconTableTest, KeyHashReadsEveryByte) {
  // Each key length up to 40 and each byte position: changing that byte changes the hash (the
  // word loads of the hash overlap at the end; none may skip a byte).
  for (size_t length = 1; length <= 40; ++length) {
    std::string key(length, 'a');
    const uint64_t base = Lexicon::KeyHash(key);
    for (size_t i = 0; i < length; ++i) {
      std::string changed = key;
      changed[i] = 'b';
      EXPECT_NE(Lexicon::KeyHash(changed), base) << "length " << length << " byte " << i;
    }
    EXPECT_NE(Lexicon::KeyHash(key + "a"), base);
  }
  EXPECT_EQ(Lexicon::KeyHash("good"), Lexicon::KeyHash(std::string("good")));
}

TEST(LexiconTableTest, PhrasesMarkTheirFirstWord) {
  auto lexicon = LoadLexicon("phrases.tsv", "on hold\t-1.8\nkiss of death\t-1.5\nkiss\t1.2\n");
  ASSERT_TRUE(lexicon);
  const LexiconEntry* on = lexicon->Find("on");
  ASSERT_NE(on, nullptr);
  EXPECT_TRUE(on->flags & kPhraseStart);
  EXPECT_FALSE(on->flags & kHasValence);
  const LexiconEntry* kiss = lexicon->Find("kiss");
  ASSERT_NE(kiss, nullptr);
  EXPECT_TRUE(kiss->flags & kPhraseStart);
  EXPECT_EQ(kiss->max_phrase_words, 3);
  EXPECT_FLOAT_EQ(kiss->valence, 1.2f);
  EXPECT_NE(lexicon->Find("kiss of death"), nullptr);
  EXPECT_EQ(lexicon->Find("kiss of"), nullptr);
  // The pair filter passes every phrase's first two words and rules out nearly every other pair.
  auto h = [](std::string_view w) { return Lexicon::KeyHash(w); };
  EXPECT_TRUE(lexicon->MayStartPhrase(h("on"), h("hold")));
  EXPECT_TRUE(lexicon->MayStartPhrase(h("kiss"), h("of")));
  const std::vector<std::string> keys = GeneratedKeys(300);
  int passed = 0;
  for (const std::string& a : keys) {
    for (const std::string& b : keys) passed += lexicon->MayStartPhrase(h(a), h(b));
  }
  EXPECT_LT(passed, static_cast<int>(keys.size() * keys.size() / 100)) << "filter too full";
}

// The scorer skips every word the lexicon lacks after one filter test, so the lexicon holds the
// words its rules name even when no source lists them.
TEST(LexiconTableTest, HoldsTheRuleWords) {
  auto lexicon = LoadLexicon("rule_words.tsv", "good\t1.9\n");
  ASSERT_TRUE(lexicon);
  for (const char* w :
       {"so", "at", "too", "all", "very", "that", "this", "least", "never", "really"}) {
    EXPECT_NE(lexicon->Find(w), nullptr) << w;
  }
  const LexiconEntry* at = lexicon->Find("at");
  ASSERT_NE(at, nullptr);
  EXPECT_EQ(at->flags, 0) << "a rule word without a role of its own";
  EXPECT_EQ(at->rule_words, kAtOrVery);
  EXPECT_EQ(lexicon->Find("very")->rule_words, kAtOrVery | kHedgeWord);
  EXPECT_EQ(lexicon->Find("good")->rule_words, 0);
  LexiconScorer scorer(lexicon);
  LexiconScores least, at_least, never_so;
  scorer.Score("least good", least);
  scorer.Score("at least good", at_least);
  scorer.Score("never so good", never_so);
  EXPECT_LT(least.compound, 0);
  EXPECT_GT(at_least.compound, 0);
  EXPECT_GT(never_so.compound, 0);
}

// Chunks of a word and punctuation take a fast path that skips the emoticon lookup only when the
// word is longer than any emoticon's leading word.
TEST(LexiconTableTest, WordThenPunctuationKeysStillMatch) {
  auto lexicon =
      LoadLexicon("emoticons.tsv", "xd:\t2\n8)\t1.5\nsweet<3\t2\ncover-up\t-1\nsad\t-2\n");
  ASSERT_TRUE(lexicon);
  EXPECT_EQ(lexicon->max_word_punct_prefix(), 2u) << "xd: counts; sweet<3 and cover-up do not";
  LexiconScorer scorer(lexicon);
  LexiconScores s;
  scorer.Score("XD: and 8)", s);
  EXPECT_EQ(s.sentiment_words, 2);
  EXPECT_GT(s.compound, 0);
  ASSERT_EQ(scorer.tokens().size(), 3u);
  EXPECT_EQ(scorer.TokenText(scorer.tokens()[0]), "xd:");
  scorer.Score("xdd: sad,", s);
  ASSERT_EQ(scorer.tokens().size(), 2u);
  EXPECT_EQ(scorer.TokenText(scorer.tokens()[0]), "xdd");
  EXPECT_EQ(scorer.TokenText(scorer.tokens()[1]), "sad");
  EXPECT_LT(s.compound, 0);
  // No emoticon in the lexicon: nothing for a word to be compared with.
  auto plain = LoadLexicon("no_emoticons.tsv", "sad\t-2\n");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->max_word_punct_prefix(), 0u);
}

// Texts in which the same words come back with other negation states, cases, elongations,
// punctuation, hashtags and digits.
std::vector<std::string> RepeatingTexts() {
  const char* words[] = {"good",
                         "GOOD",
                         "Good",
                         "goooood",
                         "bad",
                         "not",
                         "never",
                         "dont",
                         "don't",
                         "DON'T",
                         "dooon't",
                         "isn\xE2\x80\x99t",
                         "na\xC3\xAFve's",
                         "o'clock-ish",
                         "happy",
                         "sad",
                         "123",
                         "12,5",
                         "love",
                         "hate",
                         "#good",
                         "good,",
                         "good!",
                         "bad.",
                         "so",
                         "very",
                         "the",
                         "a",
                         "I",
                         "supercalifragilistic",
                         "abcdefghijklmnop",
                         "abcdefghijklmnopq",
                         ":)",
                         "@user",
                         "http://x.y",
                         "caf\xC3\xA9",
                         "\xF0\x9F\x98\x8D",
                         "?",
                         "!!",
                         "...",
                         "but",
                         "xoxo",
                         "LOL",
                         "lol",
                         "no",
                         "yes"};
  std::mt19937_64 rng(11);
  std::vector<std::string> texts;
  for (int t = 0; t < 400; ++t) {
    std::string text;
    size_t n = 1 + rng() % 20;
    for (size_t i = 0; i < n; ++i) {
      if (i) text += ' ';
      text += words[rng() % std::size(words)];
    }
    texts.push_back(text);
  }
  return texts;
}

void ExpectSameFeatures(const FeatureVector& a, const FeatureVector& b, const std::string& text) {
  EXPECT_EQ(a.sparse, b.sparse) << text;
  EXPECT_EQ(a.sparse_value, b.sparse_value) << text;
  EXPECT_EQ(a.dense, b.dense) << text;
}

TEST(WordCacheTest, ReplaysEqualAFreshExtractor) {
  const char* lexicon_text =
      "good\t1.9\nbad\t-2.5\nhappy\t2.7\nsad\t-2.1\nlove\t3.2\n"
      "hate\t-2.7\n:)\t2\nlol\t1.8\nno\t-1.2\nyes\t1.7\n";
  auto lexicon = LoadLexicon("cache.tsv", lexicon_text);
  ASSERT_TRUE(lexicon);
  LexiconScorer scorer(lexicon);
  FeatureExtractor cached(19, kDefaultFeatureFlags | kTrigrams);
  FeatureVector got, want;
  LexiconScores scores;
  for (const std::string& text : RepeatingTexts()) {
    scorer.Score(text, scores);
    cached.Extract(scorer, scores, got);
    FeatureExtractor fresh(19, kDefaultFeatureFlags | kTrigrams);  // empty cache
    fresh.Extract(scorer, scores, want);
    ExpectSameFeatures(got, want, text);
  }
}

TEST(WordCacheTest, ForgetsEntriesOfAnotherLexicon) {
  auto first = LoadLexicon("first.tsv", "good\t1.9\nnot\t0\n");
  auto second = LoadLexicon("second.tsv", "good\t-3.0\nfine\t1.0\n");
  ASSERT_TRUE(first && second);
  LexiconScorer a(first), b(second);
  FeatureExtractor extractor(19, kDefaultFeatureFlags);
  FeatureVector got, want;
  LexiconScores scores;
  const std::string text = "good fine good";
  a.Score(text, scores);
  extractor.Extract(a, scores, got);  // caches "good" with the first lexicon's entry
  b.Score(text, scores);
  extractor.Extract(b, scores, got);
  FeatureExtractor fresh(19, kDefaultFeatureFlags);
  fresh.Extract(b, scores, want);
  ExpectSameFeatures(got, want, text);
}

TEST(FeatureBoundTest, DensestTextsStayWithinTheBound) {
  // Extract writes into a buffer of 5 features a byte plus 16 (4 a byte are possible); these texts
  // come close to the maximum (one-letter words, hashtags, '!' and '?' runs, emoji).
  auto lexicon = LoadLexicon("bound.tsv", "a\t1\nb\t-1\n");
  ASSERT_TRUE(lexicon);
  LexiconScorer scorer(lexicon);
  FeatureExtractor extractor(19, kDefaultFeatureFlags | kTrigrams);
  FeatureVector f;
  LexiconScores scores;
  for (std::string text : {std::string("a"), std::string("#a#b#a#b"), std::string("a,b,a,b,a"),
                           std::string("!?!?!?"), std::string("ab ab ab"),
                           std::string("\xF0\x9F\x98\x8D\xF0\x9F\x98\x8D"), std::string("1 2 3")}) {
    for (int repeat = 0; repeat < 3; ++repeat) text += " " + text;
    scorer.Score(text, scores);
    extractor.Extract(scorer, scores, f);
    EXPECT_LE(f.sparse.size(), 4 * text.size() + 4) << text;
    EXPECT_GT(f.sparse.size(), 0u);
  }
}

// The scorer's plain-word fast path (one 32-byte vector: lower case, caps and elongation bits)
// against its general path: "word-" is the same token through the general path (a trailing '-'
// is trimmed and is no clause mark), so both texts must tokenize and score alike. Words of 1 to
// 40 bytes, mixed case, digits, elongations, many ending at or near the end of the text.
// Words of ASCII letters and digits, alone or followed by ASCII punctuation, take fast paths in
// the tokenizer, and other ASCII chunks of up to 32 bytes are split on bitmaps; a '-' before the
// word sends the same word down the bitmap split, and 33 more after it down the byte-at-a-time
// split (a run of '-' outside a word is no token).
TEST(PlainWordTest, FastPathEqualsGeneralPath) {
  // No key holds punctuation: a whole chunk of up to 8 bytes that is a key is one token, and
  // the padded chunks could not be.
  auto lexicon =
      LoadLexicon("plain.tsv", "good\t1.9\nbad\t-2.5\ngoo\t0.5\nzz\t1\nabc123\t-1\nray\t-1\n");
  LexiconScorer fast(lexicon), split(lexicon), general(lexicon);
  const std::vector<std::string> words = {
      "good",   "bad",   "very",  "not",         "goo",       "zz",
      "abc123", "a",     "I",     "x9",          "the",       "extraordinarily",
      "so",     "don't", "x-ray", "o'clock-ish", "snake_case"};
  std::mt19937_64 rng(99);
  for (int round = 0; round < 20000; ++round) {
    std::string plain_text, split_text, general_text;
    const int count = 1 + static_cast<int>(rng() % 12);
    for (int w = 0; w < count; ++w) {
      std::string word = words[rng() % words.size()];
      const uint64_t r = rng();
      if (r % 5 == 0) {  // elongate a letter
        const size_t at = (r >> 8) % word.size();
        word.insert(at, std::string(2 + (r >> 16) % 4, word[at]));
      }
      if ((r >> 24) % 4 == 0) {
        for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      } else if ((r >> 24) % 4 == 1) {
        word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
      }
      if ((r >> 28) % 9 == 0) word += std::string(20 + (r >> 32) % 20, 'q');  // up to 40+ bytes
      // ASCII punctuation after the word: clause ends, apostrophes and hyphens (dropped from
      // the end of a word) and others.
      static const std::string kPunct = ",.;:!?()'-\"#$%&*+/<=>@[]^`{|}~";
      std::string after;
      if ((r >> 48) % 3 == 0) {
        for (uint64_t i = 0, k = 1 + (r >> 52) % 3; i < k; ++i) {
          after += kPunct[rng() % kPunct.size()];
        }
      }
      const std::string gap = (r >> 40) % 6 == 0 ? "\t " : " ";
      // Punctuation before the word (a clause end for the token before it) in a third of them.
      static const std::string kBefore[] = {"(", "\"", ",", "#", "...", "&"};
      const std::string before = (r >> 56) % 3 == 0 ? kBefore[(r >> 58) % 6] : "";
      const std::string lead = w ? gap : std::string((r >> 44) % 3, ' ');
      plain_text += lead + before + word + after;
      split_text += lead + "-" + before + word + after;
      general_text += lead + "-" + before + word + after + std::string(33, '-');
    }
    LexiconScores g;
    general.Score(general_text, g);
    for (auto [scorer, text] : {std::pair{&fast, &plain_text}, std::pair{&split, &split_text}}) {
      LexiconScores a;
      scorer->Score(*text, a);
      ASSERT_EQ(scorer->tokens().size(), general.tokens().size()) << *text;
      for (size_t k = 0; k < scorer->tokens().size(); ++k) {
        ASSERT_EQ(scorer->TokenText(scorer->tokens()[k]), general.TokenText(general.tokens()[k]))
            << *text;
      }
      ASSERT_EQ(a.compound, g.compound) << *text;
      ASSERT_EQ(a.pos, g.pos) << *text;
      ASSERT_EQ(a.neg, g.neg) << *text;
      ASSERT_EQ(a.caps_words, g.caps_words) << *text;
      ASSERT_EQ(a.sentiment_words, g.sentiment_words) << *text;
      ASSERT_EQ(a.negated, g.negated) << *text;
    }
  }
  // The paths differ where it matters: elongation and caps reach the score.
  LexiconScores plain, elongated, caps;
  fast.Score("it is good", plain);
  fast.Score("it is goooood", elongated);
  fast.Score("it is GOOD", caps);
  EXPECT_GT(elongated.compound, plain.compound);
  EXPECT_GT(caps.compound, plain.compound);
}

}  // namespace
}  // namespace earshot::pipeline::sentiment
