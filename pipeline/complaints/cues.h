// CueTable: earshot's complaint cue lexicon, compiled for matching over the sentiment scorer's
// tokens.
//
// A cue is a phrase of 1 to kMaxCueWords words with tags: cue families (the complaint model's and
// the intent rules' signals) and category votes. The file format is described at the top of
// pipeline/complaints/data/cues.tsv. Matching hashes each token once (lower case, apostrophes
// dropped) and looks up every 1..4-word window in an open-addressing table: no allocation, no
// string comparison on the hot path. The table is immutable once built and shared by workers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace earshot::pipeline::complaints {

inline constexpr int kMaxCueWords = 4;
inline constexpr int kMaxCategories = 32;

enum CueFamily : uint8_t {
  kMoney,
  kWaiting,
  kFailure,
  kTravel,
  kService,
  kChurn,
  kLegal,
  kPress,
  kSafety,
  kHelp,
  kQuestion,
  kPraise,
  kThanks,
  kFirstPerson,
  kSecondPerson,
  kFamilyCount,
};

[[nodiscard]] std::string_view FamilyName(int family);
[[nodiscard]] int FamilyFromName(std::string_view name);  // -1 when unknown

struct CueEntry {
  uint32_t families = 0;    // bit per CueFamily
  uint32_t categories = 0;  // bit per category index
  uint8_t words = 0;        // 0: not a cue itself, only the first word of longer ones
  uint8_t longest = 0;      // single words: the longest cue starting with this word
};

// The hash of one token as the cue table sees it: ASCII lower case, apostrophes (' and U+2019)
// dropped. Tokens from the scorer are already lower case.
[[nodiscard]] uint64_t CueWordHash(std::string_view word);
// The hash of a window: CombineCueHash(CombineCueHash(kCueSeed, w0), w1) ...
inline constexpr uint64_t kCueSeed = 0x9E3779B97F4A7C15ull;
[[nodiscard]] inline uint64_t CombineCueHash(uint64_t h, uint64_t word) {
  h ^= word + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
  h *= 0xFF51AFD7ED558CCDull;
  return h ^ (h >> 33);
}

class CueTable {
 public:
  // Builds the table from cue files; `categories` are the taxonomy ids in index order (tags name
  // them). Errors are "path:line: message".
  struct Source {
    std::string path;
    std::string text;  // when set, parsed instead of reading `path` (path names it in errors)
  };
  [[nodiscard]] static std::string Build(const std::vector<Source>& sources,
                                         const std::vector<std::string>& categories,
                                         CueTable& out);

  // Adds one phrase (config extensions). Returns an error message or empty.
  std::string Add(std::string_view phrase, uint32_t families, uint32_t categories);

  // Null when the window hash is neither a cue nor (one word) the first word of one. An entry
  // with words == 0 only says longer cues start here.
  const CueEntry* Find(uint64_t window_hash) const {
    if (slots_.empty()) return nullptr;
    size_t mask = slots_.size() - 1;
    for (size_t i = window_hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.key == 0) return nullptr;
      if (s.key == window_hash) return &s.entry;
    }
  }

  size_t size() const;  // cues (not counting first-word entries)

 private:
  struct Slot {
    uint64_t key = 0;  // 0: empty
    CueEntry entry;
  };
  void Grow();
  Slot& Upsert(uint64_t hash);

  std::vector<Slot> slots_;
  size_t count_ = 0;
};

}  // namespace earshot::pipeline::complaints
