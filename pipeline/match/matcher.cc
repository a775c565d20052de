#include "pipeline/match/matcher.h"

#include <algorithm>

namespace earshot::pipeline::match {
namespace {

size_t Utf8Length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xE) return 3;
  if ((c >> 3) == 0x1E) return 4;
  return 1;
}

std::string_view Host(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  size_t end = url.find_first_of("/:?#");
  if (end != std::string_view::npos) url = url.substr(0, end);
  return url;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsNoCase(s.substr(0, prefix.size()), prefix);
}

std::string_view StripSchemeAndWww(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  if (StartsWithNoCase(url, "www.")) url.remove_prefix(4);
  return url;
}

bool Compare(double value, Comparison cmp, double bound) {
  switch (cmp) {
    case Comparison::kEq: return value == bound;
    case Comparison::kLt: return value < bound;
    case Comparison::kLe: return value <= bound;
    case Comparison::kGt: return value > bound;
    case Comparison::kGe: return value >= bound;
  }
  return false;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = p++;
      star_t = t;
    } else if (p < pattern.size() && pattern[p] == '?') {
      ++p;
      t += Utf8Length(static_cast<unsigned char>(text[t]));
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      star_t += Utf8Length(static_cast<unsigned char>(text[star_t]));
      t = star_t;
    } else {
      return false;
    }
  }
  if (t > text.size()) return false;
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Matcher::Matcher(std::shared_ptr<const RuleSet> rules) { SetRules(std::move(rules)); }

void Matcher::SetRules(std::shared_ptr<const RuleSet> rules) {
  rules_ = std::move(rules);
  Resize();
}

void Matcher::Resize() {
  atom_stamp_.assign(rules_->atoms().size(), 0);
  occ_stamp_.assign(rules_->atoms().size(), 0);
  occ_.assign(rules_->atoms().size(), {});
  brand_stamp_.assign(rules_->brands().size(), 0);
  stamp_ = 0;
}

bool Matcher::FieldMatches(const FieldFilter& f, const ingest::Post& post) const {
  switch (f.name) {
    case FieldName::kAuthor: {
      std::string_view handle = post.author.handle;
      if (!handle.empty() && handle[0] == '@') handle.remove_prefix(1);
      return EqualsNoCase(handle, f.value) || EqualsNoCase(post.author.id, f.value);
    }
    case FieldName::kLang:
      return EqualsNoCase(post.lang, f.value) ||
             (StartsWithNoCase(post.lang, f.value) && post.lang.size() > f.value.size() &&
              post.lang[f.value.size()] == '-');
    case FieldName::kSource: return ingest::SourceName(post.source) == f.value;
    case FieldName::kSite: {
      auto host_matches = [&](std::string_view url) {
        std::string_view host = Host(url);
        if (EqualsNoCase(host, f.value)) return true;
        return host.size() > f.value.size() &&
               EqualsNoCase(host.substr(host.size() - f.value.size()), f.value) &&
               host[host.size() - f.value.size() - 1] == '.';
      };
      if (!post.url.empty() && host_matches(post.url)) return true;
      for (const auto& link : post.links) {
        if (host_matches(link)) return true;
      }
      return false;
    }
    case FieldName::kUrl: {
      std::string_view want = StripSchemeAndWww(f.value);
      if (StartsWithNoCase(StripSchemeAndWww(post.url), want) && !post.url.empty()) return true;
      for (const auto& link : post.links) {
        if (StartsWithNoCase(StripSchemeAndWww(link), want)) return true;
      }
      return false;
    }
    case FieldName::kSubreddit:
      return post.source == ingest::Source::kReddit && EqualsNoCase(post.community, f.value);
    case FieldName::kRating: return post.rating && Compare(*post.rating, f.cmp, f.number);
    case FieldName::kFollowers:
      return post.author.followers &&
             Compare(static_cast<double>(*post.author.followers), f.cmp, f.number);
  }
  return false;
}

const std::vector<Matcher::Occurrence>& Matcher::Occurrences(int atom_id) {
  auto a = static_cast<size_t>(atom_id);
  std::vector<Occurrence>& out = occ_[a];
  if (occ_stamp_[a] == stamp_) return out;
  occ_stamp_[a] = stamp_;
  out.clear();
  const Atom& atom = rules_->atoms()[a];
  const auto& tokens = text_.tokens;
  const size_t k = atom.tokens.size();
  auto token_matches = [&](const TokenPattern& p, const Token& t, bool first) {
    std::string_view s = atom.cased ? text_.CasedText(t) : text_.TokenText(t);
    if (first && atom.allow_hashtag && t.kind == TokenKind::kHashtag) {
      s.remove_prefix(1);
    } else if (t.kind != p.kind) {
      return false;  // also keeps field breaks out
    }
    return p.wildcard ? GlobMatch(p.text, s) : s == p.text;
  };
  for (size_t i = 0; i + k <= tokens.size(); ++i) {
    bool ok = true;
    for (size_t j = 0; j < k && ok; ++j) ok = token_matches(atom.tokens[j], tokens[i + j], j == 0);
    if (ok) out.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(i + k - 1)});
  }
  return out;
}

