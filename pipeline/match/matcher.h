// Matcher: finds which brands a post mentions, with the byte spans of each mention.
//
// Holds a shared, immutable RuleSet snapshot and per-post scratch (normalized text, hit lists,
// occurrence caches) reused across calls: thread-compatible, one per worker thread. On the hot
// path: one normalization pass, one RE2::Set scan per pattern set, then work only for the brands
// whose terms occurred. Field filters are checked before any text work when every brand has one.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ingest/post.h"
#include "pipeline/match/rule_set.h"
#include "pipeline/normalize.h"

namespace earshot::pipeline::match {

struct Span {
  uint32_t begin;  // byte offsets into the original field
  uint32_t end;
  bool operator==(const Span&) const = default;
};

struct BrandHit {
  uint32_t brand = 0;              // index into RuleSet::brands()
  std::vector<Span> spans;         // in Post::text
  std::vector<Span> title_spans;   // in Post::title
};

struct MatchResult {
  std::vector<BrandHit> hits;  // hits[0, count) are this post's; capacity is reused
  size_t count = 0;
  bool scan_error = false;  // an RE2::Set ran out of memory: the result may be incomplete
};

class Matcher {
 public:
  explicit Matcher(std::shared_ptr<const RuleSet> rules);

  // Swaps in a new snapshot (between posts).
  void SetRules(std::shared_ptr<const RuleSet> rules);
  const RuleSet& rules() const { return *rules_; }

  void Match(const ingest::Post& post, MatchResult& result);

  // The normalized view of the last post matched (for tests and tools).
  const NormalizedText& normalized() const { return text_; }

 private:
  struct Occurrence {
    uint32_t first;  // token indices, inclusive
    uint32_t last;
  };

  bool FieldMatches(const FieldFilter& f, const ingest::Post& post) const;
  bool Eval(const Program& p, int node, const ingest::Post& post);
  bool Near(const Program& p, const Node& n);
  void CollectAtoms(const Program& p, int node, std::vector<int>& out) const;
  const std::vector<Occurrence>& Occurrences(int atom);
  bool AtomMatched(int atom) const { return atom_stamp_[static_cast<size_t>(atom)] == stamp_; }
  void Resize();

  std::shared_ptr<const RuleSet> rules_;
  Normalizer normalizer_;
  NormalizedText text_;
  uint32_t stamp_ = 0;
  std::vector<uint32_t> atom_stamp_;   // == stamp_: the atom occurs in this post
  std::vector<uint32_t> occ_stamp_;    // == stamp_: occ_[atom] is computed
  std::vector<std::vector<Occurrence>> occ_;
  std::vector<uint32_t> brand_stamp_;  // == stamp_: the brand is a candidate already
  std::vector<uint32_t> candidates_;
  std::vector<int> set_hits_;
  std::vector<int> left_atoms_, right_atoms_;
};

// Glob match of a token against a pattern with '*' (any run) and '?' (one code point).
[[nodiscard]] bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace earshot::pipeline::match
