#include "pipeline/sentiment/lexicon_scorer.h"

#include <algorithm>
#include <cmath>

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

bool Is(std::string_view a, std::string_view b) { return a == b; }

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
  tokens_.reserve(512);
  token_caps_.reserve(512);
  token_clause_end_.reserve(512);
  units_.reserve(512);
  sentiments_.reserve(512);
}

void LexiconScorer::AddWord(std::string_view original, bool emoji, bool hashtag) {
  (void)hashtag;
  if (original.empty()) return;
  ScoredToken t{static_cast<uint32_t>(lower_.size()), 0, emoji};
  int upper = 0, lower = 0;
  for (size_t i = 0; i < original.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(original[i]);
    if (c >= 'A' && c <= 'Z') {
      ++upper;
      lower_.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (c == 0xE2 && i + 2 < original.size() && original[i + 1] == '\x80' &&
               original[i + 2] == '\x99') {
      lower_.push_back('\'');  // ’ as an apostrophe
      i += 2;
    } else {
      if (c >= 'a' && c <= 'z') ++lower;
      lower_.push_back(static_cast<char>(c));
    }
  }
  t.length = static_cast<uint32_t>(lower_.size() - t.begin);
  tokens_.push_back(t);
  bool caps = upper >= 2 && lower == 0;
  token_caps_.push_back(caps);
  token_clause_end_.push_back(0);
  if (upper + lower > 0) ++cased_tokens_;
  caps_tokens_ += caps;
}

void LexiconScorer::Tokenize(std::string_view text) {
  tokens_.clear();
  token_caps_.clear();
  token_clause_end_.clear();
  lower_.clear();
  exclamations_ = questions_ = caps_tokens_ = cased_tokens_ = 0;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && !IsSpace(static_cast<unsigned char>(text[j]))) ++j;
    std::string_view chunk = text.substr(i, j - i);
    i = j;
    for (char ch : chunk) {
      exclamations_ += ch == '!';
      questions_ += ch == '?';
    }
    // @mentions and URLs are never scored.
    if (chunk.size() > 1 && chunk[0] == '@') {
      if (IsClausePunct(static_cast<unsigned char>(chunk.back())) && !token_clause_end_.empty()) {
        token_clause_end_.back() = 1;
      }
      continue;
    }
    if (chunk.starts_with("http://") || chunk.starts_with("https://") ||
        chunk.starts_with("www.")) {
      continue;
    }
    // A whole chunk that is a lexicon emoticon (":)", "<3", ":-D") is one token.
    bool has_alnum = false, has_punct = false;
    for (char ch : chunk) {
      unsigned char u = static_cast<unsigned char>(ch);
      if (IsAsciiAlnum(u)) has_alnum = true;
      else if (u < 0x80) has_punct = true;
    }
    if (has_punct && chunk.size() <= 8 && chunk.size() >= 2) {
      squeeze_.clear();
      for (char ch : chunk) {
        squeeze_.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch);
      }
      const LexiconEntry* e = lexicon_->Find(squeeze_);
      if (e && (e->flags & kHasValence) && (!has_alnum || squeeze_.find('\'') == std::string::npos)) {
        size_t before = tokens_.size();
        AddWord(chunk, false, false);
        if (tokens_.size() > before) token_caps_.back() = 0;
        continue;
      }
    }
    // Split the chunk into words, emoji and punctuation.
    size_t word_begin = std::string_view::npos;
    bool hashtag = false;
    auto flush = [&](size_t end) {
      if (word_begin != std::string_view::npos) {
        std::string_view w = chunk.substr(word_begin, end - word_begin);
        while (!w.empty() && (w.back() == '\'' || w.back() == '-')) w.remove_suffix(1);
        AddWord(w, false, hashtag);
      }
      word_begin = std::string_view::npos;
      hashtag = false;
    };
    size_t p = 0;
    while (p < chunk.size()) {
      unsigned char u = static_cast<unsigned char>(chunk[p]);
      int32_t cp = u;
      size_t len = u < 0x80 ? 1 : Decode(chunk, p, cp);
      bool word_char = false;
      if (u < 0x80) {
        word_char = IsAsciiAlnum(u) || u == '_' ||
                    ((u == '\'' || u == '-') && word_begin != std::string_view::npos);
      } else if (cp >= 0 && !IsEmoji(cp) && !IsEmojiModifier(cp) && !IsUnicodePunct(cp)) {
        word_char = true;  // letters of any script, and ’ inside a word
        if (cp == 0x2019 && word_begin == std::string_view::npos) word_char = false;
      }
      if (word_char) {
        if (word_begin == std::string_view::npos) word_begin = p;
        p += len;
        continue;
      }
      flush(p);
      if (u == '#' && p + 1 < chunk.size()) {
        hashtag = true;
      } else if (cp >= 0 && IsEmoji(cp)) {
        // Emoji: the base code point is the token; modifiers after it are skipped.
        AddWord(chunk.substr(p, len), true, false);
        p = SkipEmojiModifiers(chunk, p + len);
        continue;
      } else if ((u < 0x80 && IsClausePunct(u)) || (cp >= 0x2000 && cp <= 0x206F && cp != 0x2019)) {
        if (!token_clause_end_.empty()) token_clause_end_.back() = 1;
      }
      p += len;
    }
    flush(chunk.size());
  }
}

