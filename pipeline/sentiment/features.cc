#include "pipeline/sentiment/features.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "pipeline/sentiment/chars.h"

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
}

void FeatureExtractor::AddToken(uint64_t hash, FeatureVector& out) {
  Push(hash, out);
  sequence_.push_back(hash);
}

void FeatureExtractor::AddWord(std::string_view raw, bool hashtag, const Lexicon& lexicon,
                               FeatureVector& out) {
  // Normalize: lower case, apostrophes dropped, 3+ repeats squeezed to 2.
  word_.clear();
  int upper = 0, letters = 0;
  bool digits_only = true;
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
    size_t n = word_.size();
    if (n >= 2 && static_cast<unsigned char>(word_[n - 1]) == c &&
        static_cast<unsigned char>(word_[n - 2]) == c && c < 0x80) {
      elongated_ = true;
      continue;
    }
    word_.push_back(static_cast<char>(c));
  }
  if (word_.empty()) return;
  if (upper >= 2 && upper == letters) ++caps_words_;
  if (digits_only) {
    AddToken(kNum, out);
    return;
  }
  const uint64_t h = HashText(word_);
  const bool negate = (flags_ & kNegationMarking) && negated_;
  AddToken(negate ? Mix(h, kNegSeed) : h, out);
  if (hashtag) Push(Mix(h, kHashtagSeed), out);
  const LexiconEntry* e = lexicon.Find(word_);
  if ((flags_ & kLexiconTokens) && e && (e->flags & kHasValence) && e->valence != 0) {
    // Valence rounded to half steps, with the negation state.
    int step = static_cast<int>(std::lround(e->valence * 2));
    Push(Mix(static_cast<uint64_t>(step + 64) * 2 + (negated_ ? 1 : 0), kLexSeed), out);
  }
  if ((flags_ & kCharNgrams) && word_.size() >= 2 && word_.size() <= 40) {
    char padded[48];
    padded[0] = ' ';
    std::memcpy(padded + 1, word_.data(), word_.size());
    padded[word_.size() + 1] = ' ';
    const size_t len = word_.size() + 2;
    for (size_t n = 3; n <= 5; ++n) {
      for (size_t i = 0; i + n <= len; ++i) Push(HashShort(padded + i, n, 10 + n), out);
    }
  }
  if (e && (e->flags & kNegator)) negated_ = true;
}

void FeatureExtractor::Extract(const LexiconScorer& scorer, const LexiconScores& s,
                               FeatureVector& out) {
  out.sparse.clear();
  sequence_.clear();
  negated_ = elongated_ = false;
  caps_words_ = 0;
  const Lexicon& lexicon = scorer.lexicon();
  const std::string_view text = scorer.scored_text();
  sequence_.push_back(kBegin);
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    if (IsSpace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && !IsSpace(static_cast<unsigned char>(text[j]))) ++j;
    std::string_view chunk = text.substr(i, j - i);
    i = j;
    if (chunk.size() > 1 && chunk[0] == '@') {
      AddToken(kUser, out);
      continue;
    }
    if (chunk.starts_with("http://") || chunk.starts_with("https://") ||
        chunk.starts_with("www.")) {
      AddToken(kUrl, out);
      continue;
    }
    // A chunk that is a lexicon emoticon (":)", "<3", ":-D") is one token.
    if (chunk.size() >= 2 && chunk.size() <= 8) {
      bool alpha = false;
      word_.clear();
      for (char ch : chunk) {
        unsigned char u = static_cast<unsigned char>(ch);
        alpha = alpha || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
        word_.push_back(u >= 'A' && u <= 'Z' ? static_cast<char>(u - 'A' + 'a') : ch);
      }
      if (const LexiconEntry* e = lexicon.Find(word_);
          e && (e->flags & kHasValence) && (!alpha || word_.size() <= 3) &&
          word_.find_first_of(":;=()<>[]^_/\\*|") != std::string::npos) {
        AddToken(HashText(word_), out);
        continue;
      }
    }
    size_t word_begin = std::string_view::npos;
    bool hashtag = false;
    size_t p = 0;
    auto flush = [&](size_t end) {
      if (word_begin != std::string_view::npos) {
        AddWord(chunk.substr(word_begin, end - word_begin), hashtag, lexicon, out);
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
        word_char = IsAsciiAlnum(u) || u == '_' ||
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
        AddToken(HashShort(chunk.data() + p, len, 2), out);
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
        if (bang) AddToken(kBang, out);
        if (question) AddToken(kQuestion, out);
        if (!bang && !question && run - p >= 2) AddToken(kEllipsis, out);
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
      Push(Mix(Mix(sequence_[k - 1], kBigramSeed), sequence_[k]), out);
    }
  }
  if (flags_ & kTrigrams) {
    for (size_t k = 2; k < sequence_.size(); ++k) {
      Push(Mix(Mix(Mix(sequence_[k - 2], kTrigramSeed), sequence_[k - 1]), sequence_[k]), out);
    }
  }
  if (elongated_) Push(Mix(1, kMarkerSeed), out);
  if (caps_words_ > 0) Push(Mix(2, kMarkerSeed), out);
  Push(Mix(3, kMarkerSeed), out);  // always on: a sparse bias
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
