// earshot bench: the end-to-end benchmark of issue 6, as one command. Everything runs as child
// processes of this one (the same executable), so each is measured on its own:
//   - `earshot broker` (the embedded mock cluster: bench.raw with 48 partitions for the
//     preloaded corpus, bench.live with kLivePartitions for the live phases);
//   - 1,000 brands built from ../shared/data/brands (S&P 500 and Fortune 500 names without legal
//     suffixes, then travel X handles, then S&P cashtags), written as a config;
//   - catch-up: N records of the generator's realistic mix preloaded, then `earshot run` reads
//     them all; records/s from its /stats;
//   - the Python pipeline (../shared/peers/python_pipeline.py: confluent-kafka + json + re +
//     NLTK VADER) on the same topic and records, in its own consumer group;
//   - sustained: the generator at --rate, or at 1, 1.1, 1.2, ... times the catch-up rate and at
//     the target, 250,000/s, in rising order while earshot keeps up (80, 65, 50, 40 and 30 % of
//     the catch-up rate when it does not at 1), for --seconds each (no offset reset, done within
//     2 s after the generator): the maximum sustained rate;
//   - latency: the generator at half that rate; p50/p99 from the record's Kafka timestamp to
//     its outputs acknowledged (earshot's end-to-end histogram, before/after delta);
//   - earshot's peak RSS (VmHWM).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "app/bench_brands.h"
#include "app/bench_harness.h"
#include "app/commands.h"
#include "app/generator.h"
#include "app/proc_cpu.h"

namespace earshot::app {
namespace {

using bench::Child;
using bench::Clock;
using bench::HttpGet;
using bench::JsonCount;
using bench::ReadAll;
using bench::Seconds;
using bench::WaitForFile;
using bench::YamlQuoted;

// Partitions of bench.live, the topic of the latency and sustained phases.
constexpr int kLivePartitions = 16;

// Issue 6's sustained target, records/s: a step of the search of its own.
constexpr long kTargetRate = 250000;

// Partitions for a preloaded corpus of `records` records of the generator's mix (seed 5, these
// brands). The mock keeps about 5 MiB per partition and silently drops what is older, so a
// corpus that outgrows its partitions loses records before earshot reads them. Sized from a
// sample of the same generator: 4 MiB a partition, 1.5x for the uneven spread of keyed records.
int PreloadPartitions(const std::vector<std::pair<std::string, std::string>>& brands,
                      int64_t records) {
  GeneratorOptions gen;
  gen.seed = 5;
  for (const auto& b : brands) gen.brands.push_back(b.first);
  Generator generator(gen);
  GeneratedRecord record;
  constexpr int kSample = 4000;
  double bytes = 0;
  for (int i = 0; i < kSample; ++i) {
    generator.Next(i / 1000.0, 0, record);
    bytes += static_cast<double>(record.value.size() + record.key.size()) + 64;  // + batch overhead
  }
  const double total = bytes / kSample * static_cast<double>(records) * 1.5;
  return std::max(48, static_cast<int>(std::ceil(total / (4 << 20))));
}

}  // namespace

int RunBench(const BenchOptions& options) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string brands_dir = options.shared + "/data/brands";
  const std::string peer = options.shared + "/peers/python_pipeline.py";
  if (!std::filesystem::exists(brands_dir + "/sp500_constituents.csv")) {
    std::fprintf(stderr, "earshot bench: %s is absent (the brand lists live in ../shared)\n",
                 brands_dir.c_str());
    return kExitUsage;
  }
  std::vector<std::pair<std::string, std::string>> producer_properties;
  for (const std::string& kv : options.producer_properties) {
    auto property = SplitKeyValue(kv);
    if (!property) {
      std::fprintf(stderr, "earshot bench: --producer-property '%s': expected KEY=VALUE\n",
                   kv.c_str());
      return kExitUsage;
    }
    producer_properties.push_back(std::move(*property));
  }
  std::string tmp_template = std::filesystem::temp_directory_path().string() + "/earshot-bench-XXXXXX";
  if (mkdtemp(tmp_template.data()) == nullptr) {
    std::fprintf(stderr, "earshot bench: cannot create a temporary folder\n");
    return kExitRuntime;
  }
  const std::string tmp = tmp_template;
  struct Cleanup {
    std::string dir;
    bool keep;
    ~Cleanup() {
      if (!keep) std::filesystem::remove_all(dir);
    }
  } cleanup{tmp, options.keep};

