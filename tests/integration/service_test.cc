// Integration tests of `earshot run` on the embedded broker (librdkafka's mock cluster): exact
// accounting, dead letters, readiness, and no loss across SIGKILL, rebalances and broker
// faults. Hermetic: OS-chosen ports, temp dirs, fresh group ids, bounded waits.
#include "app/service.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "app/brands.h"
#include "app/config.h"
#include "ingest/embedded_broker.h"
#include "pipeline/enrich.h"
#include "tests/integration/kafka_harness.h"

namespace earshot::testing {
namespace {

using Pairs = std::multiset<std::pair<std::string, std::string>>;
using Clock = std::chrono::steady_clock;

constexpr int kPartitions = 4;
const std::vector<std::pair<std::string, std::string>> kInputs = {
    {"raw.x", "x_v2"},       {"raw.x.v1", "x_v1"},         {"raw.reddit", "reddit"},
    {"raw.bluesky", "bluesky"}, {"raw.mastodon", "mastodon"}, {"raw.reviews", "auto"}};

template <typename Pred>
bool WaitFor(Pred pred, int seconds) {
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

std::unique_ptr<Running> StartService(std::shared_ptr<const app::Config> config,
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
        case pipeline::Outcome::kEnriched: ++e.enriched; break;
        case pipeline::Outcome::kFiltered: ++e.filtered; break;
        case pipeline::Outcome::kDeadLetter: ++e.dead; break;
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
    for (const auto& [t, f] : kInputs) total += CommittedOffsets(bootstrap_, group_, t, kPartitions);
    return total;
  }

  // earshot_paused_partitions from an instance's /metrics (0 when unreadable).
  static double PausedPartitions(int admin_port) {
    std::string body;
    if (HttpGet(admin_port, "/metrics", &body) != 200) return 0.0;
    const std::string_view name = "\nearshot_paused_partitions ";
    size_t at = body.find(name);
    return at == std::string::npos ? 0.0 : std::atof(body.c_str() + at + name.size());
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

TEST_F(ServiceTest, AccountsForEveryRecordExactlyAndCommitsEverything) {
  auto config = Load(WriteConfig());
  auto records = Generate(4000, 7, 0.02);
  Expected expected = ExpectedOutputs(*config, records);
  ASSERT_GT(expected.dead, 20);
  ASSERT_GT(expected.enriched, 500);
  ASSERT_TRUE(ProduceAll(bootstrap_, records));
  auto running = StartService(config, Rules(*config), bootstrap_);
  ASSERT_NE(running, nullptr);
  const auto& stats = running->service->stats();
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 90))
      << "committed " << Committed() << " of " << InputEnd();
  EXPECT_EQ(running->Stop(), 0);
  EXPECT_EQ(stats.consumed.load(), 4000);
  EXPECT_EQ(stats.enriched.load() + stats.filtered.load() + stats.dead_lettered.load(), 4000);
  EXPECT_EQ(stats.enriched.load(), expected.enriched);
  EXPECT_EQ(stats.filtered.load(), expected.filtered);
  EXPECT_EQ(stats.dead_lettered.load(), expected.dead);

  auto enriched = ReadTopic(bootstrap_, "earshot.enriched");
  EXPECT_EQ(EnrichedPairs(enriched), expected.pairs);  // exactly once without faults
  int64_t complaints = 0, routed = 0;
  for (const Record& r : enriched) {
    ASSERT_TRUE(r.key == "nimbus-air" || r.key == "brightbean" || r.key == "parcelly") << r.key;
    ASSERT_NE(r.value.find(",\"sentiment\":{\"label\":\""), std::string::npos) << r.value;
    ASSERT_NE(r.value.find(",\"intent\":["), std::string::npos) << r.value;
    complaints += r.value.find("\"complaint\":{\"is_complaint\":true") != std::string::npos;
    routed += r.value.find("\"queue\":\"care\"") != std::string::npos;
  }
  // The complaint stage runs in the service: the generator's complaint texts are found and
  // routed to the default queue (the test config has no routing rules).
  EXPECT_GT(complaints, static_cast<int64_t>(enriched.size()) / 10);
  EXPECT_GE(routed, complaints);
  auto dead = ReadTopic(bootstrap_, "earshot.dead-letter");
  EXPECT_EQ(static_cast<int64_t>(dead.size()), expected.dead);
  for (const Record& r : dead) {
    EXPECT_EQ(r.headers.count("earshot.reason"), 1u);
    EXPECT_EQ(r.headers.at("earshot.source.topic").rfind("raw.", 0), 0u);
    EXPECT_EQ(r.headers.count("earshot.source.offset"), 1u);
  }
}

TEST_F(ServiceTest, BrokenRecordsLandInTheDeadLetterTopicWithTheirReason) {
  auto config = Load(WriteConfig("", 4096));
  std::string big = R"({"data":{"id":"9","text":")" + std::string(5000, 'a') +
                    R"(","created_at":"2026-01-01T00:00:00Z"}})";
  std::vector<app::GeneratedRecord> records = {
      {"raw.x", "k1", R"({"data":{"id":"1","text":"Parcelly lost it)"},
      {"raw.x", "k2", big},
      {"raw.reviews", "k3", "{\"review_id\":\"r\",\"business_id\":\"b\",\"text\":\"\xff\xfe\"}"},
      {"raw.reviews", "k4", R"({"no":"adapter knows this"})"},
      {"raw.bluesky", "k5", R"({"did":"d","time_us":1,"kind":"identity"})"},
      // An X page whose second tweet has no text: the record is enriched, the tweet dropped.
      {"raw.x", "k6",
       R"({"data":[{"id":"1","text":"Parcelly lost my parcel","created_at":"2026-01-01T00:00:00Z"},)"
       R"({"id":"2","created_at":"2026-01-01T00:00:00Z"}]})"},
  };
  ASSERT_TRUE(ProduceAll(bootstrap_, records));
  auto running = StartService(config, Rules(*config), bootstrap_);
  ASSERT_NE(running, nullptr);
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 60));
  // Counters are flushed once no record waits, before the record is reported and committed.
  std::string metrics;
  ASSERT_EQ(HttpGet(running->service->admin_port(), "/metrics", &metrics), 200);
  EXPECT_NE(metrics.find("\nearshot_ingest_dropped_elements_total{reason=\"missing_text\"} 1\n"),
            std::string::npos)
      << metrics.substr(metrics.find("earshot_ingest_dropped_elements_total"), 400);
  EXPECT_NE(metrics.find("\nearshot_ingest_dropped_elements_total{reason=\"not_a_post\"} 0\n"),
            std::string::npos);
  EXPECT_EQ(running->Stop(), 0);
  auto dead = ReadTopic(bootstrap_, "earshot.dead-letter");
  std::map<std::string, std::string> reason_by_key;
  for (const Record& r : dead) {
    reason_by_key[r.key] = r.headers.at("earshot.reason");
    for (const auto& original : records) {
      if (original.key == r.key) {
        EXPECT_EQ(r.value, original.value) << "original bytes kept";
      }
    }
  }
  EXPECT_EQ(reason_by_key, (std::map<std::string, std::string>{{"k1", "malformed_json"},
                                                                 {"k2", "too_large"},
                                                                 {"k3", "bad_encoding"},
                                                                 {"k4", "not_a_post"}}));
  EXPECT_EQ(running->service->stats().filtered.load(), 1);  // the identity event
  EXPECT_EQ(running->service->stats().enriched.load(), 1);  // k6
}

