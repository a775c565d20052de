// Character classes shared by the lexicon scorer's and the model's tokenizers: UTF-8 decoding,
// emoji, punctuation. Pure functions, no state; on the hot path.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace earshot::pipeline::sentiment {

// Byte classes of ASCII (bytes >= 0x80 have none), for table-driven scanning.
enum CharClass : uint8_t {
  kSpaceChar = 1,    // IsSpace
  kAlnumChar = 2,    // IsAsciiAlnum
  kWordChar = 4,     // IsAsciiAlnum or '_'
  kUpperChar = 8,    // 'A'-'Z'
  kLowerChar = 16,   // 'a'-'z'
  kClauseChar = 32,  // IsClausePunct
  kPunctChar = 64,   // ASCII, neither alphanumeric nor space
};

constexpr bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
constexpr bool IsAsciiAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
constexpr bool IsClausePunct(unsigned char c) {
  return c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?' || c == '(' ||
         c == ')';
}

inline constexpr std::array<uint8_t, 256> kCharClasses = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x80; ++c) {
    const auto u = static_cast<unsigned char>(c);
    uint8_t k = 0;
    if (IsSpace(u)) k |= kSpaceChar;
    if (IsAsciiAlnum(u)) k |= kAlnumChar | kWordChar;
    if (u == '_') k |= kWordChar;
    if (u >= 'A' && u <= 'Z') k |= kUpperChar;
    if (u >= 'a' && u <= 'z') k |= kLowerChar;
    if (IsClausePunct(u)) k |= kClauseChar;
    if (!IsSpace(u) && !IsAsciiAlnum(u)) k |= kPunctChar;
    t[static_cast<size_t>(c)] = k;
  }
  return t;
}();
inline uint8_t ClassOf(unsigned char c) { return kCharClasses[c]; }
// ASCII lower case of a byte (other bytes unchanged).
inline char LowerAscii(unsigned char c) {
  return static_cast<char>(c + (static_cast<unsigned>(c - 'A') < 26u ? 'a' - 'A' : 0));
}

// Decodes one UTF-8 code point at s[i]; returns its length (1 for invalid bytes, cp = -1).
inline size_t Decode(std::string_view s, size_t i, int32_t& cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    cp = -1;
    return 1;
  }
  if (len == 1) {
    cp = c;
    return 1;
  }
  cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) {
      cp = -1;
      return 1;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  return len;
}

inline bool IsEmoji(int32_t cp) {
  return (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) ||
         (cp >= 0x1F000 && cp <= 0x1F2FF) || cp == 0x2B50 || cp == 0x2B55 || cp == 0x2B06 ||
         cp == 0x2B07 || cp == 0x2B1B || cp == 0x2B1C || cp == 0x3030 || cp == 0x303D ||
         cp == 0x2122 || cp == 0x2139 || (cp >= 0x2194 && cp <= 0x21AA) || cp == 0x231A ||
         cp == 0x231B || cp == 0x2328 || cp == 0x23CF || (cp >= 0x23E9 && cp <= 0x23FA);
}
// Joiners and modifiers that belong to the emoji before them.
inline bool IsEmojiModifier(int32_t cp) {
  return cp == 0xFE0F || cp == 0xFE0E || cp == 0x200D || (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
         cp == 0x20E3;
}
// General punctuation (U+2000-U+206F) other than the right single quote, which is an apostrophe.
// Position just past the skin-tone modifiers, variation selectors and ZWJ sequences that follow
// an emoji starting before `p` (a ZWJ sequence's next pictograph is skipped too).
inline size_t SkipEmojiModifiers(std::string_view s, size_t p) {
  while (p < s.size()) {
    int32_t next = 0;
    size_t len = Decode(s, p, next);
    if (!IsEmojiModifier(next)) break;
    p += len;
    if (next == 0x200D && p < s.size()) p += Decode(s, p, next);
  }
  return p;
}

inline bool IsUnicodePunct(int32_t cp) {
  return (cp >= 0x2000 && cp <= 0x206F && cp != 0x2019) || cp == 0x00A0 || cp == 0x3000 ||
         (cp >= 0x3001 && cp <= 0x3003) || cp == 0x00BF || cp == 0x00A1;
}

}  // namespace earshot::pipeline::sentiment
