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

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
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
  std::string regex;           // the set pattern: " apple", " nimbus air" (a plain word's
                               // hashtag, " #apple", is a second pattern of the same atom)
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

// A prefilter over whole tokens, so that most posts need neither the token list nor the RE2::Set
// scan. Every atom a brand needs (see RuleSet::atom_brands) has one key, taken from its tokens (for
// a case-sensitive atom, from its folded twin's):
//   - two adjacent literal tokens, their '@', '#' or '$' removed, when it has them;
//   - else one literal token (as is: "@delta" is not "delta");
//   - else the literal prefix of a wildcard token ("appl" for "appl*").
// An atom occurs only where its key does: a post in which no token, pair of adjacent tokens or
// token prefix is a key (a hashtag is tried without its '#' too, as plain words match hashtags)
// holds no atom a brand needs, and so matches no brand. Keys are kept as 64-bit hashes; a
// collision only sends a post on to the full scan. Disabled (always "maybe") when some atom has no
// usable key (URL tokens only, or a wildcard first: `?pple`).
class TokenKeyFilter {
 public:
  // The hash of the `len` bytes at `p`, which must have 8 readable bytes when len < 8 (the bytes
  // past `len` do not change the value). Hash(s) is the same value, reading only `s`.
  static uint64_t HashPadded(const char* p, size_t len) {
    uint64_t a = 0, b = 0;
    std::memcpy(&a, p, 8);
    if (len < 8) a &= (uint64_t{1} << (8 * len)) - 1;
    if (len > 8) std::memcpy(&b, p + len - 8, 8);
    return Fold((a + len) * 0xBF58476D1CE4E5B9ull ^ b * 0x94D049BB133111EBull);
  }
  static uint64_t Hash(std::string_view s) {
    if (s.size() >= 8) return HashPadded(s.data(), s.size());
    char buf[8] = {};
    std::memcpy(buf, s.data(), s.size());
    return HashPadded(buf, s.size());
  }
  // The key of two adjacent tokens, from their hashes.
  static uint64_t PairHash(uint64_t first, uint64_t second) {
    return Fold((first ^ std::rotl(second, 29)) * 0xC2B2AE3D27D4EB4Full);
  }

  bool enabled() const { return enabled_; }
  size_t key_count() const { return keys_; }
  // A key holds an emoji, a flag or a character of a no-space script (see HoldsSymbol): then
  // such characters in a post cannot be skipped.
  bool symbol_keys() const { return symbol_keys_; }

  // False when no run of `runs` (the ASCII word runs of a field, found by FindAsciiWordRuns with
  // allow_symbols = !symbol_keys()) can be a key token, start a key pair or start with a key
  // prefix, alone or with the '@', '#' or '$' before it: then the field holds no key.
  bool AnyRun(const AsciiWordRuns& runs) const;
  // False when no token of a normalized view (`size` bytes at `view`, then 8 more readable
  // bytes) can hold a key. Both are true when the filter is disabled.
  bool AnyViewToken(const char* view, size_t size) const;

 private:
  friend class RuleSet;
  // The high bits of a product depend on all the bits below them: fold them down too (the bitmap
  // takes the high bits of a hash, the table the low ones).
  static uint64_t Fold(uint64_t h) {
    return (h ^ (h >> 32)) | 1;  // 0 marks an empty slot
  }
  void Add(uint64_t hash);
  bool Contains(uint64_t hash) const {
    // A bit per hash in a small bitmap first: most probes end there, in L1.
    const uint64_t bit = hash >> bloom_shift_;
    if ((bloom_[bit >> 6] >> (bit & 63) & 1) == 0) return false;
    for (size_t i = (hash >> 1) & mask_;; i = (i + 1) & mask_) {
      const uint64_t v = table_[i];
      if (v == hash) return true;
      if (v == 0) return false;
    }
  }
  // The token (or a prefix of it) at `p` is a key; `p` as for HashPadded.
  bool ContainsToken(const char* p, size_t len) const;
  // Some prefix key starts like the token at `p` (`p` as for HashPadded): a bit per hash of the
  // first prefix_gate_ bytes (the length of the shortest prefix key, at most 4) of every prefix
  // key.
  bool MayStartPrefixKey(const char* p, size_t len) const {
    // No prefix keys: nothing to look up (a token may be longer than the placeholder gate).
    if (prefix_start_.empty() || len < prefix_gate_) return false;
    const uint64_t bit = PrefixGateHash(p, prefix_gate_);
    return (prefix_start_[bit >> 6] >> (bit & 63) & 1) != 0;
  }
  static uint64_t PrefixGateHash(const char* p, size_t n) {
    uint32_t a = 0;
    std::memcpy(&a, p, 4);
    if (n < 4) a &= (uint32_t{1} << (8 * n)) - 1;
    return (uint64_t{a} * 0x9E3779B97F4A7C15ull) >> 48;  // 16 bits
  }

  bool enabled_ = false;
  bool has_pairs_ = false;
  bool symbol_keys_ = false;
  size_t keys_ = 0;
  std::vector<uint64_t> table_;  // open addressing, at most a quarter full
  size_t mask_ = 0;
  std::vector<uint64_t> bloom_;  // bit (hash >> bloom_shift_) set for every key
  int bloom_shift_ = 63;
  std::vector<uint32_t> prefix_lengths_;  // lengths of the prefix keys (wildcard tokens)
  std::vector<uint64_t> prefix_start_;    // 65,536 bits, see MayStartPrefixKey
  size_t prefix_gate_ = 255;
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
  const TokenKeyFilter& key_filter() const { return key_filter_; }

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
  TokenKeyFilter key_filter_;
};

}  // namespace earshot::pipeline::match