// librdkafka refuses, for good, a record larger than the producer's message.max.bytes. A record
// whose enriched output or dead letter would be that large must still be finished: dead-lettered
// (cut to size, with the full size in a header), and committed.
TEST_F(ServiceTest, OutputsTooLargeForTheProducerAreDeadLetteredAndCommitted) {
  auto config = Load(WriteConfig("", 1 << 20, 15000, "    message.max.bytes: \"60000\"\n"));
  const std::string long_post = R"({"data":{"id":"41","text":"Parcelly )" +
                                std::string(50000, 'z') +
                                R"(","created_at":"2026-01-01T00:00:00Z"}})";
  const std::string long_junk = "{" + std::string(100000, '[');
  // No creation time: bad_timestamp, with a message that quotes its 60 KB id.
  const std::string long_id =
      R"({"data":{"id":")" + std::string(60000, '7') + R"(","text":"Parcelly"}})";
  std::vector<app::GeneratedRecord> records = {
      {"raw.x", "k1", long_post},
      {"raw.x", "k2", long_junk},
      {"raw.x", "k3",
       R"({"data":{"id":"43","text":"Parcelly lost my parcel again",)"
       R"("created_at":"2026-01-01T00:00:00Z"}})"},
      {"raw.x", "k4", long_id},
  };
  ASSERT_TRUE(ProduceAll(bootstrap_, records));
  auto running = StartService(config, Rules(*config), bootstrap_);
  ASSERT_NE(running, nullptr);
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 60))
      << "committed " << Committed() << " of " << InputEnd();
  EXPECT_EQ(running->Stop(), 0);
  const auto& stats = running->service->stats();
  EXPECT_EQ(stats.enriched.load(), 1);
  EXPECT_EQ(stats.dead_lettered.load(), 3);
  std::map<std::string, Record> dead;
  for (Record& r : ReadTopic(bootstrap_, "earshot.dead-letter")) dead[r.key] = std::move(r);
  ASSERT_EQ(dead.size(), 3u);
  const size_t limit = 60000 - (16 << 10);  // message.max.bytes less earshot's headroom
  // Each dead letter is the first bytes of its record, with key and headers within the limit.
  auto check_cut = [&](const Record& r, const std::string& original) {
    size_t headers = 0;
    for (const auto& [name, value] : r.headers) headers += name.size() + value.size();
    EXPECT_LE(r.key.size() + r.value.size() + headers, limit) << r.key;
    EXPECT_GT(r.value.size(), limit / 2) << r.key;
    EXPECT_EQ(r.value, original.substr(0, r.value.size())) << r.key;
    EXPECT_EQ(r.headers.at("earshot.truncated"), "the first " + std::to_string(r.value.size()) +
                                                     " of " + std::to_string(original.size()) +
                                                     " bytes");
  };
  const Record& k1 = dead.at("k1");
  EXPECT_EQ(k1.headers.at("earshot.reason"), "too_large");
  EXPECT_NE(k1.headers.at("earshot.message").find("enriched record of"), std::string::npos)
      << k1.headers.at("earshot.message");
  check_cut(k1, long_post);
  const Record& k2 = dead.at("k2");
  EXPECT_EQ(k2.headers.at("earshot.reason"), "malformed_json");
  check_cut(k2, long_junk);
  const Record& k4 = dead.at("k4");
  EXPECT_EQ(k4.headers.at("earshot.reason"), "bad_timestamp");
  EXPECT_LE(k4.headers.at("earshot.message").size(), 512u);
  check_cut(k4, long_id);
  auto enriched = ReadTopic(bootstrap_, "earshot.enriched");
  ASSERT_EQ(enriched.size(), 1u);
  EXPECT_NE(enriched[0].value.find("\"id\":\"43\""), std::string::npos);
}

