#include "pipeline/normalize.h"

#include <utf8proc.h>

#include <array>
#include <bit>
#include <cstring>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "pipeline/normalize_chars.h"

namespace earshot::pipeline {
namespace {

using normalize_internal::AppendCodePoint;
using normalize_internal::Classify;
using normalize_internal::ClassifyInert;
using normalize_internal::CpClass;
using normalize_internal::DecodeEntity;
using normalize_internal::Inertness;
using normalize_internal::IsAsciiLetter;
using normalize_internal::IsAsciiWord;
using normalize_internal::IsAsciiWordOrWildcard;
using normalize_internal::IsUrlStart;
using normalize_internal::kAsciiClass;
using normalize_internal::kPrefix;
using normalize_internal::kWordChar;
using normalize_internal::Lower;
using normalize_internal::UrlEnd;

// Builds tokens as characters arrive. Owns no memory; writes into `out`.
class TokenBuilder {
 public:
  TokenBuilder(NormalizedText& out, Field field, bool cased, uint32_t& position)
      : out_(out), field_(field), cased_(cased), position_(position) {}

  bool open() const { return open_; }
  TokenKind kind() const { return kind_; }

  void Open(TokenKind kind, uint32_t orig_begin) {
    Close();
    open_ = true;
    kind_ = kind;
    out_.view.push_back(' ');
    token_ = Token{kind, field_, position_++, static_cast<uint32_t>(out_.view.size()), 0, 0, 0,
                   orig_begin, orig_begin};
    if (cased_) {
      out_.cased.push_back(' ');
      token_.cased_begin = static_cast<uint32_t>(out_.cased.size());
    }
  }

  void Close() {
    if (!open_) return;
    open_ = false;
    if (kind_ == TokenKind::kMention || kind_ == TokenKind::kHashtag ||
        kind_ == TokenKind::kCashtag) {
      if (out_.view.size() - token_.view_begin == 1) {  // a bare '@', '#' or '$': no token
        out_.view.resize(token_.view_begin - 1);
        if (cased_) out_.cased.resize(token_.cased_begin - 1);
        --position_;
        return;
      }
    }
    token_.view_end = static_cast<uint32_t>(out_.view.size());
    if (cased_) token_.cased_end = static_cast<uint32_t>(out_.cased.size());
    out_.tokens.push_back(token_);
  }

  // Appends one ASCII byte (folded and plain forms).
  void PushAscii(char folded, char plain, uint32_t orig_end) {
    out_.view.push_back(folded);
    if (cased_) out_.cased.push_back(plain);
    token_.orig_end = orig_end;
  }

  // Appends a run of ASCII word characters (folded and plain forms).
  void PushAsciiRun(const char* p, size_t len, uint32_t orig_end) {
    size_t at = out_.view.size();
    out_.view.append(p, len);
    char* d = out_.view.data() + at;
    for (size_t i = 0; i < len; ++i) d[i] = Lower(d[i]);
    if (cased_) out_.cased.append(p, len);
    token_.orig_end = orig_end;
  }

  // Takes back the last ASCII byte pushed (it is about to be re-normalized with the combining
  // marks that follow it).
  void PopAscii() {
    out_.view.pop_back();
    if (cased_) out_.cased.pop_back();
  }

  void PushCodePoint(int32_t folded, int32_t plain, uint32_t orig_end) {
    AppendCodePoint(folded, out_.view);
    if (cased_) AppendCodePoint(plain, out_.cased);
    token_.orig_end = orig_end;
  }

