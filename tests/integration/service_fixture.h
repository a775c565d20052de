// The fixture of the `earshot run` integration tests (service_test.cc: accounting, dead
// letters, outputs, commits, readiness; service_faults_test.cc: no loss across SIGKILL,
// rebalances and broker faults): an embedded broker (librdkafka's mock cluster) of three brokers
// with the input and output topics, a config writer, the offline expectation of what the service
// must produce, and helpers to read offsets and topics back. Hermetic: OS-chosen ports, temp
// dirs, fresh group ids, bounded waits.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "app/brands.h"
#include "app/config.h"
#include "app/service.h"
#include "ingest/embedded_broker.h"
#include "pipeline/enrich.h"
#include "tests/integration/kafka_harness.h"

namespace earshot::testing {

using Pairs = std::multiset<std::pair<std::string, std::string>>;
using Clock = std::chrono::steady_clock;

inline constexpr int kPartitions = 4;
inline const std::vector<std::pair<std::string, std::string>> kInputs = {
    {"raw.x", "x_v2"},          {"raw.x.v1", "x_v1"},         {"raw.reddit", "reddit"},
    {"raw.bluesky", "bluesky"}, {"raw.mastodon", "mastodon"}, {"raw.reviews", "auto"}};

template <typename Pred>
inline bool WaitFor(Pred pred, int seconds) {
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

struct Expected {
  Pairs pairs;  // (post id, brand id) per enriched output
  int64_t enriched = 0, filtered = 0, dead = 0;
};

struct Running {
  std::unique_ptr<app::Service> service;
  std::thread thread;
  int code = -1;
  void Start() {
    thread = std::thread([this] { code = service->Run(); });
  }
  int Stop() {
    service->RequestStop();
    thread.join();
    return code;
  }
};

inline std::unique_ptr<Running> StartService(std::shared_ptr<const app::Config> config,
                                             std::shared_ptr<const pipeline::match::RuleSet> rules,
                                             const std::string& bootstrap) {
  auto r = std::make_unique<Running>();
  std::string error;
  r->service = app::Service::Create(config, rules, bootstrap, error);
  EXPECT_NE(r->service, nullptr) << error;
  if (!r->service) return nullptr;
  r->Start();
  return r;
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<ingest::TopicSpec> topics;
    for (const auto& [t, f] : kInputs) topics.push_back({t, kPartitions});
    topics.push_back({"earshot.enriched", kPartitions});
    topics.push_back({"earshot.dead-letter", kPartitions});
    std::string error;
    broker_ = ingest::EmbeddedBroker::Create(3, topics, error);
    ASSERT_NE(broker_, nullptr) << error;
    bootstrap_ = broker_->bootstrap_servers();
    group_ = "it-" + std::to_string(std::random_device{}());
  }

  std::string WriteConfig(const std::string& extra_service = "", int max_record_bytes = 1 << 20,
                          int shutdown_timeout_ms = 15000, const std::string& extra_producer = "") {
    std::string path = dir_.path + "/earshot.yaml";
    std::ofstream out(path);
    out << "inputs:\n";
    for (const auto& [t, f] : kInputs) {
      out << "  - name: " << t << "\n    topic: " << t << "\n    format: " << f << "\n";
    }
    // The tests read earshot.enriched back whole, and the mock keeps about 5 MiB a partition:
    // three brands' outputs land in three partitions at most, and with duplicates after a
    // SIGKILL they outgrew that uncompressed (the default on a loopback broker).
    out << "kafka:\n  bootstrap: " << bootstrap_ << "\n  group_id: " << group_
        << "\n  consumer:\n    session.timeout.ms: 6000\n    heartbeat.interval.ms: 500\n"
        << "  producer:\n    compression.type: lz4\n"
        << extra_producer << "limits:\n  max_record_bytes: " << max_record_bytes << "\n"
        << "service:\n  workers: 2\n  admin_listen: 127.0.0.1:0\n  commit_interval_ms: 200\n"
        << "  shutdown_timeout_ms: " << shutdown_timeout_ms << "\n"
        << extra_service << "brands:\n"
        << "  - id: nimbus-air\n    name: Nimbus Air\n    query: '\"nimbus air\" OR @NimbusAir'\n"
        << "  - id: brightbean\n    name: Brightbean\n    query: 'brightbean OR @Brightbean'\n"
        << "  - id: parcelly\n    name: Parcelly\n    query: 'parcelly OR @Parcelly'\n";
    return path;
  }

  std::shared_ptr<const app::Config> Load(const std::string& path) {
    auto loaded = app::LoadConfig(path);
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.errors[0].ToString());
    return loaded.config;
  }

  std::shared_ptr<const pipeline::match::RuleSet> Rules(const app::Config& config) {
    std::vector<app::ConfigError> errors;
    auto rules = app::CompileBrands(config, errors);
    EXPECT_TRUE(errors.empty());
    return rules;
  }

