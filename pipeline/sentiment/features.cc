#include "pipeline/sentiment/features.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>

#include "pipeline/sentiment/chars.h"
#include "pipeline/sentiment/chunks.h"

namespace earshot::pipeline::sentiment {
namespace {

inline uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t h = (a ^ (b + 0x9E3779B97F4A7C15ULL + (a << 6) + (a >> 2))) * 0xff51afd7ed558ccdULL;
  return h ^ (h >> 31);
}

// FNV-1a of a short byte string with a seed, then mixed.
inline uint64_t HashShort(const char* p, size_t n, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ULL ^ (seed * 0x9E3779B97F4A7C15ULL) ^ n;
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ULL;
  return Mix(h, seed);
}
inline uint64_t HashText(std::string_view s, uint64_t seed = 1) {
  return HashShort(s.data(), s.size(), seed);
}
// HashShort(p, N, 10 + N), the character N-gram hash, unrolled for a fixed N.
template <size_t N>
inline uint64_t NgramHash(const char* p) {
  constexpr uint64_t kSeed = 10 + N;
  uint64_t h = 0xcbf29ce484222325ULL ^ (kSeed * 0x9E3779B97F4A7C15ULL) ^ N;
  for (size_t k = 0; k < N; ++k) h = (h ^ static_cast<unsigned char>(p[k])) * 0x100000001b3ULL;
  return Mix(h, kSeed);
}

// Copies `count` bucket indices in blocks of 8: reads and writes up to 7 past `count` (both
// buffers have that slack: CachedWord::ngrams, and the sparse buffer Extract sizes).
inline void CopyBlocks(uint32_t* dst, const uint32_t* src, size_t count) {
  for (size_t i = 0; i < count; i += 8) std::memcpy(dst + i, src + i, 8 * sizeof(uint32_t));
}

// The punctuation an emoticon chunk holds at least one of, as a byte table.
constexpr std::array<bool, 256> kEmoticonPunct = [] {
  std::array<bool, 256> t{};
  for (const char c : std::string_view(":;=()<>[]^_/\\*|")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();
inline bool HasEmoticonPunct(std::string_view chunk) {
  bool any = false;
  for (const char c : chunk) any = any || kEmoticonPunct[static_cast<unsigned char>(c)];
  return any;
}

// Seeds that keep feature families apart.
constexpr uint64_t kNegSeed = 0x4e45471;
constexpr uint64_t kHashtagSeed = 0x23;
constexpr uint64_t kBigramSeed = 0xb1;
constexpr uint64_t kTrigramSeed = 0x73;
constexpr uint64_t kLexSeed = 0x1e8;
constexpr uint64_t kMarkerSeed = 0x3a7;

const uint64_t kUser = HashText("<user>");
const uint64_t kUrl = HashText("<url>");
const uint64_t kNum = HashText("<num>");
const uint64_t kBang = HashText("!");
const uint64_t kQuestion = HashText("?");
const uint64_t kEllipsis = HashText("...");
const uint64_t kBegin = HashText("<s>");
const uint64_t kEnd = HashText("</s>");

}  // namespace

FeatureExtractor::FeatureExtractor(uint32_t hash_bits, uint32_t flags)
    : mask_((1u << hash_bits) - 1), flags_(flags) {
  sequence_.reserve(512);
  word_.reserve(256);
  word_cache_.resize(kWordCacheSize);
}

void FeatureExtractor::AddToken(uint64_t hash) {
  Push(hash);
  sequence_.push_back(hash);
}

void FeatureExtractor::AddWordViaCache(std::string_view raw, const Lexicon& lexicon) {
  if (raw.size() > CachedWord::kMaxBytes) {
    AddWord(raw, false, lexicon);
    return;
  }
  AddCachedWord(raw, KeyOf(raw), lexicon);
}

void FeatureExtractor::AddCachedWord(std::string_view raw, const WordKey& key,
                                     const Lexicon& lexicon) {
  const uint64_t k0 = key.k0, k1 = key.k1;
  CachedWord& c = word_cache_[key.slot];
  if (c.raw_length != raw.size() || c.k0 != k0 || c.k1 != k1) {
    c.raw_length = 0;  // filled in by AddWord when the word is cacheable
    AddWord(raw, false, lexicon, &c);
    if (c.raw_length != 0) {
      c.k0 = k0;
      c.k1 = k1;
    }
    return;
  }
  // Replay what AddWord does for this word with the current negation state.
  if (c.elongated) elongated_ = true;
  if (c.caps) ++caps_words_;
  if (c.digits_only) {
    AddToken(kNum);
    return;
  }
  const bool negate = (flags_ & kNegationMarking) && negated_;
  AddToken(negate ? Mix(c.hash, kNegSeed) : c.hash);
  const LexiconEntry* e = c.entry;
  if ((flags_ & kLexiconTokens) && e && (e->flags & kHasValence) && e->valence != 0) {
    int step = static_cast<int>(std::lround(e->valence * 2));
    Push(Mix(static_cast<uint64_t>(step + 64) * 2 + (negated_ ? 1 : 0), kLexSeed));
  }
  CopyBlocks(cursor_, c.ngrams, c.ngram_count);
  Prefetch(cursor_, cursor_ + c.ngram_count);
  cursor_ += c.ngram_count;
  if (e && (e->flags & kNegator)) negated_ = true;
}

void FeatureExtractor::AddWord(std::string_view raw, bool hashtag, const Lexicon& lexicon,
                               CachedWord* record) {
  // Normalize: lower case, apostrophes dropped, 3+ repeats squeezed to 2.
  if (word_.size() < raw.size()) word_.resize(raw.size());
  char* const word = word_.data();
  size_t length = 0;
  int upper = 0, letters = 0;
  bool digits_only = true, squeezed = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == '\'') continue;
    if (c == 0xE2 && i + 2 < raw.size() && raw[i + 1] == '\x80' && raw[i + 2] == '\x99') {
      i += 2;
      continue;
    }
    if (c >= 'A' && c <= 'Z') {
      ++upper;
      ++letters;
      c = static_cast<unsigned char>(c - 'A' + 'a');
    } else if (c >= 'a' && c <= 'z') {
      ++letters;
    }
    if (!(c >= '0' && c <= '9') && c != ',' && c != '.' && c != ':') digits_only = false;
    if (length >= 2 && static_cast<unsigned char>(word[length - 1]) == c &&
        static_cast<unsigned char>(word[length - 2]) == c && c < 0x80) {
      squeezed = true;
      continue;
    }
    word[length++] = static_cast<char>(c);
  }
  if (length == 0) return;
  if (squeezed) elongated_ = true;
  const std::string_view w(word, length);
  const bool caps = upper >= 2 && upper == letters;
  if (caps) ++caps_words_;
  if (record != nullptr) {
    record->elongated = squeezed;
    record->caps = caps;
    record->digits_only = digits_only;
    record->ngram_count = 0;
  }
  if (digits_only) {
    AddToken(kNum);
    if (record != nullptr) record->raw_length = static_cast<uint8_t>(raw.size());
    return;
  }
  const uint64_t h = HashText(w);
  const bool negate = (flags_ & kNegationMarking) && negated_;
  AddToken(negate ? Mix(h, kNegSeed) : h);
  if (hashtag) Push(Mix(h, kHashtagSeed));
  const LexiconEntry* e = lexicon.Find(w);
  if ((flags_ & kLexiconTokens) && e && (e->flags & kHasValence) && e->valence != 0) {
    // Valence rounded to half steps, with the negation state.
    int step = static_cast<int>(std::lround(e->valence * 2));
    Push(Mix(static_cast<uint64_t>(step + 64) * 2 + (negated_ ? 1 : 0), kLexSeed));
  }
  if ((flags_ & kCharNgrams) && length >= 2 && length <= 40) {
    char padded[48];
    padded[0] = ' ';
    std::memcpy(padded + 1, word, length);
    padded[length + 1] = ' ';
    const size_t len = length + 2;
    const uint32_t mask = mask_;
    uint32_t* out = cursor_;
    for (size_t i = 0; i + 3 <= len; ++i) {
      *out++ = static_cast<uint32_t>(NgramHash<3>(padded + i)) & mask;
    }
    for (size_t i = 0; i + 4 <= len; ++i) {
      *out++ = static_cast<uint32_t>(NgramHash<4>(padded + i)) & mask;
    }
    for (size_t i = 0; i + 5 <= len; ++i) {
      *out++ = static_cast<uint32_t>(NgramHash<5>(padded + i)) & mask;
    }
    Prefetch(cursor_, out);
    if (record != nullptr) {
      static_assert((3 * CachedWord::kMaxBytes - 3 + 7) / 8 * 8 <= std::size(CachedWord{}.ngrams));
      record->ngram_count = static_cast<uint8_t>(out - cursor_);
      CopyBlocks(record->ngrams, cursor_, record->ngram_count);
    }
    cursor_ = out;
  }
  if (record != nullptr && !hashtag) {
    record->hash = h;
    record->entry = e;
    record->raw_length = static_cast<uint8_t>(raw.size());
  }
  if (e && (e->flags & kNegator)) negated_ = true;
}