 private:
  NormalizedText& out_;
  Field field_;
  bool cased_;
  uint32_t& position_;
  bool open_ = false;
  TokenKind kind_ = TokenKind::kWord;
  Token token_{};
};

// Classifies 64 bytes: writes them ASCII-lowercased to `dst` and returns, one bit per byte, the
// ASCII word characters in `word` and the bytes that rule out the ASCII fast path (>= 0x80, '&')
// in `special`.
inline void ClassifyBlock64(const char* src, char* dst, uint64_t& word, uint64_t& special) {
#if defined(__AVX2__)
  uint64_t w[2], sp[2];
  for (int h = 0; h < 2; ++h) {
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 32 * h));
    const __m256i upper = _mm256_and_si256(_mm256_cmpgt_epi8(c, _mm256_set1_epi8('A' - 1)),
                                           _mm256_cmpgt_epi8(_mm256_set1_epi8('Z' + 1), c));
    const __m256i l = _mm256_or_si256(c, _mm256_and_si256(upper, _mm256_set1_epi8(0x20)));
    const __m256i alpha = _mm256_and_si256(_mm256_cmpgt_epi8(l, _mm256_set1_epi8('a' - 1)),
                                           _mm256_cmpgt_epi8(_mm256_set1_epi8('z' + 1), l));
    const __m256i digit = _mm256_and_si256(_mm256_cmpgt_epi8(c, _mm256_set1_epi8('0' - 1)),
                                           _mm256_cmpgt_epi8(_mm256_set1_epi8('9' + 1), c));
    const __m256i w_mask = _mm256_or_si256(_mm256_or_si256(alpha, digit),
                                           _mm256_cmpeq_epi8(c, _mm256_set1_epi8('_')));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 32 * h), l);
    w[h] = static_cast<uint32_t>(_mm256_movemask_epi8(w_mask));
    // The sign bit of every byte >= 0x80, and of 0xFF where the byte is '&'.
    sp[h] = static_cast<uint32_t>(
        _mm256_movemask_epi8(_mm256_or_si256(c, _mm256_cmpeq_epi8(c, _mm256_set1_epi8('&')))));
  }
  word = w[0] | (w[1] << 32);
  special = sp[0] | (sp[1] << 32);
#else
  word = special = 0;
  for (int i = 0; i < 64; ++i) {
    const auto u = static_cast<unsigned char>(src[i]);
    const bool ascii = u < 0x80;
    dst[i] = Lower(static_cast<char>(u));
    word |= static_cast<uint64_t>(ascii && kAsciiClass[u] == kWordChar) << i;
    special |= static_cast<uint64_t>(!ascii || u == '&') << i;
  }
#endif
}

// Checks the non-ASCII characters and '&'s of s at the bit positions of `special` (bytes
// [base, base + 64)): false when one is not inert. An HTML character reference that decodes to an
// inert character is one too: its bytes are taken out of the word runs (`word` for this block,
// `skip_end` for the next ones), as the general loop never sees its letters. `skip_end` also
// carries the end of a multi-byte character across blocks.
bool SpecialsAreInert(std::string_view s, size_t base, uint64_t special, bool allow_symbols,
                      uint64_t& word, size_t& skip_end, std::vector<uint64_t>& cache) {
  if (cache.empty()) cache.assign(1024, 0);
  auto inertness = [&](int32_t cp) {
    uint64_t& slot = cache[static_cast<size_t>(cp) & 1023];
    if ((slot >> 8) != static_cast<uint64_t>(cp) + 1) {
      slot = (static_cast<uint64_t>(cp) + 1) << 8 | static_cast<uint8_t>(ClassifyInert(cp));
    }
    return static_cast<Inertness>(slot & 0xFF);
  };
  while (special != 0) {
    const size_t i = base + static_cast<size_t>(std::countr_zero(special));
    special &= special - 1;
    if (i < skip_end) continue;  // inside the character or reference decoded last
    const auto u = static_cast<unsigned char>(s[i]);
    if (u == '&') {
      size_t end = 0;
      const int32_t cp = DecodeEntity(s, i, end);
      if (cp < 0) continue;  // a plain '&': a separator
      if (cp < 0x80 ? kAsciiClass[static_cast<size_t>(cp)] == kWordChar
                    : (inertness(cp) == Inertness::kNo || inertness(cp) == Inertness::kModifier ||
                       (inertness(cp) == Inertness::kSymbol && !allow_symbols))) {
        return false;  // "&#65;" is a letter; "&eacute;" joins the word around it
      }
      // "&amp;", "&quot;", "&#39;", "&hellip;": a separator, and never the word "amp".
      for (size_t k = i; k < end && k < base + 64; ++k) word &= ~(uint64_t{1} << (k - base));
      skip_end = end;
      continue;
    }
    if (u < 0xC0) return false;  // a stray continuation byte
    int32_t cp;
    const utf8proc_ssize_t len = utf8proc_iterate(reinterpret_cast<const uint8_t*>(s.data() + i),
                                                  static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (len <= 0) return false;
    skip_end = i + static_cast<size_t>(len);
    switch (inertness(cp)) {
      case Inertness::kNo: return false;
      case Inertness::kSeparator: break;
      case Inertness::kSymbol:
        if (!allow_symbols) return false;
        break;
      case Inertness::kModifier:
        // Inert only when the token before it is closed: after another non-ASCII character
        // (itself inert), or at the start.
        if (!allow_symbols || (i > 0 && static_cast<unsigned char>(s[i - 1]) < 0x80)) return false;
        break;
    }
  }
  return true;
}

}  // namespace

