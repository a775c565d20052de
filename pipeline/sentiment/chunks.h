// Chunk scanning shared by both tokenizers: a text split on ASCII white space (IsSpace) into
// chunks, each marked plain when it holds ASCII letters and digits only (the common case, one
// word), plus the text's '!' and '?' counts. An emoticon typed right after a word ("Tuesday:(",
// "love<3") is a chunk of its own, as if a space stood before it. With AVX2 the text is classified
// 64 bytes at a time into bitmaps and chunks are found by bit scanning; ScanChunksScalar is the
// byte-at-a-time reference (tests/sentiment/chunks_test.cc holds them equal). Pure functions; on
// the hot path. Loads never read outside the text: the last partial block is copied into a stack
// buffer.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "pipeline/sentiment/chars.h"

#if defined(__AVX2__) && defined(__BMI__)
#include <immintrin.h>
#endif

namespace earshot::pipeline::sentiment {

struct TextChunk {
  uint32_t begin;  // byte offsets into the scanned text
  uint32_t end;
  bool plain;  // ASCII letters and digits only
};

struct ChunkScan {
  std::vector<TextChunk> chunks;  // in text order; capacity kept across texts
  int exclamations = 0;           // '!' bytes in the text
  int questions = 0;              // '?' bytes in the text
};

// Whether a chunk is a link, which no tokenizer scores: it starts with "http://", "https://" or
// "www.".
inline bool IsUrlChunk(std::string_view chunk) {
  return chunk.starts_with("http://") || chunk.starts_with("https://") || chunk.starts_with("www.");
}

// Whether `c` can be an emoticon's eyes: ':', ';', '=', or a heart's '<' (0x3A-0x3D).
constexpr bool IsEyeByte(unsigned char c) { return c >= ':' && c <= '='; }

// The offset in `chunk` of an emoticon shape typed right after a word at its end, or 0: eyes
// (':', ';', '=') or a heart's '<', maybe a nose or tear ('-', '\''), and a mouth, repeated or
// not (":)", ":-(", ":'(", ";D", "<3", ":)))"), after an ASCII letter or '.', '!', '?', ','.
// What reads as code or a link stays whole: "10:30", "10:)", "::)", "n=3", "x=D" ('=' eyes take
// punctuation mouths only, '3' is a heart's alone) and every URL ("...?page=3"). Whether the
// shape is a lexicon emoticon is the tokenizers' to judge, and one that is not reads as the
// punctuation it would have been.
inline size_t GluedEmoticonAt(std::string_view chunk) {
  const size_t m = chunk.size();
  if (m < 3) return 0;
  const char mouth = chunk[m - 1];
  if (std::string_view(")(/\\|*][}{>3DPpOoXx@$").find(mouth) == std::string_view::npos) return 0;
  size_t k = m - 1;  // where the mouth starts: ":)))" is ":)" said louder
  while (k > 2 && chunk[k - 1] == mouth) --k;
  auto is_eye = [&](size_t i) { return IsEyeByte(static_cast<unsigned char>(chunk[i])); };
  size_t e = k - 1;
  if (!is_eye(e) && (chunk[e] == '-' || chunk[e] == '\'') && e >= 2) --e;
  if (e == 0 || !is_eye(e)) return 0;
  const auto alnum = [](char c) {
    return (ClassOf(static_cast<unsigned char>(c)) & kAlnumChar) != 0;
  };
  if ((chunk[e] == '<') != (mouth == '3')) return 0;  // "<3" only, and no ":3" or "=3"
  if (chunk[e] == '=' && alnum(mouth)) return 0;
  if (IsUrlChunk(chunk)) return 0;  // never scored whole: "?page=3" is no face to score
  const auto before = static_cast<unsigned char>(chunk[e - 1]);
  const bool letter = (before | 0x20) >= 'a' && (before | 0x20) <= 'z';
  return letter || before == '.' || before == '!' || before == '?' || before == ',' ? e : 0;
}

namespace chunks_internal {

// PushChunk's rare path: a chunk with eyes in it.
[[gnu::noinline]] inline void PushChunkWithEyes(std::string_view text, size_t begin, size_t end,
                                                std::vector<TextChunk>& chunks) {
  if (const size_t e = GluedEmoticonAt(text.substr(begin, end - begin)); e != 0) {
    bool word_plain = true;  // the part before the emoticon
    for (size_t i = begin; i < begin + e; ++i) {
      word_plain = word_plain && (ClassOf(static_cast<unsigned char>(text[i])) & kAlnumChar);
    }
    chunks.push_back({static_cast<uint32_t>(begin), static_cast<uint32_t>(begin + e), word_plain});
    begin += e;
  }
  chunks.push_back({static_cast<uint32_t>(begin), static_cast<uint32_t>(end), false});  // eyes
}

}  // namespace chunks_internal

// Appends the chunk [begin, end) of `text`, as two when it ends in a glued emoticon; `eyes`:
// whether the chunk holds an IsEyeByte byte (none can be glued without one).
inline void PushChunk(std::string_view text, size_t begin, size_t end, bool plain, bool eyes,
                      std::vector<TextChunk>& chunks) {
  if (eyes) {
    chunks_internal::PushChunkWithEyes(text, begin, end, chunks);
    return;
  }
  chunks.push_back({static_cast<uint32_t>(begin), static_cast<uint32_t>(end), plain});
}

// REQUIRES: text.size() < 2^32.
inline void ScanChunksScalar(std::string_view text, ChunkScan& out) {
  out.chunks.clear();
  out.exclamations = out.questions = 0;
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    if (ClassOf(static_cast<unsigned char>(text[i])) & kSpaceChar) {
      ++i;
      continue;
    }
    const size_t begin = i;
    bool plain = true;
    bool eyes = false;
    for (; i < n; ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      const uint8_t k = ClassOf(c);
      if (k & kSpaceChar) break;
      plain = plain && (k & kAlnumChar);
      eyes = eyes || IsEyeByte(c);
      out.exclamations += c == '!';
      out.questions += c == '?';
    }
    PushChunk(text, begin, i, plain, eyes, out.chunks);
  }
}

