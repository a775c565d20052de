// Matcher: finds which brands a post mentions, with the byte spans of each mention.
//
// Holds a shared, immutable RuleSet snapshot and per-post scratch (normalized text, hit lists,
// occurrence caches) reused across calls: thread-compatible, one per worker thread. On the hot
// path: the token key prefilter (see TokenKeyFilter; most posts end there, without being
// normalized), then one normalization pass, one RE2::Set scan per pattern set, then work only for
// the brands whose terms occurred. Field filters are checked before any text work when every
// brand has one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
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

// What Match() did with the posts it saw (for metrics and benchmarks).
struct MatcherStats {
  uint64_t posts = 0;         // posts given to Match()
  uint64_t no_key_ascii = 0;  // dropped by the token key prefilter on the raw text
  uint64_t no_key_view = 0;   // dropped by the prefilter after full normalization
  uint64_t scanned = 0;       // normalized and scanned with the RE2::Sets
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

  const MatcherStats& stats() const { return stats_; }

  // The normalized view of the last post matched (for tests and tools). Built here, from a copy
  // of the post's fields, when the token key prefilter let Match() skip it.
  const NormalizedText& normalized() const;

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

  // True when no atom a brand needs can occur in the post (see TokenKeyFilter): then neither
  // the token list nor the RE2::Set scan is needed. Normalizes the post into text_ when a field
  // does not take the ASCII fast path (sets normalized_).
  bool NoKeyToken(const ingest::Post& post, bool& normalized);

  std::shared_ptr<const RuleSet> rules_;
  mutable Normalizer normalizer_;
  mutable NormalizedText text_;
  AsciiWordRuns runs_;
  MatcherStats stats_;
  std::string padded_;  // the view and 8 zero bytes, for TokenKeyFilter::AnyViewToken
  // The last post's fields when Match() skipped normalizing it (normalized() builds text_).
  mutable bool deferred_ = false;
  std::string deferred_title_, deferred_text_;
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
