#include "pipeline/complaints/cues.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

namespace earshot::pipeline::complaints {
namespace {

constexpr std::array<std::string_view, kFamilyCount> kFamilyNames = {
    "money",   "waiting", "failure", "travel", "service",      "churn",        "legal", "press",
    "safety",  "help",    "question", "praise", "thanks",      "first_person", "second_person"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view FamilyName(int family) {
  return family >= 0 && family < kFamilyCount ? kFamilyNames[family] : "unknown";
}

int FamilyFromName(std::string_view name) {
  for (int i = 0; i < kFamilyCount; ++i) {
    if (kFamilyNames[i] == name) return i;
  }
  return -1;
}

uint64_t CueWordHash(std::string_view word) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (size_t i = 0; i < word.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(word[i]);
    if (c == '\'') continue;
    if (c == 0xE2 && i + 2 < word.size() && static_cast<unsigned char>(word[i + 1]) == 0x80 &&
        static_cast<unsigned char>(word[i + 2]) == 0x99) {
      i += 2;  // U+2019
      continue;
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    h = (h ^ c) * 0x100000001B3ull;
  }
  return h;
}

void CueTable::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(std::max<size_t>(64, old.size() * 2), Slot{});
  size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.key == 0) continue;
    size_t i = s.key & mask;
    while (slots_[i].key != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

std::string CueTable::Add(std::string_view phrase, uint32_t families, uint32_t categories) {
  phrase = Trim(phrase);
  if (phrase.empty()) return "empty phrase";
  uint64_t h = kCueSeed;
  uint64_t first_word = 0;
  int words = 0;
  size_t i = 0;
  while (i < phrase.size()) {
    while (i < phrase.size() && phrase[i] == ' ') ++i;
    size_t j = i;
    while (j < phrase.size() && phrase[j] != ' ') ++j;
    if (j > i) {
      std::string_view w = phrase.substr(i, j - i);
      for (char c : w) {
        unsigned char u = static_cast<unsigned char>(c);
        bool ok = u >= 0x80 || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
                  (u >= '0' && u <= '9') || u == '\'' || u == '-' || u == '_';
        if (!ok) {
          return "phrase '" + std::string(phrase) + "' holds '" + std::string(1, c) +
                 "': cues are words (letters, digits, ' - _) separated by spaces";
        }
      }
      if (++words > kMaxCueWords) {
        return "phrase '" + std::string(phrase) + "' has more than " +
               std::to_string(kMaxCueWords) + " words";
      }
      h = CombineCueHash(h, CueWordHash(w));
      if (words == 1) first_word = h;
    }
    i = j;
  }
  Slot& s = Upsert(h);
  s.entry.families |= families;
  s.entry.categories |= categories;
  s.entry.words = static_cast<uint8_t>(words);
  if (words == 1) s.entry.longest = std::max<uint8_t>(s.entry.longest, 1);
  // The first word learns how long the cues starting with it are (ScanCues stops early).
  Slot& first = Upsert(first_word);
  first.entry.longest = std::max(first.entry.longest, static_cast<uint8_t>(words));
  return {};
}

CueTable::Slot& CueTable::Upsert(uint64_t h) {
  if (h == 0) h = 1;
  if ((count_ + 1) * 2 > slots_.size()) Grow();
  size_t mask = slots_.size() - 1;
  size_t k = h & mask;
  while (slots_[k].key != 0 && slots_[k].key != h) k = (k + 1) & mask;
  Slot& s = slots_[k];
  if (s.key == 0) {
    s.key = h;
    ++count_;
  }
  return s;
}

size_t CueTable::size() const {
  size_t n = 0;
  for (const Slot& s : slots_) n += s.key != 0 && s.entry.words != 0;
  return n;
}

std::string CueTable::Build(const std::vector<Source>& sources,
                            const std::vector<std::string>& categories, CueTable& out) {
  out = CueTable{};
  for (const Source& source : sources) {
    std::string text = source.text;
    if (text.empty()) {
      std::ifstream in(source.path, std::ios::binary);
      if (!in) return source.path + ": cannot open the cue file";
      std::stringstream buffer;
      buffer << in.rdbuf();
      text = buffer.str();
      if (text.empty()) return source.path + ": the cue file is empty";
    }
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
      ++number;
      auto where = [&] { return source.path + ":" + std::to_string(number) + ": "; };
      std::string_view l = Trim(line);
      if (l.empty() || l[0] == '#') continue;
      size_t tab = l.find('\t');
      if (tab == std::string_view::npos) {
        return where() + "expected 'phrase<TAB>tags', found '" + std::string(l.substr(0, 60)) + "'";
      }
      std::string_view phrases = Trim(l.substr(0, tab));
      std::string_view tags = Trim(l.substr(tab + 1));
      uint32_t families = 0, cats = 0;
      size_t p = 0;
      while (p < tags.size()) {
        while (p < tags.size() && (tags[p] == ' ' || tags[p] == '\t')) ++p;
        size_t q = p;
        while (q < tags.size() && tags[q] != ' ' && tags[q] != '\t') ++q;
        std::string_view tag = tags.substr(p, q - p);
        p = q;
        if (tag.empty()) continue;
        if (tag.starts_with("category:")) {
          std::string_view id = tag.substr(9);
          auto it = std::find(categories.begin(), categories.end(), id);
          if (it == categories.end()) {
            return where() + "unknown category '" + std::string(id) + "'";
          }
          cats |= uint32_t{1} << (it - categories.begin());
          continue;
        }
        int f = FamilyFromName(tag);
        if (f < 0) {
          return where() + "unknown tag '" + std::string(tag) +
                 "'; expected a cue family (money, waiting, failure, travel, service, churn, "
                 "legal, press, safety, help, question, praise, thanks, first_person, "
                 "second_person) or category:<id>";
        }
        families |= uint32_t{1} << f;
      }
      if (families == 0 && cats == 0) return where() + "a cue needs at least one tag";
      size_t a = 0;
      while (a <= phrases.size()) {
        size_t b = phrases.find('|', a);
        if (b == std::string_view::npos) b = phrases.size();
        std::string error = out.Add(phrases.substr(a, b - a), families, cats);
        if (!error.empty()) return where() + error;
        a = b + 1;
      }
    }
  }
  return {};
}

}  // namespace earshot::pipeline::complaints