  static std::vector<app::GeneratedRecord> Generate(int n, uint64_t seed, double malformed) {
    app::GeneratorOptions options;
    options.brands = {"Nimbus Air", "Brightbean", "Parcelly"};
    options.seed = seed;
    options.malformed_rate = malformed;
    app::Generator gen(options);
    std::vector<app::GeneratedRecord> out(static_cast<size_t>(n));
    for (auto& r : out) gen.Next(1.0, 1795000000000, r);
    return out;
  }

  // What the service must produce, computed offline with the same stateless chain.
  Expected ExpectedOutputs(const app::Config& config,
                           const std::vector<app::GeneratedRecord>& records) {
    Expected e;
    ingest::ParserOptions po;
    po.max_record_bytes = config.max_record_bytes;
    pipeline::Enricher enricher(po, Rules(config));
    pipeline::EnrichResult result;
    simdjson::dom::parser parser;
    for (const auto& r : records) {
      ingest::Format format = ingest::Format::kAuto;
      for (const auto& input : config.inputs) {
        if (input.topic == r.topic) format = input.format;
      }
      enricher.Process(format, r.value, r.value.size(), ingest::Origin{}, result);
      switch (result.outcome) {
        case pipeline::Outcome::kEnriched:
          ++e.enriched;
          break;
        case pipeline::Outcome::kFiltered:
          ++e.filtered;
          break;
        case pipeline::Outcome::kDeadLetter:
          ++e.dead;
          break;
      }
      for (size_t i = 0; i < result.count; ++i) {
        simdjson::dom::element doc;
        std::string_view post_id;
        EXPECT_EQ(parser.parse(result.records[i].value).get(doc), simdjson::SUCCESS);
        EXPECT_EQ(doc["post"]["id"].get(post_id), simdjson::SUCCESS);
        e.pairs.emplace(std::string(post_id), result.records[i].key);
      }
    }
    return e;
  }

  // Inputs and the group's coordinator on brokers 1 and 2, every output partition on
  // kOutputBroker, so that taking it down stops deliveries and nothing else.
  static constexpr int kOutputBroker = 3;
  void IsolateOutputs() {
    broker_->SetGroupCoordinator(group_, 1);
    for (const auto& [t, f] : kInputs) {
      for (int p = 0; p < kPartitions; ++p) broker_->SetPartitionLeader(t, p, 1 + p % 2);
    }
    for (const char* t : {"earshot.enriched", "earshot.dead-letter"}) {
      for (int p = 0; p < kPartitions; ++p) broker_->SetPartitionLeader(t, p, kOutputBroker);
    }
  }

  // How the backpressure tests start: inputs and outputs on separate brokers, one instance
  // running with partitions, then the output broker down and `records` produced, so that nothing
  // can be delivered. Null, with a failure recorded, when a step fails.
  std::unique_ptr<Running> StartWithOutputsDown(
      std::shared_ptr<const app::Config> config,
      std::shared_ptr<const pipeline::match::RuleSet> rules,
      const std::vector<app::GeneratedRecord>& records) {
    IsolateOutputs();
    auto running = StartService(config, rules, bootstrap_);
    if (running == nullptr) return nullptr;
    if (!WaitFor([&] { return running->service->stats().assigned_partitions.load() > 0; }, 30)) {
      ADD_FAILURE() << "no partitions assigned";
      running->Stop();
      return nullptr;
    }
    broker_->SetBrokerDown(kOutputBroker, true);
    if (!ProduceAll(bootstrap_, records)) {
      ADD_FAILURE() << "producing the records failed";
      running->Stop();
      return nullptr;
    }
    return running;
  }

  int64_t InputEnd() {
    int64_t total = 0;
    for (const auto& [t, f] : kInputs) total += EndOffsets(bootstrap_, t);
    return total;
  }

  int64_t Committed() {
    int64_t total = 0;
    for (const auto& [t, f] : kInputs)
      total += CommittedOffsets(bootstrap_, group_, t, kPartitions);
    return total;
  }

  // The value of one series (name and labels as /metrics writes them) from an instance's
  // /metrics; 0 when unreadable.
  static double Metric(int admin_port, const std::string& series) {
    std::string body;
    if (HttpGet(admin_port, "/metrics", &body) != 200) return 0.0;
    const std::string name = "\n" + series + " ";
    size_t at = body.find(name);
    return at == std::string::npos ? 0.0 : std::atof(body.c_str() + at + name.size());
  }

  static double PausedPartitions(int admin_port) {
    return Metric(admin_port, "earshot_paused_partitions");
  }

  static Pairs Unique(const Pairs& pairs) {
    Pairs u;
    for (auto it = pairs.begin(); it != pairs.end(); it = pairs.upper_bound(*it)) u.insert(*it);
    return u;
  }

  // The distinct (post id, brand id) pairs on the enriched topic.
  Pairs EnrichedUnique() {
    return Unique(EnrichedPairs(ReadTopic(bootstrap_, "earshot.enriched")));
  }

  TempDir dir_;
  std::unique_ptr<ingest::EmbeddedBroker> broker_;
  std::string bootstrap_;
  std::string group_;
};

}  // namespace earshot::testing
