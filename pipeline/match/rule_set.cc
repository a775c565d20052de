#include "pipeline/match/rule_set.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "pipeline/normalize.h"

namespace earshot::pipeline::match {
namespace {

constexpr size_t kMinSetMemory = 16u << 20;  // below this RE2::Set thrashes or fails silently
constexpr int kMaxLeavesForCheck = 12;       // exhaustive checks over at most 2^12 assignments

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Evaluates a query for fixed truth values of its leaves; NEAR counts as AND here.
bool EvalConst(const Query& q, int node, const std::function<bool(const Node&)>& leaf) {
  const Node& n = q.nodes[static_cast<size_t>(node)];
  switch (n.kind) {
    case NodeKind::kTerm:
    case NodeKind::kField: return leaf(n);
    case NodeKind::kNot: return !EvalConst(q, n.children[0], leaf);
    case NodeKind::kAnd:
    case NodeKind::kNear:
      for (int c : n.children) {
        if (!EvalConst(q, c, leaf)) return false;
      }
      return true;
    case NodeKind::kOr:
      for (int c : n.children) {
        if (EvalConst(q, c, leaf)) return true;
      }
      return false;
  }
  return false;
}

enum class Truth : uint8_t { kFalse, kTrue, kUnknown };

// The value of `node` when every term is absent and every field filter is unknown.
Truth MayHoldWithoutTerms(const Query& q, int node) {
  const Node& n = q.nodes[static_cast<size_t>(node)];
  switch (n.kind) {
    case NodeKind::kTerm:
    case NodeKind::kNear: return Truth::kFalse;
    case NodeKind::kField: return Truth::kUnknown;
    case NodeKind::kNot: {
      Truth t = MayHoldWithoutTerms(q, n.children[0]);
      return t == Truth::kUnknown ? t : (t == Truth::kTrue ? Truth::kFalse : Truth::kTrue);
    }
    case NodeKind::kAnd: {
      Truth out = Truth::kTrue;
      for (int c : n.children) {
        Truth t = MayHoldWithoutTerms(q, c);
        if (t == Truth::kFalse) return t;
        if (t == Truth::kUnknown) out = t;
      }
      return out;
    }
    case NodeKind::kOr: {
      Truth out = Truth::kFalse;
      for (int c : n.children) {
        Truth t = MayHoldWithoutTerms(q, c);
        if (t == Truth::kTrue) return t;
        if (t == Truth::kUnknown) out = t;
      }
      return out;
    }
  }
  return Truth::kUnknown;
}

class Compiler {
 public:
  Compiler(std::vector<Atom>& atoms, std::vector<CompileError>& errors)
      : atoms_(atoms), errors_(errors) {}

  bool CompileProgram(std::string_view text, size_t brand, bool in_exclude, Program& program) {
    Query query;
    QueryError qerr;
    if (!ParseQuery(text, query, qerr)) {
      errors_.push_back({brand, in_exclude, qerr.offset, qerr.message});
      return false;
    }
    bool ok = true;
    program.term_atoms.resize(query.terms.size(), -1);
    for (size_t i = 0; i < query.terms.size(); ++i) {
      std::string message;
      int atom = CompileTerm(query.terms[i], message);
      if (atom < 0) {
        errors_.push_back({brand, in_exclude, query.terms[i].offset, message});
        ok = false;
      }
      program.term_atoms[i] = atom;
    }
    if (!ok) return false;
    if (!CheckSatisfiable(query, program.term_atoms, brand, in_exclude)) return false;
    program.nodes = std::move(query.nodes);
    program.root = query.root;
    program.fields = std::move(query.fields);
    const Node& root = program.nodes[static_cast<size_t>(program.root)];
    if (root.kind == NodeKind::kField) {
      program.required_fields.push_back(root.index);
    } else if (root.kind == NodeKind::kAnd) {
      for (int c : root.children) {
        const Node& child = program.nodes[static_cast<size_t>(c)];
        if (child.kind == NodeKind::kField) program.required_fields.push_back(child.index);
      }
    }
    CollectPositive(program, program.root, false);
    std::sort(program.positive_atoms.begin(), program.positive_atoms.end());
    program.positive_atoms.erase(
        std::unique(program.positive_atoms.begin(), program.positive_atoms.end()),
        program.positive_atoms.end());
    return true;
  }