#if defined(__AVX2__) && defined(__BMI__)
namespace chunks_internal {

// Bits of 32 bytes where `in` holds, as a bitmap.
inline uint32_t Bits(__m256i in) { return static_cast<uint32_t>(_mm256_movemask_epi8(in)); }
// Bytes of v in [lo, hi] (unsigned).
inline __m256i InRange(__m256i v, uint8_t lo, uint8_t hi) {
  const __m256i l = _mm256_set1_epi8(static_cast<char>(lo));
  const __m256i h = _mm256_set1_epi8(static_cast<char>(hi));
  return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_max_epu8(v, l), v),
                          _mm256_cmpeq_epi8(_mm256_min_epu8(v, h), v));
}

struct BlockMasks {
  uint64_t space;  // IsSpace
  uint64_t alnum;  // IsAsciiAlnum
  uint64_t bang;
  uint64_t question;
  uint64_t eye;  // IsEyeByte
};

inline void Classify32(const char* p, int shift, BlockMasks& m) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i space =
      _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(' ')), InRange(v, '\t', '\r'));
  const __m256i folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
  const __m256i alnum = _mm256_or_si256(InRange(folded, 'a', 'z'), InRange(v, '0', '9'));
  m.space |= uint64_t{Bits(space)} << shift;
  m.alnum |= uint64_t{Bits(alnum)} << shift;
  m.bang |= uint64_t{Bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('!')))} << shift;
  m.question |= uint64_t{Bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('?')))} << shift;
  m.eye |= uint64_t{Bits(InRange(v, ':', '='))} << shift;
}

}  // namespace chunks_internal

// REQUIRES: text.size() < 2^32.
inline void ScanChunks(std::string_view text, ChunkScan& out) {
  using chunks_internal::BlockMasks;
  out.chunks.clear();
  const char* const s = text.data();
  const size_t n = text.size();
  int bangs = 0, questions = 0;
  bool open = false;  // a chunk runs past the previous block
  size_t open_begin = 0;
  bool open_plain = true;
  bool open_eyes = false;
  uint64_t carry = 1;  // bit 0: the byte before the block is a space (the text start counts)
  for (size_t base = 0; base < n; base += 64) {
    BlockMasks m{0, 0, 0, 0, 0};
    const size_t left = n - base;
    if (left >= 64) {
      chunks_internal::Classify32(s + base, 0, m);
      chunks_internal::Classify32(s + base + 32, 32, m);
    } else {
      alignas(32) char tail[64] = {};
      std::memcpy(tail, s + base, left);
      chunks_internal::Classify32(tail, 0, m);
      chunks_internal::Classify32(tail + 32, 32, m);
      const uint64_t past = ~uint64_t{0} << left;  // left < 64: bytes after the text are spaces
      m.space |= past;
      m.alnum &= ~past;
      m.bang &= ~past;
      m.question &= ~past;
      m.eye &= ~past;
    }
    bangs += __builtin_popcountll(m.bang);
    questions += __builtin_popcountll(m.question);
    const uint64_t impure = ~(m.space | m.alnum);
    const uint64_t before_space = (m.space << 1) | carry;  // bit i: byte i - 1 is a space
    carry = m.space >> 63;
    uint64_t starts = ~m.space & before_space;
    uint64_t ends = m.space & ~before_space;
    // Starts and ends alternate; a chunk open from the previous block ends first.
    if (open) {
      if (ends == 0) {
        open_plain = open_plain && impure == 0;
        open_eyes = open_eyes || m.eye != 0;
        continue;
      }
      const unsigned e = static_cast<unsigned>(__builtin_ctzll(ends));
      ends &= ends - 1;
      const uint64_t before_e = (uint64_t{1} << e) - 1;
      open_plain = open_plain && (impure & before_e) == 0;
      open_eyes = open_eyes || (m.eye & before_e) != 0;
      PushChunk(text, open_begin, base + e, open_plain, open_eyes, out.chunks);
      open = false;
    }
    while (starts != 0) {
      const unsigned b = static_cast<unsigned>(__builtin_ctzll(starts));
      starts &= starts - 1;
      const uint64_t from_b = ~uint64_t{0} << b;
      if (ends == 0) {  // runs into the next block
        open = true;
        open_begin = base + b;
        open_plain = (impure & from_b) == 0;
        open_eyes = (m.eye & from_b) != 0;
        break;
      }
      const unsigned e = static_cast<unsigned>(__builtin_ctzll(ends));
      ends &= ends - 1;
      const uint64_t range = from_b & ((uint64_t{1} << e) - 1);  // b < e <= 63
      PushChunk(text, base + b, base + e, (impure & range) == 0, (m.eye & range) != 0, out.chunks);
    }
  }
  if (open) {
    PushChunk(text, open_begin, n, open_plain, open_eyes, out.chunks);
  }
  out.exclamations = bangs;
  out.questions = questions;
}
#else
inline void ScanChunks(std::string_view text, ChunkScan& out) { ScanChunksScalar(text, out); }
#endif

}  // namespace earshot::pipeline::sentiment
