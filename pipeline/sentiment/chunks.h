// Chunk scanning shared by both tokenizers: a text split on ASCII white space (IsSpace) into
// chunks, each marked plain when it holds ASCII letters and digits only (the common case, one
// word), plus the text's '!' and '?' counts. With AVX2 the text is classified 64 bytes at a time
// into bitmaps and chunks are found by bit scanning; ScanChunksScalar is the byte-at-a-time
// reference (tests/sentiment/chunks_test.cc holds them equal). Pure functions; on the hot path.
// Loads never read outside the text: the last partial block is copied into a stack buffer.
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
    for (; i < n; ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      const uint8_t k = ClassOf(c);
      if (k & kSpaceChar) break;
      plain = plain && (k & kAlnumChar);
      out.exclamations += c == '!';
      out.questions += c == '?';
    }
    out.chunks.push_back({static_cast<uint32_t>(begin), static_cast<uint32_t>(i), plain});
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
  uint64_t carry = 1;  // bit 0: the byte before the block is a space (the text start counts)
  for (size_t base = 0; base < n; base += 64) {
    BlockMasks m{0, 0, 0, 0};
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
        continue;
      }
      const unsigned e = static_cast<unsigned>(__builtin_ctzll(ends));
      ends &= ends - 1;
      open_plain = open_plain && (impure & ((uint64_t{1} << e) - 1)) == 0;
      out.chunks.push_back(
          {static_cast<uint32_t>(open_begin), static_cast<uint32_t>(base + e), open_plain});
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
        break;
      }
      const unsigned e = static_cast<unsigned>(__builtin_ctzll(ends));
      ends &= ends - 1;
      const uint64_t range = from_b & ((uint64_t{1} << e) - 1);  // b < e <= 63
      out.chunks.push_back({static_cast<uint32_t>(base + b), static_cast<uint32_t>(base + e),
                            (impure & range) == 0});
    }
  }
  if (open) {
    out.chunks.push_back({static_cast<uint32_t>(open_begin), static_cast<uint32_t>(n), open_plain});
  }
  out.exclamations = bangs;
  out.questions = questions;
}
#else
inline void ScanChunks(std::string_view text, ChunkScan& out) { ScanChunksScalar(text, out); }
#endif

}  // namespace earshot::pipeline::sentiment