// An asynchronous commit the coordinator refuses must not count as done: the partitions are
// committed again, while the service runs, not left behind until a restart.
TEST_F(ServiceTest, RefusedCommitsAreSentAgain) {
  auto config = Load(WriteConfig());
  auto records = Generate(300, 47, 0.0);
  ASSERT_TRUE(ProduceAll(bootstrap_, records));
  // OffsetCommit (API key 8) answers OFFSET_METADATA_TOO_LARGE (12), a permanent error, to the
  // next 8 commit requests: the first commits of the run.
  broker_->PushRequestErrors(8, 8, 12);
  auto running = StartService(config, Rules(*config), bootstrap_);
  ASSERT_NE(running, nullptr);
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 30))
      << "committed " << Committed() << " of " << InputEnd() << " while running";
  std::string body;
  ASSERT_EQ(HttpGet(running->service->admin_port(), "/metrics", &body), 200);
  const std::string_view name = "\nearshot_kafka_commit_failures_total ";
  const size_t at = body.find(name);
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::atof(body.c_str() + at + name.size()), 0.0) << "the refusals were not seen";
  EXPECT_EQ(running->Stop(), 0);
}

// A stop while the producer's queue is full and its broker down: the workers, waiting for room
// that never comes, must give up, and Stop must return (unclean) soon after the drain deadline.
TEST_F(ServiceTest, StopReturnsWhenTheProducerQueueStaysFull) {
  auto config = Load(WriteConfig("", 1 << 20, 1000, "    queue.buffering.max.messages: \"1\"\n"));
  auto rules = Rules(*config);
  auto records = Generate(2000, 43, 0.0);
  auto running = StartWithOutputsDown(config, rules, records);
  ASSERT_NE(running, nullptr);
  ASSERT_TRUE(WaitFor([&] { return running->service->stats().consumed.load() > 10; }, 30));
  const auto t0 = Clock::now();
  std::atomic<bool> stopped{false};
  int code = -1;
  std::thread stopper([&] {
    code = running->Stop();
    stopped = true;
  });
  // Bounded: a service that hangs cannot be stopped or destroyed, so the process ends here.
  if (!WaitFor([&] { return stopped.load(); }, 20)) {
    std::fprintf(stderr, "FAILED: Stop() did not return within 20 s of a 1 s drain deadline\n");
    std::_Exit(1);
  }
  stopper.join();
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 20.0);
  EXPECT_EQ(code, 1) << "the drain timed out: an unclean stop";
  EXPECT_LT(Committed(), InputEnd()) << "nothing undelivered may be committed";
}

