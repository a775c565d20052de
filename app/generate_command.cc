#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "app/commands.h"
#include "app/config.h"
#include "app/generator.h"
#include "sinks/kafka_producer.h"

namespace earshot::app {
namespace {

bool ReadLines(const std::string& path, std::vector<std::string>& out) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] != '#') out.push_back(line);
  }
  return true;
}

}  // namespace

int RunGenerate(const GenerateOptions& options) {
  GeneratorOptions gen;
  gen.seed = options.seed;
  gen.scenario = options.scenario;
  gen.storm_at_s = options.storm_at_s;
  gen.topic_prefix = options.topic_prefix;
  if (gen.scenario != "steady" && gen.scenario != "complaint-storm") {
    std::fprintf(stderr, "earshot generate: unknown scenario '%s' (steady, complaint-storm)\n",
                 gen.scenario.c_str());
    return kExitUsage;
  }
  if (!options.brands_file.empty() && !ReadLines(options.brands_file, gen.brands)) {
    std::fprintf(stderr, "earshot generate: cannot read %s\n", options.brands_file.c_str());
    return kExitUsage;
  }
  if (!options.config.empty()) {
    ConfigResult loaded = LoadConfig(options.config);
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
      return kExitUsage;
    }
    for (const auto& b : loaded.config->brands) gen.brands.push_back(b.name);
  }
  if (options.pool < 0 || (options.pool > 0 && gen.scenario != "steady")) {
    std::fprintf(stderr,
                 "earshot generate: --pool must be 0 or more, and 0 with --scenario %s (a pool "
                 "is generated up front, so it cannot script an incident)\n",
                 gen.scenario.c_str());
    return kExitUsage;
  }
  if (options.to != "stdout" && options.to != "kafka") {
    std::fprintf(stderr, "earshot generate: --to must be kafka or stdout\n");
    return kExitUsage;
  }
  std::string bootstrap = options.bootstrap;
  if (options.to == "kafka" && bootstrap.empty() && !options.bootstrap_file.empty()) {
    // Wait (bounded) for a broker that is still starting to publish its address.
    for (int i = 0; i < 300 && bootstrap.empty(); ++i) {
      std::ifstream in(options.bootstrap_file);
      std::getline(in, bootstrap);
      if (bootstrap.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  if (options.to == "kafka" && bootstrap.empty()) {
    std::fprintf(stderr, "earshot generate: --to kafka needs --bootstrap or --bootstrap-file\n");
    return kExitUsage;
  }

  Generator generator(gen);
  std::atomic<int64_t> failed{0};
  std::unique_ptr<sinks::KafkaProducer> producer;
  if (options.to == "kafka") {
    std::string error;
    std::map<std::string, std::string> properties = {
        {"bootstrap.servers", bootstrap},
        {"linger.ms", "5"},
        {"client.id", "earshot-generate"},
        {"queue.buffering.max.messages", "500000"}};
    for (const std::string& kv : options.kafka_properties) {
      auto property = SplitKeyValue(kv);
      if (!property) {
        std::fprintf(stderr, "earshot generate: --kafka-property '%s': expected KEY=VALUE\n",
                     kv.c_str());
        return kExitUsage;
      }
      properties[property->first] = property->second;
    }
    producer = sinks::KafkaProducer::Create(
        properties,
        [&](uint64_t, bool ok, std::string_view) {
          if (!ok) failed.fetch_add(1);
        },
        nullptr, error);
    if (!producer) {
      std::fprintf(stderr, "earshot generate: %s\n", error.c_str());
      return kExitRuntime;
    }
    producer->PrepareTopics(options.topic.empty() ? generator.Topics()
                                                  : std::vector<std::string>{options.topic});
  }
  GeneratedRecord record;
  // Load-test mode: the records are made before the clock starts, so that on a machine shared
  // with the system under test the generator spends its time producing, not formatting.
  std::vector<GeneratedRecord> pool(static_cast<size_t>(options.pool));
  {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    for (GeneratedRecord& r : pool) {
      generator.Next(0, now_ms, r);
      if (!options.topic.empty()) r.topic = options.topic;
    }
  }
  auto start = std::chrono::steady_clock::now();
  int64_t produced = 0;
  std::string line;
  const double rate = options.rate;
  while (true) {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.duration_s > 0 && elapsed >= options.duration_s) break;
    if (options.count > 0 && produced >= options.count) break;
    auto due = static_cast<int64_t>(rate * elapsed) + 1;
    if (options.count > 0) due = std::min<int64_t>(due, options.count);
    if (produced >= due) {
      if (producer) producer->Poll(1);
      else std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    while (produced < due) {
      const GeneratedRecord* next = &record;
      if (pool.empty()) {
        generator.Next(elapsed, now_ms, record);
        if (!options.topic.empty()) record.topic = options.topic;
      } else {
        next = &pool[static_cast<size_t>(produced % options.pool)];
      }
      if (producer) {
        sinks::ProduceStatus st;
        while ((st = producer->Produce(next->topic, next->key, next->value, {}, 0)) ==
               sinks::ProduceStatus::kQueueFull) {
          producer->Poll(5);
        }
        if (st == sinks::ProduceStatus::kFailed) failed.fetch_add(1);
      } else {
        line.assign(next->value);
        line.push_back('\n');
        std::fwrite(line.data(), 1, line.size(), stdout);
      }
      ++produced;
    }
    if (producer) producer->Poll(0);
  }
  if (producer && !producer->Flush(30000)) {
    std::fprintf(stderr, "earshot generate: %d records still unsent after 30 s\n",
                 producer->OutQueueLength());
    return kExitRuntime;
  }
  std::fflush(stdout);
  std::fprintf(stderr, "generate: %lld records%s\n", static_cast<long long>(produced),
               failed.load() ? " (some failed)" : "");
  return failed.load() == 0 ? kExitOk : kExitRuntime;
}

}  // namespace earshot::app