  std::vector<std::pair<std::string, std::string>> brands;
  std::string error = bench::BuildBrands(brands_dir, brands);
  if (!error.empty()) {
    std::fprintf(stderr, "earshot bench: %s\n", error.c_str());
    return kExitUsage;
  }
  {
    std::ofstream names(tmp + "/brands.txt"), lower(tmp + "/brands_py.txt"), cfg(tmp + "/bench.yaml");
    // The mock cluster answers an empty fetch only after the full fetch.wait.max.ms, even when
    // records arrive meanwhile (a real broker answers as soon as fetch.min.bytes are there): a
    // short wait keeps that artefact out of the latency figures.
    cfg << "inputs:\n  - name: raw\n    topic: bench.raw\n    format: auto\n"
        << "  - name: live\n    topic: bench.live\n    format: auto\n"
        << "kafka:\n  bootstrap: embedded\n  group_id: bench-earshot\n"
        << "  consumer:\n    fetch.wait.max.ms: \"5\"\n";
    if (!producer_properties.empty()) cfg << "  producer:\n";
    for (const auto& [key, value] : producer_properties) {
      cfg << "    " << key << ": " << YamlQuoted(value) << "\n";
    }
    cfg << "service:\n  workers: " << options.workers
        << "\n  admin_listen: 127.0.0.1:0\n  queue_capacity: 4096\n"
        << "  memory_budget_mb: " << options.memory_budget_mb << "\nbrands:\n";
    for (size_t i = 0; i < brands.size(); ++i) {
      names << brands[i].first << "\n";
      std::string l = brands[i].first;
      std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
      lower << l << "\n";
      cfg << "  - id: b" << i << "\n    name: " << YamlQuoted(brands[i].first)
          << "\n    query: " << YamlQuoted(brands[i].second) << "\n";
    }
  }
  std::printf("brands: %zu built from %s\n", brands.size(), brands_dir.c_str());
  std::fflush(stdout);

  Child broker;
  // bench.raw holds the preloaded corpus (48 partitions or more: the mock keeps about 5 MiB each).
  // The live phases write to bench.live, with few partitions: the 2.0.2 mock finds a fetch's
  // offset by walking the partition's list of stored batches from the oldest, so a fetch costs
  // in proportion to the batches kept per partition times the partitions per broker, and with
  // 48 partitions of one- or two-record batches that walk, not earshot, bounds the rate.
  // earshot.enriched has --enriched-partitions (16): each output partition gets a batch of its
  // own every linger.ms, so with as many as bench.raw (48) the batches held about 8 records,
  // and the produce requests that many batches take (earshot's broker threads, the broker, the
  // kernel) cost 1.1 us a record more: 7.4 against 6.3 us in all (bench/README.md).
  const int raw_partitions = PreloadPartitions(brands, options.records);
  broker.Start({self, "broker", "--partitions", std::to_string(raw_partitions), "--topics",
                "bench.raw,bench.live:" + std::to_string(kLivePartitions) +
                    ",earshot.enriched:" + std::to_string(options.enriched_partitions) +
                    ",earshot.dead-letter,py.enriched",
                "--bootstrap-file", tmp + "/bootstrap"},
               "/dev/null", tmp + "/broker.log");
  if (!WaitForFile(tmp + "/bootstrap", 20)) {
    std::fprintf(stderr, "earshot bench: the broker did not start (%s)\n", (tmp + "/broker.log").c_str());
    return kExitRuntime;
  }
  const std::string bootstrap = ReadAll(tmp + "/bootstrap");
  auto generate = [&](const std::string& topic, const std::vector<std::string>& extra,
                      const std::string& log) {
    std::vector<std::string> args = {self,      "generate", "--brands",    tmp + "/brands.txt",
                                     "--to",    "kafka",    "--bootstrap", bootstrap,
                                     "--topic", topic};
    args.insert(args.end(), extra.begin(), extra.end());
    Child g;
    g.Start(args, "/dev/null", log);
    return g.Wait();
  };

