// Integration tests of `earshot run` on the embedded broker (librdkafka's mock cluster): exact
// accounting, dead letters, outputs too large to produce, refused commits, stopping with a full
// producer queue, readiness and metrics. The fault tests are in service_faults_test.cc.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/integration/service_fixture.h"

namespace earshot::testing {
namespace {

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

// librdkafka 2.0.2 lists a known issue: its batch consume may lose or repeat messages when a
// pause, resume, seek or rebalance runs in parallel with it. earshot pauses and resumes on its
// consumer thread, between batch calls, as the note advises. Here the output broker answers
// after 700 ms, so the in-flight limit (1,000) is reached again and again and the partitions
// are paused and resumed many times: every record must still be consumed once, finish and be
// committed, and every output appear once.
TEST_F(ServiceTest, ExactAccountingWhilePartitionsArePausedAndResumedAgainAndAgain) {
  auto config = Load(WriteConfig("  max_inflight_records: 1000\n"));
  auto records = Generate(10000, 11, 0.01);
  Expected expected = ExpectedOutputs(*config, records);
  IsolateOutputs();
  broker_->SetBrokerRtt(kOutputBroker, 700);
  ASSERT_TRUE(ProduceAll(bootstrap_, records));
  auto running = StartService(config, Rules(*config), bootstrap_);
  ASSERT_NE(running, nullptr);
  const auto& stats = running->service->stats();
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 120))
      << "committed " << Committed() << " of " << InputEnd();
  const double pauses = Metric(running->service->admin_port(), "earshot_backpressure_pauses_total");
  EXPECT_EQ(running->Stop(), 0);
  // 24 partitions; 144 pauses when this was written.
  EXPECT_GE(pauses, 48) << "the partitions were not paused and resumed again and again";
  EXPECT_EQ(stats.consumed.load(), 10000);
  EXPECT_EQ(stats.enriched.load(), expected.enriched);
  EXPECT_EQ(stats.filtered.load(), expected.filtered);
  EXPECT_EQ(stats.dead_lettered.load(), expected.dead);
  broker_->SetBrokerRtt(kOutputBroker, 0);
  EXPECT_EQ(EnrichedPairs(ReadTopic(bootstrap_, "earshot.enriched")), expected.pairs);
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

// A produce request the broker refuses for good leaves its records unfinished: nothing is
// committed past them, /readyz says why, the error is counted, and the stop reports it (exit 1).
// The service stays up rather than exit, so that a record that fails every time stalls its own
// partitions on one instance instead of taking down each replica that the rebalance hands them
// to in turn.
TEST_F(ServiceTest, AProduceRefusedForGoodIsNeverCommittedPast) {
  auto config = Load(WriteConfig("", 1 << 20, 2000));
  auto records = Generate(400, 53, 0.0);
  Expected expected = ExpectedOutputs(*config, records);
  ASSERT_GT(expected.enriched, 10);
  ASSERT_TRUE(ProduceAll(bootstrap_, records));
  // Produce (API key 0) answers MESSAGE_TOO_LARGE (10), which librdkafka does not retry, to
  // the next request: the service's first.
  broker_->PushRequestErrors(0, 1, 10);
  auto running = StartService(config, Rules(*config), bootstrap_);
  ASSERT_NE(running, nullptr);
  const int port = running->service->admin_port();
  std::string body;
  EXPECT_TRUE(WaitFor(
      [&] {
        return HttpGet(port, "/readyz", &body) == 503 &&
               body == "not ready: a record could not be produced; see the log\n";
      },
      30))
      << body;
  EXPECT_GE(Metric(port, "earshot_kafka_producer_errors_total"), 1.0);
  // Everything else finishes and is committed; the refused records never are.
  EXPECT_TRUE(WaitFor([&] { return running->service->stats().consumed.load() == 400; }, 30));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // five commit intervals
  EXPECT_GT(Committed(), 0);
  EXPECT_LT(Committed(), InputEnd());
  EXPECT_EQ(running->Stop(), 1);
  EXPECT_LT(Committed(), InputEnd());
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
  // At 0 before any offset reset, so that the first one shows as an increase to an alert rule.
  EXPECT_NE(body.find("\nearshot_kafka_consumer_records_skipped_total{topic=\"raw.reddit\"} 0\n"),
            std::string::npos);
  EXPECT_NE(body.find("\nearshot_kafka_consumer_offset_resets_total{topic=\"raw.x\"} 0\n"),
            std::string::npos);
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

}  // namespace
}  // namespace earshot::testing
