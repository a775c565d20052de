#include "pipeline/sentiment/model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <numeric>
#include <random>

#if defined(__SSE4_1__)
#include <immintrin.h>
#endif

namespace earshot::pipeline::sentiment {
namespace {

constexpr char kMagic[4] = {'E', 'S', 'M', '2'};
constexpr uint32_t kKnownFlags = kBigrams | kNegationMarking | kCharNgrams | kLexiconTokens |
                                 kTrigrams;

size_t Buckets(uint32_t hash_bits) { return size_t{1} << hash_bits; }
// Zero weights after the 16-bit table, so Predict may load 4 weights at the last bucket.
constexpr size_t kSparsePad = 1;

}  // namespace

SentimentModel::SentimentModel(uint32_t hash_bits, uint32_t feature_flags)
    : hash_bits_(hash_bits),
      feature_flags_(feature_flags),
      weights_(sparse_offset() + Buckets(hash_bits) * kClasses, 0.f) {}

void SentimentModel::Predict(const FeatureVector& f, std::array<float, kClasses>& probs) const {
  float z[kClasses];
  for (int c = 0; c < kClasses; ++c) z[c] = weights_[c];
  const float* dense = weights_.data() + dense_offset();
  for (int d = 0; d < kDenseFeatures; ++d) {
    if (f.dense[d] == 0) continue;
    for (int c = 0; c < kClasses; ++c) z[c] += dense[d * kClasses + c] * f.dense[d];
  }
  float scale = f.sparse_value;
  float s0 = 0, s1 = 0, s2 = 0;
  if (!sparse16_.empty()) {
    // |value| <= 32767 and < 2^16 features: no overflow (integer sums: any order is exact).
    const int16_t* sparse = sparse16_.data();
#if defined(__SSE4_1__)
    // A bucket's 3 weights and the next one's first (or the table's pad) as one 8-byte load.
    __m128i acc = _mm_setzero_si128();
    for (uint32_t idx : f.sparse) {
      const __m128i w =
          _mm_loadl_epi64(reinterpret_cast<const __m128i*>(sparse + size_t{idx} * kClasses));
      acc = _mm_add_epi32(acc, _mm_cvtepi16_epi32(w));
    }
    const int32_t i0 = _mm_cvtsi128_si32(acc);
    const int32_t i1 = _mm_extract_epi32(acc, 1);
    const int32_t i2 = _mm_extract_epi32(acc, 2);
#else
    int32_t i0 = 0, i1 = 0, i2 = 0;
    for (uint32_t idx : f.sparse) {
      const int16_t* w = sparse + size_t{idx} * kClasses;
      i0 += w[0];
      i1 += w[1];
      i2 += w[2];
    }
#endif
    s0 = static_cast<float>(i0);
    s1 = static_cast<float>(i1);
    s2 = static_cast<float>(i2);
    scale *= sparse_scale_;
  } else {
    const float* sparse = weights_.data() + sparse_offset();
    for (uint32_t idx : f.sparse) {
      const float* w = sparse + size_t{idx} * kClasses;
      s0 += w[0];
      s1 += w[1];
      s2 += w[2];
    }
  }
  z[0] += s0 * scale;
  z[1] += s1 * scale;
  z[2] += s2 * scale;
  float m = std::max({z[0], z[1], z[2]});
  float sum = 0;
  for (int c = 0; c < kClasses; ++c) sum += (probs[c] = std::exp(z[c] - m));
  for (int c = 0; c < kClasses; ++c) probs[c] /= sum;
}

void SentimentModel::Quantize() {
  if (!sparse16_.empty()) return;
  const size_t n = Buckets(hash_bits_) * kClasses;
  float max_abs = 0;
  for (size_t i = 0; i < n; ++i) max_abs = std::max(max_abs, std::abs(weights_[sparse_offset() + i]));
  sparse_scale_ = max_abs > 0 ? max_abs / 32767.f : 1.f;
  sparse16_.assign(n + kSparsePad, 0);
  for (size_t i = 0; i < n; ++i) {
    sparse16_[i] = static_cast<int16_t>(std::lround(weights_[sparse_offset() + i] / sparse_scale_));
  }
  weights_.resize(sparse_offset());
  weights_.shrink_to_fit();
}

SentimentModel::LoadResult SentimentModel::Load(const std::string& path) {
  LoadResult result;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.error = path + ": cannot open model file (train one with `earshot train sentiment`)";
    return result;
  }
  char magic[4];
  uint32_t header[4];
  float scale = 0;
  if (!in.read(magic, 4) || std::memcmp(magic, kMagic, 4) != 0 ||
      !in.read(reinterpret_cast<char*>(header), sizeof header) ||
      !in.read(reinterpret_cast<char*>(&scale), sizeof scale)) {
    result.error = path + ": not an earshot sentiment model (bad magic)";
    return result;
  }
  if (header[0] < 8 || header[0] > 24 || header[1] != kDenseFeatures || header[2] != kClasses ||
      (header[3] & ~kKnownFlags) != 0 || !std::isfinite(scale) || scale <= 0) {
    result.error = path + ": unsupported model layout (hash_bits " + std::to_string(header[0]) +
                   ", dense " + std::to_string(header[1]) + ", classes " +
                   std::to_string(header[2]) + ", flags " + std::to_string(header[3]) + ")";
    return result;
  }
  auto model = std::make_shared<SentimentModel>(8, header[3]);
  model->hash_bits_ = header[0];
  model->weights_.assign(sparse_offset(), 0.f);
  model->sparse16_.assign(Buckets(header[0]) * kClasses + kSparsePad, 0);
  model->sparse_scale_ = scale;
  auto& w = model->weights_;
  auto& q = model->sparse16_;
  if (!in.read(reinterpret_cast<char*>(w.data()), static_cast<std::streamsize>(w.size() * 4)) ||
      !in.read(reinterpret_cast<char*>(q.data()),
               static_cast<std::streamsize>((q.size() - kSparsePad) * 2)) ||
      in.peek() != std::char_traits<char>::eof()) {
    result.error = path + ": truncated or oversized model file";
    return result;
  }
  for (float v : w) {
    if (!std::isfinite(v)) {
      result.error = path + ": model holds a non-finite weight";
      return result;
    }
  }
  result.model = std::move(model);
  return result;
}

