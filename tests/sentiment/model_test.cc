// The model file: save / load round trip (16-bit weights), and clear errors for files that are
// not a model. Always runs (a tiny model trained here on synthetic features).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "pipeline/sentiment/model.h"
#include "tests/testing/fixtures.h"

namespace earshot::pipeline::sentiment {
namespace {

std::vector<TrainingExample> Synthetic() {
  std::vector<TrainingExample> out;
  for (int i = 0; i < 300; ++i) {
    TrainingExample e;
    e.label = i % 3;
    e.features.sparse = {static_cast<uint32_t>(10 + e.label), static_cast<uint32_t>(100 + i % 7)};
    e.features.sparse_value = 0.7f;
    e.features.dense[0] = static_cast<float>(e.label - 1);
    out.push_back(e);
  }
  return out;
}

TEST(ModelTest, LearnsSeparableDataAndRoundTrips) {
  TrainOptions options;
  options.hash_bits = 10;
  options.epochs = 5;
  auto model = TrainModel(Synthetic(), options);
  std::array<float, kClasses> p{};
  for (const auto& e : Synthetic()) {
    model->Predict(e.features, p);
    EXPECT_EQ(std::max_element(p.begin(), p.end()) - p.begin(), e.label);
  }
  std::string path = ::earshot::testing::ScratchDir() + "/round_trip.model";
  ASSERT_EQ(model->Save(path), "");
  auto loaded = SentimentModel::Load(path);
  ASSERT_TRUE(loaded.model) << loaded.error;
  EXPECT_EQ(loaded.model->hash_bits(), 10u);
  EXPECT_EQ(loaded.model->feature_flags(), kDefaultFeatureFlags);
  std::array<float, kClasses> q{};
  for (const auto& e : Synthetic()) {
    model->Predict(e.features, p);
    loaded.model->Predict(e.features, q);
    for (int c = 0; c < kClasses; ++c) EXPECT_NEAR(p[c], q[c], 1e-3);
  }
}

TEST(ModelTest, RejectsFilesThatAreNotModels) {
  auto missing = SentimentModel::Load("/nonexistent/sentiment.model");
  EXPECT_FALSE(missing.model);
  EXPECT_NE(missing.error.find("cannot open model file"), std::string::npos);
  std::string bad = ::earshot::testing::ScratchDir() + "/bad.model";
  std::ofstream(bad) << "ESM1 not a model";
  auto wrong = SentimentModel::Load(bad);
  EXPECT_FALSE(wrong.model);
  EXPECT_NE(wrong.error.find("bad magic"), std::string::npos);
  // A valid header with the weights cut short.
  TrainOptions options;
  options.hash_bits = 8;
  options.epochs = 1;
  std::string path = ::earshot::testing::ScratchDir() + "/short.model";
  ASSERT_EQ(TrainModel(Synthetic(), options)->Save(path), "");
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 2);
  auto truncated = SentimentModel::Load(path);
  EXPECT_FALSE(truncated.model);
  EXPECT_NE(truncated.error.find("truncated"), std::string::npos);
}

}  // namespace
}  // namespace earshot::pipeline::sentiment
