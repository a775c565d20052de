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
// Holds per-thread scratch (and a 1 MB cache of what frequent words give, see CachedWord):
// thread-compatible, on the hot path, allocation-free after warm-up.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
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

  // Optional: the weight table the features will index (bucket b at table + b * stride bytes),
  // prefetched as buckets are found so the model's sum finds them in cache. The table must
  // outlive the extractor (or the next call); null turns prefetching off.
  void set_prefetch_table(const void* table, size_t stride) {
    prefetch_table_ = static_cast<const char*>(table);
    prefetch_stride_ = stride;
  }

 private:
  void Prefetch(const uint32_t* begin, const uint32_t* end) const {
    if (prefetch_table_ == nullptr) return;
    for (const uint32_t* b = begin; b < end; ++b) {
      __builtin_prefetch(prefetch_table_ + size_t{*b} * prefetch_stride_);
    }
  }
  // What a word (no hashtag, at most kMaxBytes raw bytes) gives, whatever the negation state:
  // the per-extractor word cache (direct-mapped, keyed by the word's raw bytes, checked in full)
  // lets a frequent word skip normalization, hashing, the lexicon lookup and its n-grams.
  struct alignas(64) CachedWord {
    static constexpr size_t kMaxBytes = 16;
    // Hash of `raw` (at most kMaxBytes), and its bytes zero-padded as two words.
    static uint64_t Key(std::string_view raw, uint64_t& k0, uint64_t& k1);
    uint64_t k0 = 0, k1 = 0;
    uint64_t hash = 0;  // HashText of the normalized word
    const LexiconEntry* entry = nullptr;
    uint8_t raw_length = 0;  // 0: empty
    uint8_t ngram_count = 0;
    bool digits_only = false;
    bool caps = false;
    bool elongated = false;
    // Bucket indices, in AddWord's order: at most 3 * kMaxBytes - 3, and room for CopyBlocks'
    // whole blocks of 8.
    uint32_t ngrams[3 * kMaxBytes];
  };
  static constexpr size_t kWordCacheSize = 4096;

  // A cached word's key and slot.
  struct WordKey {
    uint64_t k0 = 0, k1 = 0;
    uint32_t slot = 0;
  };
  // REQUIRES: raw.size() <= CachedWord::kMaxBytes.
  static WordKey KeyOf(std::string_view raw);
  // AddWord for a word that is no hashtag, through the word cache when it has at most kMaxBytes
  // (what AddWord gives depends on the raw bytes and the negation state only).
  void AddWordViaCache(std::string_view raw, const Lexicon& lexicon);
  // AddWordViaCache with the key known. REQUIRES: key == KeyOf(raw).
  void AddCachedWord(std::string_view raw, const WordKey& key, const Lexicon& lexicon);
  // `record`: when not null, receives what the word gives (raw_length stays 0 when the word
  // cannot be replayed).
  void AddWord(std::string_view raw, bool hashtag, const Lexicon& lexicon,
               CachedWord* record = nullptr);
  void AddToken(uint64_t hash);
  void Push(uint64_t hash) {
    const uint32_t bucket = static_cast<uint32_t>(hash) & mask_;
    *cursor_++ = bucket;
    if (prefetch_table_ != nullptr) {
      __builtin_prefetch(prefetch_table_ + size_t{bucket} * prefetch_stride_);
    }
  }

  uint32_t mask_;
  uint32_t flags_;
  uint32_t* cursor_ = nullptr;  // Extract: next free slot of the output's sparse buffer
  const char* prefetch_table_ = nullptr;
  size_t prefetch_stride_ = 0;
  std::vector<uint64_t> sequence_;  // token hashes in order (for n-grams)
  std::string word_;  // the normalized word (never shrinks; only the front part is used)
  std::vector<CachedWord> word_cache_;
  const Lexicon* cached_lexicon_ = nullptr;  // the lexicon word_cache_'s entries point into
  bool negated_ = false;
  bool elongated_ = false;
  int caps_words_ = 0;
};

// Inline: the key stays in registers on the hot path.
inline uint64_t FeatureExtractor::CachedWord::Key(std::string_view raw, uint64_t& k0,
                                                  uint64_t& k1) {
  // The bytes zero-padded to 16 as two words, from overlapping loads inside `raw` (a copy to the
  // stack and a 16-byte load back stalls on store forwarding).
  const char* p = raw.data();
  const size_t n = raw.size();  // <= kMaxBytes
  auto load64 = [](const char* q) {
    uint64_t v;
    std::memcpy(&v, q, 8);
    return v;
  };
  auto load32 = [](const char* q) {
    uint32_t v;
    std::memcpy(&v, q, 4);
    return uint64_t{v};
  };
  k1 = 0;
  if (n >= 8) {
    k0 = load64(p);
    if (n > 8) k1 = load64(p + n - 8) >> (8 * (16 - n));
  } else if (n >= 4) {
    k0 = load32(p) | (load32(p + n - 4) >> (8 * (8 - n))) << 32;
  } else {
    k0 = 0;
    for (size_t i = 0; i < n; ++i) k0 |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  }
  uint64_t h = (k0 * 0x9E3779B97F4A7C15ULL) ^ (k1 * 0xff51afd7ed558ccdULL) ^ n;
  return h ^ (h >> 29) ^ (h >> 47);
}

inline FeatureExtractor::WordKey FeatureExtractor::KeyOf(std::string_view raw) {
  WordKey key;
  key.slot = static_cast<uint32_t>(CachedWord::Key(raw, key.k0, key.k1) & (kWordCacheSize - 1));
  return key;
}

}  // namespace earshot::pipeline::sentiment
