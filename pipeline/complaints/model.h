// ComplaintModel: binary logistic regression deciding "is this post a complaint", over hashed
// word uni- and bigrams, cue-family tokens and dense features (cue-family counts, the sentiment
// result, addressing and punctuation signals); plus its trainer.
//
// File format (little endian): "ECM1", u32 hash_bits, u32 dense, f32 bias, f32 dense[dense],
// f32 sparse_scale, i16 sparse[2^hash_bits] (weight = value * sparse_scale); nothing after.
// A loaded model is immutable and shared; Predict is allocation-free.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace earshot::pipeline::complaints {

inline constexpr int kComplaintDense = 32;

struct ComplaintFeatures {
  std::vector<uint32_t> sparse;  // bucket indices
  std::array<float, kComplaintDense> dense{};
  float sparse_value = 0;  // value of each sparse feature (1/sqrt(count))
};

class ComplaintModel {
 public:
  struct LoadResult {
    std::shared_ptr<const ComplaintModel> model;
    std::string error;
  };
  [[nodiscard]] static LoadResult Load(const std::string& path);
  [[nodiscard]] std::string Save(const std::string& path) const;

  explicit ComplaintModel(uint32_t hash_bits);
  uint32_t hash_bits() const { return hash_bits_; }

  // Probability that the post is a complaint.
  [[nodiscard]] float Predict(const ComplaintFeatures& f) const;

  // f32 weights (training): bias, dense[kComplaintDense], sparse[2^hash_bits].
  std::vector<float>& weights() { return weights_; }
  static constexpr size_t kDenseOffset = 1;
  static constexpr size_t kSparseOffset = 1 + kComplaintDense;
  void Quantize();

 private:
  uint32_t hash_bits_;
  std::vector<float> weights_;
  std::vector<int16_t> sparse16_;
  float sparse_scale_ = 0;
};

struct ComplaintExample {
  ComplaintFeatures features;
  bool complaint = false;
};

struct ComplaintTrainOptions {
  uint32_t hash_bits = 18;
  int epochs = 12;
  double learning_rate = 0.5;  // AdaGrad
  double l2 = 1e-5;
  double balance_power = 1.0;  // class weights (N / (2 n_class))^power
  int average_every = 64;      // Polyak averaging stride (0: last weights)
  uint64_t seed = 42;
};

[[nodiscard]] std::unique_ptr<ComplaintModel> TrainComplaintModel(
    const std::vector<ComplaintExample>& examples, const ComplaintTrainOptions& options);

}  // namespace earshot::pipeline::complaints