std::string SentimentModel::Save(const std::string& path) const {
  SentimentModel copy = *this;
  copy.Quantize();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  uint32_t header[4] = {hash_bits_, kDenseFeatures, kClasses, feature_flags_};
  out.write(kMagic, 4);
  out.write(reinterpret_cast<const char*>(header), sizeof header);
  out.write(reinterpret_cast<const char*>(&copy.sparse_scale_), sizeof copy.sparse_scale_);
  out.write(reinterpret_cast<const char*>(copy.weights_.data()),
            static_cast<std::streamsize>(copy.weights_.size() * 4));
  out.write(reinterpret_cast<const char*>(copy.sparse16_.data()),
            static_cast<std::streamsize>((copy.sparse16_.size() - kSparsePad) * 2));
  out.close();
  if (!out) return path + ": cannot write model file";
  return {};
}

std::unique_ptr<SentimentModel> TrainModel(
    const std::vector<TrainingExample>& examples, const TrainOptions& options,
    const std::function<void(int, const SentimentModel&)>& on_epoch) {
  auto model = std::make_unique<SentimentModel>(options.hash_bits, options.feature_flags);
  std::vector<float>& w = model->weights();
  std::vector<float> g2(w.size(), 1e-6f);  // AdaGrad accumulators
  double class_weight[kClasses] = {1, 1, 1};
  if (options.balance_power != 0 && !examples.empty()) {
    size_t counts[kClasses] = {0, 0, 0};
    for (const auto& e : examples) ++counts[e.label];
    for (int c = 0; c < kClasses; ++c) {
      class_weight[c] =
          counts[c] ? std::pow(static_cast<double>(examples.size()) / (kClasses * counts[c]),
                               options.balance_power)
                    : 1;
    }
  }
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(options.seed);
  const float lr = static_cast<float>(options.learning_rate);
  const float l2 = static_cast<float>(options.l2);
  auto update = [&](size_t index, float grad) {
    grad += l2 * w[index];
    g2[index] += grad * grad;
    w[index] -= lr * grad / std::sqrt(g2[index]);
  };
  // Averaging: sum_ holds the sum of the sampled weight vectors.
  std::vector<double> sum(options.average_every > 0 ? w.size() : 0, 0.0);
  int64_t samples = 0, seen = 0;
  auto averaged = [&] {
    SentimentModel m(options.hash_bits, options.feature_flags);
    if (samples == 0) return *model;
    for (size_t i = 0; i < w.size(); ++i) {
      m.weights()[i] = static_cast<float>(sum[i] / static_cast<double>(samples));
    }
    return m;
  };
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t k : order) {
      const TrainingExample& e = examples[k];
      std::array<float, kClasses> p;
      model->Predict(e.features, p);
      float cw = static_cast<float>(class_weight[e.label]);
      for (int c = 0; c < kClasses; ++c) {
        float err = cw * (p[c] - (c == e.label ? 1.f : 0.f));
        update(static_cast<size_t>(c), err);
        for (int d = 0; d < kDenseFeatures; ++d) {
          if (e.features.dense[d] != 0) {
            update(model->dense_offset() + static_cast<size_t>(d * kClasses + c),
                   err * e.features.dense[d]);
          }
        }
        for (uint32_t idx : e.features.sparse) {
          update(model->sparse_offset() + size_t{idx} * kClasses + static_cast<size_t>(c),
                 err * e.features.sparse_value);
        }
      }
      if (options.average_every > 0 && ++seen % options.average_every == 0) {
        for (size_t i = 0; i < w.size(); ++i) sum[i] += w[i];
        ++samples;
      }
    }
    if (on_epoch) on_epoch(epoch, options.average_every > 0 ? averaged() : *model);
  }
  if (options.average_every > 0) *model = averaged();
  return model;
}

}  // namespace earshot::pipeline::sentiment
