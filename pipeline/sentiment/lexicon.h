// Lexicon: the valence of words, phrases, emoticons and emoji, plus the rule words (boosters,
// dampeners, negators, contrast markers) the scorer needs.
//
// Built once at start-up from an ordered list of sources; a later source overrides an earlier one
// (VADER's lexicon, then the emoji list, then earshot's customer-experience lexicon, then the
// per-deployment overrides from config). Immutable after Load and shared as
// shared_ptr<const Lexicon> across worker threads. Lookups are allocation-free: keys live in one
// arena and the table is open addressing (linear probing, load <= 1/2) over (offset, length)
// pairs, with a dense array of 32-bit hash tags probed first so a hit compares one key; in front
// of it an 8 KB bitmap of key hashes (a one-hash Bloom filter) answers most misses (most words of
// a text) from L1 cache. A 512-byte bitmap of the first two words of every phrase lets the scorer
// skip phrase attempts after common first words ("the", "on", "no"). On the hot path of both
// engines.
//
// File format (all sources): one entry a line, `term<TAB>valence[<TAB>anything]`. A term may hold
// spaces (a phrase, matched on whole tokens). For kEarshot files, blank lines and lines starting
// with "# " are comments. Errors carry `file:line: what is wrong`.
//
// Terms match whatever their case, except one kind: an emoticon (at most 8 ASCII bytes, no space,
// eyes ':', ';' or '=' and one or two letters) written with an upper-case letter in a kEarshot
// file or an override matches that exact case only, as a whole white-space-separated chunk. "D:"
// frowns while "d:" sticks out a tongue; VADER's npm lexicon lists both as "d:" (its copy of "D:"
// lower-cased), so the later, positive one would win.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace earshot::pipeline::sentiment {

enum class LexiconFormat : uint8_t {
  kVader,    // vader_lexicon.txt: term, mean, std, ratings; no comments
  kEarshot,  // term, valence; '# ' comments and blank lines allowed
};

struct LexiconSource {
  std::string path;
  LexiconFormat format = LexiconFormat::kEarshot;
  std::string sha256;  // hex; when set the file must match it
  double scale = 1.0;  // valence multiplier (emoji-emotion rates -5..5; VADER -4..4)
  bool required = true;  // false: a missing file is skipped (reported in Lexicon::notes())
};

struct LexiconOverride {
  std::string term;
  double valence = 0;
};

// Rule roles of a word (bit flags).
enum RuleFlag : uint8_t {
  kNegator = 1,
  kBooster = 2,      // intensifier: value > 0; dampener: value < 0
  kContrast = 4,     // but, however: earlier clause * 0.5, later * 1.5
  kPhraseStart = 8,  // first word of at least one multi-word entry
  kHasValence = 16,
};

// The words scoring rules name (bit flags): hedges after a negator ("not so good"), "so"/"this"
// in "never so good", "this" in "haven't been this good", "at"/"very" before "least", "least"
// and "never".
enum RuleWord : uint8_t {
  kHedgeWord = 1,  // so, too, all, very, that, really
  kSoOrThis = 2,
  kAtOrVery = 4,
  kLeast = 8,
  kNever = 16,
  kThis = 32,
};

struct LexiconEntry {
  float valence = 0;
  float boost = 0;     // booster scalar (kBooster)
  uint8_t flags = 0;
  uint8_t max_phrase_words = 0;  // kPhraseStart: the longest phrase starting here
  uint8_t rule_words = 0;        // RuleWord bits of this word
};

class Lexicon {
 public:
  struct LoadResult {
    std::shared_ptr<const Lexicon> lexicon;  // null on error
    std::string error;                       // "path:line: message"
    std::vector<std::string> notes;          // skipped optional sources
  };

  // Loads the sources in order, then the built-in rule words, then `overrides`.
  [[nodiscard]] static LoadResult Load(const std::vector<LexiconSource>& sources,
                                       const std::vector<LexiconOverride>& overrides = {});

  // `key` must already be lower case (ASCII) with single spaces between words. Null when absent.
  const LexiconEntry* Find(std::string_view key) const { return Find(key, KeyHash(key)); }
  // REQUIRES: hash == KeyHash(key) (lets a caller that hashed the key already skip a pass).
  // The filter test is inline: most words of a text stop there, without a call.
  const LexiconEntry* Find(std::string_view key, uint64_t hash) const {
    if (!MayHold(hash) || key.empty()) return nullptr;
    return Probe(key, hash);
  }
  // False when no key has this KeyHash (the filter alone: true may be a false hit).
  bool MayHold(uint64_t hash) const {
    const size_t bit = FilterBit(hash);
    return filter_[bit / 64] >> (bit % 64) & 1;
  }

  // The table's hash of a key: word-at-a-time, not stable across versions, never persisted.
  [[nodiscard]] static uint64_t KeyHash(std::string_view key);

