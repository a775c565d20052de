#include "pipeline/sentiment/lexicon_scorer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "ingest/text.h"
#include "pipeline/sentiment/chars.h"

namespace earshot::pipeline::sentiment {
namespace {

constexpr double kNegationScalar = -0.74;
constexpr double kCapsIncrement = 0.733;
constexpr double kElongationIncrement = 0.293;
constexpr double kHedgedNegation = -0.5;
constexpr double kBeforeContrast = 0.5;
constexpr double kAfterContrast = 1.5;
constexpr double kExclamationIncrement = 0.292;
constexpr double kQuestionIncrement = 0.18;
constexpr size_t kMaxPhraseBytes = 96;

double Sign(double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0; }

#if defined(__AVX2__) && defined(__BMI2__)
#define EARSHOT_VECTOR_CHUNKS 1
// The byte classes of a chunk of m <= 32 bytes, read as one vector from `window` (its bytes
// first), as bitmaps (bit i: byte i; no bits at or past m).
struct ChunkMasks {
  uint64_t in_chunk;
  uint64_t alnum;   // ASCII letters and digits
  uint64_t word;    // alnum or '_'
  uint64_t joiner;  // '\'' or '-': part of a word once one has started
  uint64_t clause;  // IsClausePunct
  uint64_t high;    // bytes >= 0x80
};

inline ChunkMasks ClassifyChunk(const char* window, size_t m) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(window));
  auto bits = [](__m256i x) { return uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(x))}; };
  auto eq = [&](char c) { return _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c)); };
  auto in = [](__m256i x, char lo, char hi) {  // signed: bytes >= 0x80 are below any ASCII
    return _mm256_and_si256(_mm256_cmpgt_epi8(x, _mm256_set1_epi8(static_cast<char>(lo - 1))),
                            _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(hi + 1)), x));
  };
  auto any = [](auto... x) { return (x | ...); };
  ChunkMasks k;
  k.in_chunk = (uint64_t{1} << m) - 1;
  const __m256i folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
  k.alnum = bits(_mm256_or_si256(in(folded, 'a', 'z'), in(v, '0', '9'))) & k.in_chunk;
  k.word = k.alnum | (bits(eq('_')) & k.in_chunk);
  k.joiner = bits(_mm256_or_si256(eq('\''), eq('-'))) & k.in_chunk;
  k.clause = bits(any(eq(','), eq('.'), eq(';'), eq(':'), eq('!'), eq('?'), eq('('), eq(')'))) &
             k.in_chunk;
  k.high = bits(v) & k.in_chunk;
  return k;
}

// Bits [from, to) of a bitmap. REQUIRES: from <= to <= 63.
inline uint64_t BitRange(uint64_t from, uint64_t to) {
  return (uint64_t{1} << to) - (uint64_t{1} << from);
}
#endif

}  // namespace

double NormalizeScore(double score) {
  double n = score / std::sqrt(score * score + 15.0);
  return std::clamp(n, -1.0, 1.0);
}

LexiconScorer::LexiconScorer(std::shared_ptr<const Lexicon> lexicon)
    : lexicon_(std::move(lexicon)) {
  masked_.reserve(4096);
  lower_.reserve(4096);
  phrase_.reserve(kMaxPhraseBytes + 8);
  squeeze_.reserve(256);
  tokens_.Reserve(512);
  scan_.chunks.reserve(512);
  token_flags_.Reserve(512);
  units_.reserve(512);
  hashes_.Reserve(512);
  candidates_.Reserve(8);
}