bool HoldsSymbol(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    int32_t cp;
    const utf8proc_ssize_t len =
        utf8proc_iterate(reinterpret_cast<const uint8_t*>(text.data() + pos),
                         static_cast<utf8proc_ssize_t>(text.size() - pos), &cp);
    if (len <= 0) return true;  // not normalized text: assume the worst
    pos += static_cast<size_t>(len);
    const CpClass c = Classify(cp);
    if (c == CpClass::kEmoji || c == CpClass::kRegional || c == CpClass::kSingle) return true;
  }
  return false;
}

bool FindAsciiWordRuns(std::string_view s, bool allow_symbols, AsciiWordRuns& out) {
  const size_t n = s.size();
  const size_t blocks = (n + 63) / 64;
  if (out.lowered.size() < blocks * 64 + 8) out.lowered.resize(blocks * 64 + 8);
  if (out.bounds.size() < n + 2) out.bounds.resize(n + 2);  // at most (n + 1) / 2 runs
  char* low = out.lowered.data();
  uint32_t* b = out.bounds.data();
  size_t starts_seen = 0, ends_seen = 0;
  size_t skip_end = 0;  // end of the last non-ASCII character or reference checked
  uint64_t prev = 0;  // the last byte of the previous block is a word character
  for (size_t blk = 0; blk < blocks; ++blk) {
    const size_t base = blk * 64;
    const char* src = s.data() + base;
    char tail[64];
    if (n - base < 64) {  // the last, partial block: zeros are separators
      std::memset(tail, 0, sizeof tail);
      std::memcpy(tail, src, n - base);
      src = tail;
    }
    uint64_t word, special;
    ClassifyBlock64(src, low + base, word, special);
    if (skip_end > base) {  // a reference that began in the previous block
      const size_t k = skip_end - base;
      word &= k >= 64 ? 0 : ~((uint64_t{1} << k) - 1);
    }
    if (special != 0 &&
        !SpecialsAreInert(s, base, special, allow_symbols, word, skip_end, out.inert_cache)) {
      return false;
    }
    const uint64_t shifted = (word << 1) | prev;
    uint64_t starts = word & ~shifted;
    uint64_t ends = ~word & shifted;
    prev = word >> 63;
    const auto base32 = static_cast<uint32_t>(base);
    while (starts != 0) {
      b[2 * starts_seen++] = base32 + static_cast<uint32_t>(std::countr_zero(starts));
      starts &= starts - 1;
    }
    while (ends != 0) {
      b[2 * ends_seen++ + 1] = base32 + static_cast<uint32_t>(std::countr_zero(ends));
      ends &= ends - 1;
    }
  }
  if (prev != 0) b[2 * ends_seen++ + 1] = static_cast<uint32_t>(n);  // a run ends the field
  out.count = starts_seen;
  return true;
}

void Normalizer::Normalize(std::string_view title, std::string_view text,
                           const NormalizeOptions& options, NormalizedText& out) {
  out.Clear();
  position_ = 0;
  if (!title.empty()) {
    NormalizeField(title, Field::kTitle, options, out);
    // A break token no pattern matches keeps phrases and proximity inside one field.
    out.view.append(" |");
    if (options.cased) out.cased.append(" |");
    uint32_t vb = static_cast<uint32_t>(out.view.size() - 1);
    uint32_t cb = options.cased ? static_cast<uint32_t>(out.cased.size() - 1) : 0;
    out.tokens.push_back(Token{TokenKind::kFieldBreak, Field::kTitle, position_, vb, vb + 1, cb,
                               options.cased ? cb + 1 : 0, 0, 0});
    position_ += 1000;
  }
  NormalizeField(text, Field::kText, options, out);
  out.view.push_back(' ');
  if (options.cased) out.cased.push_back(' ');
}

