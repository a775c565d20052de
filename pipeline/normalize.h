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

// The maximal runs of ASCII word characters ([0-9A-Za-z_]) of a field, lowercased: a cheap
// superset of the field's ASCII tokens, for prefilters. Found when each non-ASCII character and
// each HTML character reference of the field ("&amp;", whose bytes are left out of the runs) is
// *inert*: a separator whose normalization holds no ASCII word character (’ “ ” … – NBSP, ...),
// or, with `allow_symbols`, a character that is a token of its own (emoji, flags, Han, ...) or a
// modifier right after such characters (variation selectors, ZWJ, skin tones). Then every token
// of the field's normalized view that is pure ASCII is one of these runs once a leading '@', '#'
// or '$' is removed, except URL tokens (whose pieces are runs too), and two such tokens adjacent
// in the view are adjacent runs. No allocation once the buffers have grown.
struct AsciiWordRuns {
  std::string lowered;           // the field, ASCII-lowercased; at least 8 readable bytes past
                                 // the end of every run
  std::vector<uint32_t> bounds;  // [bounds[2i], bounds[2i+1]) is run i, in `lowered`
  size_t count = 0;              // number of runs
  std::vector<uint64_t> inert_cache;  // code points already classified (direct-mapped)
};

// True when `text` holds a character that the normalizer makes a token of its own (emoji, regional
// indicators, characters of no-space scripts): what FindAsciiWordRuns may skip with
// allow_symbols.
[[nodiscard]] bool HoldsSymbol(std::string_view text);

// Fills `out` and returns true when the runs of `s` are found (see AsciiWordRuns); returns false
// (leaving `out` unspecified) when `s` holds a character or reference that is not inert, or
// invalid UTF-8.
[[nodiscard]] bool FindAsciiWordRuns(std::string_view s, bool allow_symbols, AsciiWordRuns& out);

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