 private:
  // Names one of the tokens `term` normalized to, for a message: the term as the query writes
  // it when it is that one token ("'*Pple'"), else the token and the phrase it is in ("'*apple'
  // in 'big *Apple'").
  std::string Quote(const TermSpec& term, std::string_view token) const {
    if (scratch_.tokens.size() == 1) return "'" + term.written + "'";
    return "'" + std::string(token) + "' in '" + term.written + "'";
  }

  // Returns the atom id for `term`, adding it when new; -1 and a message when it is unusable.
  int CompileTerm(const TermSpec& term, std::string& message) {
    NormalizeOptions options;
    options.cased = term.cased;
    options.query_wildcards = true;
    normalizer_.Normalize({}, term.text, options, scratch_);
    Atom atom;
    atom.cased = term.cased;
    for (const Token& t : scratch_.tokens) {
      std::string_view text = term.cased ? scratch_.CasedText(t) : scratch_.TokenText(t);
      TokenPattern p{std::string(text), text.find_first_of("*?") != std::string_view::npos, t.kind};
      if (p.wildcard) {
        size_t literal = CodePoints(text) - static_cast<size_t>(std::count(text.begin(), text.end(), '*')) -
                         static_cast<size_t>(std::count(text.begin(), text.end(), '?'));
        if (text.find_first_not_of("*?") == std::string_view::npos) {
          message = "a lone wildcard " + Quote(term, text) + " matches almost everything";
          return -1;
        }
        if (text[0] == '*') {
          message = Quote(term, text) + ": a wildcard cannot start a word";
          return -1;
        }
        if (text.find('*') != std::string_view::npos && literal < 2) {
          message = Quote(term, text) +
                    " matches almost everything: put at least two characters before '*'";
          return -1;
        }
      }
      atom.tokens.push_back(std::move(p));
    }
    if (atom.tokens.empty()) {
      message = "'" + term.written + "' has no letters, digits or emoji to match";
      return -1;
    }
    atom.allow_hashtag =
        atom.tokens.size() == 1 && scratch_.tokens[0].kind == TokenKind::kWord;
    // A plain word goes into the set twice, as " apple" and " #apple" (RuleSet::Compile), not
    // as " #?apple": with an optional '#' in about half the patterns, RE2's lazily built DFA
    // needed several times the work to warm up (a fresh set of the bench's 1,000 brands cost
    // 4.5 us a scan over the first 62,760 scans against 1.0 us with the two patterns; warm
    // scans cost the same).
    std::string regex = " ";
    for (size_t i = 0; i < atom.tokens.size(); ++i) {
      if (i) regex += ' ';
      std::string_view text = atom.tokens[i].text;
      size_t start = 0;
      for (size_t k = 0; k <= text.size(); ++k) {
        if (k == text.size() || text[k] == '*' || text[k] == '?') {
          regex += RE2::QuoteMeta(re2::StringPiece(text.data() + start, k - start));
          if (k < text.size()) regex += text[k] == '*' ? "[^ ]*" : "[^ ]";
          start = k + 1;
        }
      }
    }
    // No space after the last token: the set only proposes atoms, and Matcher confirms each
    // proposal on the tokens, so " apple" proposing "apples" costs one token check. A closing
    // space would put every single-word atom's match into the state the DFA enters at the
    // space after it, where every atom's start is too: one large state per atom, each built
    // on first use (RE2::Set's start-up cost grew by a fifth with it, and its warm scan was a
    // fifth slower).
    atom.regex = std::move(regex);
    // Atoms are shared by equal pattern and token kinds: a URL token's text can equal a word's
    // ("www." and "www" both give " www"), and so can a phrase's with one ("www. foo").
    std::string key = (atom.cased ? "C" : "F") + atom.regex;
    key.push_back('\0');
    for (const TokenPattern& t : atom.tokens) {
      key.push_back(static_cast<char>('0' + static_cast<int>(t.kind)));
    }
    auto [it, inserted] = index_.emplace(std::move(key), static_cast<int>(atoms_.size()));
    if (inserted) atoms_.push_back(std::move(atom));
    int id = it->second;
    if (term.cased) {
      // Its folded twin gates the cased scan (see RuleSet::is_cased_gate).
      TermSpec folded = term;
      folded.cased = false;
      std::string ignored;
      int gate = CompileTerm(folded, ignored);
      if (gate >= 0) {
        gates.push_back(gate);
        twins[id] = gate;
      }
    }
    return id;
  }

