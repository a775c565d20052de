// SentimentModel: a multinomial logistic regression over hashed word unigrams and bigrams, hashed
// character 3-5-grams of each word, and dense features from the lexicon engine; plus its trainer.
//
// A loaded model is immutable and shared (shared_ptr<const SentimentModel>); FeatureExtractor holds
// per-thread scratch (thread-compatible, allocation-free after warm-up). File format (little
// endian): "ESM1", u32 hash_bits, u32 dense, u32 classes, then f32 weights: bias[classes],
// dense[dense][classes], sparse[2^hash_bits][classes]; nothing after.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/sentiment/lexicon_scorer.h"

namespace earshot::pipeline::sentiment {

inline constexpr int kClasses = 3;  // 0 negative, 1 neutral, 2 positive
inline constexpr int kDenseFeatures = 14;

struct FeatureVector {
  std::vector<uint32_t> sparse;  // bucket indices (duplicates allowed)
  std::array<float, kDenseFeatures> dense{};
  float sparse_value = 0;  // the value of each sparse feature (1/sqrt(count))
};

class SentimentModel {
 public:
  struct LoadResult {
    std::shared_ptr<const SentimentModel> model;
    std::string error;
  };
  [[nodiscard]] static LoadResult Load(const std::string& path);
  [[nodiscard]] std::string Save(const std::string& path) const;  // empty on success

  explicit SentimentModel(uint32_t hash_bits);
  uint32_t hash_bits() const { return hash_bits_; }

  // Class probabilities for one feature vector.
  void Predict(const FeatureVector& f, std::array<float, kClasses>& probs) const;

  std::vector<float>& weights() { return weights_; }
  const std::vector<float>& weights() const { return weights_; }
  size_t dense_offset() const { return kClasses; }
  size_t sparse_offset() const { return kClasses + kDenseFeatures * kClasses; }

 private:
  uint32_t hash_bits_;
  std::vector<float> weights_;
};

// Builds the feature vector of the text last scored by `scorer`.
class FeatureExtractor {
 public:
  explicit FeatureExtractor(uint32_t hash_bits);
  void Extract(const LexiconScorer& scorer, const LexiconScores& scores, FeatureVector& out);

 private:
  uint32_t mask_;
  std::vector<uint64_t> word_hashes_;
};

struct TrainingExample {
  FeatureVector features;
  int label = 1;
};

struct TrainOptions {
  uint32_t hash_bits = 18;
  int epochs = 8;
  double learning_rate = 0.2;  // AdaGrad
  double l2 = 1e-6;
  bool balance_classes = true;  // weight examples by inverse class frequency (macro recall)
  uint64_t seed = 42;
};

// Trains a model. `on_epoch(epoch, model)` runs after each epoch (for validation); returns the
// model after the last epoch.
[[nodiscard]] std::unique_ptr<SentimentModel> TrainModel(
    const std::vector<TrainingExample>& examples, const TrainOptions& options,
    const std::function<void(int, const SentimentModel&)>& on_epoch = {});

}  // namespace earshot::pipeline::sentiment
