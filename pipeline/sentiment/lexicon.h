// Lexicon: the valence of words, phrases, emoticons and emoji, plus the rule words (boosters,
// dampeners, negators, contrast markers) the scorer needs.
//
// Built once at start-up from an ordered list of sources; a later source overrides an earlier one
// (VADER's lexicon, then the emoji list, then earshot's customer-experience lexicon, then the
// per-deployment overrides from config). Immutable after Load and shared as
// shared_ptr<const Lexicon> across worker threads. Lookups are allocation-free: keys live in one
// arena and the table is open addressing over (offset, length) pairs.
//
// File format (all sources): one entry a line, `term<TAB>valence[<TAB>anything]`. A term may hold
// spaces (a phrase, matched on whole tokens). For kEarshot files, blank lines and lines starting
// with "# " are comments. Errors carry `file:line: what is wrong`.
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

struct LexiconEntry {
  float valence = 0;
  float boost = 0;     // booster scalar (kBooster)
  uint8_t flags = 0;
  uint8_t max_phrase_words = 0;  // kPhraseStart: the longest phrase starting here
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
  const LexiconEntry* Find(std::string_view key) const;

  size_t size() const { return count_; }

 private:
  struct Slot {
    uint32_t key_offset = 0;
    uint32_t key_length = 0;  // 0: empty slot
    LexiconEntry entry;
  };
  LexiconEntry& Upsert(std::string_view key);
  void Grow();
  std::string arena_;
  std::vector<Slot> slots_;
  size_t count_ = 0;
};

// Hex SHA-256 of a file's bytes; empty when unreadable.
[[nodiscard]] std::string Sha256File(const std::string& path);

// Hash used by the lexicon table and the model's feature hashing (64-bit, seedable).
[[nodiscard]] uint64_t HashBytes(std::string_view s, uint64_t seed = 0);

}  // namespace earshot::pipeline::sentiment