void FeatureExtractor::Extract(const LexiconScorer& scorer, const LexiconScores& s,
                               FeatureVector& out) {
  const std::string_view text = scorer.scored_text();
  const size_t n = text.size();
  // Sparse features are written through a cursor into a buffer sized for the worst case, then
  // trimmed. Bound: every token (of B >= 1 bytes) gives itself, a bigram and a trigram; a word of
  // B bytes adds a lexicon token, at most 3B - 3 character n-grams and, after a '#' byte, a
  // hashtag token: at most 4 features a byte; then the last bigram and 3 markers.
  out.sparse.resize(5 * n + 16 + 8);  // + 8: CopyBlocks' slack
  cursor_ = out.sparse.data();
  sequence_.clear();
  negated_ = elongated_ = false;
  caps_words_ = 0;
  const Lexicon& lexicon = scorer.lexicon();
  if (&lexicon != cached_lexicon_) {
    // Cached words hold lexicon entries: start afresh with another lexicon.
    for (CachedWord& c : word_cache_) c.raw_length = 0;
    cached_lexicon_ = &lexicon;
  }
  sequence_.push_back(kBegin);
  // The chunks the lexicon engine found in the same text.
  const std::span<const TextChunk> chunks = scorer.chunks();
  // The cache key of each cacheable plain chunk is computed one chunk ahead and its slot
  // prefetched, so the lookup does not wait on it.
  WordKey next_key{};
  bool next_ready = false;  // next_key is the key of chunks[ci]
  for (size_t ci = 0; ci < chunks.size(); ++ci) {
    const TextChunk& c = chunks[ci];
    const WordKey key = next_key;
    const bool key_ready = next_ready;
    next_ready = false;
    if (ci + 1 < chunks.size()) {
      const TextChunk& after = chunks[ci + 1];
      if (after.plain && after.end - after.begin <= CachedWord::kMaxBytes) {
        next_key = KeyOf(text.substr(after.begin, after.end - after.begin));
        const char* entry = reinterpret_cast<const char*>(&word_cache_[next_key.slot]);
        __builtin_prefetch(entry);
        __builtin_prefetch(entry + 64);
        next_ready = true;
      }
    }
    const std::string_view chunk = text.substr(c.begin, c.end - c.begin);
    if (c.plain) {
      // ASCII letters and digits only: one word.
      if (key_ready) {
        AddCachedWord(chunk, key, lexicon);
      } else {
        AddWordViaCache(chunk, lexicon);
      }
      continue;
    }
    if (chunk.size() > 1 && chunk[0] == '@') {
      AddToken(kUser);
      continue;
    }
    if (IsUrlChunk(chunk)) {
      AddToken(kUrl);
      continue;
    }
    // A chunk that is a lexicon emoticon (":)", "<3", ":-D") is one token. The punctuation test
    // is the cheap one, so it goes before the lookup.
    if (chunk.size() >= 2 && chunk.size() <= 8 && HasEmoticonPunct(chunk)) {
      bool alpha = false;
      char key[8];
      for (size_t k = 0; k < chunk.size(); ++k) {
        const auto u = static_cast<unsigned char>(chunk[k]);
        alpha = alpha || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
        key[k] = LowerAscii(u);
      }
      const std::string_view emoticon(key, chunk.size());
      if (const LexiconEntry* e = lexicon.Find(emoticon);
          e && (e->flags & kHasValence) && (!alpha || emoticon.size() <= 3)) {
        AddToken(HashText(emoticon));
        continue;
      }
    }
    size_t word_begin = std::string_view::npos;
    bool hashtag = false;
    size_t p = 0;
    auto flush = [&](size_t end) {
      if (word_begin != std::string_view::npos) {
        const std::string_view word = chunk.substr(word_begin, end - word_begin);
        if (hashtag) {
          AddWord(word, true, lexicon);
        } else {
          AddWordViaCache(word, lexicon);  // "don't", "café" and plain words alike
        }
      }
      word_begin = std::string_view::npos;
      hashtag = false;
    };
    while (p < chunk.size()) {
      unsigned char u = static_cast<unsigned char>(chunk[p]);
      int32_t cp = u;
      size_t len = u < 0x80 ? 1 : Decode(chunk, p, cp);
      bool word_char;
      if (u < 0x80) {
        word_char = (ClassOf(u) & kWordChar) ||
                    ((u == '\'' || u == '-') && word_begin != std::string_view::npos);
      } else {
        word_char = cp >= 0 && !IsEmoji(cp) && !IsEmojiModifier(cp) && !IsUnicodePunct(cp);
        if (cp == 0x2019) word_char = word_begin != std::string_view::npos;
      }
      if (word_char) {
        if (word_begin == std::string_view::npos) word_begin = p;
        p += len;
        continue;
      }
      flush(p);
      if (u == '#') {
        hashtag = true;
        ++p;
        continue;
      }
      if (cp >= 0 && IsEmoji(cp)) {
        AddToken(HashShort(chunk.data() + p, len, 2));
        p = SkipEmojiModifiers(chunk, p + len);
        continue;
      }
      if (u == '!' || u == '?' || u == '.') {
        size_t run = p;
        while (run < chunk.size() && (chunk[run] == '!' || chunk[run] == '?' || chunk[run] == '.')) {
          ++run;
        }
        bool bang = false, question = false;
        for (size_t k = p; k < run; ++k) {
          bang = bang || chunk[k] == '!';
          question = question || chunk[k] == '?';
        }
        if (bang) AddToken(kBang);
        if (question) AddToken(kQuestion);
        if (!bang && !question && run - p >= 2) AddToken(kEllipsis);
        negated_ = false;
        p = run;
        continue;
      }
      if ((u < 0x80 && IsClausePunct(u)) || (cp >= 0x2000 && cp <= 0x206F && cp != 0x2019)) {
        negated_ = false;
      }
      p += len;
    }
    flush(chunk.size());
  }
  sequence_.push_back(kEnd);
  if (flags_ & kBigrams) {
    for (size_t k = 1; k < sequence_.size(); ++k) {
      Push(Mix(Mix(sequence_[k - 1], kBigramSeed), sequence_[k]));
    }
  }
  if (flags_ & kTrigrams) {
    for (size_t k = 2; k < sequence_.size(); ++k) {
      Push(Mix(Mix(Mix(sequence_[k - 2], kTrigramSeed), sequence_[k - 1]), sequence_[k]));
    }
  }
  if (elongated_) Push(Mix(1, kMarkerSeed));
  if (caps_words_ > 0) Push(Mix(2, kMarkerSeed));
  Push(Mix(3, kMarkerSeed));  // always on: a sparse bias
  out.sparse.resize(static_cast<size_t>(cursor_ - out.sparse.data()));
  cursor_ = nullptr;
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
  // Neutral vs. polar is not linear in compound: give the model its magnitude and shape.
  d[14] = static_cast<float>(std::abs(s.compound));
  d[15] = static_cast<float>(s.compound * s.compound);
  d[16] = s.pos > 0 && s.neg > 0;
  d[17] = static_cast<float>(std::min(s.sentiment_words, 5)) / 5;
  d[18] = static_cast<float>(std::min(s.exclamations, 4)) / 4;
  d[19] = std::abs(s.compound) >= 0.5;
}

}  // namespace earshot::pipeline::sentiment
