// FeatureExtractor: the learned model's features for one text, computed after the lexicon engine
// has scored it.
//
// Sparse features are hashed into 2^hash_bits buckets, each with value 1/sqrt(count):
//   - word unigrams and bigrams over earshot's model tokenizer: lower case, apostrophes dropped
//     ("don't" = "dont"), runs of 3+ equal letters squeezed to 2, @mentions as one <user> token,
//     URLs as <url>, numbers as <num>, emoji and lexicon emoticons as tokens, "!" / "?" / "..." runs
//     as tokens; hashtags give the word and a #word token;
//   - negation marking: after a negator ("not", "never", "dont", ...) every word until clause
//     punctuation is a different feature ("good" vs "good_NEG");
//   - character 2-5-grams of each word (kCharNgrams), and the lexicon valence of each word rounded
//     to a step, marked with its negation state;
//   - text-level markers: elongation, ALL-CAPS words.
// Dense features are the lexicon engine's outputs (compound, proportions, sums, counts).
//
// Holds per-thread scratch: thread-compatible, on the hot path, allocation-free after warm-up.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/sentiment/lexicon_scorer.h"

namespace earshot::pipeline::sentiment {

inline constexpr int kDenseFeatures = 20;

// Feature set switches, stored in the model file so a model is scored with the features it was
// trained on.
enum FeatureFlag : uint32_t {
  kBigrams = 1,
  kNegationMarking = 2,
  kCharNgrams = 4,
  kLexiconTokens = 8,
  kTrigrams = 16,
};
inline constexpr uint32_t kDefaultFeatureFlags = kBigrams | kNegationMarking | kCharNgrams |
                                                 kLexiconTokens;

struct FeatureVector {
  std::vector<uint32_t> sparse;  // bucket indices (duplicates allowed)
  std::array<float, kDenseFeatures> dense{};
  float sparse_value = 0;  // the value of each sparse feature (1/sqrt(count))
};

class FeatureExtractor {
 public:
  FeatureExtractor(uint32_t hash_bits, uint32_t flags);

  // Features of the text `scorer` scored last (its masked text and its lexicon).
  void Extract(const LexiconScorer& scorer, const LexiconScores& scores, FeatureVector& out);

 private:
  void AddWord(std::string_view raw, bool hashtag, const Lexicon& lexicon, FeatureVector& out);
  void AddToken(uint64_t hash, FeatureVector& out);
  void Push(uint64_t hash, FeatureVector& out) {
    out.sparse.push_back(static_cast<uint32_t>(hash) & mask_);
  }

  uint32_t mask_;
  uint32_t flags_;
  std::vector<uint64_t> sequence_;  // token hashes in order (for n-grams)
  std::string word_;
  bool negated_ = false;
  bool elongated_ = false;
  int caps_words_ = 0;
};

}  // namespace earshot::pipeline::sentiment