// The common case on the hot path: a field of ASCII only, without '&' (no entities to decode)
// and not a query. Produces exactly what the general loop below produces, in one tight pass.
void Normalizer::NormalizeAsciiField(std::string_view s, Field field, bool cased,
                                     NormalizedText& out) {
  const size_t n = s.size();
  const char* d = s.data();
  // Every token costs its bytes plus one separator, so 2n + 1 bytes bound what is written: size
  // the buffers once and write through pointers (this loop is most of the matcher's time).
  const size_t view_base = out.view.size(), cased_base = out.cased.size();
  out.view.resize(view_base + 2 * n + 1);
  if (cased) out.cased.resize(cased_base + 2 * n + 1);
  out.tokens.reserve(out.tokens.size() + n + 1);
  char* v = out.view.data();
  char* cv = cased ? out.cased.data() : nullptr;
  size_t w = view_base, cw = cased_base;
  auto emit = [&](TokenKind kind, size_t begin, size_t end) {
    // Fields are written straight into the vector's element: a Token assembled on the stack and
    // copied stalled on store forwarding (measured: half of this function's time).
    Token& t = out.tokens.emplace_back();
    t.kind = kind;
    t.field = field;
    t.position = position_++;
    t.orig_begin = static_cast<uint32_t>(begin);
    t.orig_end = static_cast<uint32_t>(end);
    v[w++] = ' ';
    t.view_begin = static_cast<uint32_t>(w);
    for (size_t i = begin; i < end; ++i) v[w++] = Lower(d[i]);
    t.view_end = static_cast<uint32_t>(w);
    t.cased_begin = t.cased_end = 0;
    if (cased) {
      cv[cw++] = ' ';
      t.cased_begin = static_cast<uint32_t>(cw);
      std::memcpy(cv + cw, d + begin, end - begin);
      cw += end - begin;
      t.cased_end = static_cast<uint32_t>(cw);
    }
  };
  size_t pos = 0;
  while (pos < n) {
    const auto c = static_cast<unsigned char>(d[pos]);
    const uint8_t cls = kAsciiClass[c];
    if (cls == kWordChar) {
      if ((c == 'h' || c == 'H' || c == 'w' || c == 'W') && IsUrlStart(s, pos)) {
        size_t end = UrlEnd(s, pos);
        emit(TokenKind::kUrl, pos, end);
        pos = end;
        continue;
      }
      size_t end = pos + 1;
      while (end < n && kAsciiClass[static_cast<unsigned char>(d[end])] == kWordChar) ++end;
      emit(TokenKind::kWord, pos, end);
      // A prefix right after a word is a separator ("a#b", "x@y"): step over it.
      pos = end;
      if (pos < n && kAsciiClass[static_cast<unsigned char>(d[pos])] == kPrefix) ++pos;
      continue;
    }
    if (cls == kPrefix && pos + 1 < n) {
      const auto next = static_cast<unsigned char>(d[pos + 1]);
      bool starts = c == '$' ? IsAsciiLetter(static_cast<char>(next)) : kAsciiClass[next] == kWordChar;
      if (starts) {
        size_t end = pos + 2;
        while (end < n && kAsciiClass[static_cast<unsigned char>(d[end])] == kWordChar) ++end;
        emit(c == '@' ? TokenKind::kMention : c == '#' ? TokenKind::kHashtag : TokenKind::kCashtag,
             pos, end);
        pos = end;
        if (pos < n && kAsciiClass[static_cast<unsigned char>(d[pos])] == kPrefix) ++pos;
        continue;
      }
    }
    ++pos;
  }
  out.view.resize(w);
  if (cased) out.cased.resize(cw);
}