const LexiconEntry* LexiconScorer::Lookup(std::string_view w, bool& elongated) {
  elongated = false;
  const LexiconEntry* e = lexicon_->Find(w);
  if (e || w.size() < 3 || w.size() > 64) return e;
  bool repeated = false;
  for (size_t i = 2; i < w.size(); ++i) {
    if (w[i] == w[i - 1] && w[i] == w[i - 2]) repeated = true;
  }
  if (!repeated) return nullptr;
  for (size_t keep : {2, 1}) {
    squeeze_.clear();
    for (size_t i = 0; i < w.size(); ++i) {
      size_t run = 0;
      while (run < squeeze_.size() && squeeze_[squeeze_.size() - 1 - run] == w[i]) ++run;
      if (run < keep) squeeze_.push_back(w[i]);
    }
    if ((e = lexicon_->Find(squeeze_))) {
      elongated = true;
      return e;
    }
  }
  return nullptr;
}

void LexiconScorer::BuildUnits() {
  units_.clear();
  const size_t n = tokens_.size();
  for (size_t k = 0; k < n;) {
    std::string_view w = TokenText(tokens_[k]);
    bool elongated = false;
    const LexiconEntry* e = Lookup(w, elongated);
    // Multi-word entries (phrases, idioms): longest match within one clause.
    if (e && (e->flags & kPhraseStart) && !tokens_[k].emoji) {
      size_t longest = std::min<size_t>(e->max_phrase_words, n - k);
      for (size_t len = longest; len >= 2; --len) {
        phrase_.clear();
        bool ok = true;
        for (size_t m = 0; m < len && ok; ++m) {
          if (m) phrase_.push_back(' ');
          std::string_view part = TokenText(tokens_[k + m]);
          if (phrase_.size() + part.size() > kMaxPhraseBytes) ok = false;
          if (m + 1 < len && token_clause_end_[k + m]) ok = false;
          if (ok) phrase_.append(part);
        }
        const LexiconEntry* pe = ok ? lexicon_->Find(phrase_) : nullptr;
        if (pe && (pe->flags & (kHasValence | kBooster | kNegator))) {
          Unit u;
          u.valence = pe->valence;
          u.boost = pe->boost;
          u.flags = pe->flags & static_cast<uint8_t>(~kPhraseStart);
          u.caps = true;
          for (size_t m = 0; m < len; ++m) u.caps = u.caps && token_caps_[k + m];
          u.clause_end = token_clause_end_[k + len - 1];
          units_.push_back(u);
          k += len;
          goto next;
        }
      }
    }
    {
      Unit u;
      u.emoji = tokens_[k].emoji;
      u.caps = token_caps_[k];
      u.clause_end = token_clause_end_[k];
      if (e) {
        u.valence = (e->flags & kHasValence) ? e->valence : 0.f;
        u.boost = e->boost;
        u.flags = e->flags;
        u.elongated = elongated;
      }
      if (w.size() > 3 && (w.ends_with("n't"))) u.flags |= kNegator;
      u.hedge_word = Is(w, "so") || Is(w, "very") || Is(w, "too") || Is(w, "that") ||
                     Is(w, "really") || Is(w, "all");
      u.least = Is(w, "least");
      u.at_or_very = Is(w, "at") || Is(w, "very");
      u.never = Is(w, "never");
      u.so_or_this = Is(w, "so") || Is(w, "this");
      units_.push_back(u);
      ++k;
    }
  next:;
  }
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
  text_ = text;
  Tokenize(text);
  BuildUnits();
  out = LexiconScores{};
  const bool cap_diff = caps_tokens_ > 0 && caps_tokens_ < cased_tokens_;
  const size_t n = units_.size();
  sentiments_.assign(n, 0.f);
  double emoji_sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const Unit& u = units_[i];
    if (!(u.flags & kHasValence) || u.valence == 0) continue;
    if ((u.flags & kBooster) && !(u.flags & kNegator)) continue;  // a booster is not a sentiment
    double v = u.valence;
    // A negator with its own valence ("no", "nothing") only negates a sentiment word after it.
    if ((u.flags & kNegator) && i + 1 < n && (units_[i + 1].flags & kHasValence)) continue;
    if (u.caps && cap_diff) {
      v += Sign(v) * kCapsIncrement;
      ++out.caps_words;
    }
    if (u.elongated) v += Sign(v) * kElongationIncrement;
    const double base = v;
    // Boosters in the three units before, within the clause.
    for (size_t k = 1; k <= 3 && k <= i; ++k) {
      const Unit& b = units_[i - k];
      if (b.clause_end || (b.flags & kContrast)) break;
      if ((b.flags & kBooster) && !(b.flags & kHasValence)) {
        double scalar = v < 0 ? -b.boost : b.boost;
        if (b.caps && cap_diff) scalar += v > 0 ? kCapsIncrement : -kCapsIncrement;
        v += scalar * (k == 1 ? 1.0 : k == 2 ? 0.95 : 0.9);
      }
    }
    // Negation scope: three units back, stopping at clause punctuation and contrast words.
    if (!u.emoji) {
      bool negated = false;
      for (size_t k = 1; k <= 3 && k <= i; ++k) {
        const Unit& g = units_[i - k];
        if (g.clause_end || (g.flags & kContrast)) break;
        // A sentiment word in between ends the scope: "don't care don't care" flips each once.
        if ((g.flags & kHasValence) && g.valence != 0 && !(g.flags & kNegator)) break;
        if (!(g.flags & kNegator)) continue;
        const Unit& after = units_[i - k + 1];
        bool so_between = false;
        for (size_t m = i - k + 1; m < i; ++m) so_between = so_between || units_[m].so_or_this;
        if (k >= 2 && g.never && so_between) {
          v *= 1.25;  // "never so good": emphasis, not negation
        } else if (k >= 2 && after.hedge_word) {
          v = base * kHedgedNegation;  // "not so good", "not too bad": a hedge
          negated = true;
        } else {
          v *= kNegationScalar;
          negated = true;
        }
      }
      if (i >= 1 && units_[i - 1].least && !(i >= 2 && units_[i - 2].at_or_very)) {
        v *= kNegationScalar;
        negated = true;
      }
      out.negated += negated;
    } else {
      emoji_sum += v;
    }
    sentiments_[i] = static_cast<float>(v);
    ++out.sentiment_words;
  }
  // Contrast: the first "but"/"however" shifts the weight to what follows.
  for (size_t c = 0; c < n; ++c) {
    if (!(units_[c].flags & kContrast)) continue;
    for (size_t i = 0; i < n; ++i) {
      if (i < c) sentiments_[i] *= static_cast<float>(kBeforeContrast);
      if (i > c) sentiments_[i] *= static_cast<float>(kAfterContrast);
    }
    break;
  }
  double sum = 0, pos_sum = 0, neg_sum = 0;
  int neutral = 0;
  for (size_t i = 0; i < n; ++i) {
    double s = sentiments_[i];
    sum += s;
    if (s > 0) pos_sum += s + 1;
    else if (s < 0) neg_sum += s - 1;
    else ++neutral;
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