inline bool LexiconScorer::AddWord(std::string_view word, bool emoji) {
  const char* in = word.data();
  const size_t n = word.size();
  char* const begin = lower_.data() + lower_size_;
  char* out = begin;
  int upper = 0, lower = 0;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      const uint8_t k = ClassOf(c);
      upper += (k & kUpperChar) != 0;
      lower += (k & kLowerChar) != 0;
      *out++ = LowerAscii(c);
    } else if (c == 0xE2 && i + 2 < n && in[i + 1] == '\x80' && in[i + 2] == '\x99') {
      *out++ = '\'';  // ’ as an apostrophe
      i += 2;
    } else {
      *out++ = static_cast<char>(c);
    }
  }
  const auto length = static_cast<uint32_t>(out - begin);
  bool repeated = false;  // a byte equal to the two before it (elongation, see Lookup)
  for (const char* q = begin + 2; q < out; ++q)
    repeated = repeated || (q[0] == q[-1] && q[0] == q[-2]);
  tokens_.Push(ScoredToken{static_cast<uint32_t>(lower_size_), length, emoji});
  hashes_.Push(Lexicon::KeyHash(std::string_view(begin, length)));
  lower_size_ += length;
  const bool caps = upper >= 2 && lower == 0;
  const bool nt = length > 3 && std::memcmp(out - 3, "n't", 3) == 0;
  token_flags_.Push(static_cast<uint8_t>((caps ? kCapsToken : 0) | (repeated ? kRepeatToken : 0) |
                                         (nt ? kNotToken : 0)));
  if (upper + lower > 0) ++cased_tokens_;
  caps_tokens_ += caps;
  return caps;
}

inline void LexiconScorer::AddPlainWord(std::string_view word, const char* window) {
#if defined(__AVX2__) && defined(__BMI2__)
  // ASCII letters and digits: lower case is the byte | 0x20 (digits have the bit already), upper
  // case letters are the bytes without it, lower case letters the bytes above 0x60.
  const size_t n = word.size();
  const uint32_t in_word = n == 32 ? ~0u : (1u << n) - 1;
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(window));
  const __m256i lowered = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(lower_.data() + lower_size_), lowered);
  auto bits = [](__m256i m) { return static_cast<uint32_t>(_mm256_movemask_epi8(m)); };
  const uint32_t upper_bits = ~bits(_mm256_slli_epi16(v, 2)) & in_word;  // bit 5 moved to bit 7
  const uint32_t lower_bits = bits(_mm256_cmpgt_epi8(v, _mm256_set1_epi8(0x60))) & in_word;
  // Byte i equal to bytes i + 1 and i + 2 of the word (the vector shifted down across lanes).
  const __m256i high = _mm256_permute2x128_si256(lowered, lowered, 0x81);
  const __m256i next1 = _mm256_alignr_epi8(high, lowered, 1);
  const __m256i next2 = _mm256_alignr_epi8(high, lowered, 2);
  const uint32_t triples = bits(_mm256_cmpeq_epi8(lowered, next1)) &
                           bits(_mm256_cmpeq_epi8(lowered, next2)) & (in_word >> 2);
  const int upper = __builtin_popcount(upper_bits);
  const int lower = __builtin_popcount(lower_bits);
  tokens_.Push(ScoredToken{static_cast<uint32_t>(lower_size_), static_cast<uint32_t>(n), false});
  // Lexicon::KeyHash of the lowered word, from the vector for words of up to 8 bytes.
  if (n <= 8) {
    // KeyHash of up to 8 bytes hashes them as one little-endian word: the vector's low n bytes.
    const uint64_t x = static_cast<uint64_t>(_mm_cvtsi128_si64(_mm256_castsi256_si128(lowered)));
    hashes_.Push(Fmix64(n * 0x9E3779B97F4A7C15ULL ^ _bzhi_u64(x, static_cast<unsigned>(8 * n))));
  } else {
    hashes_.Push(Lexicon::KeyHash(std::string_view(lower_.data() + lower_size_, n)));
  }
  lower_size_ += n;
  const bool caps = upper >= 2 && lower == 0;
  token_flags_.Push(
      static_cast<uint8_t>((caps ? kCapsToken : 0) | (triples != 0 ? kRepeatToken : 0)));
  if (upper + lower > 0) ++cased_tokens_;
  caps_tokens_ += caps;
#else
  (void)window;
  AddWord(word, false);
#endif
}