  const std::string n = std::to_string(options.records);
  std::printf("== preload %s records into bench.raw (%d partitions)\n", n.c_str(), raw_partitions);
  std::fflush(stdout);
  if (generate("bench.raw", {"--count", n, "--duration", "0", "--rate", "10000000", "--seed", "5"},
               tmp + "/preload.log") != 0) {
    std::fprintf(stderr, "earshot bench: preload failed: %s\n", ReadAll(tmp + "/preload.log").c_str());
    return kExitRuntime;
  }

  std::printf("== earshot: catch-up over %s records\n", n.c_str());
  std::fflush(stdout);
  Child run;
  run.Start({self, "run", "-c", tmp + "/bench.yaml", "--bootstrap", bootstrap, "--admin-port-file",
             tmp + "/port"},
            "/dev/null", tmp + "/earshot.log");
  if (!WaitForFile(tmp + "/port", 60)) {
    std::fprintf(stderr, "earshot bench: earshot run did not start:\n%s\n",
                 ReadAll(tmp + "/earshot.log").c_str());
    return kExitRuntime;
  }
  const auto launched = Clock::now();
  const int port = std::atoi(ReadAll(tmp + "/port").c_str());
  // Progress from /stats (a few dozen bytes; /metrics with 1,000 brands is about half a megabyte
  // and would cost earshot CPU time at this polling rate).
  auto records_done = [&] {
    std::string stats = HttpGet(port, "/stats");
    return JsonCount(stats, "enriched") + JsonCount(stats, "filtered") +
           JsonCount(stats, "dead_lettered");
  };
  Clock::time_point start{};
  double c0 = 0;
  // CPU time from the first finished record on, for where a record's CPU time goes.
  CpuByRole cpu0 = ThreadCpu(run.pid);
  double broker_cpu0 = ProcessCpu(broker.pid);
  // Bounded: once records flow, a corpus that stops moving for kStall (records lost before
  // earshot read them, a stuck service) ends the bench with an error instead of a rate over part
  // of the records; before the first one (group join, start-up on a loaded machine) only the
  // overall deadline applies.
  constexpr auto kStall = std::chrono::seconds(20);
  const auto deadline = Clock::now() + std::chrono::seconds(600);
  double done = 0, last = -1;
  auto moved = Clock::now();
  while (done < static_cast<double>(options.records)) {
    done = records_done();
    if (start == Clock::time_point{} && done > 0) {
      start = Clock::now();
      c0 = done;
      cpu0 = ThreadCpu(run.pid);
      broker_cpu0 = ProcessCpu(broker.pid);
    }
    if (done != last) {
      last = done;
      moved = Clock::now();
    }
    if (done >= static_cast<double>(options.records)) break;
    if ((done > 0 && Clock::now() - moved > kStall) || Clock::now() > deadline) {
      std::fprintf(stderr,
                   "earshot bench: catch-up %s at %.0f of %s records; /stats: %s\n"
                   "(see %s: offset resets there mean the embedded broker, which keeps about "
                   "5 MiB a partition, dropped records before earshot read them)\n",
                   Clock::now() > deadline ? "timed out" : "stalled", done, n.c_str(),
                   HttpGet(port, "/stats").c_str(), (tmp + "/earshot.log").c_str());
      return kExitRuntime;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // From the first finished record, so start-up does not count; a corpus already finished at the
  // first look (small runs) is timed from the launch instead.
  const bool whole = c0 >= static_cast<double>(options.records);
  const double catchup = (whole ? done : done - c0) /
                         std::max(Seconds(whole ? launched : start, Clock::now()), 1e-3);
  std::printf("earshot catch-up: %.0f records/s\n", catchup);
  // Where a record's CPU time went (both processes, every thread), and the rate the machine's
  // cores would allow at that cost if they did nothing else.
  const CpuByRole cpu1 = ThreadCpu(run.pid);
  const double broker_cpu = ProcessCpu(broker.pid) - broker_cpu0;
  const double counted = std::max(whole ? done : done - c0, 1.0);
  auto us = [counted](double seconds) { return seconds * 1e6 / counted; };
  const double per_record = us(cpu1.total() - cpu0.total() + broker_cpu);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const double cpu_bound = per_record > 0 ? cores * 1e6 / per_record : 0;
  char cpu_line[320];
  std::snprintf(cpu_line, sizeof cpu_line,
                "CPU a record: workers %.1f us, consumer thread %.1f us, librdkafka threads "
                "%.1f us, other threads %.1f us, embedded broker %.1f us; %.1f us in all, "
                "at most %.0f records/s on %u cores",
                us(cpu1.worker - cpu0.worker), us(cpu1.consumer - cpu0.consumer),
                us(cpu1.kafka - cpu0.kafka), us(cpu1.other - cpu0.other), us(broker_cpu),
                per_record, cpu_bound, cores);
  std::printf("%s\n", cpu_line);
  std::fflush(stdout);

  double python_rate = 0;
  if (!options.no_python && std::filesystem::exists(peer)) {
    std::printf("== python_pipeline.py: catch-up over the same %s records\n", n.c_str());
    std::fflush(stdout);
    Child py;
    py.Start({"/usr/bin/python3", peer, "--bootstrap", bootstrap, "--topic", "bench.raw",
              "--out-topic", "py.enriched", "--brands", tmp + "/brands_py.txt", "--lexicon",
              options.lexicon, "--max", n, "--group", "bench-python"},
             tmp + "/python.out", tmp + "/python.log");
    py.Wait();
    std::string out = ReadAll(tmp + "/python.out");
    size_t at = out.rfind("records_per_s=");
    if (at != std::string::npos) python_rate = std::atof(out.c_str() + at + 14);
    std::printf("python: %s", out.substr(out.rfind("python_pipeline")).c_str());
    if (python_rate <= 0) std::printf("python pipeline failed: %s\n", ReadAll(tmp + "/python.log").c_str());
  }

  // The live phases write to bench.live while earshot consumes it, with the generator and the
  // broker on the same cores as earshot. One run of the generator at `rate` for `seconds`: what
  // was produced, what earshot finished, and the offset resets it logged meanwhile.
  struct Sustained {
    double produced = 0, finished = 0, gen_s = 0, total_s = 0;
    double offered = 0;  // what the generator was asked for: rate x seconds
    int resets = 0;
    // The generator produced what it was asked for (its last millisecond may be short), earshot
    // finished all of it within 2 s after, and nothing was lost to an offset reset.
    bool kept_up() const {
      return produced >= 0.999 * offered && finished >= produced && total_s - gen_s < 2.0 &&
             resets == 0;
    }
  };
  auto count_resets = [&] {
    const std::string elog = ReadAll(tmp + "/earshot.log");
    int n = 0;
    for (const char* needle :
         {"offset reset", "Offset reset", "out of range", "OFFSET_OUT_OF_RANGE"}) {
      for (size_t p = elog.find(needle); p != std::string::npos; p = elog.find(needle, p + 1)) ++n;
    }
    return n;
  };
  // Waits until earshot has finished `target` records in all, or its count has not moved for
  // `quiet` (records the broker dropped before earshot read them never finish), at most `bound`;
  // returns the count.
  auto wait_while_moving = [&](double target, std::chrono::milliseconds quiet,
                               std::chrono::seconds bound) {
    const auto end = Clock::now() + bound;
    double done = records_done();
    auto moved = Clock::now();
    while (done < target && Clock::now() < end && Clock::now() - moved < quiet) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const double now = records_done();
      if (now != done) moved = Clock::now();
      done = now;
    }
    return done;
  };
  auto sustain = [&](long rate, int seconds, int seed, const std::string& log) {
    Sustained r;
    r.offered = static_cast<double>(rate) * seconds;
    const int resets_before = count_resets();
    const double c_before = records_done();
    const auto t0 = Clock::now();
    // The 2.0.2 mock answers a fetch with one stored batch per partition, so a consumer gets at
    // most a linger window of records per fetch round trip; with the generator's default 5 ms
    // the round trips, not earshot, capped the rate (at 210,000/s earshot fell behind with the
    // cores 7 % idle). A real broker fills a fetch across batches. An upstream producer at these
    // rates batches longer; the latency phase keeps the default, since a record's linger counts
    // in its latency from the Kafka timestamp.
    //
    // The generator shares the two cores with earshot, so in this phase it sends records made
    // before its clock starts (--pool): at 250,000/s, formatting them live took a tenth of a
    // core that earshot is measured without on a machine of its own.
    generate("bench.live",
             {"--rate", std::to_string(rate), "--duration", std::to_string(seconds), "--seed",
              std::to_string(seed), "--kafka-property",
              "linger.ms=" + std::to_string(options.sustain_linger_ms), "--pool",
              std::to_string(std::min<int64_t>(options.sustain_pool, int64_t{rate} * seconds))},
             log);
    const auto t1 = Clock::now();
    const std::string glog = ReadAll(log);
    const size_t at = glog.find("generate: ");
    r.produced = at == std::string::npos ? 0 : std::atof(glog.c_str() + at + 10);
    r.finished = wait_while_moving(c_before + r.produced, std::chrono::seconds(5),
                                   std::chrono::seconds(120)) -
                 c_before;
    const auto t2 = Clock::now();
    r.gen_s = Seconds(t0, t1);
    r.total_s = Seconds(t0, t2);
    r.resets = count_resets() - resets_before;
    std::printf(
        "produced %.0f in %.1f s (%.0f/s); earshot finished %.0f by %.1f s (%.0f/s), "
        "%.1f s after the generator stopped; offset resets %d: %s\n",
        r.produced, r.gen_s, r.produced / r.gen_s, r.finished, r.total_s, r.finished / r.total_s,
        r.total_s - r.gen_s, r.resets, r.kept_up() ? "kept up" : "fell behind");
    std::fflush(stdout);
    return r;
  };

  // The maximum sustained rate: --rate, or the highest multiple of the catch-up rate that
  // earshot keeps up with for --seconds while the generator runs beside it. From the catch-up
  // rate the search goes up by a tenth or more while earshot keeps up, then tries once half-way
  // back from the first rate it fails at: the live topic is cheaper to fetch than the preloaded
  // one, and a short catch-up pays its start-up. If earshot fails at the catch-up rate the
  // search goes down through falling fractions instead: on two cores the generator and the
  // broker take a share the catch-up did not have to give. The broker keeps about a second of
  // this topic at these rates, so falling behind loses records (offset resets) within seconds.
  long max_rate = 0;
  Sustained sustained;
  std::printf("== sustained: the generator (linger.ms %d) at %s for %d s while earshot consumes\n",
              options.sustain_linger_ms,
              options.rate > 0 ? "--rate" : "multiples of the catch-up rate and 250000/s",
              options.seconds);
  std::fflush(stdout);
  int seed = 7;
  long last_rate = 0;
  Sustained last_step;
  // One step at `rate`; after a failed one, what is left is drained before the next.
  auto step = [&](long rate) {
    std::printf("at %ld/s: ", rate);
    Sustained r = sustain(rate, options.seconds, seed++, tmp + "/sustain.log");
    last_rate = rate;
    last_step = r;
    if (!r.kept_up()) {
      wait_while_moving(std::numeric_limits<double>::infinity(), std::chrono::milliseconds(2000),
                        std::chrono::seconds(60));
    } else if (rate > max_rate) {
      max_rate = rate;
      sustained = r;
    }
    return r;
  };
  if (options.rate > 0) {
    step(options.rate);
  } else {
    // The target is a step of its own (multiples within 2 % of it give way), so that the
    // verdict does not hang on where the catch-up rate's multiples happen to fall.
    std::vector<long> ladder = {kTargetRate};
    for (double f : {1.0, 1.1, 1.2, 1.35, 1.5, 1.75, 2.0}) {
      const long rate = std::max(1L, static_cast<long>(catchup * f));
      if (std::abs(rate - kTargetRate) > kTargetRate / 50) ladder.push_back(rate);
    }
    std::sort(ladder.begin(), ladder.end());
    while (ladder.size() > 1 && ladder.front() < catchup * 0.98) ladder.erase(ladder.begin());
    long kept = 0;  // the highest rate kept up with
    for (long rate : ladder) {
      if (!step(rate).kept_up()) {
        // One more step half-way between the last rate kept up with and this one.
        if (kept > 0) step((kept + rate) / 2);
        break;
      }
      kept = rate;
    }
    for (double f : {0.8, 0.65, 0.5, 0.4, 0.3}) {
      if (max_rate > 0) break;
      step(std::max(1L, static_cast<long>(catchup * f)));
    }
  }
  if (max_rate == 0) {  // it never kept up: the figures of the last step
    max_rate = last_rate;
    sustained = last_step;
  }

  const long half = std::max(1L, max_rate / 2);
  std::printf("== latency at half the maximum sustained rate (%ld/s for %d s)\n", half,
              options.seconds);
  std::fflush(stdout);
  auto before = bench::EndToEndHistogram(HttpGet(port, "/metrics"));
  generate("bench.live",
           {"--rate", std::to_string(half), "--duration", std::to_string(options.seconds), "--seed",
            "6"},
           tmp + "/latency.log");
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto after = bench::EndToEndHistogram(HttpGet(port, "/metrics"));
  double total = 0;
  const double p50 = bench::Quantile(before, after, 0.5, total),
               p99 = bench::Quantile(before, after, 0.99, total);
  std::printf("latency over %.0f records: p50 %.1f ms, p99 %.1f ms\n", total, p50 * 1000, p99 * 1000);

  long rss_kb = 0;
  {
    std::ifstream status("/proc/" + std::to_string(run.pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("VmHWM:", 0) == 0) rss_kb = std::atol(line.c_str() + 6);
    }
  }
  run.Stop();
  broker.Stop();

  std::printf("\n== earshot bench (2-core machine figures are ratios; targets of issue 6)\n");
  std::printf(
      "  catch-up           %10.0f records/s   (the preloaded corpus, nothing else running)\n",
      catchup);
  std::printf("    %s\n", cpu_line);
  if (python_rate > 0) {
    std::printf("  python pipeline    %10.0f records/s   earshot/python %.1fx (target >= 15x): %s\n",
                python_rate, catchup / python_rate, catchup / python_rate >= 15 ? "met" : "missed");
  }
  std::printf(
      "  latency at %ld/s (half of %ld/s)   p50 %.1f ms, p99 %.1f ms (target p99 < 50 ms): %s\n",
      half, max_rate, p50 * 1000, p99 * 1000, p99 < 0.05 ? "met" : "missed");
  std::printf(
      "  sustained at %ld/s for %d s: %s (%.0f records produced in %.1f s, finished %.1f s after "
      "the generator, offset resets %d; target >= %ld/s with no reset): %s\n",
      max_rate, options.seconds, sustained.kept_up() ? "kept up" : "fell behind",
      sustained.produced, sustained.gen_s, sustained.total_s - sustained.gen_s, sustained.resets,
      kTargetRate, sustained.kept_up() && max_rate >= kTargetRate ? "met" : "missed");
  std::printf("  peak RSS           %10.1f MiB (memory_budget_mb %d; target < 300 MiB): %s\n",
              static_cast<double>(rss_kb) / 1024, options.memory_budget_mb,
              rss_kb < 300 * 1024 ? "met" : "missed");
  if (options.keep) std::printf("  logs and config kept in %s\n", tmp.c_str());
  return kExitOk;
}

}  // namespace earshot::app