void Matcher::CollectAtoms(const Program& p, int node, std::vector<int>& out) const {
  const Node& n = p.nodes[static_cast<size_t>(node)];
  if (n.kind == NodeKind::kTerm) {
    out.push_back(p.term_atoms[static_cast<size_t>(n.index)]);
    return;
  }
  for (int c : n.children) CollectAtoms(p, c, out);
}

bool Matcher::Near(const Program& p, const Node& n) {
  left_atoms_.clear();
  right_atoms_.clear();
  CollectAtoms(p, n.children[0], left_atoms_);
  CollectAtoms(p, n.children[1], right_atoms_);
  const auto& tokens = text_.tokens;
  for (int la : left_atoms_) {
    if (!AtomMatched(la)) continue;
    for (int ra : right_atoms_) {
      if (!AtomMatched(ra)) continue;
      // Copy: Occurrences() may grow occ_ storage of another atom, never this one's, but the
      // references stay valid because occ_ is not resized during a match.
      const auto& lo = Occurrences(la);
      const auto& ro = Occurrences(ra);
      // Occurrences come in document order, their first and last positions both rising, so
      // for each left one only two right ones can be nearest: the first that begins after it
      // and (unordered) the last that ends before it. Both move forward only: linear time,
      // where comparing every pair took seconds on a long post full of both words.
      const auto begin_of = [&](const Occurrence& o) { return tokens[o.first].position; };
      const auto end_of = [&](const Occurrence& o) { return tokens[o.last].position; };
      const auto distance = static_cast<uint32_t>(n.distance);
      size_t after = 0;   // first right occurrence beginning after the left one's end
      size_t before = 0;  // right occurrences [0, before) end before the left one begins
      for (const Occurrence& l : lo) {
        const uint32_t l_begin = begin_of(l), l_end = end_of(l);
        while (after < ro.size() && begin_of(ro[after]) <= l_end) ++after;
        if (after < ro.size() && begin_of(ro[after]) - l_end - 1 <= distance) return true;
        if (!n.ordered) {
          while (before < ro.size() && end_of(ro[before]) < l_begin) ++before;
          if (before > 0 && l_begin - end_of(ro[before - 1]) - 1 <= distance) return true;
        }
      }
    }
  }
  return false;
}

bool Matcher::Eval(const Program& p, int node, const ingest::Post& post) {
  const Node& n = p.nodes[static_cast<size_t>(node)];
  switch (n.kind) {
    case NodeKind::kTerm: return AtomMatched(p.term_atoms[static_cast<size_t>(n.index)]);
    case NodeKind::kField: return FieldMatches(p.fields[static_cast<size_t>(n.index)], post);
    case NodeKind::kNot: return !Eval(p, n.children[0], post);
    case NodeKind::kAnd:
      for (int c : n.children) {
        if (!Eval(p, c, post)) return false;
      }
      return true;
    case NodeKind::kOr:
      for (int c : n.children) {
        if (Eval(p, c, post)) return true;
      }
      return false;
    case NodeKind::kNear: return Near(p, n);
  }
  return false;
}

const NormalizedText& Matcher::normalized() const {
  if (deferred_) {
    normalizer_.Normalize(deferred_title_, deferred_text_, NormalizeOptions{}, text_);
    deferred_ = false;
  }
  return text_;
}

bool Matcher::NoKeyToken(const ingest::Post& post, bool& normalized) {
  const TokenKeyFilter& filter = rules_->key_filter();
  normalized = false;
  bool ascii = true;
  for (const std::string* field : {&post.title, &post.text}) {
    if (field->empty()) continue;
    if (!FindAsciiWordRuns(*field, !filter.symbol_keys(), runs_)) {
      ascii = false;
      break;
    }
    if (filter.AnyRun(runs_)) return false;
  }
  if (ascii) return true;
  // A field outside the ASCII fast path: look at the real tokens.
  normalizer_.Normalize(post.title, post.text, NormalizeOptions{}, text_);
  normalized = true;
  padded_.assign(text_.view);
  padded_.append(8, '\0');
  return !filter.AnyViewToken(padded_.data(), text_.view.size());
}

