#include "pipeline/sentiment/lexicon.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "pipeline/sentiment/chars.h"

namespace earshot::pipeline::sentiment {
namespace {

// Rule words. Booster scalars follow the magnitude VADER publishes (0.293); the word lists are
// earshot's own, tuned for social and customer-care text.
constexpr double kBoost = 0.293;
constexpr const char* kIntensifiers[] = {
    "absolutely", "amazingly", "awfully", "completely", "considerably", "decidedly",
    "deeply", "effing", "enormously", "entirely", "especially", "exceptionally", "extremely",
    "fabulously", "flipping", "flippin", "frackin", "fracking", "fricking", "frickin", "frigging",
    "friggin", "fully", "fuckin", "fucking", "fuggin", "fugging", "greatly", "hella", "highly",
    "hugely", "incredibly", "intensely", "majorly", "more", "most", "particularly", "purely",
    "quite", "really", "remarkably", "so", "substantially", "thoroughly", "total", "totally",
    "tremendously", "uber", "unbelievably", "unusually", "utterly", "very", "sooo", "soo"};
constexpr const char* kDampeners[] = {
    "almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of", "less",
    "little", "marginally", "occasionally", "partly", "scarcely", "slightly", "somewhat",
    "sort of", "sorta", "sortof", "sort-of", "a bit", "a little", "fairly", "mildly"};
constexpr const char* kNegators[] = {
    "not", "no", "never", "none", "nobody", "nothing", "nowhere", "neither", "nor", "nope",
    "without", "cannot", "aint", "arent", "cant", "couldnt", "darent", "didnt", "doesnt", "dont",
    "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neednt", "oughtnt", "shant",
    "shouldnt", "wasnt", "werent", "wont", "wouldnt", "rarely", "seldom", "despite", "uh-uh",
    "uhuh", "idk", "dnt", "didn", "doesn", "isn", "wasn", "couldn", "wouldn", "shouldn", "hasn",
    "haven", "aren", "weren", "ain't", "aren't", "can't", "couldn't", "daren't", "didn't",
    "doesn't", "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", "needn't",
    "oughtn't", "shan't", "shouldn't", "wasn't", "weren't", "won't", "wouldn't"};
constexpr const char* kContrasts[] = {"but", "however"};
// The words the scorer's rules name, with their RuleWord bits. Each is an entry even when no
// source lists it, so that the scorer can skip any word the lexicon does not hold after one
// filter test (LexiconScorer::BuildUnits).
struct RuleWordBits {
  const char* word;
  uint8_t bits;
};
constexpr RuleWordBits kRuleWords[] = {{"so", kHedgeWord | kSoOrThis},
                                       {"at", kAtOrVery},
                                       {"too", kHedgeWord},
                                       {"all", kHedgeWord},
                                       {"very", kAtOrVery | kHedgeWord},
                                       {"that", kHedgeWord},
                                       {"this", kSoOrThis | kThis},
                                       {"least", kLeast},
                                       {"never", kNever},
                                       {"really", kHedgeWord}};

// Whether `term` is an emoticon to match in its exact case (see lexicon.h): at most 8 ASCII
// bytes with eyes (':', ';' or '='), one or two letters, at least one of them upper case. "A+",
// "C++", "AT&T" and "OK!" are no emoticons.
bool IsCasedEmoticon(std::string_view term) {
  if (term.size() < 2 || term.size() > 8) return false;
  int letters = 0;
  bool upper = false, eyes = false;
  for (const char c : term) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u <= ' ') return false;
    const uint8_t k = ClassOf(u);
    upper = upper || (k & kUpperChar) != 0;
    letters += (k & (kUpperChar | kLowerChar)) != 0;
    eyes = eyes || c == ':' || c == ';' || c == '=';
  }
  return upper && eyes && letters <= 2;
}

// A case-sensitive emoticon's table key: the term with 'A'-'Z' written as the bytes 1-26, so
// that it is as long as the term, differs from every lower-cased key and from every other case
// of the same letters.
std::string CasedTableKey(std::string_view term) {
  std::string key(term);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 1);
  }
  return key;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  // Single spaces between the words of a phrase.
  std::string squeezed;
  for (char c : out) {
    if (c == ' ' && (squeezed.empty() || squeezed.back() == ' ')) continue;
    squeezed.push_back(c);
  }
  while (!squeezed.empty() && squeezed.back() == ' ') squeezed.pop_back();
  return squeezed;
}

}  // namespace

