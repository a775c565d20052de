// RuleSet: every brand's query compiled into one immutable snapshot that all workers share.
//
// All distinct terms and phrases ("atoms") of all brands become patterns over the normalized
// token view (see pipeline/normalize.h) in a few RE2::Sets, so one pass over a post finds every
// atom that occurs. Each brand's query is kept as a small tree evaluated over the set of atoms
// found; proximity is checked on token positions, and spans are extracted only for brands that
// matched. Immutable after Compile(); thread-safe to share (shared_ptr<const RuleSet>).
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/match/query.h"
#include "pipeline/normalize.h"

namespace earshot::pipeline::match {

struct BrandRule {
  std::string id;
  std::string name;
  std::string query;
  std::string exclude;  // optional: a match of this query vetoes the brand
  std::string competitors;
  std::vector<std::string> tags;
};

struct MatchOptions {
  // Memory for all RE2::Sets together (program and DFA caches). RE2::Set fails silently, or
  // thrashes, when its budget is too small for its patterns: keep at least 16 MiB per set.
  size_t max_mem_bytes = 512u << 20;
  size_t patterns_per_set = 2500;
};

struct CompileError {
  size_t brand = 0;         // index into the rules given to Compile()
  bool in_exclude = false;  // the error is in `exclude`, not `query`
  uint32_t offset = 0;      // byte offset into that query string
  std::string message;
};

// One word of an atom: literal text (folded, or as written for case-sensitive atoms) that may
// hold the wildcards '*' (any run of characters) and '?' (one character).
struct TokenPattern {
  std::string text;
  bool wildcard = false;
  TokenKind kind = TokenKind::kWord;  // a word pattern never matches an @mention, URL, ...
};

struct Atom {
  std::vector<TokenPattern> tokens;
  bool cased = false;          // matched against the cased view
  bool allow_hashtag = false;  // a plain single word also matches its #hashtag
  // Holds a wildcard: the RE2::Set hit is only a candidate (a '?' or '*' could cover the '@' of
  // a mention or the "://" of a URL), confirmed on the tokens with their kinds.
  bool verify = false;
  std::string regex;           // the pattern in the RE2::Set
};

// A compiled query: the syntax tree with terms resolved to atom ids.
struct Program {
  std::vector<Node> nodes;
  int root = -1;
  std::vector<int> term_atoms;  // Query::terms index -> atom id
  std::vector<FieldFilter> fields;
  std::vector<int> required_fields;  // fields that are top-level AND conjuncts
  std::vector<int> positive_atoms;   // atoms not under a NOT (their spans are reported)
  bool empty() const { return root < 0; }
};

struct CompiledBrand {
  BrandRule rule;
  Program query;
  Program exclude;
};

class RuleSet {
 public:
  // Compiles `rules`. Returns null and fills `errors` (one or more per bad rule) on failure.
  static std::shared_ptr<const RuleSet> Compile(std::vector<BrandRule> rules,
                                                const MatchOptions& options,
                                                std::vector<CompileError>& errors);

  const std::vector<CompiledBrand>& brands() const { return brands_; }
  const std::vector<Atom>& atoms() const { return atoms_; }
  bool has_cased_atoms() const { return has_cased_; }
  // True for the folded twin of a case-sensitive atom: the cased view is built and scanned only
  // for posts in which one of these occurred (a cased match implies its folded twin's match).
  bool is_cased_gate(int atom) const { return cased_gate_[static_cast<size_t>(atom)] != 0; }
  // True when every brand has a field filter it requires: then a post failing them all needs
  // no text work.
  bool all_brands_field_gated() const { return all_field_gated_; }

  struct SetGroup {
    std::unique_ptr<RE2::Set> set;
    std::vector<int> atom_ids;  // set-local pattern index -> atom id
  };
  const std::vector<SetGroup>& folded_sets() const { return folded_sets_; }
  const std::vector<SetGroup>& cased_sets() const { return cased_sets_; }
  // Brands whose query uses the atom outside a NOT: only they can match when it occurs.
  const std::vector<std::vector<uint32_t>>& atom_brands() const { return atom_brands_; }
  size_t memory_budget_bytes() const { return memory_budget_; }

 private:
  RuleSet() = default;

  std::vector<CompiledBrand> brands_;
  std::vector<Atom> atoms_;
  std::vector<SetGroup> folded_sets_;
  std::vector<SetGroup> cased_sets_;
  std::vector<std::vector<uint32_t>> atom_brands_;
  std::vector<uint8_t> cased_gate_;
  bool has_cased_ = false;
  bool all_field_gated_ = false;
  size_t memory_budget_ = 0;
};

}  // namespace earshot::pipeline::match
