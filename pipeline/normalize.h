// The matching view of a post: its title and text, Unicode-normalized and split into tokens, with
// every token mapped back to a byte range of the original field.
//
// Normalization is NFKC followed by case folding, per grapheme run (a starter and the combining
// marks after it), so "𝐃𝐞𝐥𝐭𝐚", "ＤＥＬＴＡ" and "DELTA" all become "delta". Tokens are:
//   words     maximal runs of letters, marks, digits and '_'; characters of scripts written
//             without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) are one token
//             each, so a multi-character name in those scripts matches as a phrase;
//   @mention  '@' + word, #hashtag, $cashtag ('$' + letters), when not preceded by a word char;
//   URLs      http://, https:// and www. up to white space (one token; terms never match inside);
//   emoji     one token per pictographic code point (variation selectors, ZWJ and skin-tone
//             modifiers are dropped), a flag per pair of regional indicators.
// HTML character references ("&amp;", "&#39;", "&eacute;", ...) are decoded first, so "AT&amp;T"
// reads as "AT&T" and never yields a word "amp"; spans still cover the reference's bytes. An
// ASCII letter followed by combining marks composes with them ("e" + U+0301 == "é").
// Everything else separates tokens. The view is the tokens joined by single spaces, with a space
// before the first and after the last, so " apple " finds the word apple and never "pineapple".
//
// Thread-compatible: one Normalizer per thread (it keeps scratch buffers). On the hot path; a
// field of ASCII only without '&' takes a separate table-driven loop (NormalizeAsciiField) that
// must produce exactly what the general loop produces (tests/pipeline/differential_test.cc checks
// it), and other ASCII runs never call into utf8proc either.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace earshot::pipeline {

enum class TokenKind : uint8_t { kWord, kMention, kHashtag, kCashtag, kUrl, kEmoji, kFieldBreak };

enum class Field : uint8_t { kText, kTitle };

struct Token {
  TokenKind kind;
  Field field;
  uint32_t position;    // word position, for proximity; fields are 1000 positions apart
  uint32_t view_begin;  // [view_begin, view_end) in NormalizedText::view
  uint32_t view_end;
  uint32_t cased_begin;  // [cased_begin, cased_end) in NormalizedText::cased (when built)
  uint32_t cased_end;
  uint32_t orig_begin;  // [orig_begin, orig_end) in the original field's bytes
  uint32_t orig_end;
};

struct NormalizedText {
  std::string view;   // case-folded tokens: " tok tok tok "
  std::string cased;  // the same tokens, NFKC without case folding (only when asked for)
  std::vector<Token> tokens;

  std::string_view TokenText(const Token& t) const {
    return std::string_view(view).substr(t.view_begin, t.view_end - t.view_begin);
  }
  std::string_view CasedText(const Token& t) const {
    return std::string_view(cased).substr(t.cased_begin, t.cased_end - t.cased_begin);
  }
  void Clear() {
    view.clear();
    cased.clear();
    tokens.clear();
  }
};

struct NormalizeOptions {
  bool cased = false;           // also build the cased view
  bool query_wildcards = false;  // treat '*' and '?' as word characters (query terms only)
};

class Normalizer {
 public:
  // Normalizes `title` (may be empty) then `text` into `out` (cleared first). A field-break token
  // separates the two so no phrase or proximity crosses them.
  void Normalize(std::string_view title, std::string_view text, const NormalizeOptions& options,
                 NormalizedText& out);

 private:
  void NormalizeField(std::string_view s, Field field, const NormalizeOptions& options,
                      NormalizedText& out);
  void NormalizeAsciiField(std::string_view s, Field field, bool cased, NormalizedText& out);

  std::vector<int32_t> run_;     // code points of the current grapheme run
  std::vector<int32_t> folded_;  // its normalization, case-folded
  std::vector<int32_t> plain_;   // its normalization, not case-folded
  uint32_t position_ = 0;
};

}  // namespace earshot::pipeline
