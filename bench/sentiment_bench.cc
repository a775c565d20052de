// Sentiment scoring throughput on one core: the lexicon engine and the default engine (the
// ensemble: lexicon engine + learned model), over the texts of the VADER tweets gold set (4,200
// tweets; ../shared/data/sentiment/vader_gold/tweets_GroundTruth.txt). The language gate is off
// (the texts carry no lang tag and the gate's CLD2 pass is measured separately as LanguageGate).
//
// Counters: texts_per_s, and allocs_per_text — operator new calls per text after a warm-up pass,
// counted by the replacement allocator below (the hot path must not allocate: expect 0).
// scripts/sentiment_bench.sh builds the release tree and runs this next to NLTK's VADER and the
// npm `sentiment` package on the same texts.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include "pipeline/sentiment/language.h"
#include "pipeline/sentiment/sentiment.h"

#ifndef EARSHOT_SHARED_DIR
#define EARSHOT_SHARED_DIR "../shared"
#endif

// The replacement operator new below allocates with malloc, so free is its matching release; g++
// cannot see that across the inlined replacement and warns.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<long> g_allocations{0};
}  // namespace
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace ps = earshot::pipeline::sentiment;

namespace {

const std::vector<std::string>& Texts() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    const char* env = std::getenv("EARSHOT_SHARED_DIR");
    std::string path = std::string(env && *env ? env : EARSHOT_SHARED_DIR) +
                       "/data/sentiment/vader_gold/tweets_GroundTruth.txt";
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      size_t t = line.find('\t', line.find('\t') + 1);
      if (t != std::string::npos) out.push_back(line.substr(t + 1));
    }
    if (out.empty()) std::fprintf(stderr, "sentiment_bench: no texts in %s\n", path.c_str());
    return out;
  }();
  return texts;
}

std::shared_ptr<const ps::SentimentSnapshot> Snapshot(ps::Engine engine) {
  ps::SentimentOptions options = ps::DefaultSentimentOptions();
  options.engine = engine;
  options.language_gate = false;
  auto created = ps::SentimentSnapshot::Create(options);
  if (!created.snapshot) std::fprintf(stderr, "sentiment_bench: %s\n", created.error.c_str());
  return created.snapshot;
}

void Run(benchmark::State& state, ps::Engine engine) {
  const auto& texts = Texts();
  auto snapshot = Snapshot(engine);
  if (texts.empty() || !snapshot) {
    state.SkipWithError("data missing (../shared or data/vendor: run scripts/setup.sh)");
    return;
  }
  ps::SentimentAnalyzer analyzer(snapshot);
  ps::SentimentResult r;
  double sink = 0;
  for (const auto& t : texts) analyzer.Score(t, r);  // warm-up: buffers reach their size
  long before = g_allocations.load();
  int64_t scored = 0;
  for (auto _ : state) {
    for (const auto& t : texts) {
      analyzer.Score(t, r);
      sink += r.compound;
    }
    scored += static_cast<int64_t>(texts.size());
  }
  benchmark::DoNotOptimize(sink);
  state.counters["texts_per_s"] =
      benchmark::Counter(static_cast<double>(scored), benchmark::Counter::kIsRate);
  state.counters["allocs_per_text"] =
      static_cast<double>(g_allocations.load() - before) / static_cast<double>(scored);
}

void BM_Lexicon(benchmark::State& state) { Run(state, ps::Engine::kLexicon); }
void BM_Model(benchmark::State& state) { Run(state, ps::Engine::kModel); }
void BM_Default(benchmark::State& state) { Run(state, ps::DefaultSentimentOptions().engine); }

// CLD2 on the same texts (runs only for posts without a lang tag).
void BM_LanguageGate(benchmark::State& state) {
  const auto& texts = Texts();
  int64_t n = 0, supported = 0;
  for (auto _ : state) {
    for (const auto& t : texts) supported += ps::CheckLanguage({}, t).supported;
    n += static_cast<int64_t>(texts.size());
  }
  benchmark::DoNotOptimize(supported);
  state.counters["texts_per_s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_Lexicon)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Model)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Default)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LanguageGate)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