TEST_F(ServiceTest, ReadinessFollowsAssignmentAndMetricsAreServed) {
  auto config = Load(WriteConfig());
  std::string error;
  auto service = app::Service::Create(config, Rules(*config), bootstrap_, error);
  ASSERT_NE(service, nullptr) << error;
  int port = service->admin_port();
  ASSERT_GT(port, 0);
  std::string body;
  EXPECT_EQ(HttpGet(port, "/healthz"), 200);
  EXPECT_EQ(HttpGet(port, "/readyz", &body), 503);
  EXPECT_EQ(body, "not ready: no partitions assigned\n");
  int code = -1;
  std::thread t([&] { code = service->Run(); });
  EXPECT_TRUE(WaitFor([&] { return HttpGet(port, "/readyz") == 200; }, 30));
  ASSERT_TRUE(ProduceAll(bootstrap_, Generate(50, 3, 0)));
  EXPECT_TRUE(WaitFor([&] { return service->stats().consumed.load() == 50; }, 30));
  EXPECT_EQ(HttpGet(port, "/metrics", &body), 200);
  EXPECT_NE(body.find("earshot_ingest_consumed_total 50"), std::string::npos) << body.substr(0, 400);
  EXPECT_NE(body.find("earshot_kafka_consumer_lag{"), std::string::npos);
  // The in-flight limit the memory budget gives (256 MiB: 15 % at 2 KiB a record).
  EXPECT_NE(body.find("earshot_records_in_flight{kind=\"limit\"} 19660\n"), std::string::npos)
      << body.substr(body.find("earshot_records_in_flight"), 300);
  EXPECT_NE(body.find("earshot_queue_depth{queue=\"work\",worker=\"0\"} "), std::string::npos);
  EXPECT_NE(body.find("earshot_paused_partitions "), std::string::npos);
  // The 24 partitions (6 topics of 4) split evenly over the 2 workers.
  EXPECT_NE(body.find("earshot_worker_partitions{worker=\"0\"} 12\n"), std::string::npos)
      << body.substr(body.find("earshot_worker_partitions"), 200);
  EXPECT_NE(body.find("earshot_worker_partitions{worker=\"1\"} 12\n"), std::string::npos);
  EXPECT_NE(body.find("earshot_complaints_total{brand=\"parcelly\",priority=\"P1\"}"),
            std::string::npos);
  EXPECT_NE(body.find("earshot_complaints_by_category_total{category=\"safety\",priority=\"P2\"}"),
            std::string::npos);
  // /stats: the accounting as JSON, every record finished one way or another.
  EXPECT_TRUE(WaitFor(
      [&] {
        const auto& st = service->stats();
        return st.enriched.load() + st.filtered.load() + st.dead_lettered.load() == 50;
      },
      30));
  // Nothing left in flight: the occupancy gauge comes back to 0 (it is refreshed every 100 ms).
  EXPECT_TRUE(WaitFor(
      [&] {
        std::string metrics;
        return HttpGet(port, "/metrics", &metrics) == 200 &&
               metrics.find("earshot_records_in_flight{kind=\"current\"} 0\n") !=
                   std::string::npos;
      },
      30));
  EXPECT_EQ(HttpGet(port, "/stats", &body), 200);
  const auto& st = service->stats();
  EXPECT_NE(body.find("{\"consumed\":50,\"enriched\":" + std::to_string(st.enriched.load()) +
                      ",\"filtered\":" + std::to_string(st.filtered.load()) +
                      ",\"dead_lettered\":" + std::to_string(st.dead_lettered.load()) + ","),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("\"assigned_partitions\":"), std::string::npos) << body;
  // Workers batch their counter increments; once every record is reported, /metrics holds them
  // all: the outcomes agree with /stats and every queue operation is counted.
  ASSERT_EQ(HttpGet(port, "/metrics", &body), 200);
  auto value = [&body](const std::string& series) {
    const size_t at = body.find("\n" + series + " ");
    return at == std::string::npos ? -1.0 : std::atof(body.c_str() + at + series.size() + 2);
  };
  EXPECT_EQ(value("earshot_ingest_records_total{outcome=\"enriched\"}"),
            static_cast<double>(st.enriched.load()));
  EXPECT_EQ(value("earshot_ingest_records_total{outcome=\"filtered\"}"),
            static_cast<double>(st.filtered.load()));
  EXPECT_EQ(value("earshot_ingest_records_total{outcome=\"dead_lettered\"}"),
            static_cast<double>(st.dead_lettered.load()));
  for (const char* series : {"earshot_queue_operations_total{op=\"pop\",queue=\"work\"}",
                             "earshot_queue_operations_total{op=\"push\",queue=\"report\"}",
                             "earshot_queue_operations_total{op=\"pop\",queue=\"report\"}"}) {
    EXPECT_EQ(value(series), 50.0) << series;
  }
  EXPECT_EQ(HttpGet(port, "/nope"), 404);
  service->RequestStop();
  t.join();
  EXPECT_EQ(code, 0);
  EXPECT_EQ(HttpGet(port, "/readyz"), 503);  // partitions given up on the way out
}