 public:
  std::vector<int> gates;
  std::unordered_map<int, int> twins;  // case-sensitive atom -> its folded twin

 private:

  // Rejects queries that can match a post containing none of their terms (NOT alone, a field
  // filter alone, x OR NOT y) and queries that can never match. Terms that compile to the same
  // atom are one leaf.
  bool CheckSatisfiable(const Query& q, const std::vector<int>& term_atoms, size_t brand,
                        bool in_exclude) {
    int fields = static_cast<int>(q.fields.size());
    if (fields > kMaxLeavesForCheck && MayHoldWithoutTerms(q, q.root) != Truth::kFalse) {
      // Too many fields to enumerate: three-valued logic (terms false, fields unknown) decides,
      // conservatively. The engine only ever evaluates brands one of whose terms occurred.
      errors_.push_back({brand, in_exclude, 0,
                         "query may match posts that contain none of its terms (a NOT or a "
                         "field filter on its own); add a term it must find"});
      return false;
    }
    if (fields <= kMaxLeavesForCheck) {
      for (uint32_t mask = 0; mask < (1u << fields); ++mask) {
        bool matches = EvalConst(q, q.root, [&](const Node& n) {
          return n.kind == NodeKind::kField && ((mask >> n.index) & 1u);
        });
        if (matches) {
          errors_.push_back({brand, in_exclude, 0,
                             "query matches posts that contain none of its terms (a NOT or a "
                             "field filter on its own); add a term it must find"});
          return false;
        }
      }
    }
    std::vector<int> leaf_of_term(q.terms.size());
    std::vector<int> distinct;
    for (size_t i = 0; i < q.terms.size(); ++i) {
      auto it = std::find(distinct.begin(), distinct.end(), term_atoms[i]);
      leaf_of_term[i] = static_cast<int>(it - distinct.begin());
      if (it == distinct.end()) distinct.push_back(term_atoms[i]);
    }
    int leaves = static_cast<int>(distinct.size()) + fields;
    if (leaves > kMaxLeavesForCheck) return true;
    for (uint32_t mask = 0; mask < (1u << leaves); ++mask) {
      bool matches = EvalConst(q, q.root, [&](const Node& n) {
        int bit = n.kind == NodeKind::kTerm ? leaf_of_term[static_cast<size_t>(n.index)]
                                            : static_cast<int>(distinct.size()) + n.index;
        return ((mask >> bit) & 1u) != 0;
      });
      if (matches) return true;
    }
    errors_.push_back({brand, in_exclude, 0, "query can never match: it contradicts itself"});
    return false;
  }

  void CollectPositive(Program& p, int node, bool negated) {
    const Node& n = p.nodes[static_cast<size_t>(node)];
    if (n.kind == NodeKind::kTerm) {
      if (!negated) p.positive_atoms.push_back(p.term_atoms[static_cast<size_t>(n.index)]);
      return;
    }
    for (int c : n.children) CollectPositive(p, c, n.kind == NodeKind::kNot ? !negated : negated);
  }

