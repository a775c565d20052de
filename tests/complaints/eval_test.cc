// Evaluation code on synthetic data with known answers, the data readers, and (when ../shared
// is present) the held-out figures of issue 5: complaint F1 >= 0.75 with whole domains held out.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "pipeline/complaints/eval.h"
#include "pipeline/sentiment/lexicon.h"
#include "tests/testing/fixtures.h"

namespace earshot::pipeline::complaints {
namespace {

TEST(Metrics, KnownCounts) {
  //                gold: 1 1 1 0 0 0 0 1
  //           predicted: 1 1 0 1 0 0 0 0
  BinaryMetrics m = ComputeBinary({true, true, true, false, false, false, false, true},
                                  {true, true, false, true, false, false, false, false});
  EXPECT_EQ(m.tp, 2);
  EXPECT_EQ(m.fp, 1);
  EXPECT_EQ(m.fn, 2);
  EXPECT_EQ(m.tn, 3);
  EXPECT_DOUBLE_EQ(m.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_NEAR(m.f1, 2 * (2.0 / 3) * 0.5 / (2.0 / 3 + 0.5), 1e-12);
  EXPECT_DOUBLE_EQ(m.accuracy, 5.0 / 8);
  BinaryMetrics none = ComputeBinary({false, false}, {false, false});
  EXPECT_EQ(none.f1, 0);
  EXPECT_EQ(none.accuracy, 1);
}

TEST(Reader, CsvQuotingAndErrors) {
  const std::string dir = ::earshot::testing::ScratchDir();
  std::ofstream(dir + "/c.csv") << "1,plain text,1,food\n"
                                   "2,\"quoted, with comma and \"\"quotes\"\"\",0,random_tweet\n"
                                   "3,\"spans\nlines\",1,cars\n";
  ComplaintData d = ReadComplaintData(dir + "/c.csv");
  ASSERT_EQ(d.error, "");
  ASSERT_EQ(d.items.size(), 3u);
  EXPECT_EQ(d.items[1].text, "quoted, with comma and \"quotes\"");
  EXPECT_FALSE(d.items[1].complaint);
  EXPECT_EQ(d.items[2].text, "spans\nlines");
  EXPECT_EQ(d.items[2].domain, "cars");
  std::ofstream(dir + "/bad.csv") << "1,a,1,food\n2,b,maybe,food\n";
  EXPECT_EQ(ReadComplaintData(dir + "/bad.csv").error,
            dir + "/bad.csv:2: label must be 0 or 1, found 'maybe'");
  std::ofstream(dir + "/few.csv") << "1,a,1\n";
  EXPECT_EQ(ReadComplaintData(dir + "/few.csv").error,
            dir + "/few.csv:1: expected 4 fields (tweet_id,text,label,domain), found 3");
  EXPECT_NE(ReadComplaintData(dir + "/none.csv").error.find("cannot open"), std::string::npos);

  std::ofstream(dir + "/g.tsv") << "# comment\n10\tfood\tsafety\n11\tcars\tother\n";
  CategoryGold g = ReadCategoryGold(dir + "/g.tsv");
  ASSERT_EQ(g.error, "");
  EXPECT_EQ(g.category_by_id.at("10"), "safety");
  EXPECT_EQ(g.position_by_id.at("11"), 1);
}

// Two industries and a background set; a token says "complaint" in every domain, and each
// industry also has a token of its own. Held-out predictions must come from models that never
// saw the item: the industry-only token cannot help on its own domain.
TEST(CrossValidation, HoldsOutDomainsAndDealsBackground) {
  std::vector<ComplaintItem> items;
  std::vector<ComplaintExample> examples;
  auto add = [&](const std::string& domain, bool complaint, uint32_t token) {
    items.push_back({std::to_string(items.size()), "", domain, complaint});
    ComplaintExample e;
    e.complaint = complaint;
    e.features.sparse = {token};
    e.features.sparse_value = 1;
    examples.push_back(e);
  };
  for (int i = 0; i < 60; ++i) {
    add("food", i % 2 == 0, i % 2 == 0 ? 1 : 2);    // 1: complaint everywhere
    add("cars", i % 2 == 0, i % 2 == 0 ? 1 : 2);
    add("random_tweet", false, 2);
  }
  // An industry whose complaints use a token no other domain has: held out, it is missed.
  // (Its complaints also carry the token that means "not a complaint" elsewhere.)
  for (int i = 0; i < 20; ++i) {
    add("software", true, 9);
    examples.back().features.sparse.push_back(2);
    examples.back().features.sparse_value = 1 / std::sqrt(2.f);
  }
  ComplaintTrainOptions o;
  o.hash_bits = 8;
  CrossValidation cv = DomainHeldOut(items, examples, o, 0.5);
  ASSERT_EQ(cv.domains.size(), 4u);
  for (const auto& d : cv.domains) {
    if (d.domain == "software") {
      EXPECT_EQ(d.metrics.tp, 0) << "software's own token leaked into its model";
    } else if (d.domain == "random_tweet") {
      EXPECT_EQ(d.metrics.fp, 0);
      EXPECT_EQ(d.metrics.n, 60);
    } else {
      EXPECT_EQ(d.metrics.tp, 30) << d.domain;
      EXPECT_EQ(d.metrics.fp, 0) << d.domain;
    }
  }
  EXPECT_EQ(cv.pooled.n, static_cast<int64_t>(items.size()));
  // Strict: the background domain is a fold of its own (4 folds; same items predicted).
  CrossValidation strict = DomainHeldOut(items, examples, o, 0.5, true);
  EXPECT_EQ(strict.pooled.n, cv.pooled.n);
}

TEST(HeldOut, ComplaintF1WithWholeDomainsHeldOut) {
  EARSHOT_REQUIRE_SHARED(path, "data/sentiment/complaints/complaints-data.csv");
  ComplaintData data = ReadComplaintData(path);
  ASSERT_EQ(data.error, "");
  ASSERT_EQ(data.items.size(), 3449u);
  auto sentiment = sentiment::SentimentSnapshot::Create(
      sentiment::DefaultSentimentOptions(EARSHOT_SOURCE_DIR));
  ASSERT_TRUE(sentiment.snapshot) << sentiment.error;
  ComplaintOptions options = DefaultComplaintOptions(EARSHOT_SOURCE_DIR);
  options.model_path.clear();
  auto snapshot = ComplaintSnapshot::Create(options);
  ASSERT_TRUE(snapshot.snapshot) << snapshot.error;
  sentiment::SentimentAnalyzer analyzer(sentiment.snapshot);
  ComplaintClassifier classifier(snapshot.snapshot);
  ComplaintTrainOptions train;
  Featurized f = Featurize(data.items, analyzer, classifier, train.hash_bits);
  CrossValidation cv = DomainHeldOut(data.items, f.examples, train, 0.5, false, &f.overrides);
  EXPECT_GE(cv.pooled.f1, 0.75) << FormatBinary(cv.pooled);
  EXPECT_GE(cv.pooled.precision, 0.70) << FormatBinary(cv.pooled);
  EXPECT_GE(cv.pooled.recall, 0.70) << FormatBinary(cv.pooled);
  // Every industry on its own.
  for (const auto& d : cv.domains) {
    if (d.metrics.tp + d.metrics.fn == 0) continue;
    EXPECT_GE(d.metrics.f1, 0.70) << d.domain << ": " << FormatBinary(d.metrics);
  }
  // Far above "negative sentiment means complaint".
  std::vector<bool> negative;
  for (const auto& s : f.sentiment) negative.push_back(s.label == sentiment::Label::kNegative);
  EXPECT_GT(cv.pooled.f1, Report(data.items, negative).pooled.f1 + 0.15);
}

// The committed model is what `earshot train complaints` writes from the data: a change to the
// features, the cues or the trainer without retraining fails here.
TEST(HeldOut, TheCommittedModelIsReproducible) {
#if !defined(__OPTIMIZE__)
  // The shipped model comes from an optimized build, where the compiler fuses multiply-adds
  // (x86-64-v3 has FMA); an unoptimized build rounds differently and trains other weights.
  GTEST_SKIP() << "unoptimized build: floating-point results differ from the training build's";
#endif
  EARSHOT_REQUIRE_SHARED(path, "data/sentiment/complaints/complaints-data.csv");
  ComplaintData data = ReadComplaintData(path);
  auto sentiment = sentiment::SentimentSnapshot::Create(
      sentiment::DefaultSentimentOptions(EARSHOT_SOURCE_DIR));
  ASSERT_TRUE(sentiment.snapshot);
  ComplaintOptions options = DefaultComplaintOptions(EARSHOT_SOURCE_DIR);
  const std::string committed = options.model_path;
  options.model_path.clear();
  auto snapshot = ComplaintSnapshot::Create(options);
  ASSERT_TRUE(snapshot.snapshot);
  sentiment::SentimentAnalyzer analyzer(sentiment.snapshot);
  ComplaintClassifier classifier(snapshot.snapshot);
  ComplaintTrainOptions train;
  Featurized f = Featurize(data.items, analyzer, classifier, train.hash_bits);
  auto model = TrainComplaintModel(f.examples, train);
  const std::string out = ::earshot::testing::ScratchDir() + "/retrained.model";
  ASSERT_EQ(model->Save(out), "");
  EXPECT_EQ(sentiment::Sha256File(out), sentiment::Sha256File(committed))
      << "retrain with: earshot train complaints";
}

TEST(HeldOut, CategoryAccuracyOnTheLabelledSample) {
  EARSHOT_REQUIRE_SHARED(path, "data/sentiment/complaints/complaints-data.csv");
  ComplaintData data = ReadComplaintData(path);
  CategoryGold gold = ReadCategoryGold(EARSHOT_SOURCE_DIR "/tests/data/complaint_categories.tsv");
  ASSERT_EQ(gold.error, "");
  ASSERT_EQ(gold.category_by_id.size(), 240u);
  auto sentiment = sentiment::SentimentSnapshot::Create(
      sentiment::DefaultSentimentOptions(EARSHOT_SOURCE_DIR));
  ASSERT_TRUE(sentiment.snapshot);
  auto snapshot = ComplaintSnapshot::Create(DefaultComplaintOptions(EARSHOT_SOURCE_DIR));
  ASSERT_TRUE(snapshot.snapshot);
  sentiment::SentimentAnalyzer analyzer(sentiment.snapshot);
  ComplaintClassifier classifier(snapshot.snapshot);
  int n[2] = {0, 0}, correct[2] = {0, 0};
  for (const auto& item : data.items) {
    auto it = gold.category_by_id.find(item.id);
    if (it == gold.category_by_id.end()) continue;
    sentiment::SentimentResult s;
    analyzer.Score(item.text, "en", {}, s);
    int half = gold.position_by_id.at(item.id) % 2;
    ++n[half];
    correct[half] += snapshot.snapshot->categories()[classifier.Categorize(analyzer)].id == it->second;
  }
  ASSERT_EQ(n[0] + n[1], 240);
  // The held-out half (odd entries; the cue lexicon was revised on the even ones). Ten
  // categories: chance is about 0.1, always-the-largest about 0.24.
  EXPECT_GE(static_cast<double>(correct[1]) / n[1], 0.42);
  EXPECT_GE(static_cast<double>(correct[0]) / n[0], 0.60);
}

}  // namespace
}  // namespace earshot::pipeline::complaints