TEST_F(ServiceTest, NoLossAcrossSigkillAndRestart) {
  std::string path = WriteConfig();
  auto config = Load(path);
  constexpr int kRecords = 40000, kChunks = 20;
  auto records = Generate(kRecords, 11, 0.005);
  Expected expected = ExpectedOutputs(*config, records);
  // Records keep arriving while the first process runs and it is killed while they still do,
  // so the kill lands mid-stream by construction (not by timing).
  constexpr int kChunk = kRecords / kChunks;
  auto chunk = [&](int c) {
    auto first = records.begin() + c * kChunk;
    return std::vector<app::GeneratedRecord>(first, first + kChunk);
  };
  for (int c = 0; c < 5; ++c) ASSERT_TRUE(ProduceAll(bootstrap_, chunk(c)));
  std::atomic<int> produced{5 * kChunk};
  std::atomic<bool> produced_all{false};
  auto spawn = [&] {
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 2);
      execl(EARSHOT_BINARY, EARSHOT_BINARY, "run", "-c", path.c_str(), nullptr);
      _exit(127);
    }
    return pid;
  };
  pid_t first = spawn();
  ASSERT_GT(first, 0);
  bool progressed = WaitFor([&] { return Committed() > 2000; }, 60);
  std::thread producer([&] {
    for (int c = 5; c < kChunks; ++c) {
      EXPECT_TRUE(ProduceAll(bootstrap_, chunk(c)));
      produced.fetch_add(kChunk);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    produced_all.store(true);
  });
  WaitFor([&] { return produced.load() >= 10 * kChunk; }, 60);
  kill(first, SIGKILL);
  int produced_at_kill = produced.load();
  int status = 0;
  waitpid(first, &status, 0);
  if (!progressed || produced_at_kill >= kRecords) producer.join();
  ASSERT_TRUE(progressed) << "no progress before the kill";
  ASSERT_LT(produced_at_kill, kRecords) << "the producer finished before the kill";
  int64_t at_kill = Committed();
  pid_t second = spawn();
  ASSERT_GT(second, 0);
  if (producer.joinable()) producer.join();
  EXPECT_LE(at_kill, produced_at_kill) << "nothing is committed before it is produced";
  EXPECT_TRUE(WaitFor([&] { return produced_all.load() && Committed() == InputEnd(); }, 120))
      << "committed " << Committed() << " of " << InputEnd();
  EXPECT_EQ(InputEnd(), kRecords);
  kill(second, SIGTERM);
  waitpid(second, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  Pairs got = EnrichedPairs(ReadTopic(bootstrap_, "earshot.enriched"));
  EXPECT_EQ(Unique(got), Unique(expected.pairs)) << "every expected output at least once";
  int64_t duplicates = static_cast<int64_t>(got.size() - expected.pairs.size());
  EXPECT_GE(duplicates, 0);
  EXPECT_LE(duplicates, static_cast<int64_t>(expected.pairs.size()) / 2) << "bounded duplicates";
  std::fprintf(stderr, "sigkill: committed %lld at kill; %lld duplicate outputs of %zu\n",
               static_cast<long long>(at_kill), static_cast<long long>(duplicates),
               expected.pairs.size());
}

// The one loss earshot cannot prevent: records the broker dropped (retention) before it read
// them. It must count them, so that consumed + skipped covers every record in the partition.
TEST_F(ServiceTest, CountsRecordsLostToRetentionOnAnOffsetReset) {
  auto config = Load(WriteConfig());
  auto rules = Rules(*config);
  constexpr int kFirst = 10, kBig = 70;
  std::vector<app::GeneratedRecord> first, big;
  for (int i = 0; i < kFirst; ++i) first.push_back({"raw.x", "one-partition", "{\"broken"});
  // 7 MiB more in the same partition: the mock keeps about 5 MiB a partition, so the committed
  // offset (10) is gone when the next instance asks for it.
  for (int i = 0; i < kBig; ++i)
    big.push_back({"raw.x", "one-partition", std::string(100000, 'x')});

  auto a = StartService(config, rules, bootstrap_);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(ProduceAll(bootstrap_, first));
  ASSERT_TRUE(WaitFor([&] { return Committed() == kFirst; }, 60)) << Committed();
  EXPECT_EQ(a->Stop(), 0);
  ASSERT_TRUE(ProduceAll(bootstrap_, big));

  auto b = StartService(config, rules, bootstrap_);
  ASSERT_NE(b, nullptr);
  auto metric = [&](std::string_view name) {
    std::string body;
    if (HttpGet(b->service->admin_port(), "/metrics", &body) != 200) return 0.0;
    const std::string line = "\n" + std::string(name) + "{topic=\"raw.x\"} ";
    const size_t at = body.find(line);
    return at == std::string::npos ? 0.0 : std::atof(body.c_str() + at + line.size());
  };
  auto consumed = [&] { return b->service->stats().consumed.load(); };
  auto skipped = [&] { return metric("earshot_kafka_consumer_records_skipped_total"); };
  EXPECT_TRUE(WaitFor([&] { return consumed() + skipped() >= kBig; }, 60))
      << "consumed " << consumed() << ", skipped " << skipped();
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 30));
  EXPECT_GE(metric("earshot_kafka_consumer_offset_resets_total"), 1.0);
  EXPECT_GT(skipped(), 0.0);
  EXPECT_LT(consumed(), kBig) << "the broker dropped some: they cannot all have been read";
  EXPECT_EQ(consumed() + static_cast<int64_t>(skipped()), kBig) << "each record counted once";
  EXPECT_EQ(b->Stop(), 0);
}

