// KafkaProducer::PrepareTopics on the embedded broker: the output topics' partitions are known
// before the first record is produced (until they are, librdkafka holds the records).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <memory>
#include <string>

#include "ingest/embedded_broker.h"
#include "sinks/kafka_producer.h"

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

}  // namespace
}  // namespace earshot::testing