void LexiconScorer::Tokenize(std::string_view text) {
  tokens_.Clear();
  token_flags_.Clear();
  hashes_.Clear();
  // A token takes at least one byte of the text.
  tokens_.Reserve(text.size() + 1);
  token_flags_.Reserve(text.size() + 1);
  hashes_.Reserve(text.size() + 1);
  // Tokens are at most as long as the bytes they come from, so this never grows while writing.
  lower_.resize(text.size() + 32);  // + 32: AddPlainWord stores whole vectors
  lower_size_ = 0;
  caps_tokens_ = cased_tokens_ = 0;
  ScanChunks(text, scan_);
  exclamations_ = scan_.exclamations;
  questions_ = scan_.questions;
  const char* const s = text.data();
  const size_t n = text.size();
  // Plain words of up to 32 bytes are read as one 32-byte vector: from the text, or near its end
  // from a copy of its last 32 bytes padded with zeros.
  alignas(32) char tail[64] = {};
  const size_t tail_base = n >= 32 ? n - 32 : 0;
  if (n != 0) std::memcpy(tail, s + tail_base, n - tail_base);
  for (const TextChunk& c : scan_.chunks) {
    const std::string_view chunk(s + c.begin, c.end - c.begin);
    if (c.plain) {
      // ASCII letters and digits only: one word, the common case.
      if (chunk.size() > 32) {
        AddWord(chunk, false);
      } else {
        AddPlainWord(chunk, c.begin + 32 <= n ? chunk.data() : tail + (c.begin - tail_base));
      }
      continue;
    }
    const size_t m = chunk.size();
    // @mentions and URLs are never scored.
    if (m > 1 && chunk[0] == '@') {
      if (IsClausePunct(static_cast<unsigned char>(chunk.back()))) MarkClauseEnd();
      continue;
    }
    uint8_t classes = 0;  // whether the chunk holds ASCII letters or digits, ASCII punctuation
#if EARSHOT_VECTOR_CHUNKS
    // Chunks of up to 32 bytes are classified as one vector, and an ASCII one is split on its
    // bitmaps below, with what the byte loops after them would give.
    ChunkMasks masks{};
    const char* const window = c.begin + 32 <= n ? chunk.data() : tail + (c.begin - tail_base);
    const bool vector = m <= 32;
    if (vector) {
      masks = ClassifyChunk(window, m);
      // The common impure chunk, a word and ASCII punctuation after it ("life," "great!!"): no
      // URL, and no emoticon when the word is longer than any emoticon's or the chunk is longer
      // than 8 bytes; the word and maybe a clause end.
      const uint64_t word = static_cast<uint64_t>(__builtin_ctzll(~masks.alnum));
      const uint64_t rest = masks.in_chunk & ~BitRange(0, word);
      if (word != 0 && !(rest & (masks.word | masks.high)) &&
          (word > lexicon_->max_word_punct_prefix() || m > 8) && !IsUrlChunk(chunk)) {
        AddPlainWord(chunk.substr(0, word), window);
        if (rest & masks.clause) MarkClauseEnd();
        continue;
      }
      classes =
          static_cast<uint8_t>((masks.alnum ? kAlnumChar : 0) |
                               ((masks.in_chunk & ~masks.alnum & ~masks.high) ? kPunctChar : 0));
    } else {
      for (const char c : chunk) classes |= ClassOf(static_cast<unsigned char>(c));
    }
#else
    for (const char c : chunk) classes |= ClassOf(static_cast<unsigned char>(c));
#endif
    if ((classes & kPunctChar) && IsUrlChunk(chunk)) continue;
    // A whole chunk that is a lexicon emoticon (":)", "<3", ":-D") is one token.
    if ((classes & kPunctChar) && m <= 8 && m >= 2) {
      // One written in an exact case ("D:" frowns, "d:" sticks out a tongue) is scored under its
      // own key.
      if ((classes & kAlnumChar) && lexicon_->has_cased()) {
        if (const std::string_view cased = lexicon_->CasedKey(chunk); !cased.empty()) {
          AddWord(cased, false);  // as long as the chunk: lower_ has room
          // The key's upper-case letters are no letters to AddWord; the chunk's are.
          if (cased.find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string_view::npos) {
            ++cased_tokens_;
          }
          token_flags_.Back() |= kEmoticonToken;
          continue;
        }
      }
      char key[8];
      bool apostrophe = false;
      for (size_t k = 0; k < m; ++k) {
        key[k] = LowerAscii(static_cast<unsigned char>(chunk[k]));
        apostrophe = apostrophe || chunk[k] == '\'';
      }
      const LexiconEntry* e = lexicon_->Find(std::string_view(key, m));
      size_t length = m;
      if (!(e && (e->flags & kHasValence))) {
        // A repeated mouth is the emoticon itself: ":)))", "<333", ":-((".
        while (length > 2 && key[length - 1] == key[length - 2]) --length;
        e = length < m ? lexicon_->Find(std::string_view(key, length)) : nullptr;
      }
      if (e && (e->flags & kHasValence) && (!(classes & kAlnumChar) || !apostrophe)) {
        AddWord(chunk.substr(0, length), false);
        token_flags_.Back() =
            static_cast<uint8_t>((token_flags_.Back() & ~kCapsToken) | kEmoticonToken);
        continue;
      }
    }
#if EARSHOT_VECTOR_CHUNKS
    if (vector && masks.high == 0) {
      // Words: a run that starts at a word byte and goes on over word bytes and joiners, without
      // the joiners at its end; clause punctuation between words ends the clause of the token
      // before it.
      const uint64_t runs = masks.word | masks.joiner;
      uint64_t p = 0;
      for (uint64_t starts = masks.word; starts != 0;) {
        const auto b = static_cast<uint64_t>(__builtin_ctzll(starts));
        if (masks.clause & BitRange(p, b)) MarkClauseEnd();
        const auto e = static_cast<uint64_t>(__builtin_ctzll(~runs & ~BitRange(0, b)));
        const uint64_t last =
            63 - static_cast<uint64_t>(__builtin_clzll(masks.word & BitRange(b, e)));
        const std::string_view word = chunk.substr(b, last + 1 - b);
        if ((BitRange(b, last + 1) & ~masks.alnum) == 0) {
          const size_t at = c.begin + b;
          AddPlainWord(word, at + 32 <= n ? s + at : tail + (at - tail_base));
        } else {
          AddWord(word, false);
        }
        p = e;
        starts &= ~BitRange(0, e);
      }
      if (masks.clause & BitRange(p, m)) MarkClauseEnd();
      continue;
    }
#endif
    // A word of ASCII letters and digits followed by ASCII punctuation only ("life," "great!!",
    // "done."): what the split below gives, the word and maybe a clause end, without the split.
    size_t alnum = 0;
    while (alnum < m && (ClassOf(static_cast<unsigned char>(chunk[alnum])) & kAlnumChar)) ++alnum;
    if (alnum != 0 && alnum <= 32) {
      bool punct_only = true;  // ASCII punctuation other than '_' (a word byte) after the word
      bool clause = false;
      for (size_t k = alnum; k < m; ++k) {
        const uint8_t cls = ClassOf(static_cast<unsigned char>(chunk[k]));
        punct_only = punct_only && (cls & (kPunctChar | kWordChar)) == kPunctChar;
        clause = clause || (cls & kClauseChar);
      }
      if (punct_only) {
        AddPlainWord(chunk.substr(0, alnum),
                     c.begin + 32 <= n ? chunk.data() : tail + (c.begin - tail_base));
        if (clause) MarkClauseEnd();
        continue;
      }
    }
    // Split the chunk into words, emoji and punctuation.
    size_t word_begin = std::string_view::npos;
    auto flush = [&](size_t end) {
      if (word_begin == std::string_view::npos) return;
      while (end > word_begin && (chunk[end - 1] == '\'' || chunk[end - 1] == '-')) --end;
      if (end > word_begin) AddWord(chunk.substr(word_begin, end - word_begin), false);
      word_begin = std::string_view::npos;
    };
    size_t p = 0;
    while (p < m) {
      const unsigned char u = static_cast<unsigned char>(chunk[p]);
      if (u < 0x80) {
        const uint8_t k = ClassOf(u);
        if ((k & kWordChar) || ((u == '\'' || u == '-') && word_begin != std::string_view::npos)) {
          if (word_begin == std::string_view::npos) word_begin = p;
          ++p;
          continue;
        }
        flush(p);
        if (k & kClauseChar) MarkClauseEnd();
        ++p;
        continue;
      }
      int32_t cp = 0;
      const size_t len = Decode(chunk, p, cp);
      if (cp >= 0 && !IsEmoji(cp) && !IsEmojiModifier(cp) && !IsUnicodePunct(cp) &&
          (cp != 0x2019 || word_begin != std::string_view::npos)) {
        // Letters of any script, and ’ inside a word.
        if (word_begin == std::string_view::npos) word_begin = p;
        p += len;
        continue;
      }
      flush(p);
      if (cp >= 0 && IsEmoji(cp)) {
        // Emoji: the base code point is the token; modifiers after it are skipped.
        AddWord(chunk.substr(p, len), true);
        p = SkipEmojiModifiers(chunk, p + len);
        continue;
      }
      if (cp >= 0x2000 && cp <= 0x206F && cp != 0x2019) MarkClauseEnd();
      p += len;
    }
    flush(m);
  }
  lower_.resize(lower_size_);
}