void Normalizer::NormalizeField(std::string_view s, Field field, const NormalizeOptions& options,
                                NormalizedText& out) {
  if (!options.query_wildcards) {
    unsigned char special = 0;  // any byte >= 0x80, or an '&'
    for (char ch : s) {
      auto u = static_cast<unsigned char>(ch);
      special |= static_cast<unsigned char>((u & 0x80) | (u == '&' ? 0x80 : 0));
    }
    if (special == 0) return NormalizeAsciiField(s, field, options.cased, out);
  }
  TokenBuilder tb(out, field, options.cased, position_);
  const size_t n = s.size();
  size_t pos = 0;
  bool prev_word = false;    // the previous character was a word character
  bool single_open = false;  // the open token is a one-character (no-space script) token
  bool regional_open = false;
  // Normalizes the grapheme run in run_ (original bytes [run_begin, run_end_pos)) and feeds
  // its characters to the token builder.
  auto emit_run = [&](size_t run_begin, size_t run_end_pos) {
    // The trade and service marks are symbols written straight after a name; their compatibility
    // forms are letters ("TM", "SM", "TEL") that would fuse with it ("Nike™" would be "niketm").
    // They separate words, as "®" does.
    if (run_[0] == 0x2122 || run_[0] == 0x2120 || run_[0] == 0x2121) {
      tb.Close();
      single_open = regional_open = prev_word = false;
      return;
    }
    auto normalize = [&](std::vector<int32_t>& dst, utf8proc_option_t opts) {
      dst.clear();
      for (int32_t cp : run_) {
        int32_t buf[32];
        int last_boundclass = 0;
        utf8proc_ssize_t k = utf8proc_decompose_char(cp, buf, 32, opts, &last_boundclass);
        if (k < 0 || k > 32) {
          dst.push_back(cp);
          continue;
        }
        dst.insert(dst.end(), buf, buf + k);
      }
      if (dst.size() > 1) {
        utf8proc_ssize_t k = utf8proc_normalize_utf32(
            dst.data(), static_cast<utf8proc_ssize_t>(dst.size()),
            static_cast<utf8proc_option_t>(opts | UTF8PROC_COMPOSE | UTF8PROC_STABLE));
        if (k >= 0) dst.resize(static_cast<size_t>(k));
      }
    };
    constexpr auto kFold = static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                                         UTF8PROC_IGNORE | UTF8PROC_STABLE);
    constexpr auto kPlain =
        static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_IGNORE | UTF8PROC_STABLE);
    normalize(folded_, kFold);
    if (options.cased) {
      normalize(plain_, kPlain);
      if (plain_.size() != folded_.size()) plain_ = folded_;  // rare (ß -> ss): keep aligned
    }
    const uint32_t run_end = static_cast<uint32_t>(run_end_pos);
    for (size_t i = 0; i < folded_.size(); ++i) {
      int32_t cp = folded_[i];
      int32_t plain = options.cased ? plain_[i] : cp;
      if (cp < 0x80 && kAsciiClass[cp] == kPrefix) {
        // A compatibility form of @, # or $ (fullwidth): treat like the ASCII character would be
        // treated at a token boundary, without the URL and cashtag niceties.
        tb.Close();
        single_open = regional_open = false;
        prev_word = false;
        continue;
      }
      switch (Classify(cp)) {
        case CpClass::kWord:
          if (!tb.open() || single_open || regional_open || tb.kind() == TokenKind::kEmoji ||
              tb.kind() == TokenKind::kUrl) {
            tb.Open(TokenKind::kWord, static_cast<uint32_t>(run_begin));
            single_open = regional_open = false;
          }
          tb.PushCodePoint(cp, plain, run_end);
          prev_word = true;
          break;
        case CpClass::kMark:
          // Marks stay with the token before them (Thai vowels, Devanagari signs).
          if (tb.open()) {
            tb.PushCodePoint(cp, plain, run_end);
          }
          break;
        case CpClass::kSingle:
          tb.Open(TokenKind::kWord, static_cast<uint32_t>(run_begin));
          tb.PushCodePoint(cp, plain, run_end);
          single_open = true;
          regional_open = false;
          prev_word = true;
          break;
        case CpClass::kRegional:
          if (regional_open) {  // the second half of a flag
            tb.PushCodePoint(cp, plain, run_end);
            tb.Close();
            regional_open = false;
          } else {
            tb.Open(TokenKind::kEmoji, static_cast<uint32_t>(run_begin));
            tb.PushCodePoint(cp, plain, run_end);
            regional_open = true;
          }
          single_open = false;
          prev_word = false;
          break;
        case CpClass::kEmoji:
          tb.Open(TokenKind::kEmoji, static_cast<uint32_t>(run_begin));
          tb.PushCodePoint(cp, plain, run_end);
          tb.Close();
          single_open = regional_open = prev_word = false;
          break;
        case CpClass::kIgnore:
          break;
        case CpClass::kSeparator:
          tb.Close();
          single_open = regional_open = prev_word = false;
          break;
      }
    }
  };
  while (pos < n) {
    unsigned char c = static_cast<unsigned char>(s[pos]);
    if (c < 0x80) {
      uint8_t cls = kAsciiClass[c];
      size_t entity_end = 0;
      int32_t entity = c == '&' ? DecodeEntity(s, pos, entity_end) : -1;
      if (entity >= 0x80) {  // "&eacute;", "&#x2019;": as if the character were written
        run_.assign(1, entity);
        emit_run(pos, entity_end);
        pos = entity_end;
        continue;
      }
      if (entity >= 0) {
        if (kAsciiClass[entity] == kWordChar) {  // "&#65;"
          if (!tb.open() || single_open || regional_open || tb.kind() == TokenKind::kEmoji) {
            tb.Open(TokenKind::kWord, static_cast<uint32_t>(pos));
            single_open = regional_open = false;
          }
          tb.PushAscii(Lower(static_cast<char>(entity)), static_cast<char>(entity),
                       static_cast<uint32_t>(entity_end));
          prev_word = true;
        } else {  // "&amp;", "&quot;", ...: a separator, and never the word "amp"
          tb.Close();
          single_open = regional_open = prev_word = false;
        }
        pos = entity_end;
        continue;
      }
      if (cls == kWordChar || (options.query_wildcards && (c == '*' || c == '?'))) {
        if (!prev_word && (c == 'h' || c == 'H' || c == 'w' || c == 'W') && IsUrlStart(s, pos)) {
          size_t end = UrlEnd(s, pos);
          tb.Open(TokenKind::kUrl, static_cast<uint32_t>(pos));
          for (size_t i = pos; i < end; ++i) tb.PushAscii(Lower(s[i]), s[i], static_cast<uint32_t>(i + 1));
          tb.Close();
          pos = end;
          prev_word = false;
          continue;
        }
        if (!tb.open() || single_open || regional_open || tb.kind() == TokenKind::kEmoji) {
          tb.Open(TokenKind::kWord, static_cast<uint32_t>(pos));
          single_open = regional_open = false;
        }
        // The hot path: the whole run of ASCII word characters in one go.
        size_t end = pos + 1;
        if (options.query_wildcards) {
          while (end < n && IsAsciiWordOrWildcard(s[end])) ++end;
        } else {
          while (end < n && IsAsciiWord(s[end])) ++end;
        }
        tb.PushAsciiRun(s.data() + pos, end - pos, static_cast<uint32_t>(end));
        prev_word = true;
        pos = end;
        continue;
      }
      tb.Close();
      single_open = regional_open = false;
      if (cls == kPrefix && !prev_word && pos + 1 < n) {
        unsigned char next = static_cast<unsigned char>(s[pos + 1]);
        bool starts = c == '$' ? IsAsciiLetter(static_cast<char>(next))
                               : (next >= 0x80 || kAsciiClass[next] == kWordChar);
        if (starts) {
          TokenKind kind = c == '@' ? TokenKind::kMention
                           : c == '#' ? TokenKind::kHashtag
                                      : TokenKind::kCashtag;
          tb.Open(kind, static_cast<uint32_t>(pos));
          tb.PushAscii(static_cast<char>(c), static_cast<char>(c), static_cast<uint32_t>(pos + 1));
          ++pos;
          prev_word = false;
          // The body follows as word characters; a non-ASCII first letter is fine too.
          single_open = false;
          // Mark as "in word" so the body extends this token rather than opening a new one.
          prev_word = true;
          continue;
        }
      }
      prev_word = false;
      ++pos;
      continue;
    }

    // Non-ASCII: gather a grapheme run (a starter and its combining marks) and normalize it.
    size_t run_begin = pos;
    run_.clear();
    if (prev_word && tb.open() && pos > 0 && static_cast<unsigned char>(s[pos - 1]) < 0x80 &&
        kAsciiClass[static_cast<unsigned char>(s[pos - 1])] == kWordChar) {
      // "e" + U+0301: the ASCII letter was pushed as is; take it back so that the run composes
      // to "é", exactly like the precomposed character.
      int32_t first;
      utf8proc_ssize_t len = utf8proc_iterate(reinterpret_cast<const uint8_t*>(s.data() + pos),
                                              static_cast<utf8proc_ssize_t>(n - pos), &first);
      if (len > 0 && utf8proc_get_property(first)->combining_class != 0) {
        tb.PopAscii();
        run_.push_back(static_cast<unsigned char>(s[pos - 1]));
        run_begin = pos - 1;
      }
    }
    while (pos < n) {
      int32_t cp;
      utf8proc_ssize_t len = utf8proc_iterate(reinterpret_cast<const uint8_t*>(s.data() + pos),
                                              static_cast<utf8proc_ssize_t>(n - pos), &cp);
      if (len <= 0) {
        if (run_.empty()) {
          ++pos;  // an invalid byte separates tokens
        }
        break;
      }
      if (!run_.empty() && (cp < 0x80 || utf8proc_get_property(cp)->combining_class == 0)) break;
      run_.push_back(cp);
      pos += static_cast<size_t>(len);
    }
    if (run_.empty()) {
      tb.Close();
      single_open = regional_open = prev_word = false;
      continue;
    }
    emit_run(run_begin, pos);
  }
  tb.Close();
}

}  // namespace earshot::pipeline
