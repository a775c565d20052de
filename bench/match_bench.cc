// Brand matching benchmarks: the engine (RuleSet + Matcher: one RE2::Set pass over the
// normalized text, then a small program per candidate brand) next to the NAIVE approach (one
// RE2 per brand: its positive terms as one case-insensitive, word-bounded alternation, searched
// in turn over the lowercased text), on the same posts and the same brands, one core.
//
// Posts: every file in ../shared/fixtures, parsed with ingest::PostParser (ParseInput, format
// auto; CSV as twcs_csv), plus the tweets of ../shared/data/sentiment (SemEval, TweetEval, VADER).
// Brands: the realistic rule set of tests/pipeline/rule_sets.h (S&P 500 + Fortune 500 + travel
// handles), topped up with synthetic pseudo-word brands to 10,000.
//
//   Engine/N, Naive/N     throughput: bytes of original post text (SetBytesProcessed) and posts/s;
//                         for Engine, the shares of posts the token key prefilter dropped on the
//                         raw text (no_key_raw) or after normalizing (no_key_view), and scanned
//   Compile/N, NaiveCompile/N  compile time, and memory: heap bytes in use (mallinfo2) after
//                         compiling AND matching the whole corpus once (so RE2's lazily built DFA
//                         states are counted), as a delta from before; RSS delta beside it.
// scripts/match_bench.sh builds the release preset and prints the table.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <re2/re2.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/post_parser.h"
#include "ingest/record_reader.h"
#include "pipeline/match/matcher.h"
#include "pipeline/match/query.h"
#include "pipeline/match/rule_set.h"
#include "tests/pipeline/rule_sets.h"

#ifndef EARSHOT_SHARED_DIR
#define EARSHOT_SHARED_DIR "../shared"
#endif

namespace {

using earshot::ingest::Post;
using namespace earshot::pipeline::match;  // NOLINT

std::string SharedDir() {
  const char* env = std::getenv("EARSHOT_SHARED_DIR");
  return env && *env ? env : EARSHOT_SHARED_DIR;
}

bool ReadFile(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

struct Corpus {
  std::vector<Post> posts;
  size_t text_bytes = 0;  // text + title of every post
  std::string error;
};

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    namespace fs = std::filesystem;
    fs::path shared = SharedDir();
    std::error_code ec;
    if (!fs::exists(shared / "fixtures", ec)) {
      c->error = shared.string() + "/fixtures is absent";
      return c;
    }
    earshot::ingest::PostParser parser;
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(shared / "fixtures", ec)) {
      if (e.is_regular_file() && e.path().extension() != ".md") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      simdjson::padded_string data;
      if (!earshot::ingest::ReadInput(path.string(), data).empty()) continue;
      auto format = path.extension() == ".csv" ? earshot::ingest::Format::kTwcsCsv
                                                : earshot::ingest::Format::kAuto;
      earshot::ingest::ParseInput(parser, std::string_view(data.data(), data.size()), format,
                                  path.string(), [&](earshot::ingest::ParseOutput& out) {
                                    for (auto& p : out.posts) c->posts.push_back(std::move(p));
                                  });
    }
    // Tweets of the sentiment data sets: "id<TAB>label<TAB>text" or one text per line.
    auto add_lines = [&](const fs::path& path, int text_column) {
      std::string data;
      if (!ReadFile(path, data)) return;
      std::istringstream in(data);
      std::string line;
      while (std::getline(in, line)) {
        std::string_view text = line;
        for (int i = 0; i < text_column; ++i) {
          size_t tab = text.find('\t');
          if (tab == std::string_view::npos) {
            text = {};
            break;
          }
          text.remove_prefix(tab + 1);
        }
        if (text.empty()) continue;
        Post p;
        p.text = std::string(text);
        p.source = earshot::ingest::Source::kX;
        c->posts.push_back(std::move(p));
      }
    };
    fs::path sentiment = shared / "data" / "sentiment";
    if (fs::exists(sentiment / "semeval2013-2016", ec)) {
      for (const auto& e : fs::directory_iterator(sentiment / "semeval2013-2016", ec)) {
        if (e.path().filename().string().rfind("twitter-", 0) == 0) add_lines(e.path(), 2);
      }
    }
    add_lines(sentiment / "tweeteval" / "val_text.txt", 0);
    add_lines(sentiment / "vader_gold" / "tweets_GroundTruth.txt", 2);
    for (const auto& p : c->posts) c->text_bytes += p.text.size() + p.title.size();
    if (c->posts.empty()) c->error = "no posts found under " + shared.string();
    std::fprintf(stderr, "corpus: %zu posts, %.1f MB of text\n", c->posts.size(),
                 static_cast<double>(c->text_bytes) / 1e6);
    return c;
  }();
  return *corpus;
}