TEST_F(ServiceTest, NoLossWhenASecondInstanceJoinsAndLeaves) {
  auto config = Load(WriteConfig());
  auto records = Generate(20000, 13, 0.005);
  Expected expected = ExpectedOutputs(*config, records);
  auto rules = Rules(*config);
  auto a = StartService(config, rules, bootstrap_);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(WaitFor([&] { return a->service->stats().assigned_partitions.load() > 0; }, 30));
  std::vector<app::GeneratedRecord> first(records.begin(), records.begin() + 10000);
  std::vector<app::GeneratedRecord> second(records.begin() + 10000, records.end());
  ASSERT_TRUE(ProduceAll(bootstrap_, first));
  auto b = StartService(config, rules, bootstrap_);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(WaitFor([&] { return b->service->stats().assigned_partitions.load() > 0; }, 30))
      << "the second instance never got partitions";
  ASSERT_TRUE(ProduceAll(bootstrap_, second));
  EXPECT_TRUE(WaitFor([&] { return b->service->stats().consumed.load() > 0; }, 30));
  EXPECT_EQ(b->Stop(), 0);  // leaves the group: a rebalance moves its partitions back
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 90))
      << "committed " << Committed() << " of " << InputEnd();
  EXPECT_EQ(a->Stop(), 0);
  int64_t consumed = a->service->stats().consumed.load() + b->service->stats().consumed.load();
  EXPECT_GE(consumed, 20000);
  EXPECT_EQ(EnrichedUnique(), Unique(expected.pairs));
}

