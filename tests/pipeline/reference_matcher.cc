#include "tests/pipeline/reference_matcher.h"

#include <algorithm>

namespace earshot::testing {

using pipeline::Token;
using pipeline::TokenKind;
using pipeline::match::BrandRule;
using pipeline::match::Comparison;
using pipeline::match::FieldFilter;
using pipeline::match::FieldName;
using pipeline::match::Node;
using pipeline::match::NodeKind;
using pipeline::match::Span;

namespace {

size_t CodePointLength(std::string_view s) {
  unsigned char c = static_cast<unsigned char>(s[0]);
  size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  return std::min(n, s.size());
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string WithoutSchemeAndWww(std::string_view url) {
  std::string s = Lower(url);
  size_t scheme = s.find("://");
  if (scheme != std::string::npos) s.erase(0, scheme + 3);
  if (StartsWith(s, "www.")) s.erase(0, 4);
  return s;
}

std::string HostOf(std::string_view url) {
  std::string s = Lower(url);
  size_t scheme = s.find("://");
  if (scheme != std::string::npos) s.erase(0, scheme + 3);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '/' || s[i] == ':' || s[i] == '?' || s[i] == '#') return s.substr(0, i);
  }
  return s;
}

bool Holds(double value, Comparison cmp, double bound) {
  if (cmp == Comparison::kLt) return value < bound;
  if (cmp == Comparison::kLe) return value <= bound;
  if (cmp == Comparison::kGt) return value > bound;
  if (cmp == Comparison::kGe) return value >= bound;
  return value == bound;
}

}  // namespace

bool ReferenceGlob(std::string_view pattern, std::string_view text) {
  // Dynamic programming over code points: can[i][j] says pattern[i..] matches text[j..].
  std::vector<std::string_view> p, t;
  for (size_t i = 0; i < pattern.size(); i += CodePointLength(pattern.substr(i))) {
    p.push_back(pattern.substr(i, CodePointLength(pattern.substr(i))));
  }
  for (size_t i = 0; i < text.size(); i += CodePointLength(text.substr(i))) {
    t.push_back(text.substr(i, CodePointLength(text.substr(i))));
  }
  std::vector<std::vector<char>> can(p.size() + 1, std::vector<char>(t.size() + 1, 0));
  can[p.size()][t.size()] = 1;
  for (size_t i = p.size(); i-- > 0;) {
    for (size_t j = t.size() + 1; j-- > 0;) {
      if (p[i] == "*") {
        can[i][j] = can[i + 1][j] || (j < t.size() && can[i][j + 1]);
      } else if (j < t.size()) {
        can[i][j] = (p[i] == "?" || p[i] == t[j]) && can[i + 1][j + 1];
      }
    }
  }
  return can[0][0] != 0;
}

bool ReferenceField(const FieldFilter& f, const ingest::Post& post) {
  switch (f.name) {
    case FieldName::kAuthor: {
      std::string handle = Lower(post.author.handle);
      if (StartsWith(handle, "@")) handle.erase(0, 1);
      return handle == f.value || Lower(post.author.id) == f.value;
    }
    case FieldName::kLang: {
      std::string lang = Lower(post.lang);
      return lang == f.value || StartsWith(lang, f.value + "-");
    }
    case FieldName::kSource: return std::string(ingest::SourceName(post.source)) == f.value;
    case FieldName::kSite: {
      std::vector<std::string> urls = post.links;
      if (!post.url.empty()) urls.push_back(post.url);
      for (const auto& u : urls) {
        std::string host = HostOf(u);
        if (host == f.value) return true;
        if (host.size() > f.value.size() &&
            host.compare(host.size() - f.value.size(), f.value.size(), f.value) == 0 &&
            host[host.size() - f.value.size() - 1] == '.') {
          return true;
        }
      }
      return false;
    }
    case FieldName::kUrl: {
      std::vector<std::string> urls = post.links;
      if (!post.url.empty()) urls.push_back(post.url);
      std::string want = WithoutSchemeAndWww(f.value);
      for (const auto& u : urls) {
        if (StartsWith(WithoutSchemeAndWww(u), want)) return true;
      }
      return false;
    }
    case FieldName::kSubreddit:
      return post.source == ingest::Source::kReddit && Lower(post.community) == f.value;
    case FieldName::kRating: return post.rating.has_value() && Holds(*post.rating, f.cmp, f.number);
    case FieldName::kFollowers:
      return post.author.followers.has_value() &&
             Holds(static_cast<double>(*post.author.followers), f.cmp, f.number);
  }
  return false;
}

ReferenceMatcher::ReferenceMatcher(const std::vector<BrandRule>& rules) {
  for (const auto& rule : rules) {
    queries_.push_back(CompileQuery(rule.query));
    ok_ = ok_ && queries_.back().valid;
    if (rule.exclude.empty()) {
      excludes_.emplace_back();
    } else {
      excludes_.push_back(CompileQuery(rule.exclude));
      ok_ = ok_ && excludes_.back().valid;
    }
  }
}

ReferenceMatcher::Compiled ReferenceMatcher::CompileQuery(const std::string& text) {
  Compiled c;
  pipeline::match::QueryError error;
  if (!ParseQuery(text, c.query, error)) return c;
  c.valid = true;
  for (const auto& spec : c.query.terms) {
    pipeline::NormalizedText normalized;
    pipeline::NormalizeOptions options;
    options.cased = true;
    options.query_wildcards = true;
    normalizer_.Normalize({}, spec.text, options, normalized);
    Term term;
    term.cased = spec.cased;
    for (const Token& t : normalized.tokens) {
      std::string s(spec.cased ? normalized.CasedText(t) : normalized.TokenText(t));
      bool wildcard = s.find_first_of("*?") != std::string::npos;
      term.tokens.push_back({s, t.kind, wildcard});
    }
    term.hashtag_too = term.tokens.size() == 1 && term.tokens[0].kind == TokenKind::kWord;
    c.terms.push_back(std::move(term));
  }
  return c;
}