const std::vector<BrandRule>& RealRules() {
  static const auto* rules = [] {
    auto loaded = earshot::testing::LoadRealisticRules(SharedDir());
    if (!loaded.error.empty()) std::fprintf(stderr, "rule sets: %s\n", loaded.error.c_str());
    return new std::vector<BrandRule>(std::move(loaded.rules));
  }();
  return *rules;
}

std::vector<BrandRule> Rules(size_t n) { return earshot::testing::RulesOfSize(RealRules(), n); }

size_t HeapInUse() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

size_t RssBytes() {
  std::ifstream in("/proc/self/statm");
  size_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * 4096;
}

// --- The engine ---

std::shared_ptr<const RuleSet> CompileEngine(size_t n) {
  std::vector<CompileError> errors;
  MatchOptions options;
  // For experiments: EARSHOT_PATTERNS_PER_SET, EARSHOT_MAX_MEM_MB override the defaults.
  if (const char* v = std::getenv("EARSHOT_PATTERNS_PER_SET")) options.patterns_per_set = std::stoul(v);
  if (const char* v = std::getenv("EARSHOT_MAX_MEM_MB")) options.max_mem_bytes = std::stoul(v) << 20;
  auto rs = RuleSet::Compile(Rules(n), options, errors);
  if (!rs) std::fprintf(stderr, "compile failed: %s\n", errors.empty() ? "?" : errors[0].message.c_str());
  return rs;
}

std::shared_ptr<const RuleSet> EngineFor(size_t n) {
  static std::map<size_t, std::shared_ptr<const RuleSet>> cache;
  auto it = cache.find(n);
  if (it == cache.end()) it = cache.emplace(n, CompileEngine(n)).first;
  return it->second;
}

