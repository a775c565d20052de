// The stateless chain on one core, with and without the complaint stage, in the same run: the
// Enricher (parse, normalize, match, sentiment, and complaints when enabled) over the generator's
// realistic record mix, every post mentioning one of the example config's brands (so every post
// runs the whole chain, the complaint stage included).
//
// Counters: records_per_s and allocs_per_record (operator new calls per record after warm-up).
// The issue-5 target is the complaint stage adding at most 25% to the chain's per-post cost:
// compare BM_Chain/complaints:1 with BM_Chain/complaints:0 (scripts/enrich_bench.sh prints the
// ratio, medians of interleaved repetitions).
//
// BM_Aggregate: the aggregator's per-record work (ParseMention and Aggregator::Add, windows
// closed as the records advance the watermarks) over the chain's own output records, so that
// its cost reads as a share of the chain's: how many service cores one aggregator core serves.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "app/brands.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/generator.h"
#include "pipeline/aggregate/aggregator.h"
#include "pipeline/enrich.h"

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

namespace {

using earshot::app::Config;

struct Corpus {
  std::shared_ptr<const Config> config;
  std::shared_ptr<const earshot::pipeline::match::RuleSet> rules;
  std::shared_ptr<const earshot::pipeline::sentiment::SentimentSnapshot> sentiment;
  std::shared_ptr<const earshot::pipeline::complaints::ComplaintSnapshot> complaints;
  std::vector<std::string> records;
};

const Corpus& GetCorpus() {
  static const Corpus corpus = [] {
    Corpus c;
    auto loaded = earshot::app::LoadConfigAndBrands(EARSHOT_SOURCE_DIR "/examples/earshot.yaml");
    if (!loaded.ok()) std::abort();
    c.config = loaded.config;
    c.rules = loaded.rules;
    c.sentiment = earshot::app::LoadSentiment(c.config.get(), "", true);
    c.complaints = earshot::app::LoadComplaints(c.config.get(), "");
    if (!c.sentiment || !c.complaints) std::abort();
    earshot::app::GeneratorOptions g;
    for (const auto& b : c.config->brands) g.brands.push_back(b.name);
    g.mention_rate = 1.0;
    g.malformed_rate = 0;
    g.scenario = "complaint-storm";
    g.storm_at_s = 0;
    earshot::app::Generator gen(g);
    earshot::app::GeneratedRecord r;
    for (int i = 0; i < 20000; ++i) {
      gen.Next(i * 0.001, 1700000000000 + i, r);
      c.records.push_back(r.value);
    }
    return c;
  }();
  return corpus;
}

void BM_Chain(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  const bool complaints = state.range(0) != 0;
  earshot::ingest::ParserOptions po;
  earshot::pipeline::Enricher enricher(po, c.rules, c.sentiment,
                                       complaints ? c.complaints : nullptr);
  earshot::pipeline::EnrichResult result;
  earshot::ingest::Origin origin;
  int64_t posts = 0, matched = 0, complaint_records = 0;
  auto pass = [&] {
    for (const std::string& record : c.records) {
      enricher.Process(earshot::ingest::Format::kAuto, record, record.size(), origin, result);
      posts += static_cast<int64_t>(result.posts);
      matched += static_cast<int64_t>(result.matched_posts);
      for (size_t i = 0; i < result.count; ++i) complaint_records += result.records[i].complaint;
    }
  };
  pass();  // warm-up: buffers reach their working size
  posts = matched = complaint_records = 0;
  long allocations_before = g_allocations.load();
  int64_t passes = 0;
  for (auto _ : state) {
    pass();
    ++passes;
  }
  const double records = static_cast<double>(passes) * static_cast<double>(c.records.size());
  state.counters["records_per_s"] = benchmark::Counter(records, benchmark::Counter::kIsRate);
  state.counters["allocs_per_record"] =
      static_cast<double>(g_allocations.load() - allocations_before) / records;
  state.counters["matched_share"] =
      posts ? static_cast<double>(matched) / static_cast<double>(posts) : 0;
  state.counters["complaint_records"] =
      passes ? static_cast<double>(complaint_records) / static_cast<double>(passes) : 0;
}

BENCHMARK(BM_Chain)->ArgName("complaints")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// The enriched records the chain writes for the corpus, with the input record count.
const std::vector<std::string>& EnrichedRecords() {
  static const std::vector<std::string> records = [] {
    const Corpus& c = GetCorpus();
    earshot::pipeline::Enricher enricher(earshot::ingest::ParserOptions{}, c.rules, c.sentiment,
                                         c.complaints);
    earshot::pipeline::EnrichResult result;
    std::vector<std::string> out;
    for (const std::string& record : c.records) {
      enricher.Process(earshot::ingest::Format::kAuto, record, record.size(), {}, result);
      for (size_t i = 0; i < result.count; ++i) out.push_back(result.records[i].value);
    }
    return out;
  }();
  return records;
}

void BM_Aggregate(benchmark::State& state) {
  const std::vector<std::string>& records = EnrichedRecords();
  earshot::pipeline::aggregate::AggregatorOptions options;
  options.window_ms = 1000;  // the corpus spans 20 s of event time: windows close as it runs
  options.lateness_ms = 2000;
  options.history_windows = 5;
  std::vector<earshot::pipeline::aggregate::AlertEvent> events;
  earshot::pipeline::aggregate::Mention m;
  std::string error;
  int64_t offset = 0, base = 0, alerts = 0, failed = 0;
  // Each pass replays the corpus 20 s later in event time, as the next 20 s of the stream.
  auto pass = [&](earshot::pipeline::aggregate::Aggregator& a) {
    int64_t now = 0;
    size_t i = 0;
    for (const std::string& r : records) {
      if (!earshot::pipeline::aggregate::ParseMention(r, m, error)) {
        ++failed;
        continue;
      }
      m.event_ms += base;
      m.partition = static_cast<int32_t>(std::hash<std::string>{}(m.brand) % 12);
      m.offset = offset++;
      now = m.event_ms;
      a.Add(m, now, events);
      if (++i % 256 == 0) a.Advance(now, events);
    }
    a.Advance(now, events);
    base += 20000;
    alerts += static_cast<int64_t>(events.size());
    events.clear();
  };
  earshot::pipeline::aggregate::Aggregator aggregator(options);
  pass(aggregator);  // warm-up: every brand and window seen once
  long allocations_before = g_allocations.load();
  int64_t passes = 0;
  for (auto _ : state) {
    pass(aggregator);
    ++passes;
  }
  const double n = static_cast<double>(passes) * static_cast<double>(records.size());
  state.counters["records_per_s"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.counters["allocs_per_record"] =
      static_cast<double>(g_allocations.load() - allocations_before) / n;
  state.counters["enriched_per_input"] =
      static_cast<double>(records.size()) / static_cast<double>(GetCorpus().records.size());
  if (failed) state.SkipWithError("an enriched record did not parse");
}

BENCHMARK(BM_Aggregate)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