inline const LexiconEntry* LexiconScorer::Lookup(std::string_view w, uint64_t hash,
                                                 bool repeated, bool& elongated) {
  elongated = false;
  const LexiconEntry* e = lexicon_->Find(w, hash);
  if (e || w.size() < 3 || w.size() > 64 || !repeated) return e;
  return LookupSqueezed(w, elongated);
}

const LexiconEntry* LexiconScorer::LookupSqueezed(std::string_view w, bool& elongated) {
  for (size_t keep : {2, 1}) {
    squeeze_.clear();
    for (size_t i = 0; i < w.size(); ++i) {
      size_t run = 0;
      while (run < squeeze_.size() && squeeze_[squeeze_.size() - 1 - run] == w[i]) ++run;
      if (run < keep) squeeze_.push_back(w[i]);
    }
    if (const LexiconEntry* e = lexicon_->Find(squeeze_)) {
      elongated = true;
      return e;
    }
  }
  return nullptr;
}

void LexiconScorer::BuildUnits() {
  const size_t n = tokens_.size();
  units_.clear();
  // Most words cannot matter to a rule: not in the lexicon (so no sentiment, phrase or rule
  // word: the lexicon holds every word a rule names), no clause end, no "n't" negator, no
  // elongation to squeeze. The others are marked in a bitmap, 64 tokens a word, without a branch
  // a token; the loop below visits the marked ones only.
  candidates_.Clear();
  candidates_.Reserve(n / 64 + 1);
  const Lexicon& lexicon = *lexicon_;
  constexpr uint8_t kMayMatter = kClauseEndToken | kNotToken | kRepeatToken;
  for (size_t base = 0; base < n; base += 64) {
    const size_t end = std::min(n, base + 64);
    uint64_t bits = 0;
    for (size_t k = base; k < end; ++k) {
      const uint64_t may =
          uint64_t{lexicon.MayHold(hashes_[k])} | uint64_t{(token_flags_[k] & kMayMatter) != 0};
      bits |= may << (k - base);
    }
    candidates_.Push(bits);
  }
  // A phrase's tokens make one unit: `absorbed` counts the tokens so merged into the one before
  // them, so token k's unit ordinal is k - absorbed.
  size_t absorbed = 0;
  size_t next = 0;  // tokens before it belong to a phrase already matched
  for (size_t word = 0; word < candidates_.size(); ++word) {
    for (uint64_t bits = candidates_[word]; bits != 0; bits &= bits - 1) {
      const size_t k = word * 64 + static_cast<size_t>(__builtin_ctzll(bits));
      if (k < next) continue;
      const auto pos = static_cast<uint32_t>(k - absorbed);
      const ScoredToken& token = tokens_[k];
      const std::string_view w = TokenText(token);
      const uint8_t token_flags = token_flags_[k];
      bool elongated = false;
      const LexiconEntry* e = Lookup(w, hashes_[k], token_flags & kRepeatToken, elongated);
      const bool nt = token_flags & kNotToken;
      const bool clause_end = token_flags & kClauseEndToken;
      if (e == nullptr && !nt && !clause_end) continue;
      // Multi-word entries (phrases, idioms): longest match within one clause. Every phrase has
      // two words or more, so the pair filter on this word and the next rules most attempts out.
      if (e && (e->flags & kPhraseStart) && !token.emoji && k + 1 < n && !clause_end &&
          lexicon.MayStartPhrase(hashes_[k], hashes_[k + 1])) {
        if (const size_t len = AddPhraseUnit(k, e->max_phrase_words, pos); len != 0) {
          absorbed += len - 1;
          next = k + len;
          continue;
        }
      }
      Unit& u = units_.emplace_back();
      u.pos = pos;
      u.emoji = token.emoji;
      u.emoticon = token_flags & kEmoticonToken;
      u.caps = token_flags & kCapsToken;
      u.clause_end = clause_end;
      if (e) {
        u.valence = (e->flags & kHasValence) ? e->valence : 0.f;
        u.boost = e->boost;
        u.flags = e->flags;
        u.elongated = elongated;
        // The words rules name: the entry's own (an elongated word is none of them).
        u.rule_words = elongated ? 0 : e->rule_words;
      }
      if (nt) u.flags |= kNegator;
    }
  }
  unit_count_ = static_cast<uint32_t>(n - absorbed);
}

