// SentimentModel: a multinomial logistic regression over the hashed sparse features and the dense
// lexicon features of features.h; plus its trainer.
//
// A loaded model is immutable and shared (shared_ptr<const SentimentModel>). File format (little
// endian): "ESM2", u32 hash_bits, u32 dense, u32 classes, u32 feature_flags, f32 sparse_scale,
// then f32 bias[classes], f32 dense[dense][classes], i16 sparse[2^hash_bits][classes] (weight =
// value * sparse_scale); nothing after. Loaded models keep the 16-bit table (2^19 buckets: 3 MB,
// small enough to stay in a core's L2 cache); models being trained hold f32 weights.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/sentiment/features.h"

namespace earshot::pipeline::sentiment {

inline constexpr int kClasses = 3;  // 0 negative, 1 neutral, 2 positive

class SentimentModel {
 public:
  struct LoadResult {
    std::shared_ptr<const SentimentModel> model;
    std::string error;
  };
  [[nodiscard]] static LoadResult Load(const std::string& path);
  // Writes the model (quantizing the sparse weights); empty on success.
  [[nodiscard]] std::string Save(const std::string& path) const;

  SentimentModel(uint32_t hash_bits, uint32_t feature_flags);
  uint32_t hash_bits() const { return hash_bits_; }
  uint32_t feature_flags() const { return feature_flags_; }

  // Class probabilities for one feature vector.
  void Predict(const FeatureVector& f, std::array<float, kClasses>& probs) const;

  // The sparse weight table Predict reads (bucket b at sparse_table() + b * sparse_stride()
  // bytes), for FeatureExtractor::set_prefetch_table.
  const void* sparse_table() const {
    return sparse16_.empty() ? static_cast<const void*>(weights_.data() + sparse_offset())
                             : static_cast<const void*>(sparse16_.data());
  }
  size_t sparse_stride() const {
    return kClasses * (sparse16_.empty() ? sizeof(float) : sizeof(int16_t));
  }

  // f32 weights (training): bias[classes], dense[dense][classes], sparse[buckets][classes].
  std::vector<float>& weights() { return weights_; }
  const std::vector<float>& weights() const { return weights_; }
  static constexpr size_t dense_offset() { return kClasses; }
  static constexpr size_t sparse_offset() { return kClasses + kDenseFeatures * kClasses; }

  // Replaces the f32 sparse weights by the 16-bit table a saved model holds (what Load gives).
  void Quantize();

 private:
  uint32_t hash_bits_;
  uint32_t feature_flags_;
  std::vector<float> weights_;     // sparse part empty once quantized
  std::vector<int16_t> sparse16_;  // quantized sparse weights
  float sparse_scale_ = 0;
};

struct TrainingExample {
  FeatureVector features;
  int label = 1;
};

struct TrainOptions {
  uint32_t hash_bits = 19;
  uint32_t feature_flags = kDefaultFeatureFlags;
  int epochs = 10;
  double learning_rate = 0.1;  // AdaGrad
  double l2 = 1e-6;            // per example, applied to the weights an example touches
  // Example weight (N / (classes * n_class))^balance_power: 1 weighs classes equally (macro
  // recall), 0 not at all.
  double balance_power = 1.0;
  // Polyak averaging: the model handed out is the mean of the weights sampled every
  // `average_every` examples (0: the last weights).
  int average_every = 256;
  uint64_t seed = 42;
};

// Trains a model. `on_epoch(epoch, model)` runs after each epoch with the (averaged) model so far
// (for validation and early stopping); returns the model after the last epoch.
[[nodiscard]] std::unique_ptr<SentimentModel> TrainModel(
    const std::vector<TrainingExample>& examples, const TrainOptions& options,
    const std::function<void(int, const SentimentModel&)>& on_epoch = {});

}  // namespace earshot::pipeline::sentiment