// Backpressure and a rebalance together: the output broker is down, so records pile up in
// flight until the service pauses its partitions; a second instance joins while they are paused,
// the broker comes back, the second instance leaves. Every partition must be fetched again after
// each assignment (librdkafka keeps a paused partition paused across unassign and assign).
TEST_F(ServiceTest, PausedPartitionsAreFetchedAgainAfterARebalance) {
  auto config = Load(WriteConfig("  memory_budget_mb: 32\n"));
  auto rules = Rules(*config);
  auto records = Generate(12000, 29, 0.0);
  Expected expected = ExpectedOutputs(*config, records);
  auto a = StartWithOutputsDown(config, rules, records);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(WaitFor([&] { return PausedPartitions(a->service->admin_port()) > 0; }, 60))
      << "no partition was paused while nothing could be delivered";
  const int64_t consumed_while_blocked = a->service->stats().consumed.load();
  EXPECT_LT(consumed_while_blocked, static_cast<int64_t>(records.size()));
  // The second instance's join revokes the first one's partitions while they are paused. The
  // broker comes back while the first instance drains in its revoke callback (the embedded
  // broker completes a rebalance after session.timeout.ms - 1 s, so a member still draining
  // then is dropped from the group instead).
  auto b = StartService(config, rules, bootstrap_);
  ASSERT_NE(b, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  broker_->SetBrokerDown(kOutputBroker, false);
  EXPECT_TRUE(WaitFor([&] { return b->service->stats().assigned_partitions.load() > 0; }, 60))
      << "the second instance never got partitions";
  EXPECT_TRUE(WaitFor([&] { return b->service->stats().consumed.load() > 0; }, 60));
  EXPECT_EQ(b->Stop(), 0);
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 120))
      << "committed " << Committed() << " of " << InputEnd();
  EXPECT_EQ(a->Stop(), 0);
  EXPECT_EQ(EnrichedUnique(), Unique(expected.pairs));
}

// A revoke whose drain times out (the output broker is down) leaves work running; when the
// instance gets those partitions back, that work must not finish the new assignment's records.
TEST_F(ServiceTest, WorkLeftByATimedOutRevokeStaysApartFromTheNextAssignment) {
  auto config = Load(WriteConfig("  memory_budget_mb: 32\n", 1 << 20, 1500));
  auto rules = Rules(*config);
  auto records = Generate(8000, 31, 0.0);
  Expected expected = ExpectedOutputs(*config, records);
  auto a = StartWithOutputsDown(config, rules, records);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(WaitFor([&] { return a->service->stats().consumed.load() > 0; }, 30));
  // The join revokes everything from the first instance, whose 1.5 s drain cannot finish;
  // it gets half of the partitions back.
  auto b = StartService(config, rules, bootstrap_);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(WaitFor([&] { return b->service->stats().assigned_partitions.load() > 0; }, 60));
  EXPECT_TRUE(WaitFor([&] { return a->service->stats().assigned_partitions.load() > 0; }, 30));
  EXPECT_GT(a->service->stats().reassigned_unfinished.load(), 0);
  broker_->SetBrokerDown(kOutputBroker, false);
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 120))
      << "committed " << Committed() << " of " << InputEnd();
  b->Stop();  // may report an unclean drain: it took over partitions with work outstanding
  EXPECT_EQ(a->Stop(), 0);
  EXPECT_EQ(EnrichedUnique(), Unique(expected.pairs));
}

