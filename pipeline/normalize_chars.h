// The character classes of the normalizer (normalize.cc): ASCII word characters and prefixes,
// what a code point is to tokenization (word, mark, emoji, a script written without spaces...),
// which characters leave the tokens around them as they are (the ASCII fast path's test), URLs'
// extent, and the HTML character references social text carries. Internal to the normalizer;
// header-only so its hot loops can inline them. Pure functions.
#pragma once

#include <utf8proc.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace earshot::pipeline::normalize_internal {

enum : uint8_t { kSep = 0, kWordChar = 1, kPrefix = 2 };

constexpr std::array<uint8_t, 128> MakeAsciiClass() {
  std::array<uint8_t, 128> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = kWordChar;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = kWordChar;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kWordChar;
  t['_'] = kWordChar;
  t['@'] = kPrefix;
  t['#'] = kPrefix;
  t['$'] = kPrefix;
  return t;
}
inline constexpr std::array<uint8_t, 128> kAsciiClass = MakeAsciiClass();

inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool IsAsciiWord(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x80 && kAsciiClass[u] == kWordChar;
}

inline bool IsAsciiWordOrWildcard(char c) { return IsAsciiWord(c) || c == '*' || c == '?'; }

inline bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Scripts written without spaces between words: each character is a token of its own.
inline bool IsNoSpaceScript(int32_t cp) {
  return (cp >= 0x0E00 && cp <= 0x0EFF) ||  // Thai, Lao
         (cp >= 0x1000 && cp <= 0x109F) ||  // Myanmar
         (cp >= 0x1780 && cp <= 0x17FF) ||  // Khmer
         (cp >= 0x3040 && cp <= 0x30FF) ||  // Hiragana, Katakana
         (cp >= 0x31F0 && cp <= 0x31FF) ||  // Katakana extensions
         (cp >= 0x3400 && cp <= 0x4DBF) ||  // CJK extension A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||  // CJK unified ideographs
         (cp >= 0xF900 && cp <= 0xFAFF) ||  // CJK compatibility ideographs
         (cp >= 0x20000 && cp <= 0x3FFFF);  // CJK extensions B and later
}

enum class CpClass : uint8_t { kSeparator, kWord, kMark, kSingle, kEmoji, kRegional, kIgnore };

inline CpClass Classify(int32_t cp) {
  if (cp < 0x80) return kAsciiClass[cp] == kWordChar ? CpClass::kWord : CpClass::kSeparator;
  if (cp == 0x200D || cp == 0xFE0F || cp == 0xFE0E || (cp >= 0x1F3FB && cp <= 0x1F3FF)) {
    return CpClass::kIgnore;
  }
  const utf8proc_property_t* prop = utf8proc_get_property(cp);
  switch (prop->boundclass) {
    case UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR:
      return CpClass::kRegional;
    case UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC:
    case UTF8PROC_BOUNDCLASS_E_BASE:
    case UTF8PROC_BOUNDCLASS_E_BASE_GAZ:
    case UTF8PROC_BOUNDCLASS_GLUE_AFTER_ZWJ:
    case UTF8PROC_BOUNDCLASS_E_ZWG:
      // Letters and digits are never pictographic; (c) and (r) are, and count as emoji here.
      return CpClass::kEmoji;
    default:
      break;
  }
  switch (prop->category) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return CpClass::kMark;
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_PC:
      return IsNoSpaceScript(cp) ? CpClass::kSingle : CpClass::kWord;
    case UTF8PROC_CATEGORY_SO:
      return CpClass::kEmoji;  // other symbols (many emoji without the pictographic property)
    default:
      return CpClass::kSeparator;
  }
}

inline void AppendCodePoint(int32_t cp, std::string& out) {
  uint8_t buf[4];
  utf8proc_ssize_t n = utf8proc_encode_char(cp, buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

inline bool StartsWithNoCase(std::string_view s, size_t pos, std::string_view prefix) {
  if (s.size() - pos < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[pos + i]) != prefix[i]) return false;
  }
  return true;
}

inline bool IsUrlStart(std::string_view s, size_t pos) {
  return StartsWithNoCase(s, pos, "https://") || StartsWithNoCase(s, pos, "http://") ||
         StartsWithNoCase(s, pos, "www.");
}