uint64_t HashBytes(std::string_view s, uint64_t seed) {
  // 64-bit FNV-1a over 8-byte words, then a murmur-style finalizer.
  uint64_t h = 0xcbf29ce484222325ULL ^ (seed * 0x9E3779B97F4A7C15ULL);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0x100000001b3ULL;
    h ^= h >> 29;
  }
  for (; i < s.size(); ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 0x100000001b3ULL;
  return Fmix64(h);
}

std::string Sha256File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string data = buffer.str();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), md, &length, EVP_sha256(), nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[md[i] >> 4]);
    hex.push_back(kHex[md[i] & 15]);
  }
  return hex;
}

bool Lexicon::KeyIs(const Slot& s, std::string_view key) const {
  return s.key_length == key.size() &&
         std::memcmp(arena_.data() + s.key_offset, key.data(), key.size()) == 0;
}

const LexiconEntry* Lexicon::Probe(std::string_view key, uint64_t hash) const {
  const size_t mask = tags_.size() - 1;
  const uint32_t tag = Tag(hash);
  const uint32_t* tags = tags_.data();
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t t = tags[i];
    if (t == 0) return nullptr;
    if (t == tag && KeyIs(slots_[i], key)) return &slots_[i].entry;
  }
}

void Lexicon::Grow() {
  std::vector<Slot> old = std::move(slots_);
  std::vector<uint32_t> old_tags = std::move(tags_);
  const size_t size = old.empty() ? 1024 : old.size() * 2;
  slots_.assign(size, Slot{});
  tags_.assign(size, 0);
  const size_t mask = size - 1;
  for (size_t k = 0; k < old.size(); ++k) {
    if (old_tags[k] == 0) continue;
    const uint64_t hash =
        KeyHash(std::string_view(arena_).substr(old[k].key_offset, old[k].key_length));
    size_t i = hash & mask;
    while (tags_[i] != 0) i = (i + 1) & mask;
    tags_[i] = old_tags[k];
    slots_[i] = old[k];
  }
}

LexiconEntry& Lexicon::Upsert(std::string_view key) {
  if ((count_ + 1) * 2 > slots_.size()) Grow();
  const size_t mask = slots_.size() - 1;
  const uint64_t hash = KeyHash(key);
  const uint32_t tag = Tag(hash);
  size_t i = hash & mask;
  for (;; i = (i + 1) & mask) {
    if (tags_[i] == 0) break;
    if (tags_[i] == tag && KeyIs(slots_[i], key)) return slots_[i].entry;
  }
  Slot& s = slots_[i];
  tags_[i] = tag;
  const size_t bit = FilterBit(hash);
  filter_[bit / 64] |= uint64_t{1} << (bit % 64);
  s.key_offset = static_cast<uint32_t>(arena_.size());
  s.key_length = static_cast<uint32_t>(key.size());
  arena_.append(key);
  ++count_;
  // The key's leading ASCII letters and digits (a case-sensitive emoticon's upper-case letters
  // are the bytes 1-26).
  auto alnum = [](unsigned char c) { return (c >= 1 && c <= 26) || (ClassOf(c) & kAlnumChar); };
  size_t word = 0;
  while (word < key.size() && alnum(static_cast<unsigned char>(key[word]))) ++word;
  bool punct_after = word != 0 && word < key.size();
  for (size_t i = word; i < key.size() && punct_after; ++i) {
    punct_after =
        (ClassOf(static_cast<unsigned char>(key[i])) & (kPunctChar | kWordChar)) == kPunctChar;
  }
  if (punct_after) max_word_punct_prefix_ = std::max(max_word_punct_prefix_, word);
  // A phrase marks its first word so the scorer knows to try it.
  size_t space = key.find(' ');
  if (space != std::string_view::npos) {
    std::string first(key.substr(0, space));
    size_t words = 1;
    for (char c : key) words += c == ' ';
    const std::string_view second = key.substr(space + 1, key.find(' ', space + 1) - space - 1);
    const size_t bit = PairBit(KeyHash(first), KeyHash(second));
    pair_filter_[bit / 64] |= uint64_t{1} << (bit % 64);
    LexiconEntry& head = Upsert(first);
    head.flags |= kPhraseStart;
    if (words > head.max_phrase_words) head.max_phrase_words = static_cast<uint8_t>(words);
    return Upsert(key);  // the table may have grown: find the slot again
  }
  return s.entry;
}