 private:
  std::vector<Atom>& atoms_;
  std::vector<CompileError>& errors_;
  std::unordered_map<std::string, int> index_;
  Normalizer normalizer_;
  NormalizedText scratch_;
};

// The key of an atom for TokenKeyFilter (URL tokens are never part of one: the filter sees their
// pieces, not them). False when it has none.
struct Key {
  enum Kind : uint8_t { kPair, kToken, kPrefix } kind = kToken;
  std::string first, second;  // second: kPair only
};

std::string_view WithoutPrefixChar(const TokenPattern& t) {
  std::string_view text = t.text;
  if ((t.kind == TokenKind::kMention || t.kind == TokenKind::kHashtag ||
       t.kind == TokenKind::kCashtag) &&
      text.size() > 1) {
    text.remove_prefix(1);
  }
  return text;
}

bool ChooseKey(const Atom& atom, Key& key) {
  auto usable = [](const TokenPattern& t) {
    return t.kind != TokenKind::kUrl && t.kind != TokenKind::kFieldBreak;
  };
  // Two adjacent literal tokens (their '@', '#' or '$' removed): the most selective; the pair
  // whose shorter token is longest.
  size_t best = 0;
  for (size_t i = 0; i + 1 < atom.tokens.size(); ++i) {
    const TokenPattern &a = atom.tokens[i], &b = atom.tokens[i + 1];
    if (!usable(a) || !usable(b) || a.wildcard || b.wildcard) continue;
    std::string_view x = WithoutPrefixChar(a), y = WithoutPrefixChar(b);
    size_t score = std::min(x.size(), y.size()) * 1024 + x.size() + y.size();
    if (score > best) {
      best = score;
      key.kind = Key::kPair;
      key.first.assign(x);
      key.second.assign(y);
    }
  }
  if (best > 0) return true;
  key.second.clear();
  // Else its longest literal token, else the longest literal prefix of a wildcard token (with
  // the '@', '#' or '$' of a mention, hashtag or cashtag).
  bool found = false;
  for (const TokenPattern& t : atom.tokens) {
    if (!usable(t)) continue;
    std::string_view text = t.text;
    auto kind = Key::kToken;
    if (t.wildcard) {
      text = text.substr(0, text.find_first_of("*?"));
      kind = Key::kPrefix;
    }
    if (text.empty()) continue;
    bool better = !found || (key.kind == Key::kPrefix && kind == Key::kToken) ||
                  (key.kind == kind && text.size() > key.first.size());
    if (better) {
      key.kind = kind;
      key.first.assign(text);
      found = true;
    }
  }
  return found;
}

}  // namespace

void TokenKeyFilter::Add(uint64_t hash) {
  const uint64_t bit = hash >> bloom_shift_;
  bloom_[bit >> 6] |= uint64_t{1} << (bit & 63);
  for (size_t i = (hash >> 1) & mask_;; i = (i + 1) & mask_) {
    if (table_[i] == hash) return;
    if (table_[i] == 0) {
      table_[i] = hash;
      ++keys_;
      return;
    }
  }
}

bool TokenKeyFilter::AnyRun(const AsciiWordRuns& runs) const {
  if (!enabled_) return true;
  const char* low = runs.lowered.data();
  const uint32_t* b = runs.bounds.data();
  uint64_t prev = 0;
  for (size_t i = 0; i < runs.count; ++i) {
    const uint32_t begin = b[2 * i], len = b[2 * i + 1] - begin;
    const uint64_t h = HashPadded(low + begin, len);
    if (Contains(h)) return true;
    // Two adjacent tokens are two adjacent runs (only a URL puts runs between them).
    if (has_pairs_ && i > 0 && Contains(PairHash(prev, h))) return true;
    prev = h;
    if (MayStartPrefixKey(low + begin, len)) {
      for (uint32_t l : prefix_lengths_) {
        if (len >= l && Contains(HashPadded(low + begin, l))) return true;
      }
    }
    // After '@', '#' or '$' the run may be a mention, hashtag or cashtag: try it with the prefix.
    if (begin > 0) {
      const char c = low[begin - 1];
      if ((c == '@' || c == '#' || c == '$') && ContainsToken(low + begin - 1, len + 1)) {
        return true;
      }
    }
  }
  return false;
}

bool TokenKeyFilter::ContainsToken(const char* p, size_t len) const {
  if (Contains(HashPadded(p, len))) return true;
  if (!MayStartPrefixKey(p, len)) return false;
  for (uint32_t l : prefix_lengths_) {
    if (len >= l && Contains(HashPadded(p, l))) return true;
  }
  return false;
}

bool TokenKeyFilter::AnyViewToken(const char* view, size_t size) const {
  if (!enabled_) return true;
  uint64_t prev = 0;
  bool have_prev = false;
  size_t i = 0;
  while (i < size) {
    if (view[i] == ' ') {
      ++i;
      continue;
    }
    const char* space = static_cast<const char*>(std::memchr(view + i, ' ', size - i));
    const size_t end = space != nullptr ? static_cast<size_t>(space - view) : size;
    const char* p = view + i;
    const size_t len = end - i;
    i = end;
    if (ContainsToken(p, len)) return true;
    // The pair and a plain word's hashtag use the token without its '@', '#' or '$'.
    const size_t skip = len > 1 && (p[0] == '@' || p[0] == '#' || p[0] == '$') ? 1 : 0;
    if (skip != 0 && p[0] == '#' && ContainsToken(p + 1, len - 1)) return true;
    const uint64_t h = HashPadded(p + skip, len - skip);
    if (has_pairs_ && have_prev && Contains(PairHash(prev, h))) return true;
    prev = h;
    have_prev = true;
  }
  return false;
}

std::shared_ptr<const RuleSet> RuleSet::Compile(std::vector<BrandRule> rules,
                                                const MatchOptions& options,
                                                std::vector<CompileError>& errors) {
  std::shared_ptr<RuleSet> rs(new RuleSet());
  size_t errors_before = errors.size();
  Compiler compiler(rs->atoms_, errors);
  rs->brands_.reserve(rules.size());
  for (size_t b = 0; b < rules.size(); ++b) {
    CompiledBrand brand;
    brand.rule = std::move(rules[b]);
    compiler.CompileProgram(brand.rule.query, b, false, brand.query);
    if (!brand.rule.exclude.empty()) {
      compiler.CompileProgram(brand.rule.exclude, b, true, brand.exclude);
    }
    rs->brands_.push_back(std::move(brand));
  }
  if (errors.size() != errors_before) return nullptr;
  rs->cased_gate_.assign(rs->atoms_.size(), 0);
  for (int g : compiler.gates) rs->cased_gate_[static_cast<size_t>(g)] = 1;

  // Atom -> brands index, over atoms a brand needs (not those only under NOT, nor exclusions).
  rs->atom_brands_.resize(rs->atoms_.size());
  rs->all_field_gated_ = !rs->brands_.empty();
  for (size_t b = 0; b < rs->brands_.size(); ++b) {
    for (int a : rs->brands_[b].query.positive_atoms) {
      rs->atom_brands_[static_cast<size_t>(a)].push_back(static_cast<uint32_t>(b));
    }
    if (rs->brands_[b].query.required_fields.empty()) rs->all_field_gated_ = false;
  }

  // The token key prefilter, over the atoms some brand needs.
  {
    std::vector<uint64_t> keys;
    std::vector<uint32_t> prefix_lengths;
    std::vector<std::string> prefix_keys;
    bool usable = true, pairs = false, symbol_keys = false;
    Key key;
    for (size_t a = 0; a < rs->atoms_.size() && usable; ++a) {
      if (rs->atom_brands_[a].empty()) continue;
      const Atom* atom = &rs->atoms_[a];
      if (atom->cased) {
        auto twin = compiler.twins.find(static_cast<int>(a));
        if (twin == compiler.twins.end()) {
          usable = false;
          break;
        }
        atom = &rs->atoms_[static_cast<size_t>(twin->second)];
      }
      if (!ChooseKey(*atom, key)) {
        usable = false;
        break;
      }
      symbol_keys = symbol_keys || HoldsSymbol(key.first) || HoldsSymbol(key.second);
      if (key.kind == Key::kPair) {
        keys.push_back(TokenKeyFilter::PairHash(TokenKeyFilter::Hash(key.first),
                                                TokenKeyFilter::Hash(key.second)));
        pairs = true;
        continue;
      }
      keys.push_back(TokenKeyFilter::Hash(key.first));
      if (key.kind == Key::kPrefix) prefix_keys.push_back(key.first);
      if (key.kind == Key::kPrefix &&
          std::find(prefix_lengths.begin(), prefix_lengths.end(), key.first.size()) ==
              prefix_lengths.end()) {
        prefix_lengths.push_back(static_cast<uint32_t>(key.first.size()));
      }
    }
    constexpr size_t kMaxPrefixLengths = 8;  // each may cost a hash and a probe per token
    TokenKeyFilter& f = rs->key_filter_;
    if (usable && !keys.empty() && prefix_lengths.size() <= kMaxPrefixLengths) {
      size_t size = 16;
      while (size < 4 * keys.size()) size *= 2;
      f.table_.assign(size, 0);
      f.mask_ = size - 1;
      int bloom_bits = 12;  // about 32 bits per key: 1 in 32 probes gets past the bitmap
      while ((size_t{1} << bloom_bits) < 32 * keys.size() && bloom_bits < 24) ++bloom_bits;
      f.bloom_.assign((size_t{1} << bloom_bits) / 64, 0);
      f.bloom_shift_ = 64 - bloom_bits;
      for (uint64_t h : keys) f.Add(h);
      if (!prefix_keys.empty()) {
        f.prefix_start_.assign(65536 / 64, 0);
        f.prefix_gate_ = 4;
        for (const std::string& k : prefix_keys) f.prefix_gate_ = std::min(f.prefix_gate_, k.size());
        for (std::string k : prefix_keys) {
          k.resize(std::max<size_t>(k.size(), 4));  // 4 readable bytes
          const uint64_t bit = TokenKeyFilter::PrefixGateHash(k.data(), f.prefix_gate_);
          f.prefix_start_[bit >> 6] |= uint64_t{1} << (bit & 63);
        }
      }
      std::sort(prefix_lengths.begin(), prefix_lengths.end());
      f.prefix_lengths_ = std::move(prefix_lengths);
      f.has_pairs_ = pairs;
      f.symbol_keys_ = symbol_keys;
      f.enabled_ = true;
    }
  }

  // Partition atoms into sets of at most patterns_per_set patterns (a plain word's two, the word
  // and its hashtag, stay together), folded and cased apart.
  std::vector<int> folded, cased;
  for (size_t a = 0; a < rs->atoms_.size(); ++a) {
    (rs->atoms_[a].cased ? cased : folded).push_back(static_cast<int>(a));
  }
  rs->has_cased_ = !cased.empty();
  const size_t per_set = std::max<size_t>(1, options.patterns_per_set);
  auto partition = [&](const std::vector<int>& ids) {
    std::vector<std::vector<int>> groups;
    size_t patterns = 0;  // in the last group
    for (int a : ids) {
      const size_t n = rs->atoms_[static_cast<size_t>(a)].allow_hashtag ? 2 : 1;
      if (groups.empty() || (patterns > 0 && patterns + n > per_set)) {
        groups.emplace_back();
        patterns = 0;
      }
      groups.back().push_back(a);
      patterns += n;
    }
    return groups;
  };
  const std::vector<std::vector<int>> folded_groups = partition(folded);
  const std::vector<std::vector<int>> cased_groups = partition(cased);
  const size_t set_count = folded_groups.size() + cased_groups.size();
  size_t memory_per_set = set_count == 0 ? 0 : options.max_mem_bytes / set_count;
  if (set_count > 0 && memory_per_set < kMinSetMemory) {
    errors.push_back({0, false, 0,
                      "matching.max_mem_bytes allows only " + std::to_string(memory_per_set >> 20) +
                          " MiB for each of " + std::to_string(set_count) +
                          " pattern sets; at least 16 MiB each is needed"});
    return nullptr;
  }
  rs->memory_budget_ = options.max_mem_bytes;
  auto build = [&](const std::vector<std::vector<int>>& partitioned,
                   std::vector<SetGroup>& groups) -> bool {
    for (const std::vector<int>& ids : partitioned) {
      RE2::Options opts;
      opts.set_max_mem(static_cast<int64_t>(memory_per_set));
      opts.set_case_sensitive(true);
      opts.set_log_errors(false);
      opts.set_never_capture(true);
      SetGroup group;
      group.set = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
      auto add = [&](const std::string& pattern, int atom) {
        std::string error;
        if (group.set->Add(pattern, &error) < 0) {
          errors.push_back({0, false, 0, "internal: pattern rejected by RE2: " + error});
          return false;
        }
        group.atom_ids.push_back(atom);
        return true;
      };
      for (int id : ids) {
        const Atom& atom = rs->atoms_[static_cast<size_t>(id)];
        if (!add(atom.regex, id)) return false;
        if (atom.allow_hashtag && !add(" #" + atom.regex.substr(1), id)) return false;
      }
      if (!group.set->Compile()) {
        errors.push_back({0, false, 0,
                          "RE2::Set could not compile " + std::to_string(group.atom_ids.size()) +
                              " patterns within " + std::to_string(memory_per_set >> 20) +
                              " MiB; raise matching.max_mem_bytes"});
        return false;
      }
      groups.push_back(std::move(group));
    }
    return true;
  };
  if (!build(folded_groups, rs->folded_sets_) || !build(cased_groups, rs->cased_sets_)) {
    return nullptr;
  }
  return rs;
}

}  // namespace earshot::pipeline::match
