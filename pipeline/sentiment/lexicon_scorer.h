// LexiconScorer: earshot's rule-and-lexicon sentiment engine.
//
// Scores one text into VADER-compatible outputs (compound in [-1, 1] and pos/neu/neg proportions)
// with earshot's own tokenizer and rules:
//   - lexicon lookup of words, emoticons (also typed right after a word: "Tuesday:("), emoji and
//     multi-word phrases/idioms (longest match);
//   - negation within a scope of three words that stops at clause punctuation and contrast words,
//     covering contractions ("don't", "isn’t", "dont") and "never"; a negator with a valence of
//     its own ("no") keeps it when no sentiment word follows in its clause; "not so/very/too X"
//     hedges (half the flipped value) rather than flipping the boosted value; "haven't been this
//     X" and "never so X" emphasize (* 1.25) instead;
//   - intensifiers and dampeners in the three words before a sentiment word (0.293, fading);
//   - contrast: sentiment before the first "but"/"however" * 0.5, after it * 1.5;
//   - ALL-CAPS emphasis (+0.733 when the text mixes case), elongation ("sooo goood": the word is
//     found after squeezing repeats and gets +0.293), '!' (up to 4) and '?' (2-3+) emphasis;
//   - masking: byte spans given by the caller (matched brand names) and every @mention, URL and
//     hashtag-free handle are removed before scoring, so "@united" never reads as "united".
//
// Holds a shared immutable Lexicon and scratch buffers reused across calls: thread-compatible, one
// per worker. On the hot path: after the first few texts it never allocates (buffers keep their
// capacity; texts longer than any seen before grow them once).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/sentiment/chunks.h"
#include "pipeline/sentiment/lexicon.h"