std::string Lexicon::AddCased(std::string_view term) {
  std::string key = CasedTableKey(term);
  for (auto& [t, k] : cased_) {
    if (t == term) return key;
  }
  cased_.emplace_back(std::string(term), key);
  return key;
}

Lexicon::LoadResult Lexicon::Load(const std::vector<LexiconSource>& sources,
                                  const std::vector<LexiconOverride>& overrides) {
  LoadResult result;
  auto lexicon = std::make_shared<Lexicon>();
  for (const LexiconSource& source : sources) {
    std::ifstream in(source.path, std::ios::binary);
    if (!in) {
      std::string message = source.path + ": cannot open lexicon file";
      if (!source.required) {
        result.notes.push_back(message + " (optional; skipped)");
        continue;
      }
      result.error = message;
      if (source.format == LexiconFormat::kVader) {
        result.error += " (run scripts/setup.sh to fetch the VADER lexicon)";
      }
      return result;
    }
    if (!source.sha256.empty()) {
      std::string actual = Sha256File(source.path);
      if (actual != source.sha256) {
        result.error = source.path + ": checksum mismatch: sha256 is " + actual + ", expected " +
                       source.sha256;
        return result;
      }
    }
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      if (source.format == LexiconFormat::kEarshot &&
          (line == "#" || line.rfind("# ", 0) == 0 || line.rfind("#\t#", 0) == 0)) {
        continue;
      }
      auto where = [&] { return source.path + ":" + std::to_string(line_no) + ": "; };
      size_t tab = line.find('\t');
      if (tab == std::string::npos || tab == 0) {
        result.error = where() + "expected 'term<TAB>valence', found '" + line.substr(0, 60) + "'";
        return result;
      }
      size_t end = line.find('\t', tab + 1);
      std::string_view value(line.data() + tab + 1,
                             (end == std::string::npos ? line.size() : end) - tab - 1);
      double valence = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), valence);
      if (ec != std::errc() || ptr != value.data() + value.size() || valence < -10 ||
          valence > 10) {
        result.error = where() + "valence '" + std::string(value) +
                       "' is not a number between -10 and 10";
        return result;
      }
      const std::string_view term = std::string_view(line).substr(0, tab);
      std::string key = source.format == LexiconFormat::kEarshot && IsCasedEmoticon(term)
                            ? lexicon->AddCased(term)
                            : Lower(term);
      if (key.empty()) {
        result.error = where() + "empty term";
        return result;
      }
      LexiconEntry& e = lexicon->Upsert(key);
      e.valence = static_cast<float>(valence * source.scale);
      e.flags |= kHasValence;
    }
  }
  for (const char* w : kIntensifiers) {
    LexiconEntry& e = lexicon->Upsert(w);
    e.flags |= kBooster;
    e.boost = static_cast<float>(kBoost);
  }
  for (const char* w : kDampeners) {
    LexiconEntry& e = lexicon->Upsert(w);
    e.flags |= kBooster;
    e.boost = static_cast<float>(-kBoost);
  }
  for (const char* w : kNegators) lexicon->Upsert(w).flags |= kNegator;
  for (const char* w : kContrasts) lexicon->Upsert(w).flags |= kContrast;
  for (const RuleWordBits& r : kRuleWords) lexicon->Upsert(r.word).rule_words = r.bits;
  for (const LexiconOverride& o : overrides) {
    std::string key = IsCasedEmoticon(o.term) ? lexicon->AddCased(o.term) : Lower(o.term);
    if (key.empty()) continue;
    LexiconEntry& e = lexicon->Upsert(key);
    e.valence = static_cast<float>(o.valence);
    e.flags |= kHasValence;
  }
  result.lexicon = std::move(lexicon);
  return result;
}

}  // namespace earshot::pipeline::sentiment
