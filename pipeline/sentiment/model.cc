#include "pipeline/sentiment/model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <numeric>
#include <random>

namespace earshot::pipeline::sentiment {
namespace {

constexpr char kMagic[4] = {'E', 'S', 'M', '1'};

inline uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t h = (a ^ (b + 0x9E3779B97F4A7C15ULL + (a << 6) + (a >> 2))) * 0xff51afd7ed558ccdULL;
  return h ^ (h >> 31);
}

// Cheap hash of a short byte string (character n-grams).
inline uint64_t HashShort(const char* p, size_t n, uint64_t seed) {
  uint64_t h = seed * 0x9E3779B97F4A7C15ULL + n;
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ULL;
  return Mix(h, seed);
}

}  // namespace

SentimentModel::SentimentModel(uint32_t hash_bits)
    : hash_bits_(hash_bits),
      weights_(kClasses + kDenseFeatures * kClasses + (size_t{1} << hash_bits) * kClasses, 0.f) {}

void SentimentModel::Predict(const FeatureVector& f, std::array<float, kClasses>& probs) const {
  float z[kClasses];
  for (int c = 0; c < kClasses; ++c) z[c] = weights_[c];
  const float* dense = weights_.data() + dense_offset();
  for (int d = 0; d < kDenseFeatures; ++d) {
    if (f.dense[d] == 0) continue;
    for (int c = 0; c < kClasses; ++c) z[c] += dense[d * kClasses + c] * f.dense[d];
  }
  const float* sparse = weights_.data() + sparse_offset();
  float s0 = 0, s1 = 0, s2 = 0;
  for (uint32_t idx : f.sparse) {
    const float* w = sparse + size_t{idx} * kClasses;
    s0 += w[0];
    s1 += w[1];
    s2 += w[2];
  }
  z[0] += s0 * f.sparse_value;
  z[1] += s1 * f.sparse_value;
  z[2] += s2 * f.sparse_value;
  float m = std::max({z[0], z[1], z[2]});
  float sum = 0;
  for (int c = 0; c < kClasses; ++c) sum += (probs[c] = std::exp(z[c] - m));
  for (int c = 0; c < kClasses; ++c) probs[c] /= sum;
}

SentimentModel::LoadResult SentimentModel::Load(const std::string& path) {
  LoadResult result;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.error = path + ": cannot open model file";
    return result;
  }
  char magic[4];
  uint32_t header[3];
  if (!in.read(magic, 4) || std::memcmp(magic, kMagic, 4) != 0 ||
      !in.read(reinterpret_cast<char*>(header), sizeof header)) {
    result.error = path + ": not an earshot sentiment model (bad magic)";
    return result;
  }
  if (header[0] < 8 || header[0] > 24 || header[1] != kDenseFeatures || header[2] != kClasses) {
    result.error = path + ": unsupported model layout (hash_bits " + std::to_string(header[0]) +
                   ", dense " + std::to_string(header[1]) + ", classes " +
                   std::to_string(header[2]) + ")";
    return result;
  }
  auto model = std::make_shared<SentimentModel>(header[0]);
  auto& w = model->weights_;
  if (!in.read(reinterpret_cast<char*>(w.data()), static_cast<std::streamsize>(w.size() * 4)) ||
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
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  uint32_t header[3] = {hash_bits_, kDenseFeatures, kClasses};
  out.write(kMagic, 4);
  out.write(reinterpret_cast<const char*>(header), sizeof header);
  out.write(reinterpret_cast<const char*>(weights_.data()),
            static_cast<std::streamsize>(weights_.size() * 4));
  out.close();
  if (!out) return path + ": cannot write model file";
  return {};
}

FeatureExtractor::FeatureExtractor(uint32_t hash_bits) : mask_((1u << hash_bits) - 1) {
  word_hashes_.reserve(512);
}

void FeatureExtractor::Extract(const LexiconScorer& scorer, const LexiconScores& s,
                               FeatureVector& out) {
  out.sparse.clear();
  word_hashes_.clear();
  char padded[72];
  for (const ScoredToken& t : scorer.tokens()) {
    std::string_view w = scorer.TokenText(t);
    uint64_t h = HashShort(w.data(), w.size(), 1);
    word_hashes_.push_back(h);
    out.sparse.push_back(static_cast<uint32_t>(h) & mask_);
    if (t.emoji || w.size() + 2 > sizeof padded || w.size() < 2) continue;
    // Character 3-5-grams of " word ".
    padded[0] = ' ';
    std::memcpy(padded + 1, w.data(), w.size());
    padded[w.size() + 1] = ' ';
    size_t len = w.size() + 2;
    for (size_t n = 3; n <= 5; ++n) {
      for (size_t i = 0; i + n <= len; ++i) {
        out.sparse.push_back(static_cast<uint32_t>(HashShort(padded + i, n, 10 + n)) & mask_);
      }
    }
  }
  for (size_t i = 1; i < word_hashes_.size(); ++i) {
    out.sparse.push_back(static_cast<uint32_t>(Mix(word_hashes_[i - 1], word_hashes_[i])) & mask_);
  }
  out.sparse.push_back(0x5eed & mask_);  // always-on sparse bias
  out.sparse_value = 1.0f / std::sqrt(static_cast<float>(out.sparse.size()));
  auto& d = out.dense;
  d[0] = static_cast<float>(s.compound);
  d[1] = static_cast<float>(s.pos);
  d[2] = static_cast<float>(s.neg);
  d[3] = static_cast<float>(s.neu);
  d[4] = static_cast<float>(s.pos_sum / 5);
  d[5] = static_cast<float>(s.neg_sum / 5);
  d[6] = s.negated > 0;
  d[7] = s.exclamations > 0;
  d[8] = s.questions > 0;
  d[9] = static_cast<float>(s.emoji_valence_sign);
  d[10] = s.caps_words > 0;
  d[11] = s.compound >= 0.05;
  d[12] = s.compound <= -0.05;
  d[13] = s.sentiment_words == 0;
}

std::unique_ptr<SentimentModel> TrainModel(
    const std::vector<TrainingExample>& examples, const TrainOptions& options,
    const std::function<void(int, const SentimentModel&)>& on_epoch) {
  auto model = std::make_unique<SentimentModel>(options.hash_bits);
  std::vector<float>& w = model->weights();
  std::vector<float> g2(w.size(), 1e-6f);  // AdaGrad accumulators
  double class_weight[kClasses] = {1, 1, 1};
  if (options.balance_classes && !examples.empty()) {
    size_t counts[kClasses] = {0, 0, 0};
    for (const auto& e : examples) ++counts[e.label];
    for (int c = 0; c < kClasses; ++c) {
      class_weight[c] = counts[c] ? static_cast<double>(examples.size()) / (kClasses * counts[c]) : 1;
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
    }
    if (on_epoch) on_epoch(epoch, *model);
  }
  return model;
}

}  // namespace earshot::pipeline::sentiment