void BM_Engine(benchmark::State& state) {
  const Corpus& corpus = GetCorpus();
  if (!corpus.error.empty()) return state.SkipWithError(corpus.error.c_str());
  auto rs = EngineFor(static_cast<size_t>(state.range(0)));
  if (!rs) return state.SkipWithError("compile failed");
  Matcher matcher(rs);
  MatchResult result;
  size_t i = 0, bytes = 0, matched = 0, posts = 0, scan_errors = 0;
  for (auto _ : state) {
    const Post& p = corpus.posts[i];
    matcher.Match(p, result);
    matched += result.count;
    scan_errors += result.scan_error;
    bytes += p.text.size() + p.title.size();
    ++posts;
    if (++i == corpus.posts.size()) i = 0;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["posts/s"] = benchmark::Counter(static_cast<double>(posts), benchmark::Counter::kIsRate);
  state.counters["hits/post"] = static_cast<double>(matched) / static_cast<double>(std::max<size_t>(posts, 1));
  state.counters["scan_errors"] = static_cast<double>(scan_errors);
  state.counters["atoms"] = static_cast<double>(rs->atoms().size());
  state.counters["sets"] = static_cast<double>(rs->folded_sets().size() + rs->cased_sets().size());
  // What the token key prefilter did: the share of posts it dropped on the raw text, or after
  // normalizing them (a field with non-inert non-ASCII characters), and the share scanned.
  const MatcherStats& st = matcher.stats();
  const auto seen = static_cast<double>(std::max<uint64_t>(st.posts, 1));
  state.counters["no_key_raw"] = static_cast<double>(st.no_key_ascii) / seen;
  state.counters["no_key_view"] = static_cast<double>(st.no_key_view) / seen;
  state.counters["scanned"] = static_cast<double>(st.scanned) / seen;
}

// The engine's own RE2::Sets run bare over the lowercased original text (no normalization, no
// evaluation): the floor Engine/N is measured against, on this machine in this run.
void BM_BareSet(benchmark::State& state) {
  const Corpus& corpus = GetCorpus();
  if (!corpus.error.empty()) return state.SkipWithError(corpus.error.c_str());
  auto rs = EngineFor(static_cast<size_t>(state.range(0)));
  if (!rs) return state.SkipWithError("compile failed");
  std::vector<std::string> lowered;
  for (const auto& p : corpus.posts) {
    std::string t = " " + p.text + " ";
    for (char& c : t) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    lowered.push_back(std::move(t));
  }
  std::vector<int> hits;
  size_t i = 0, bytes = 0, matched = 0, posts = 0;
  for (auto _ : state) {
    for (const auto& group : rs->folded_sets()) {
      group.set->Match(lowered[i], &hits);
      matched += hits.size();
    }
    bytes += corpus.posts[i].text.size();
    ++posts;
    if (++i == corpus.posts.size()) i = 0;
  }
  benchmark::DoNotOptimize(matched);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["posts/s"] = benchmark::Counter(static_cast<double>(posts), benchmark::Counter::kIsRate);
}

// Normalization alone (the part of Engine/N that does not depend on N).
void BM_Normalize(benchmark::State& state) {
  const Corpus& corpus = GetCorpus();
  if (!corpus.error.empty()) return state.SkipWithError(corpus.error.c_str());
  earshot::pipeline::Normalizer normalizer;
  earshot::pipeline::NormalizedText text;
  earshot::pipeline::NormalizeOptions options;
  options.cased = state.range(0) != 0;
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const Post& p = corpus.posts[i];
    normalizer.Normalize(p.title, p.text, options, text);
    benchmark::DoNotOptimize(text.view.data());
    bytes += p.text.size() + p.title.size();
    if (++i == corpus.posts.size()) i = 0;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

// --- The naive approach: one RE2 per brand ---

std::string NaiveTerm(const TermSpec& t) {
  // Literal text, lowercased (case-sensitive terms too: the naive matcher lowercases the text),
  // words joined by any run of non-word characters, wildcards as \w* and \w.
  std::string lowered;
  for (char c : t.text) lowered.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  std::string out;
  bool in_space = false;
  for (char c : lowered) {
    if (c == ' ' || c == '-' || c == '\'' || c == '.' || c == ',') {
      if (!in_space) out += "\\W+";
      in_space = true;
      continue;
    }
    in_space = false;
    if (c == '*') {
      out += "\\w*";
    } else if (c == '?') {
      out += "\\w";
    } else {
      out += RE2::QuoteMeta(std::string(1, c));
    }
  }
  bool prefix = !lowered.empty() && (lowered[0] == '@' || lowered[0] == '#' || lowered[0] == '$');
  return (prefix ? "" : "\\b") + out + "\\b";
}

std::vector<std::unique_ptr<RE2>> CompileNaive(size_t n) {
  std::vector<std::unique_ptr<RE2>> out;
  RE2::Options opts;
  opts.set_case_sensitive(false);
  opts.set_never_capture(true);
  opts.set_log_errors(false);
  for (const auto& rule : Rules(n)) {
    Query q;
    QueryError e;
    if (!ParseQuery(rule.query, q, e)) continue;
    std::string alternation;
    for (const auto& t : q.terms) {
      if (!alternation.empty()) alternation += '|';
      alternation += NaiveTerm(t);
    }
    auto re = std::make_unique<RE2>("(?:" + alternation + ")", opts);
    if (re->ok()) out.push_back(std::move(re));
  }
  return out;
}

const std::vector<std::unique_ptr<RE2>>& NaiveFor(size_t n) {
  static std::map<size_t, std::vector<std::unique_ptr<RE2>>> cache;
  auto it = cache.find(n);
  if (it == cache.end()) it = cache.emplace(n, CompileNaive(n)).first;
  return it->second;
}

void BM_Naive(benchmark::State& state) {
  const Corpus& corpus = GetCorpus();
  if (!corpus.error.empty()) return state.SkipWithError(corpus.error.c_str());
  const auto& regexes = NaiveFor(static_cast<size_t>(state.range(0)));
  std::string lowered;
  size_t i = 0, bytes = 0, matched = 0, posts = 0;
  for (auto _ : state) {
    const Post& p = corpus.posts[i];
    for (const std::string* field : {&p.title, &p.text}) {
      lowered.assign(*field);
      for (char& c : lowered) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      }
      for (const auto& re : regexes) matched += RE2::PartialMatch(lowered, *re);
    }
    bytes += p.text.size() + p.title.size();
    ++posts;
    if (++i == corpus.posts.size()) i = 0;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["posts/s"] = benchmark::Counter(static_cast<double>(posts), benchmark::Counter::kIsRate);
  state.counters["hits/post"] = static_cast<double>(matched) / static_cast<double>(std::max<size_t>(posts, 1));
}

// --- Compile time and memory ---

template <typename CompileFn, typename WarmFn>
void MeasureCompile(benchmark::State& state, CompileFn compile, WarmFn warm) {
  const Corpus& corpus = GetCorpus();
  if (!corpus.error.empty()) return state.SkipWithError(corpus.error.c_str());
  size_t n = static_cast<size_t>(state.range(0));
  auto rules = Rules(n);  // built outside the measurement
  (void)rules;
  double seconds = 0;
  double heap_mb = 0, rss_mb = 0;
  for (auto _ : state) {
    malloc_trim(0);
    size_t heap0 = HeapInUse(), rss0 = RssBytes();
    auto t0 = std::chrono::steady_clock::now();
    auto compiled = compile(n);
    auto t1 = std::chrono::steady_clock::now();
    seconds = std::chrono::duration<double>(t1 - t0).count();
    state.PauseTiming();
    warm(compiled);
    heap_mb = static_cast<double>(HeapInUse() - heap0) / (1 << 20);
    rss_mb = (static_cast<double>(RssBytes()) - static_cast<double>(rss0)) / (1 << 20);
    state.ResumeTiming();
  }
  state.counters["compile_s"] = seconds;
  state.counters["heap_MB"] = heap_mb;
  state.counters["rss_MB"] = rss_mb;
}

void BM_Compile(benchmark::State& state) {
  MeasureCompile(
      state, [](size_t n) { return CompileEngine(n); },
      [](const std::shared_ptr<const RuleSet>& rs) {
        if (!rs) return;
        Matcher m(rs);
        MatchResult r;
        for (const auto& p : GetCorpus().posts) m.Match(p, r);
      });
}

void BM_NaiveCompile(benchmark::State& state) {
  MeasureCompile(
      state, [](size_t n) { return CompileNaive(n); },
      [](const std::vector<std::unique_ptr<RE2>>& res) {
        // Warm the DFA caches on a sample (a full pass at 10,000 brands takes minutes).
        size_t k = 0;
        for (const auto& p : GetCorpus().posts) {
          if (++k > 300) break;
          for (const auto& re : res) (void)RE2::PartialMatch(p.text, *re);
        }
      });
}

BENCHMARK(BM_Engine)->Name("Engine")->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_Normalize)->Name("Normalize")->Arg(0)->Arg(1);
BENCHMARK(BM_BareSet)->Name("BareSet")->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_Naive)->Name("Naive")->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_Compile)->Name("Compile")->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)
    ->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NaiveCompile)->Name("NaiveCompile")->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)
    ->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
