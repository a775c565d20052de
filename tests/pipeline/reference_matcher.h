// ReferenceMatcher: a deliberately simple evaluator of brand queries, for differential tests of
// pipeline::match::Matcher. Test-only.
//
// It shares the query parser and the Normalizer with the engine (both are tested on their own)
// and nothing else: no RE2, no candidate index, no atom de-duplication. For every brand and every
// term it scans the post's token list with its own matching code, then evaluates the syntax tree
// recursively. The semantics it implements, which the engine must agree with exactly:
//   - a term is the token sequence its text normalizes to; it occurs at token i when each of its
//     tokens equals (or, with * and ?, glob-matches) the text token at i + j, the kinds agree, and
//     no field break lies in between; `{...}` terms compare the cased (NFKC, not folded) view;
//   - a term of one plain word also matches the body of a #hashtag (never an @mention, $cashtag
//     or URL);
//   - `a NEAR/n b` holds when some occurrence of a left term and some occurrence of a right term
//     are disjoint with at most n tokens between them (left first when ordered);
//   - field filters are evaluated on the post's fields;
//   - a brand matches when its query holds and its exclude (if any) does not; its spans are every
//     occurrence of every term of the query that is not under a NOT, sorted and de-duplicated.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ingest/post.h"
#include "pipeline/match/matcher.h"
#include "pipeline/match/query.h"
#include "pipeline/match/rule_set.h"
#include "pipeline/normalize.h"

namespace earshot::testing {

class ReferenceMatcher {
 public:
  struct Hit {
    uint32_t brand = 0;  // index into the rules given to the constructor
    std::vector<pipeline::match::Span> spans;
    std::vector<pipeline::match::Span> title_spans;
    bool operator==(const Hit&) const = default;
  };

  // Rules whose query or exclude does not parse never match (ok() reports whether all parsed).
  explicit ReferenceMatcher(const std::vector<pipeline::match::BrandRule>& rules);

  bool ok() const { return ok_; }

  // Every matching brand, in brand order.
  std::vector<Hit> Match(const ingest::Post& post);

 private:
  struct PatternToken {
    std::string text;
    pipeline::TokenKind kind;
    bool wildcard = false;
  };
  struct Term {
    std::vector<PatternToken> tokens;
    bool cased = false;
    bool hashtag_too = false;
  };
  struct Compiled {
    bool valid = false;
    pipeline::match::Query query;
    std::vector<Term> terms;  // parallel to query.terms
  };
  struct Occurrence {
    size_t first;
    size_t last;
  };

  Compiled CompileQuery(const std::string& text);
  std::vector<Occurrence> Find(const Term& term) const;
  bool Eval(const Compiled& c, int node, const ingest::Post& post) const;
  bool Near(const Compiled& c, const pipeline::match::Node& n) const;
  void TermsUnder(const Compiled& c, int node, std::vector<int>& out) const;
  void PositiveTerms(const Compiled& c, int node, bool negated, std::vector<int>& out) const;

  bool ok_ = true;
  std::vector<Compiled> queries_;
  std::vector<Compiled> excludes_;
  pipeline::Normalizer normalizer_;
  pipeline::NormalizedText text_;
};

// A plain recursive glob: '*' is any run of code points, '?' exactly one.
bool ReferenceGlob(std::string_view pattern, std::string_view text);

// True when `field` holds for `post` (straightforward re-implementation of the filters).
bool ReferenceField(const pipeline::match::FieldFilter& field, const ingest::Post& post);

}  // namespace earshot::testing