namespace earshot::pipeline::sentiment {

struct ByteSpan {
  uint32_t begin;
  uint32_t end;
};

struct LexiconScores {
  double compound = 0;
  double pos = 0, neu = 1, neg = 0;
  // Features for the learned model.
  double pos_sum = 0, neg_sum = 0;  // sums of positive / negative word sentiments
  int sentiment_words = 0;
  int negated = 0;      // sentiment words flipped by a negator
  int caps_words = 0;
  int exclamations = 0;
  int questions = 0;
  int emoji_valence_sign = 0;  // sign of the summed emoji valence
};

// A word of the scored text after masking, lower-cased (for the model's features).
struct ScoredToken {
  uint32_t begin;  // into LexiconScorer::lowered()
  uint32_t length;
  bool emoji;
};

// A growable array of trivially copyable T without per-element initialization or capacity
// checks on Push: the owner calls Reserve with an upper bound first. Keeps its storage across
// clears, so a scorer stops allocating once it has seen its longest text.
template <typename T>
class ScratchArray {
 public:
  void Reserve(size_t n) {
    if (n <= capacity_) return;
    n = std::max(n, capacity_ * 2);
    auto grown = std::make_unique_for_overwrite<T[]>(n);
    if (size_) std::memcpy(grown.get(), data_.get(), size_ * sizeof(T));
    data_ = std::move(grown);
    capacity_ = n;
  }
  // REQUIRES: size() < the capacity reserved.
  void Push(const T& v) { data_[size_++] = v; }
  void Clear() { size_ = 0; }
  T& Back() { return data_[size_ - 1]; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T* data() const { return data_.get(); }

 private:
  std::unique_ptr<T[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

class LexiconScorer {
 public:
  explicit LexiconScorer(std::shared_ptr<const Lexicon> lexicon);

  // Scores `text` with the byte ranges in `mask` removed (sorted or not; out-of-range parts
  // ignored).
  void Score(std::string_view text, std::span<const ByteSpan> mask, LexiconScores& out);
  void Score(std::string_view text, LexiconScores& out) { Score(text, {}, out); }

  // The tokens of the last text scored (valid until the next call).
  std::span<const ScoredToken> tokens() const { return {tokens_.data(), tokens_.size()}; }
  std::string_view lowered() const { return lower_; }
  // The text of the last call after masking (borrows the caller's text when nothing was masked).
  std::string_view scored_text() const { return text_; }
  // The white-space separated chunks of scored_text(), an emoticon typed right after a word a
  // chunk of its own (chunks.h; valid until the next call).
  std::span<const TextChunk> chunks() const { return scan_.chunks; }
  std::string_view TokenText(const ScoredToken& t) const {
    return std::string_view(lower_).substr(t.begin, t.length);
  }

  const Lexicon& lexicon() const { return *lexicon_; }

 private:
  // A unit is a token, or the tokens of a multi-word lexicon entry. Only the units a rule can
  // see are kept (lexicon hits, rule words, clause ends): the others cannot end a scope, boost,
  // negate or carry sentiment, so their ordinal positions are all the rules need of them.
  struct Unit {
    uint32_t pos = 0;  // ordinal among all units of the text
    float valence = 0;
    float boost = 0;
    float sentiment = 0;  // set by Score
    uint8_t flags = 0;
    bool caps = false;
    bool elongated = false;
    bool clause_end = false;  // clause punctuation follows this unit
    bool emoji = false;
    bool emoticon = false;   // like emoji, outside any negation's scope
    uint8_t rule_words = 0;  // RuleWord bits: "not so good" hedges, "at least", "never so"
  };

  // token_flags_ bits.
  static constexpr uint8_t kCapsToken = 1;       // all caps
  static constexpr uint8_t kClauseEndToken = 2;  // clause punctuation follows
  static constexpr uint8_t kRepeatToken = 4;     // a byte equal to the two before it
  static constexpr uint8_t kNotToken = 8;        // ends with "n't" (longer than "n't")
  static constexpr uint8_t kEmoticonToken = 16;  // a whole chunk read as an emoticon

  void Tokenize(std::string_view text);
  // Appends the token `word` (lower-cased, ’ as ') to lower_; returns whether it is all caps.
  [[gnu::always_inline]] bool AddWord(std::string_view word, bool emoji);
  // AddWord for a word of 1 to 32 ASCII letters and digits. REQUIRES: 32 bytes readable at
  // `window`, the word's bytes first; lower_ has 32 bytes of room at lower_size_.
  [[gnu::always_inline]] void AddPlainWord(std::string_view word, const char* window);
  void MarkClauseEnd() {
    if (!token_flags_.empty()) token_flags_.Back() |= kClauseEndToken;
  }
  void BuildUnits();
  // The unit of the longest phrase of at most `max_words` tokens starting at token k, in one
  // clause, at ordinal `pos`; returns its token count (0: none, no unit added).
  size_t AddPhraseUnit(size_t k, size_t max_words, uint32_t pos);
  // `hash`: Lexicon::KeyHash(lowered); `repeated`: the token's kRepeatToken (without it no
  // squeezed form is tried).
  const LexiconEntry* Lookup(std::string_view lowered, uint64_t hash, bool repeated,
                             bool& elongated);
  // Lookup's rare path: the word with runs of a letter squeezed to two, then to one.
  [[gnu::noinline]] const LexiconEntry* LookupSqueezed(std::string_view lowered, bool& elongated);

  std::shared_ptr<const Lexicon> lexicon_;
  std::string_view text_;
  std::string masked_;
  std::string decoded_;  // the text with its HTML character references decoded
  std::string lower_;  // sized to the text while tokenizing (tokens never grow), then trimmed
  size_t lower_size_ = 0;
  std::string phrase_;
  std::string squeeze_;
  ChunkScan scan_;
  ScratchArray<ScoredToken> tokens_;  // reserved for one token a byte of the text
  ScratchArray<uint8_t> token_flags_;  // per token: the k*Token bits
  std::vector<Unit> units_;  // the units rules can see, in text order
  uint32_t unit_count_ = 0;  // all units, seen or not
  ScratchArray<uint64_t> hashes_;  // Lexicon::KeyHash of each token, computed as it is added
  ScratchArray<uint64_t> candidates_;  // BuildUnits: bit k: token k may matter to a rule
  int exclamations_ = 0;
  int questions_ = 0;
  int caps_tokens_ = 0;
  int cased_tokens_ = 0;
};

// VADER's normalization of a summed score into (-1, 1): x / sqrt(x^2 + 15).
[[nodiscard]] double NormalizeScore(double score);

}  // namespace earshot::pipeline::sentiment