size_t LexiconScorer::AddPhraseUnit(size_t k, size_t max_words, uint32_t pos) {
  const size_t longest = std::min(max_words, tokens_.size() - k);
  for (size_t len = longest; len >= 2; --len) {
    phrase_.clear();
    bool ok = true;
    for (size_t m = 0; m < len && ok; ++m) {
      if (m) phrase_.push_back(' ');
      std::string_view part = TokenText(tokens_[k + m]);
      if (phrase_.size() + part.size() > kMaxPhraseBytes) ok = false;
      if (m + 1 < len && (token_flags_[k + m] & kClauseEndToken)) ok = false;
      if (ok) phrase_.append(part);
    }
    const LexiconEntry* pe = ok ? lexicon_->Find(phrase_) : nullptr;
    if (pe && (pe->flags & (kHasValence | kBooster | kNegator))) {
      Unit& u = units_.emplace_back();
      u.pos = pos;
      u.valence = pe->valence;
      u.boost = pe->boost;
      u.flags = pe->flags & static_cast<uint8_t>(~kPhraseStart);
      u.caps = true;
      for (size_t m = 0; m < len; ++m) u.caps = u.caps && (token_flags_[k + m] & kCapsToken);
      u.clause_end = token_flags_[k + len - 1] & kClauseEndToken;
      return len;
    }
  }
  return 0;
}

