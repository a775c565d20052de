// KafkaProducer on the embedded broker: PrepareTopics makes the output topics' partitions known
// before the first record is produced (until they are, librdkafka holds the records), and
// records reach prepared topics (by handle) and others (by name), with and without headers.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ingest/embedded_broker.h"
#include "sinks/kafka_producer.h"
#include "tests/integration/kafka_harness.h"

namespace earshot::testing {
namespace {

// Partitions of `topic` in a librdkafka statistics document (0: the client does not know it).
int KnownPartitions(const std::string& stats, const std::string& topic) {
  simdjson::dom::parser parser;
  simdjson::dom::object partitions;
  if (parser.parse(stats)["topics"][topic]["partitions"].get(partitions) != simdjson::SUCCESS) {
    return 0;
  }
  int known = 0;
  for (auto [id, p] : partitions) known += id != "-1";  // -1: records not yet partitioned
  return known;
}

TEST(KafkaProducerTest, PreparedTopicsAreKnownBeforeTheFirstRecord) {
  std::string error;
  auto broker = ingest::EmbeddedBroker::Create(1, {{"out.prepared", 5}, {"out.other", 3}}, error);
  ASSERT_NE(broker, nullptr) << error;
  std::string stats;
  auto producer = sinks::KafkaProducer::Create(
      {{"bootstrap.servers", broker->bootstrap_servers()}, {"statistics.interval.ms", "20"}},
      [](uint64_t, bool, std::string_view) {}, [&stats](std::string_view s) { stats = s; }, error);
  ASSERT_NE(producer, nullptr) << error;
  producer->PrepareTopics({"out.prepared"});
  int partitions = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (partitions != 5 && std::chrono::steady_clock::now() < deadline) {
    producer->Poll(20);
    partitions = KnownPartitions(stats, "out.prepared");
  }
  EXPECT_EQ(partitions, 5) << stats.substr(0, 600);
  // A topic nobody named stays unknown: no record has been produced to it.
  EXPECT_EQ(KnownPartitions(stats, "out.other"), 0);
}

TEST(KafkaProducerTest, ProducesToPreparedAndNamedTopicsWithAndWithoutHeaders) {
  std::string error;
  auto broker = ingest::EmbeddedBroker::Create(1, {{"out.prepared", 2}, {"out.named", 2}}, error);
  ASSERT_NE(broker, nullptr) << error;
  std::vector<uint64_t> delivered;
  int failed = 0;
  auto producer = sinks::KafkaProducer::Create(
      {{"bootstrap.servers", broker->bootstrap_servers()}, {"linger.ms", "1"}},
      [&](uint64_t token, bool ok, std::string_view) {
        if (ok)
          delivered.push_back(token);
        else
          ++failed;
      },
      nullptr, error);
  ASSERT_NE(producer, nullptr) << error;
  producer->PrepareTopics({"out.prepared"});
  const std::vector<sinks::Header> headers = {{"earshot.reason", "test"}};
  uint64_t token = 0;
  for (const char* topic : {"out.prepared", "out.named"}) {
    EXPECT_EQ(producer->Produce(topic, "k", "plain", {}, ++token), sinks::ProduceStatus::kOk);
    EXPECT_EQ(producer->Produce(topic, "k", "with headers", headers, ++token),
              sinks::ProduceStatus::kOk);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (delivered.size() + failed < 4 && std::chrono::steady_clock::now() < deadline) {
    producer->Poll(20);
  }
  std::sort(delivered.begin(), delivered.end());
  EXPECT_EQ(delivered, (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(failed, 0);
  // Read back: each topic holds its two records, the second with its header.
  for (const char* topic : {"out.prepared", "out.named"}) {
    std::vector<std::string> values, reasons;
    for (const Record& r : ReadTopic(broker->bootstrap_servers(), topic)) {
      values.push_back(r.value);
      if (auto it = r.headers.find("earshot.reason"); it != r.headers.end()) {
        reasons.push_back(it->second);
      }
    }
    std::sort(values.begin(), values.end());
    EXPECT_EQ(values, (std::vector<std::string>{"plain", "with headers"})) << topic;
    EXPECT_EQ(reasons, (std::vector<std::string>{"test"})) << topic;
  }
}

}  // namespace
}  // namespace earshot::testing