// End of the URL starting at `pos`: the next white space; trailing punctuation that usually
// closes a sentence or a parenthesis is left out.
inline size_t UrlEnd(std::string_view s, size_t pos) {
  size_t end = pos;
  while (end < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[end]);
    if (c <= ' ' || c == '"' || c == '<' || c == '>') break;
    if (c == 0xE2 && end + 2 < s.size() && static_cast<unsigned char>(s[end + 1]) == 0x80 &&
        static_cast<unsigned char>(s[end + 2]) == 0xA6) {
      break;  // "…" ends truncated URLs in tweets
    }
    ++end;
  }
  while (end > pos && std::string_view(".,;:!?)]}'").find(s[end - 1]) != std::string_view::npos) {
    --end;
  }
  return end;
}

// Decodes the HTML character reference starting at s[pos] == '&' ("&amp;", "&#39;", "&#x2019;",
// and the few named ones that social text carries). Returns the code point and sets `end` past
// the ';', or returns -1 when there is none.
inline int32_t DecodeEntity(std::string_view s, size_t pos, size_t& end) {
  size_t semi = s.find(';', pos + 1);
  if (semi == std::string_view::npos || semi - pos > 10 || semi == pos + 1) return -1;
  std::string_view body = s.substr(pos + 1, semi - pos - 1);
  int32_t cp = -1;
  if (body[0] == '#') {
    bool hex = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
    std::string_view digits = body.substr(hex ? 2 : 1);
    if (digits.empty()) return -1;
    int64_t v = 0;
    for (char c : digits) {
      int d = c >= '0' && c <= '9'          ? c - '0'
              : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
              : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                            : -1;
      if (d < 0) return -1;
      v = v * (hex ? 16 : 10) + d;
      if (v > 0x10FFFF) return -1;
    }
    if (v == 0 || (v >= 0xD800 && v <= 0xDFFF)) return -1;
    cp = static_cast<int32_t>(v);
  } else {
    static constexpr std::pair<std::string_view, int32_t> kNamed[] = {
        {"amp", '&'},      {"lt", '<'},       {"gt", '>'},        {"quot", '"'},
        {"apos", '\''},    {"nbsp", 0xA0},    {"eacute", 0xE9},   {"egrave", 0xE8},
        {"aacute", 0xE1},  {"oacute", 0xF3},  {"uuml", 0xFC},     {"ouml", 0xF6},
        {"auml", 0xE4},    {"ntilde", 0xF1},  {"ccedil", 0xE7},   {"szlig", 0xDF},
        {"rsquo", 0x2019}, {"lsquo", 0x2018}, {"hellip", 0x2026}, {"mdash", 0x2014},
        {"ndash", 0x2013}};
    for (const auto& [name, value] : kNamed) {
      if (body == name) cp = value;
    }
  }
  if (cp < 0) return -1;
  end = semi + 1;
  return cp;
}

enum class Inertness : uint8_t { kNo, kSeparator, kSymbol, kModifier };

// How a non-ASCII code point acts on the tokens around it, by the general loop's own steps
// (decompose, compose, classify; see NormalizeField).
inline Inertness ClassifyInert(int32_t cp) {
  if (cp == 0x200D || cp == 0xFE0F || cp == 0xFE0E || (cp >= 0x1F3FB && cp <= 0x1F3FF)) {
    return Inertness::kModifier;  // ignored: a token open before it stays open
  }
  if (utf8proc_get_property(cp)->combining_class != 0) return Inertness::kNo;  // composes
  constexpr auto kFold = static_cast<utf8proc_option_t>(
      UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_STABLE);
  int32_t buf[32];
  int last_boundclass = 0;
  utf8proc_ssize_t k = utf8proc_decompose_char(cp, buf, 32, kFold, &last_boundclass);
  if (k <= 0 || k > 32) return Inertness::kNo;  // ignorable (leaves a token open) or odd
  if (k > 1) {
    k = utf8proc_normalize_utf32(buf, k, static_cast<utf8proc_option_t>(kFold | UTF8PROC_COMPOSE));
    if (k <= 0) return Inertness::kNo;
  }
  bool symbol = false;
  for (utf8proc_ssize_t i = 0; i < k; ++i) {
    const int32_t f = buf[i];
    if (f < 0x80) {
      if (kAsciiClass[f] == kWordChar) return Inertness::kNo;  // "™" is "tm", "Ａ" is "a"
      continue;  // separators, and fullwidth @ # $ (which act as separators)
    }
    switch (Classify(f)) {
      case CpClass::kSeparator:
        break;
      case CpClass::kEmoji:
      case CpClass::kRegional:
      case CpClass::kSingle:
        symbol = true;
        break;
      default:
        return Inertness::kNo;
    }
  }
  return symbol ? Inertness::kSymbol : Inertness::kSeparator;
}

}  // namespace earshot::pipeline::normalize_internal
