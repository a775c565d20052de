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

TEST(ScoresTest, ReadsTheFirstFieldOfEveryLine) {
  // The peers print "score<TAB>text"; a bare score per line is accepted too, CRLF included.
  std::string path = WriteScratchFile("scores.tsv", "0.5\tgood text\n-0.25\n 1e-3 \tx\ty\r\n");
  Scores s = ReadScores(path, 3);
  ASSERT_TRUE(s.error.empty()) << s.error;
  ASSERT_EQ(s.values.size(), 3u);
  EXPECT_DOUBLE_EQ(s.values[0], 0.5);
  EXPECT_DOUBLE_EQ(s.values[1], -0.25);
  EXPECT_DOUBLE_EQ(s.values[2], 0.001);
}

TEST(ScoresTest, ErrorsNameTheFileAndLine) {
  std::string bad = WriteScratchFile("scores_bad.tsv", "0.5\tok\nhigh\tnot a score\n0.1\n");
  Scores s = ReadScores(bad, 3);
  EXPECT_EQ(s.error, bad + ":2: not a number: 'high'");
  EXPECT_TRUE(s.values.empty());
  std::string empty_field = WriteScratchFile("scores_empty.tsv", "0.5\n\tno score\n");
  EXPECT_EQ(ReadScores(empty_field, 2).error, empty_field + ":2: not a number: ''");
  std::string trailing = WriteScratchFile("scores_trailing.tsv", "0.5x\n");
  EXPECT_EQ(ReadScores(trailing, 1).error, trailing + ":1: not a number: '0.5x'");
  std::string nan = WriteScratchFile("scores_nan.tsv", "nan\n");
  EXPECT_EQ(ReadScores(nan, 1).error, nan + ":1: not a number: 'nan'");
  // One line per text: a short or long file is refused rather than misaligned.
  std::string shortf = WriteScratchFile("scores_short.tsv", "0.5\n0.1\n");
  EXPECT_EQ(ReadScores(shortf, 3).error,
            shortf + ": 2 scores for 3 texts (one line per text, in order)");
  EXPECT_NE(ReadScores(shortf, 1).error.find(": 2 scores for 1 texts"), std::string::npos);
  EXPECT_NE(ReadScores(::earshot::testing::ScratchDir() + "/no_such_scores.tsv", 1)
                .error.find("cannot open scores file"),
            std::string::npos);
}

TEST(ScoresTest, LabelsByThresholdsInclusive) {
  EXPECT_EQ(LabelFromScore(0.05, 0.05, -0.05), 2);
  EXPECT_EQ(LabelFromScore(0.0499, 0.05, -0.05), 1);
  EXPECT_EQ(LabelFromScore(-0.05, 0.05, -0.05), 0);
  EXPECT_EQ(LabelFromScore(-0.0499, 0.05, -0.05), 1);
  EXPECT_EQ(LabelFromScore(0.3, 0.4, -0.4), 1);
  // External scores through the same metrics: gold means 2, -1, 1, -3 against scores
  // 0.5, -0.2, 0.01, 0.3 give labels 2, 0, 1, 2: two of four right.
  std::vector<double> gold_scores = {2, -1, 1, -3}, scores = {0.5, -0.2, 0.01, 0.3};
  std::vector<int> gold, pred;
  for (size_t i = 0; i < scores.size(); ++i) {
    gold.push_back(gold_scores[i] > 0 ? 2 : gold_scores[i] < 0 ? 0 : 1);
    pred.push_back(LabelFromScore(scores[i], 0.05, -0.05));
  }
  Metrics m = ComputeMetrics(gold, pred, gold_scores, scores);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
  EXPECT_EQ(m.confusion[0][2], 1);
  EXPECT_EQ(m.confusion[2][1], 1);
  ASSERT_TRUE(m.pearson.has_value());
  EXPECT_NEAR(*m.pearson, Pearson(gold_scores, scores), 1e-12);
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