std::vector<ReferenceMatcher::Occurrence> ReferenceMatcher::Find(const Term& term) const {
  std::vector<Occurrence> out;
  const auto& tokens = text_.tokens;
  if (term.tokens.empty()) return out;
  for (size_t i = 0; i + term.tokens.size() <= tokens.size(); ++i) {
    bool all = true;
    for (size_t j = 0; j < term.tokens.size() && all; ++j) {
      const Token& t = tokens[i + j];
      const PatternToken& p = term.tokens[j];
      std::string_view s = term.cased ? text_.CasedText(t) : text_.TokenText(t);
      if (t.kind == p.kind) {
        // same kind: compare as is
      } else if (j == 0 && term.hashtag_too && t.kind == TokenKind::kHashtag) {
        s.remove_prefix(1);
      } else {
        all = false;
        break;
      }
      all = p.wildcard ? ReferenceGlob(p.text, s) : s == p.text;
    }
    if (all) out.push_back({i, i + term.tokens.size() - 1});
  }
  return out;
}

void ReferenceMatcher::TermsUnder(const Compiled& c, int node, std::vector<int>& out) const {
  const Node& n = c.query.nodes[static_cast<size_t>(node)];
  if (n.kind == NodeKind::kTerm) out.push_back(n.index);
  for (int child : n.children) TermsUnder(c, child, out);
}

void ReferenceMatcher::PositiveTerms(const Compiled& c, int node, bool negated,
                                     std::vector<int>& out) const {
  const Node& n = c.query.nodes[static_cast<size_t>(node)];
  if (n.kind == NodeKind::kTerm && !negated) out.push_back(n.index);
  for (int child : n.children) {
    PositiveTerms(c, child, n.kind == NodeKind::kNot ? !negated : negated, out);
  }
}

bool ReferenceMatcher::Near(const Compiled& c, const Node& n) const {
  std::vector<int> left, right;
  TermsUnder(c, n.children[0], left);
  TermsUnder(c, n.children[1], right);
  const auto& tokens = text_.tokens;
  std::vector<std::vector<Occurrence>> right_occurrences;
  for (int r : right) right_occurrences.push_back(Find(c.terms[static_cast<size_t>(r)]));
  for (int l : left) {
    for (const Occurrence& lo : Find(c.terms[static_cast<size_t>(l)])) {
      for (const auto& occurrences : right_occurrences) {
        for (const Occurrence& ro : occurrences) {
          int64_t l_first = tokens[lo.first].position, l_last = tokens[lo.last].position;
          int64_t r_first = tokens[ro.first].position, r_last = tokens[ro.last].position;
          int64_t gap = -1;
          if (r_first > l_last) {
            gap = r_first - l_last - 1;
          } else if (!n.ordered && l_first > r_last) {
            gap = l_first - r_last - 1;
          }
          if (gap >= 0 && gap <= n.distance) return true;
        }
      }
    }
  }
  return false;
}

bool ReferenceMatcher::Eval(const Compiled& c, int node, const ingest::Post& post) const {
  const Node& n = c.query.nodes[static_cast<size_t>(node)];
  switch (n.kind) {
    case NodeKind::kTerm: return !Find(c.terms[static_cast<size_t>(n.index)]).empty();
    case NodeKind::kField:
      return ReferenceField(c.query.fields[static_cast<size_t>(n.index)], post);
    case NodeKind::kNot: return !Eval(c, n.children[0], post);
    case NodeKind::kAnd: {
      bool all = true;
      for (int child : n.children) all = Eval(c, child, post) && all;
      return all;
    }
    case NodeKind::kOr: {
      bool any = false;
      for (int child : n.children) any = Eval(c, child, post) || any;
      return any;
    }
    case NodeKind::kNear: return Near(c, n);
  }
  return false;
}

std::vector<ReferenceMatcher::Hit> ReferenceMatcher::Match(const ingest::Post& post) {
  pipeline::NormalizeOptions options;
  options.cased = true;
  normalizer_.Normalize(post.title, post.text, options, text_);
  std::vector<Hit> hits;
  for (size_t b = 0; b < queries_.size(); ++b) {
    const Compiled& q = queries_[b];
    if (!q.valid || !Eval(q, q.query.root, post)) continue;
    const Compiled& x = excludes_[b];
    if (x.valid && Eval(x, x.query.root, post)) continue;
    Hit hit;
    hit.brand = static_cast<uint32_t>(b);
    std::vector<int> positive;
    PositiveTerms(q, q.query.root, false, positive);
    for (int t : positive) {
      for (const Occurrence& o : Find(q.terms[static_cast<size_t>(t)])) {
        const Token& first = text_.tokens[o.first];
        const Token& last = text_.tokens[o.last];
        Span span{first.orig_begin, last.orig_end};
        (first.field == pipeline::Field::kTitle ? hit.title_spans : hit.spans).push_back(span);
      }
    }
    for (auto* spans : {&hit.spans, &hit.title_spans}) {
      std::sort(spans->begin(), spans->end(), [](const Span& a, const Span& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
      });
      spans->erase(std::unique(spans->begin(), spans->end()), spans->end());
    }
    hits.push_back(std::move(hit));
  }
  return hits;
}

}  // namespace earshot::testing