// A consumer paused for backpressure still serves its group. The output broker stays down
// while a second instance joins: the first instance, congested and paused, must take part in the
// rebalance (revoke, drain until its deadline, rejoin) and end up sharing the partitions, rather
// than stop polling until the embedded broker drops it from the group (after session.timeout.ms
// - 1 s) and the second instance takes everything.
TEST_F(ServiceTest, APausedInstanceTakesPartInARebalance) {
  auto config = Load(WriteConfig("  memory_budget_mb: 32\n", 1 << 20, 1500));
  auto rules = Rules(*config);
  auto records = Generate(12000, 37, 0.0);
  Expected expected = ExpectedOutputs(*config, records);
  auto a = StartWithOutputsDown(config, rules, records);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(WaitFor([&] { return PausedPartitions(a->service->admin_port()) > 0; }, 60))
      << "no partition was paused while nothing could be delivered";
  auto b = StartService(config, rules, bootstrap_);
  ASSERT_NE(b, nullptr);
  const int64_t total = static_cast<int64_t>(kInputs.size()) * kPartitions;
  auto shared = [&] {
    const int64_t in_a = a->service->stats().assigned_partitions.load();
    const int64_t in_b = b->service->stats().assigned_partitions.load();
    return in_a > 0 && in_b > 0 && in_a + in_b == total;
  };
  EXPECT_TRUE(WaitFor(shared, 30))
      << "first instance " << a->service->stats().assigned_partitions.load() << ", second instance "
      << b->service->stats().assigned_partitions.load() << " of " << total
      << " partitions while the first was paused";
  broker_->SetBrokerDown(kOutputBroker, false);
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 120))
      << "committed " << Committed() << " of " << InputEnd();
  b->Stop();  // may report an unclean drain: it took over partitions with work outstanding
  EXPECT_EQ(a->Stop(), 0);
  EXPECT_EQ(EnrichedUnique(), Unique(expected.pairs));
}

TEST_F(ServiceTest, NoLossThroughBrokerFaults) {
  auto config = Load(WriteConfig());
  auto records = Generate(12000, 17, 0.005);
  Expected expected = ExpectedOutputs(*config, records);
  auto running = StartService(config, Rules(*config), bootstrap_);
  ASSERT_NE(running, nullptr);
  ASSERT_TRUE(WaitFor([&] { return running->service->stats().assigned_partitions.load() > 0; }, 30));
  std::vector<app::GeneratedRecord> part;
  auto batch = [&](size_t from, size_t to) {
    return std::vector<app::GeneratedRecord>(records.begin() + static_cast<long>(from),
                                             records.begin() + static_cast<long>(to));
  };
  ASSERT_TRUE(ProduceAll(bootstrap_, batch(0, 4000)));
  // A broker goes down and comes back while records flow.
  broker_->SetBrokerDown(2, true);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  broker_->SetBrokerDown(2, false);
  ASSERT_TRUE(ProduceAll(bootstrap_, batch(4000, 8000)));
  // Leaders of the output partitions move; Produce requests fail with retriable errors.
  for (int p = 0; p < kPartitions; ++p) broker_->SetPartitionLeader("earshot.enriched", p, 1 + p % 3);
  constexpr int kProduceApi = 0, kNotLeader = 6;
  broker_->PushRequestErrors(kProduceApi, 20, kNotLeader);
  ASSERT_TRUE(ProduceAll(bootstrap_, batch(8000, 12000)));
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 120))
      << "committed " << Committed() << " of " << InputEnd();
  EXPECT_EQ(running->Stop(), 0);
  EXPECT_EQ(EnrichedUnique(), Unique(expected.pairs));
  const auto& st = running->service->stats();
  EXPECT_EQ(st.enriched.load() + st.filtered.load() + st.dead_lettered.load(), st.consumed.load());
}

}  // namespace
}  // namespace earshot::testing
