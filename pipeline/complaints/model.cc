#include "pipeline/complaints/model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <random>

namespace earshot::pipeline::complaints {
namespace {

constexpr char kMagic[4] = {'E', 'C', 'M', '1'};

float Sigmoid(float z) { return 1.f / (1.f + std::exp(-z)); }

}  // namespace

ComplaintModel::ComplaintModel(uint32_t hash_bits)
    : hash_bits_(hash_bits), weights_(kSparseOffset + (size_t{1} << hash_bits), 0.f) {}

float ComplaintModel::Predict(const ComplaintFeatures& f) const {
  float z = weights_[0];
  for (int d = 0; d < kComplaintDense; ++d) z += weights_[kDenseOffset + d] * f.dense[d];
  if (!sparse16_.empty()) {
    int32_t sum = 0;
    for (uint32_t idx : f.sparse) sum += sparse16_[idx];
    z += static_cast<float>(sum) * sparse_scale_ * f.sparse_value;
  } else {
    float sum = 0;
    const float* sparse = weights_.data() + kSparseOffset;
    for (uint32_t idx : f.sparse) sum += sparse[idx];
    z += sum * f.sparse_value;
  }
  return Sigmoid(z);
}

void ComplaintModel::Quantize() {
  if (!sparse16_.empty()) return;
  const size_t n = size_t{1} << hash_bits_;
  float max_abs = 0;
  for (size_t i = 0; i < n; ++i) max_abs = std::max(max_abs, std::abs(weights_[kSparseOffset + i]));
  sparse_scale_ = max_abs > 0 ? max_abs / 32767.f : 1.f;
  sparse16_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    sparse16_[i] = static_cast<int16_t>(std::lround(weights_[kSparseOffset + i] / sparse_scale_));
  }
  weights_.resize(kSparseOffset);
  weights_.shrink_to_fit();
}

std::string ComplaintModel::Save(const std::string& path) const {
  ComplaintModel copy = *this;
  copy.Quantize();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return path + ": cannot write the model file";
  uint32_t header[2] = {hash_bits_, kComplaintDense};
  out.write(kMagic, 4);
  out.write(reinterpret_cast<const char*>(header), sizeof header);
  out.write(reinterpret_cast<const char*>(copy.weights_.data()),
            static_cast<std::streamsize>(kSparseOffset * sizeof(float)));
  out.write(reinterpret_cast<const char*>(&copy.sparse_scale_), sizeof(float));
  out.write(reinterpret_cast<const char*>(copy.sparse16_.data()),
            static_cast<std::streamsize>(copy.sparse16_.size() * sizeof(int16_t)));
  if (!out) return path + ": write failed";
  return {};
}

ComplaintModel::LoadResult ComplaintModel::Load(const std::string& path) {
  LoadResult result;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.error = path + ": cannot open the complaint model";
    return result;
  }
  char magic[4];
  uint32_t header[2];
  in.read(magic, 4);
  in.read(reinterpret_cast<char*>(header), sizeof header);
  if (!in || std::memcmp(magic, kMagic, 4) != 0) {
    result.error = path + ": not an earshot complaint model (expected magic ECM1)";
    return result;
  }
  if (header[0] < 8 || header[0] > 24) {
    result.error = path + ": hash_bits " + std::to_string(header[0]) + " out of range 8..24";
    return result;
  }
  if (header[1] != kComplaintDense) {
    result.error = path + ": model has " + std::to_string(header[1]) +
                   " dense features, this build expects " + std::to_string(kComplaintDense) +
                   " (retrain with `earshot train complaints`)";
    return result;
  }
  auto model = std::make_shared<ComplaintModel>(8);
  model->hash_bits_ = header[0];
  model->weights_.assign(kSparseOffset, 0.f);
  in.read(reinterpret_cast<char*>(model->weights_.data()),
          static_cast<std::streamsize>(kSparseOffset * sizeof(float)));
  in.read(reinterpret_cast<char*>(&model->sparse_scale_), sizeof(float));
  model->sparse16_.resize(size_t{1} << header[0]);
  in.read(reinterpret_cast<char*>(model->sparse16_.data()),
          static_cast<std::streamsize>(model->sparse16_.size() * sizeof(int16_t)));
  if (!in) {
    result.error = path + ": truncated model file";
    return result;
  }
  in.peek();
  if (!in.eof()) {
    result.error = path + ": trailing bytes after the model";
    return result;
  }
  for (float w : model->weights_) {
    if (!std::isfinite(w)) {
      result.error = path + ": model holds a non-finite weight";
      return result;
    }
  }
  result.model = std::move(model);
  return result;
}

std::unique_ptr<ComplaintModel> TrainComplaintModel(const std::vector<ComplaintExample>& examples,
                                                    const ComplaintTrainOptions& options) {
  auto model = std::make_unique<ComplaintModel>(options.hash_bits);
  std::vector<float>& w = model->weights();
  std::vector<float> g2(w.size(), 0.f);
  std::vector<double> avg(w.size(), 0.0);
  int64_t samples = 0;
  size_t positives = 0;
  for (const auto& e : examples) positives += e.complaint;
  const double n = static_cast<double>(examples.size());
  double weight_pos = 1, weight_neg = 1;
  if (positives > 0 && positives < examples.size()) {
    weight_pos = std::pow(n / (2.0 * static_cast<double>(positives)), options.balance_power);
    weight_neg = std::pow(n / (2.0 * (n - static_cast<double>(positives))), options.balance_power);
  }
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(options.seed);
  const float lr = static_cast<float>(options.learning_rate);
  const float l2 = static_cast<float>(options.l2);
  auto update = [&](size_t i, float grad) {
    g2[i] += grad * grad;
    w[i] -= lr * grad / (std::sqrt(g2[i]) + 1e-6f);
  };
  int64_t step = 0;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t idx : order) {
      const ComplaintExample& e = examples[idx];
      float p = model->Predict(e.features);
      float y = e.complaint ? 1.f : 0.f;
      float scale = static_cast<float>(e.complaint ? weight_pos : weight_neg);
      float err = (p - y) * scale;
      update(0, err);
      for (int d = 0; d < kComplaintDense; ++d) {
        size_t i = ComplaintModel::kDenseOffset + d;
        if (e.features.dense[d] != 0) update(i, err * e.features.dense[d] + l2 * w[i]);
      }
      for (uint32_t b : e.features.sparse) {
        size_t i = ComplaintModel::kSparseOffset + b;
        update(i, err * e.features.sparse_value + l2 * w[i]);
      }
      if (options.average_every > 0 && ++step % options.average_every == 0) {
        for (size_t i = 0; i < w.size(); ++i) avg[i] += w[i];
        ++samples;
      }
    }
  }
  if (samples > 0) {
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(avg[i] / samples);
  }
  return model;
}

}  // namespace earshot::pipeline::complaints
