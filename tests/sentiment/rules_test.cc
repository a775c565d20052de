// Rule-by-rule tests of the lexicon engine on a small lexicon written here (always run), plus
// lexicon loading errors, masking, the language gate and the no-allocation guarantee.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <new>
#include <string>
#include <tuple>

#include "pipeline/sentiment/language.h"
#include "pipeline/sentiment/lexicon.h"
#include "pipeline/sentiment/lexicon_scorer.h"
#include "tests/testing/fixtures.h"

// Counting allocator: counts operator new calls while g_counting is set. It allocates with
// malloc, so free is the matching release (g++ -O2 cannot see that and warns).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace
void* operator new(size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// The nothrow form too (simdjson uses it), so every plain delete frees what malloc gave (ASan
// reports a mismatch otherwise).
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace earshot::pipeline::sentiment {
namespace {

using ::earshot::testing::WriteScratchFile;

std::shared_ptr<const Lexicon> SmallLexicon() {
  std::string path =
      WriteScratchFile("small_lexicon.tsv",
                       "# test lexicon\n"
                       "good\t1.9\nbad\t-2.5\ngreat\t3.1\nhappy\t2.7\nunited\t1.8\n"
                       "love\t3.2\nhate\t-2.7\n:)\t2.0\n:(\t-1.9\n\xF0\x9F\x98\x8D\t3.0\n"
                       "\xF0\x9F\x98\xA1\t-3.0\non hold\t-1.8\nstill no refund\t-2.6\n"
                       "delayed\t-1.8\nkiss of death\t-1.5\n");
  auto r = Lexicon::Load({{path, LexiconFormat::kEarshot, "", 1.0, true}});
  EXPECT_TRUE(r.lexicon) << r.error;
  return r.lexicon;
}

class RulesTest : public ::testing::Test {
 protected:
  double C(std::string_view text) {
    scorer_.Score(text, s_);
    return s_.compound;
  }
  LexiconScorer scorer_{SmallLexicon()};
  LexiconScores s_;
};

TEST_F(RulesTest, PlainWordsAndNormalization) {
  EXPECT_NEAR(C("good"), 1.9 / std::sqrt(1.9 * 1.9 + 15), 1e-6);
  EXPECT_GT(C("good"), 0);
  EXPECT_LT(C("bad"), 0);
  EXPECT_EQ(C("the table"), 0);
  EXPECT_DOUBLE_EQ(s_.neu, 1.0);
}

TEST_F(RulesTest, NegationFlipsWithinScope) {
  EXPECT_LT(C("not good"), 0);
  EXPECT_LT(C("it is not really good"), 0);   // two words between
  EXPECT_LT(C("this isn't good"), 0);          // contraction
  EXPECT_LT(C("this isn\xE2\x80\x99t good"), 0);  // curly apostrophe
  EXPECT_LT(C("this isnt good"), 0);           // without apostrophe
  EXPECT_LT(C("never good"), 0);
  // The scope ends at clause punctuation and after four words.
  EXPECT_GT(C("not me, good"), 0);
  EXPECT_GT(C("not that i think it was good"), 0);
  // A sentiment word between ends the scope: each "bad" is negated once.
  EXPECT_GT(C("not bad not bad"), 0);
}

TEST_F(RulesTest, NotSoHedgesAndNeverSoEmphasizes) {
  double not_good = C("not good");
  double not_so_good = C("not so good");
  EXPECT_LT(not_so_good, 0);
  EXPECT_GT(not_so_good, not_good);  // milder than plain negation
  EXPECT_GT(C("never so good"), C("good"));
}

TEST_F(RulesTest, NegatorBeforeThisEmphasizes) {
  // "haven't been this happy": "this" right before the sentiment word, with the negator at
  // least two words before it, compares with every other time: more, not the opposite.
  EXPECT_GT(C("haven't been this happy"), C("happy"));
  EXPECT_LT(C("i haven't been this bad in years"), C("bad"));
  // Without "this", or with the negator right before it, it negates.
  EXPECT_LT(C("haven't been happy"), 0);
  EXPECT_LT(C("not this good"), 0);
  // "so" is not "this": "don't feel so good" stays negative.
  EXPECT_LT(C("don't feel so good"), 0);
}

TEST_F(RulesTest, HtmlEscapedTextScoresAsTyped) {
  // X delivers "<3" as "&lt;3" and ">:(" as "&gt;:("; the emoticons must still count.
  // A reference is its character, not a word ("amp", "quot") that dilutes the proportions.
  auto proportions = [&](std::string_view text) {
    C(text);
    return std::tuple(s_.compound, s_.pos, s_.neu, s_.neg);
  };
  EXPECT_EQ(proportions("good &amp; bad"), proportions("good & bad"));
  EXPECT_EQ(proportions("&quot;good&quot; :("), proportions("\"good\" :("));
  EXPECT_NE(proportions("good amp bad"), proportions("good & bad"));
  // Mask spans are offsets into the text as given, before decoding.
  const std::string text = "united &amp; bad";
  ByteSpan span{0, 6};
  scorer_.Score(text, std::span<const ByteSpan>(&span, 1), s_);
  const auto masked = std::tuple(s_.compound, s_.pos, s_.neu, s_.neg);
  EXPECT_EQ(masked, proportions("& bad"));
}

TEST_F(RulesTest, BoostersAndDampeners) {
  EXPECT_GT(C("very good"), C("good"));
  EXPECT_LT(C("very bad"), C("bad"));
  EXPECT_LT(C("slightly good"), C("good"));
  EXPECT_GT(C("kind of bad"), C("bad"));
}

TEST_F(RulesTest, ContrastWeighsTheLaterClause) {
  EXPECT_LT(C("the food was good but the service was bad"), 0);
  EXPECT_GT(C("the food was bad but the service was great"), 0);
  EXPECT_LT(C("good however bad"), C("good and bad"));
}

TEST_F(RulesTest, CapsEmphasisOnlyInMixedCase) {
  EXPECT_GT(C("this is GOOD today"), C("this is good today"));
  EXPECT_DOUBLE_EQ(C("THIS IS GOOD"), C("this is good"));
}

TEST_F(RulesTest, ExclamationAndQuestionEmphasis) {
  EXPECT_GT(C("good!"), C("good"));
  EXPECT_GT(C("good!!!"), C("good!"));
  EXPECT_DOUBLE_EQ(C("good!!!!!!!"), C("good!!!!"));  // capped at four
  EXPECT_LT(C("bad??"), C("bad"));
  EXPECT_EQ(C("the table!!!"), 0);  // emphasis needs a sentiment
}

TEST_F(RulesTest, Elongation) {
  EXPECT_GT(C("sooo goooood"), 0);
  EXPECT_GT(C("gooood"), C("good"));
  EXPECT_LT(C("baaaad"), C("bad"));
}

TEST_F(RulesTest, EmoticonsAndEmoji) {
  EXPECT_GT(C("meeting :)"), 0);
  EXPECT_LT(C("meeting :("), 0);
  EXPECT_GT(C("new phone \xF0\x9F\x98\x8D"), 0);
  EXPECT_GT(C("new phone\xF0\x9F\x98\x8D\xF0\x9F\x98\x8D"), C("new phone \xF0\x9F\x98\x8D"));
  EXPECT_LT(C("delivery \xF0\x9F\x98\xA1\xEF\xB8\x8F"), 0);  // variation selector dropped
  // Negation does not flip an emoji: it is the author's own feeling.
  EXPECT_GT(C("not \xF0\x9F\x98\x8D"), 0);
  // Nor an emoticon ("isn't it -_-" read as positive, found on development tweets).
  EXPECT_LT(C("i didn't win :("), 0);
  EXPECT_GT(C("it isn't over :)"), 0);
  EXPECT_DOUBLE_EQ(C("i didn't win :("), C("i win :("));
  // A repeated mouth is the emoticon itself.
  EXPECT_DOUBLE_EQ(C("meeting :)))"), C("meeting :)"));
  EXPECT_DOUBLE_EQ(C("meeting :(("), C("meeting :("));
  EXPECT_EQ(C("meeting :D"), 0);  // not in this lexicon
  EXPECT_EQ(C("meeting ::"), 0);  // collapses to nothing known
  EXPECT_EQ(C("meeting ((("), 0);
}

TEST_F(RulesTest, EmoticonTypedRightAfterAWord) {
  // "Tuesday:(" is the word and the emoticon, as "Tuesday :(" is; before, the emoticon was lost.
  EXPECT_DOUBLE_EQ(C("i didn't win:("), C("i didn't win :("));
  EXPECT_LT(C("work on monday:("), 0);
  EXPECT_DOUBLE_EQ(C("meeting:)))"), C("meeting :)"));
  EXPECT_DOUBLE_EQ(C("meeting.:("), C("meeting. :("));
  EXPECT_DOUBLE_EQ(C("@united:("), C(":("));  // the mention is still masked
  // Only after a letter or sentence punctuation: a number's colon makes no face.
  EXPECT_EQ(C("room 10:)"), 0);
  // A link is never split: the end of its query string is no face to score.
  EXPECT_EQ(C("see https://x.example/t?mood:("), 0);
}

TEST(RulesNegatorTest, ANegatorWithNothingToNegateKeepsItsOwnValence) {
  // "no" has a valence of its own, which it gives up to negate the sentiment word after it;
  // after a clause end there is nothing for it to negate ("Oh no. Escape while you can!").
  const std::string path =
      WriteScratchFile("negator_lexicon.tsv", "no\t-1.2\ngood\t1.9\nplease\t0\n");
  auto loaded = Lexicon::Load({{path, LexiconFormat::kEarshot, "", 1.0, true}});
  ASSERT_TRUE(loaded.lexicon) << loaded.error;
  LexiconScorer scorer(loaded.lexicon);
  LexiconScores s;
  auto c = [&](std::string_view text) {
    scorer.Score(text, s);
    return s.compound;
  };
  EXPECT_LT(c("no good"), 0);  // negated
  EXPECT_LT(c("oh no. good"), c("oh. good"));
  EXPECT_NEAR(c("oh no. good"), NormalizeScore(-1.2 + 1.9), 1e-6);  // valences are floats
  EXPECT_LT(c("oh no."), 0);
  // Nor is a word rated 0 a sentiment word to negate ("no please stop").
  EXPECT_DOUBLE_EQ(c("no please"), c("no"));
}

TEST_F(RulesTest, PhrasesAndIdioms) {
  EXPECT_LT(C("on hold"), 0);
  EXPECT_LT(C("still no refund"), C("no refund at all"));
  EXPECT_LT(C("that was the kiss of death"), 0);
  EXPECT_GT(C("on. hold"), C("on hold"));  // a phrase never crosses a clause
}

TEST_F(RulesTest, MaskingRemovesMentionsAndGivenSpans) {
  EXPECT_EQ(C("@united"), 0);
  EXPECT_EQ(C("@united flight 12"), 0);
  EXPECT_GT(C("united we stand"), 0);
  std::string text = "United flight 12 delayed";
  ByteSpan span{0, 6};
  scorer_.Score(text, std::span<const ByteSpan>(&span, 1), s_);
  double masked = s_.compound;
  EXPECT_LT(masked, 0);
  EXPECT_LT(masked, C(text));
  EXPECT_DOUBLE_EQ(masked, C("flight 12 delayed"));
  EXPECT_EQ(C("see https://united.example/good"), 0);  // URLs are never scored
}

TEST_F(RulesTest, ProportionsSumToOne) {
  C("good bad table chair :)");
  EXPECT_NEAR(s_.pos + s_.neu + s_.neg, 1.0, 1e-9);
  EXPECT_GT(s_.pos, 0);
  EXPECT_GT(s_.neg, 0);
}

TEST_F(RulesTest, NoHeapAllocationPerText) {
  const char* texts[] = {"@united flight 12 delayed, still no refund!!! \xF0\x9F\x98\xA1",
                         "not so good but the crew was GREAT :)", "sooo happy today",
                         "I do not love it however it is good"};
  for (const char* t : texts) C(t);  // warm-up
  g_allocations = 0;
  g_counting = true;
  for (int round = 0; round < 100; ++round) {
    for (const char* t : texts) C(t);
  }
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0);
  // The counter works: an allocation while counting is seen.
  g_counting = true;
  auto* p = new std::string(100, 'x');
  g_counting = false;
  delete p;
  EXPECT_GE(g_allocations.load(), 1);
}

TEST(LexiconTest, MissingFileIsAClearError) {
  auto r = Lexicon::Load({{"/nonexistent/vader_lexicon.txt", LexiconFormat::kVader, "", 1, true}});
  EXPECT_FALSE(r.lexicon);
  EXPECT_NE(r.error.find("/nonexistent/vader_lexicon.txt: cannot open"), std::string::npos)
      << r.error;
  EXPECT_NE(r.error.find("scripts/setup.sh"), std::string::npos);
}

TEST(LexiconTest, OptionalMissingFileIsANote) {
  auto r = Lexicon::Load({{"/nonexistent/emoji.tsv", LexiconFormat::kEarshot, "", 1, false}});
  ASSERT_TRUE(r.lexicon);
  ASSERT_EQ(r.notes.size(), 1u);
}

TEST(LexiconTest, BadLineGivesFileAndLine) {
  std::string path = WriteScratchFile("bad.tsv", "# c\ngood\t1.9\nbad -2.5\n");
  auto r = Lexicon::Load({{path, LexiconFormat::kEarshot, "", 1, true}});
  EXPECT_FALSE(r.lexicon);
  EXPECT_NE(r.error.find(path + ":3: expected 'term<TAB>valence'"), std::string::npos) << r.error;
  path = WriteScratchFile("bad2.tsv", "good\tvery\n");
  r = Lexicon::Load({{path, LexiconFormat::kEarshot, "", 1, true}});
  EXPECT_NE(r.error.find(path + ":1: valence 'very' is not a number"), std::string::npos)
      << r.error;
}

TEST(LexiconTest, ChecksumMismatchIsAnError) {
  std::string path = WriteScratchFile("sum.tsv", "good\t1.9\n");
  std::string sum = Sha256File(path);
  ASSERT_EQ(sum.size(), 64u);
  auto ok = Lexicon::Load({{path, LexiconFormat::kEarshot, sum, 1, true}});
  EXPECT_TRUE(ok.lexicon) << ok.error;
  std::string wrong(64, '0');
  auto bad = Lexicon::Load({{path, LexiconFormat::kEarshot, wrong, 1, true}});
  EXPECT_FALSE(bad.lexicon);
  EXPECT_NE(bad.error.find("checksum mismatch"), std::string::npos) << bad.error;
  EXPECT_NE(bad.error.find(sum), std::string::npos);
}

TEST(LexiconTest, LaterSourcesAndOverridesWin) {
  std::string a = WriteScratchFile("a.tsv", "delayed\t-0.9\nfine\t0.8\n");
  std::string b = WriteScratchFile("b.tsv", "delayed\t-1.8\n");
  auto r = Lexicon::Load({{a, LexiconFormat::kEarshot, "", 1, true},
                          {b, LexiconFormat::kEarshot, "", 1, true}},
                         {{"fine", -1.0}});
  ASSERT_TRUE(r.lexicon);
  EXPECT_FLOAT_EQ(r.lexicon->Find("delayed")->valence, -1.8f);
  EXPECT_FLOAT_EQ(r.lexicon->Find("fine")->valence, -1.0f);
}

// VADER's npm lexicon lists "D:" (frown) and "d:" (tongue) both as "d:"; an emoticon written with
// an upper-case letter in an earshot file or an override matches that exact case.
TEST(LexiconTest, UpperCaseEmoticonsMatchTheirExactCase) {
  std::string vader = WriteScratchFile("vader_like.txt", "d:\t-2.9\t0.8\t[]\nd:\t1.2\t0.8\t[]\n");
  std::string cx =
      WriteScratchFile("cased.tsv", "D:\t-2.9\nLOL\t0.5\nno way\t-1.0\nXo:\t2.0\nA+\t1.0\n");
  auto r = Lexicon::Load(
      {{vader, LexiconFormat::kVader, "", 1, true}, {cx, LexiconFormat::kEarshot, "", 1, true}},
      {{"XO:", -1.5}});
  ASSERT_TRUE(r.lexicon) << r.error;
  // Only terms with eyes are emoticons: "LOL" and "A+" stay case-insensitive.
  EXPECT_FLOAT_EQ(r.lexicon->Find("lol")->valence, 0.5f);
  EXPECT_TRUE(r.lexicon->CasedKey("LOL").empty());
  EXPECT_TRUE(r.lexicon->CasedKey("A+").empty());
  EXPECT_FLOAT_EQ(r.lexicon->Find("a+")->valence, 1.0f);
  // Two cases of the same letters are two entries.
  ASSERT_FALSE(r.lexicon->CasedKey("Xo:").empty());
  EXPECT_NE(r.lexicon->CasedKey("Xo:"), r.lexicon->CasedKey("XO:"));
  EXPECT_FLOAT_EQ(r.lexicon->Find(r.lexicon->CasedKey("Xo:"))->valence, 2.0f);
  EXPECT_EQ(r.lexicon->CasedKey("D:").size(), 2u);  // as long as the chunk
  EXPECT_TRUE(r.lexicon->CasedKey("d:").empty());
  ASSERT_FALSE(r.lexicon->CasedKey("D:").empty());
  EXPECT_FLOAT_EQ(r.lexicon->Find(r.lexicon->CasedKey("D:"))->valence, -2.9f);
  EXPECT_FLOAT_EQ(r.lexicon->Find("d:")->valence, 1.2f);

  LexiconScorer scorer(r.lexicon);
  LexiconScores s;
  scorer.Score("the finale D: D:", s);
  EXPECT_LT(s.compound, -0.5);
  scorer.Score("the finale d: d:", s);
  EXPECT_GT(s.compound, 0.3);
  scorer.Score("so sorry D:", s);  // one token among words, as the last chunk
  EXPECT_LT(s.compound, 0);
  scorer.Score("XO: and xo:", s);  // an override; "xo:" is no term
  EXPECT_LT(s.compound, 0);
  EXPECT_DOUBLE_EQ(s.pos, 0.0);
}

TEST(LanguageGateTest, PostLangDecides) {
  EXPECT_TRUE(CheckLanguage("en", "bonjour tout le monde").supported);
  EXPECT_TRUE(CheckLanguage("en-GB", "").supported);
  LanguageDecision fr = CheckLanguage("fr", "this is english");
  EXPECT_FALSE(fr.supported);
  EXPECT_EQ(fr.code, "fr");
  EXPECT_EQ(fr.reason, "post lang");
}

TEST(LanguageGateTest, DetectsWhenTagMissing) {
  LanguageDecision de = CheckLanguage(
      "", "Der Zug hatte heute wieder über eine Stunde Verspätung und niemand hat uns "
          "informiert, das ist wirklich eine Frechheit.");
  EXPECT_FALSE(de.supported);
  EXPECT_EQ(de.code, "de");
  EXPECT_TRUE(de.detected);
  EXPECT_TRUE(CheckLanguage("und", "My flight was delayed again and nobody told us anything "
                                   "about it, really disappointing service.")
                  .supported);
  EXPECT_TRUE(CheckLanguage("", "ok").supported);  // too short to be sure: scored
}

// CLD2 must only see well-formed UTF-8: it reads past the end of a truncated sequence and indexes
// its tables with stray bytes (the first text crashed it; found by fuzz/fuzz_sentiment.cc).
TEST(LanguageGateTest, MalformedUtf8AndCutCharactersAreSafe) {
  const std::string fuzzed(
      "sooo gooo\x01"
      "d\xf7\x94\x9e\xdfv\x00\x00@\x00\xd8\x8d\x00\x00\x00od \xf0\x9f\x98\xff"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00o\x01\xf0\x9f\x98\x9ding\xe2\x9d\x98\xf0\x98\x9f",
      58);
  EXPECT_TRUE(CheckLanguage("", fuzzed).detected);
  for (const char* tail : {"\xe3", "\xe3\x81", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"}) {
    EXPECT_TRUE(CheckLanguage("", std::string("das ist gut ") + tail).detected) << tail;
  }
  // Japanese past the 1 KiB the detector looks at, one byte off so that a 3-byte character
  // straddles the cut: judged on whole characters, and still Japanese.
  std::string japanese = "x";
  while (japanese.size() < 3000) japanese += "\xe4\xbb\x8a\xe6\x97\xa5\xe3\x81\xaf\xe9\x9b\xa8";
  LanguageDecision ja = CheckLanguage("", japanese);
  EXPECT_TRUE(ja.detected);
  EXPECT_EQ(ja.code, "ja");
  EXPECT_FALSE(ja.supported);
}

}  // namespace
}  // namespace earshot::pipeline::sentiment