void LexiconScorer::Score(std::string_view text, std::span<const ByteSpan> mask,
                          LexiconScores& out) {
  if (!mask.empty()) {
    masked_.assign(text);
    for (const ByteSpan& s : mask) {
      uint32_t end = std::min<uint32_t>(s.end, static_cast<uint32_t>(masked_.size()));
      for (uint32_t i = s.begin; i < end; ++i) masked_[i] = ' ';
    }
    text = masked_;
  }
  // Social APIs deliver text HTML-escaped (X writes "&lt;3" for "<3" and "&gt;:(" for ">:("):
  // score what people typed. After masking, whose spans are offsets into the text as given.
  if (text.find('&') != std::string_view::npos) {
    decoded_.clear();
    ingest::AppendHtmlUnescaped(text, decoded_);
    text = decoded_;
  }
  text_ = text;
  Tokenize(text);
  BuildUnits();
  out = LexiconScores{};
  const bool cap_diff = caps_tokens_ > 0 && caps_tokens_ < cased_tokens_;
  const size_t n = units_.size();
  Unit* const units = units_.data();
  double emoji_sum = 0;
  // Rules look back up to three units; units not kept are neither boosters, negators, clause
  // ends nor rule words, so a look-back walks the kept ones and measures distance in `pos`.
  for (size_t i = 0; i < n; ++i) {
    Unit& u = units[i];
    if (!(u.flags & kHasValence) || u.valence == 0) continue;
    if ((u.flags & kBooster) && !(u.flags & kNegator)) continue;  // a booster is not a sentiment
    // A negator with its own valence ("no", "nothing") only negates a sentiment word after it,
    // in its clause: "Oh no. Escape while you can!" and "no please stop" keep the "no" (a word
    // rated 0, as "please" is, is no sentiment to negate).
    if ((u.flags & kNegator) && !u.clause_end && i + 1 < n && units[i + 1].pos == u.pos + 1 &&
        (units[i + 1].flags & kHasValence) && units[i + 1].valence != 0) {
      continue;
    }
    double v = u.valence;
    if (u.caps && cap_diff) {
      v += Sign(v) * kCapsIncrement;
      ++out.caps_words;
    }
    if (u.elongated) v += Sign(v) * kElongationIncrement;
    const double base = v;
    // Boosters in the three units before, within the clause.
    for (size_t j = i; j-- > 0 && units[j].pos + 3 >= u.pos;) {
      const Unit& b = units[j];
      const uint32_t k = u.pos - b.pos;
      if (b.clause_end || (b.flags & kContrast)) break;
      if ((b.flags & kBooster) && !(b.flags & kHasValence)) {
        double scalar = v < 0 ? -b.boost : b.boost;
        if (b.caps && cap_diff) scalar += v > 0 ? kCapsIncrement : -kCapsIncrement;
        v += scalar * (k == 1 ? 1.0 : k == 2 ? 0.95 : 0.9);
      }
    }
    // Negation scope: three units back, stopping at clause punctuation and contrast words.
    // Emoji and emoticons comment on the whole clause and are never negated ("didn't win :(").
    if (u.emoticon) {
      // Neither negated nor counted with the emoji.
    } else if (!u.emoji) {
      bool negated = false;
      const bool this_before =
          i >= 1 && units[i - 1].pos + 1 == u.pos && (units[i - 1].rule_words & kThis);
      for (size_t j = i; j-- > 0 && units[j].pos + 3 >= u.pos;) {
        const Unit& g = units[j];
        const uint32_t k = u.pos - g.pos;
        if (g.clause_end || (g.flags & kContrast)) break;
        // A sentiment word in between ends the scope: "don't care don't care" flips each once.
        if ((g.flags & kHasValence) && g.valence != 0 && !(g.flags & kNegator)) break;
        if (!(g.flags & kNegator)) continue;
        // The unit right after the negator (a unit not kept is no hedge word), and whether
        // "so"/"this" comes between the negator and the sentiment word.
        const bool after_hedges =
            units[j + 1].pos == g.pos + 1 && (units[j + 1].rule_words & kHedgeWord);
        bool so_between = false;
        for (size_t m = j + 1; m < i; ++m)
          so_between = so_between || (units[m].rule_words & kSoOrThis);
        if ((k >= 2 && (g.rule_words & kNever) && so_between) || (k >= 3 && this_before)) {
          v *= 1.25;  // "never so good", "haven't been this happy": emphasis, not negation
        } else if (k >= 2 && after_hedges) {
          v = base * kHedgedNegation;  // "not so good", "not too bad": a hedge
          negated = true;
        } else {
          v *= kNegationScalar;
          negated = true;
        }
      }
      if (i >= 1 && units[i - 1].pos + 1 == u.pos && (units[i - 1].rule_words & kLeast) &&
          !(i >= 2 && units[i - 2].pos + 2 == u.pos && (units[i - 2].rule_words & kAtOrVery))) {
        v *= kNegationScalar;
        negated = true;
      }
      out.negated += negated;
    } else {
      emoji_sum += v;
    }
    u.sentiment = static_cast<float>(v);
    ++out.sentiment_words;
  }
  // Contrast: the first "but"/"however" shifts the weight to what follows.
  for (size_t c = 0; c < n; ++c) {
    if (!(units[c].flags & kContrast)) continue;
    for (size_t i = 0; i < n; ++i) {
      if (i < c) units[i].sentiment *= static_cast<float>(kBeforeContrast);
      if (i > c) units[i].sentiment *= static_cast<float>(kAfterContrast);
    }
    break;
  }
  double sum = 0, pos_sum = 0, neg_sum = 0;
  int neutral = static_cast<int>(unit_count_);
  for (size_t i = 0; i < n; ++i) {
    double s = units[i].sentiment;
    sum += s;
    if (s > 0) pos_sum += s + 1;
    else if (s < 0) neg_sum += s - 1;
    neutral -= s != 0;
  }
  out.exclamations = exclamations_;
  out.questions = questions_;
  out.pos_sum = pos_sum;
  out.neg_sum = neg_sum;
  out.emoji_valence_sign = emoji_sum > 0 ? 1 : emoji_sum < 0 ? -1 : 0;
  if (out.sentiment_words == 0) return;
  double amp = std::min(exclamations_, 4) * kExclamationIncrement;
  if (questions_ > 1) amp += questions_ <= 3 ? questions_ * kQuestionIncrement : 0.96;
  if (sum > 0) sum += amp;
  else if (sum < 0) sum -= amp;
  out.compound = NormalizeScore(sum);
  if (pos_sum > -neg_sum) pos_sum += amp;
  else if (pos_sum < -neg_sum) neg_sum -= amp;
  double total = pos_sum - neg_sum + neutral;
  if (total > 0) {
    out.pos = pos_sum / total;
    out.neg = -neg_sum / total;
    out.neu = neutral / total;
  }
}

}  // namespace earshot::pipeline::sentiment
