// The evaluation code on small synthetic data with known metrics, the data readers, and golden
// scores of sentences written here with the real lexicons (skipped when scripts/setup.sh has not
// fetched them).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/sentiment/eval.h"
#include "pipeline/sentiment/sentiment.h"
#include "tests/testing/fixtures.h"

namespace earshot::pipeline::sentiment {
namespace {

TEST(MetricsTest, KnownConfusionMatrix) {
  // gold:      0 0 0 0 1 1 1 2 2 2
  // predicted: 0 0 1 2 1 1 0 2 2 1
  std::vector<int> gold = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
  std::vector<int> pred = {0, 0, 1, 2, 1, 1, 0, 2, 2, 1};
  Metrics m = ComputeMetrics(gold, pred);
  EXPECT_EQ(m.n, 10);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.6);
  // negative: P 2/3, R 2/4; neutral: P 2/4, R 2/3; positive: P 2/3, R 2/3.
  EXPECT_NEAR(m.per_class[0].precision, 2.0 / 3, 1e-12);
  EXPECT_NEAR(m.per_class[0].recall, 0.5, 1e-12);
  EXPECT_NEAR(m.per_class[0].f1, 2 * (2.0 / 3) * 0.5 / (2.0 / 3 + 0.5), 1e-12);
  EXPECT_NEAR(m.per_class[1].precision, 0.5, 1e-12);
  EXPECT_NEAR(m.per_class[2].f1, 2.0 / 3, 1e-12);
  EXPECT_NEAR(m.macro_recall, (0.5 + 2.0 / 3 + 2.0 / 3) / 3, 1e-12);
  double f1n = 2 * (2.0 / 3) * 0.5 / (2.0 / 3 + 0.5), f1u = 2 * 0.5 * (2.0 / 3) / (0.5 + 2.0 / 3);
  EXPECT_NEAR(m.macro_f1, (f1n + f1u + 2.0 / 3) / 3, 1e-12);
  EXPECT_NEAR(m.weighted_f1, (4 * f1n + 3 * f1u + 3 * (2.0 / 3)) / 10, 1e-12);
  EXPECT_NEAR(m.f1_pn, (f1n + 2.0 / 3) / 2, 1e-12);
  EXPECT_EQ(m.confusion[0][2], 1);
  EXPECT_EQ(m.confusion[1][0], 1);
  EXPECT_EQ(m.confusion[2][1], 1);
  EXPECT_FALSE(m.pearson);
}

TEST(MetricsTest, PerfectAndEmpty) {
  Metrics m = ComputeMetrics({0, 1, 2}, {0, 1, 2}, {-1, 0, 1}, {-0.5, 0, 0.5});
  EXPECT_DOUBLE_EQ(m.macro_f1, 1.0);
  ASSERT_TRUE(m.pearson);
  EXPECT_NEAR(*m.pearson, 1.0, 1e-12);
  Metrics e = ComputeMetrics({}, {});
  EXPECT_EQ(e.n, 0);
  EXPECT_EQ(e.accuracy, 0);
}

TEST(MetricsTest, PearsonKnownValue) {
  // x = 1..5, y = 2,4,5,4,5: r = 0.7745966692...
  EXPECT_NEAR(Pearson({1, 2, 3, 4, 5}, {2, 4, 5, 4, 5}), 0.774596669241483, 1e-12);
  EXPECT_NEAR(Pearson({1, 2, 3}, {3, 2, 1}), -1.0, 1e-12);
}

using ::earshot::testing::WriteScratchFile;

TEST(ReaderTest, SemEvalDecodesEscapesAndQuotes) {
  std::string path =
      WriteScratchFile("se.txt",
                       "1\tpositive\t\"I\\u2019m happy\\u002c really &amp; truly\"\t\n"
                       "2\tnegative\tbad \\ud83d\\ude21\n3\tneutral\tok\n");
  Dataset d = ReadDataset(path, DataFormat::kSemEval);
  ASSERT_TRUE(d.error.empty()) << d.error;
  ASSERT_EQ(d.items.size(), 3u);
  EXPECT_EQ(d.items[0].text, "I\xE2\x80\x99m happy, really & truly");
  EXPECT_EQ(d.items[0].label, 2);
  EXPECT_EQ(d.items[1].text, "bad \xF0\x9F\x98\xA1");
  std::string bad = WriteScratchFile("se_bad.txt", "1\tpositive\tok\n2\tmixed\tok\n");
  EXPECT_NE(ReadDataset(bad, DataFormat::kSemEval).error.find(bad + ":2: label 'mixed'"),
            std::string::npos);
}

TEST(ReaderTest, VaderGoldAndTweetEval) {
  std::string path = WriteScratchFile("vg.txt", "1\t2.5\tgood\n2\t-0.2\tmeh\n3\t0\tok\n");
  Dataset d = ReadDataset(path, DataFormat::kVaderGold);
  ASSERT_EQ(d.items.size(), 3u);
  EXPECT_EQ(d.items[0].label, 2);
  EXPECT_EQ(d.items[1].label, 0);
  EXPECT_EQ(d.items[2].label, 1);
  EXPECT_DOUBLE_EQ(*d.items[1].score, -0.2);
  std::string text = WriteScratchFile("x_text.txt", "a \nb\n");
  WriteScratchFile("x_labels.txt", "2\n0\n");
  Dataset t = ReadDataset(text, DataFormat::kTweetEval);
  ASSERT_TRUE(t.error.empty()) << t.error;
  ASSERT_EQ(t.items.size(), 2u);
  EXPECT_EQ(t.items[0].text, "a");
  EXPECT_EQ(t.items[1].label, 0);
}

// Golden compound scores of sentences written here, with the fetched lexicons.
TEST(GoldenTest, SentencesWrittenHere) {
  SentimentOptions o = DefaultSentimentOptions(EARSHOT_SOURCE_DIR);
  if (!std::filesystem::exists(o.lexicons[0].path)) {
    GTEST_SKIP() << o.lexicons[0].path << " is absent (run scripts/setup.sh); skipping";
  }
  o.engine = Engine::kLexicon;
  o.language_gate = false;
  auto created = SentimentSnapshot::Create(o);
  ASSERT_TRUE(created.snapshot) << created.error;
  SentimentAnalyzer a(created.snapshot);
  struct Case {
    const char* text;
    Label label;
  } cases[] = {
      {"@united flight 1234 delayed again, still no refund", Label::kNegative},
      {"@united thanks, the crew was wonderful!", Label::kPositive},
      {"On hold for an hour with customer service", Label::kNegative},
      {"I was charged twice and nobody answers", Label::kNegative},
      {"The flight was not so bad", Label::kPositive},
      {"The app is not good", Label::kNegative},
      {"Great phone but the battery is terrible", Label::kNegative},
      {"Arrived early, packed well, LOVE it \xF0\x9F\x98\x8D", Label::kPositive},
      {"the parcel is at the depot", Label::kNeutral},
      {"can't wait for the new season", Label::kPositive},
  };
  SentimentResult r;
  for (const auto& c : cases) {
    a.Score(c.text, r);
    EXPECT_EQ(r.label, c.label) << c.text << " compound=" << r.compound;
  }
  a.Score("@united thanks", r);
  double masked = r.compound;
  a.Score("united thanks", r);
  EXPECT_LT(masked, r.compound);  // the brand name is not scored as "united" (+1.8)
}

}  // namespace
}  // namespace earshot::pipeline::sentiment