void Matcher::Match(const ingest::Post& post, MatchResult& result) {
  result.count = 0;
  result.scan_error = false;
  deferred_ = false;
  ++stats_.posts;
  const RuleSet& rs = *rules_;
  if (rs.brands().empty()) return;
  if (++stamp_ == 0) {  // wrapped: reset every stamp
    Resize();
    stamp_ = 1;
  }
  // Field gates first: when every brand requires a field filter and the post passes none, no
  // brand can match and the text need not be looked at.
  if (rs.all_brands_field_gated()) {
    bool any = false;
    for (const CompiledBrand& b : rs.brands()) {
      bool pass = true;
      for (int f : b.query.required_fields) {
        if (!FieldMatches(b.query.fields[static_cast<size_t>(f)], post)) {
          pass = false;
          break;
        }
      }
      if (pass) {
        any = true;
        break;
      }
    }
    if (!any) {
      text_.Clear();
      return;
    }
  }

  // Most posts hold no token that could start an atom a brand needs: they are done here.
  bool normalized = false;
  if (rs.key_filter().enabled() && NoKeyToken(post, normalized)) {
    ++(normalized ? stats_.no_key_view : stats_.no_key_ascii);
    if (!normalized) {
      text_.Clear();
      deferred_ = true;
      deferred_title_.assign(post.title);
      deferred_text_.assign(post.text);
    }
    return;
  }

  // The folded view first; the cased view only when a case-sensitive atom may occur.
  NormalizeOptions options;
  if (!normalized) normalizer_.Normalize(post.title, post.text, options, text_);
  bool need_cased = false;
  ++stats_.scanned;

  candidates_.clear();
  auto scan = [&](const std::vector<RuleSet::SetGroup>& groups, const std::string& view) {
    for (const auto& group : groups) {
      set_hits_.clear();
      RE2::Set::ErrorInfo info{};
      if (!group.set->Match(view, &set_hits_, &info) && info.kind != RE2::Set::kNoError) {
        result.scan_error = true;
      }
      for (int local : set_hits_) {
        int atom = group.atom_ids[static_cast<size_t>(local)];
        // A set hit is only a candidate, confirmed on the tokens with their kinds: a wildcard
        // could cover the '@' of a mention or the "://" of a URL, and a URL token's view text can
        // equal a word's ("www." and "http://acme" give "www" and "acme").
        if (Occurrences(atom).empty()) continue;
        need_cased = need_cased || rs.is_cased_gate(atom);
        atom_stamp_[static_cast<size_t>(atom)] = stamp_;
        for (uint32_t b : rs.atom_brands()[static_cast<size_t>(atom)]) {
          if (brand_stamp_[b] != stamp_) {
            brand_stamp_[b] = stamp_;
            candidates_.push_back(b);
          }
        }
      }
    }
  };
  scan(rs.folded_sets(), text_.view);
  if (rs.has_cased_atoms() && need_cased) {
    // Same tokens, same positions: occurrences already computed stay valid.
    options.cased = true;
    normalizer_.Normalize(post.title, post.text, options, text_);
    scan(rs.cased_sets(), text_.cased);
  }
  if (candidates_.empty()) return;
  std::sort(candidates_.begin(), candidates_.end());

  for (uint32_t b : candidates_) {
    const CompiledBrand& brand = rs.brands()[b];
    if (!Eval(brand.query, brand.query.root, post)) continue;
    if (!brand.exclude.empty() && Eval(brand.exclude, brand.exclude.root, post)) continue;
    if (result.hits.size() <= result.count) result.hits.emplace_back();
    BrandHit& hit = result.hits[result.count++];
    hit.brand = b;
    hit.spans.clear();
    hit.title_spans.clear();
    for (int atom : brand.query.positive_atoms) {
      if (!AtomMatched(atom)) continue;
      for (const Occurrence& o : Occurrences(atom)) {
        const Token& first = text_.tokens[o.first];
        const Token& last = text_.tokens[o.last];
        Span span{first.orig_begin, last.orig_end};
        (first.field == Field::kTitle ? hit.title_spans : hit.spans).push_back(span);
      }
    }
    for (auto* spans : {&hit.spans, &hit.title_spans}) {
      std::sort(spans->begin(), spans->end(),
                [](const Span& x, const Span& y) { return x.begin != y.begin ? x.begin < y.begin : x.end < y.end; });
      spans->erase(std::unique(spans->begin(), spans->end()), spans->end());
    }
  }
}

}  // namespace earshot::pipeline::match