  // False when no multi-word entry starts with the two words whose KeyHash are `first` and
  // `second` (a one-hash filter over the entries' first word pairs: true may be a false hit).
  bool MayStartPhrase(uint64_t first, uint64_t second) const {
    const size_t bit = PairBit(first, second);
    return pair_filter_[bit / 64] >> (bit % 64) & 1;
  }

  size_t size() const { return count_; }

  // The key of the case-sensitive emoticon `chunk` is (an exact match of its bytes), or empty.
  // The key is already lower case: pass it to Find, or score it as a token's text.
  std::string_view CasedKey(std::string_view chunk) const {
    for (const auto& [term, key] : cased_) {
      if (term == chunk) return key;
    }
    return {};
  }
  bool has_cased() const { return !cased_.empty(); }

  // The longest run of ASCII letters and digits that starts a key of the form "word, then ASCII
  // punctuation other than '_'" (emoticons such as "8)" or "d:"): a chunk of that form with a
  // longer word is no key, and the scorer skips its lookup.
  size_t max_word_punct_prefix() const { return max_word_punct_prefix_; }

 private:
  struct Slot {
    uint32_t key_offset = 0;
    uint32_t key_length = 0;
    LexiconEntry entry;
  };
  // Tag of a hash as kept in tags_: never 0 (0 marks an empty slot).
  static uint32_t Tag(uint64_t hash) { return static_cast<uint32_t>(hash >> 32) | 1u; }
  static constexpr int kFilterBits = 16;
  // The filter bit of a hash (bits the slot index does not use for tables under 2^40 slots).
  static size_t FilterBit(uint64_t hash) {
    return static_cast<size_t>(hash >> 40) & ((size_t{1} << kFilterBits) - 1);
  }
  static constexpr int kPairFilterBits = 12;
  static size_t PairBit(uint64_t first, uint64_t second) {
    return static_cast<size_t>((first ^ (second * 0x9E3779B97F4A7C15ULL)) >> 52) &
           ((size_t{1} << kPairFilterBits) - 1);
  }
  bool KeyIs(const Slot& s, std::string_view key) const;
  // Find past the filter.
  const LexiconEntry* Probe(std::string_view key, uint64_t hash) const;
  LexiconEntry& Upsert(std::string_view key);
  // Registers a case-sensitive emoticon and returns its table key.
  std::string AddCased(std::string_view term);
  void Grow();
  std::string arena_;
  std::vector<uint32_t> tags_;  // parallel to slots_
  std::vector<uint64_t> filter_ = std::vector<uint64_t>((size_t{1} << kFilterBits) / 64);
  std::vector<uint64_t> pair_filter_ = std::vector<uint64_t>((size_t{1} << kPairFilterBits) / 64);
  std::vector<Slot> slots_;
  size_t count_ = 0;
  size_t max_word_punct_prefix_ = 0;
  // Case-sensitive emoticons: (the term as written, its table key). The key is the term with
  // 'A'-'Z' written as the bytes 1-26: as long as the term, and no lower-cased word's.
  std::vector<std::pair<std::string, std::string>> cased_;
};

// murmur3's 64-bit finalizer: spreads every input bit over the whole word.
inline uint64_t Fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

inline uint64_t Lexicon::KeyHash(std::string_view key) {
  // Loads of 8, 4 or single bytes (overlapping at the end), then murmur3's 64-bit finalizer.
  const char* p = key.data();
  const size_t n = key.size();
  auto load64 = [](const char* q) {
    uint64_t v;
    __builtin_memcpy(&v, q, 8);
    return v;
  };
  auto load32 = [](const char* q) {
    uint32_t v;
    __builtin_memcpy(&v, q, 4);
    return uint64_t{v};
  };
  uint64_t h = n * 0x9E3779B97F4A7C15ULL;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      h = (h ^ load64(p + i)) * 0xff51afd7ed558ccdULL;
      h ^= h >> 32;
    }
    h ^= load64(p + n - 8);
  } else if (n >= 4) {
    // The key's bytes as a little-endian word (overlapping loads agree on the bytes they share),
    // so a caller holding the bytes in a register can hash them alike.
    h ^= load32(p) | load32(p + n - 4) << ((n - 4) * 8);
  } else if (n > 0) {
    h ^= static_cast<unsigned char>(p[0]) |
         uint64_t{static_cast<unsigned char>(p[n >> 1])} << ((n >> 1) * 8) |
         uint64_t{static_cast<unsigned char>(p[n - 1])} << ((n - 1) * 8);
  }
  return Fmix64(h);
}

// Hex SHA-256 of a file's bytes; empty when unreadable.
[[nodiscard]] std::string Sha256File(const std::string& path);

// Hash used by the lexicon table and the model's feature hashing (64-bit, seedable).
[[nodiscard]] uint64_t HashBytes(std::string_view s, uint64_t seed = 0);

}  // namespace earshot::pipeline::sentiment
