// EmbeddedBroker: librdkafka's mock cluster started in-process — real Kafka protocol on loopback
// TCP ports chosen by the OS, that any Kafka client can connect to. Used by the demo, by
// `earshot broker`, by `kafka: {bootstrap: embedded}` and by the integration tests.
//
// Retention is small (about 5 MiB per partition, older data is dropped silently), so callers give
// topics enough partitions for their volume. Thread-safe after Create(); owns its librdkafka
// handle and destroys the cluster before it (the required order).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace earshot::ingest {

struct TopicSpec {
  std::string name;
  int partitions = 6;
};

// Parses "NAME" (with `default_partitions`) or "NAME:PARTITIONS" (a positive count). Returns
// false and sets `error` otherwise.
bool ParseTopicSpec(std::string_view text, int default_partitions, TopicSpec& spec,
                    std::string& error);

class EmbeddedBroker {
 public:
  // Starts `brokers` mock brokers and creates `topics`. Returns null and sets `error` on failure.
  static std::unique_ptr<EmbeddedBroker> Create(int brokers, const std::vector<TopicSpec>& topics,
                                                std::string& error);
  ~EmbeddedBroker();

  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // "127.0.0.1:port,127.0.0.1:port,..."
  const std::string& bootstrap_servers() const { return bootstrap_; }

  // Creates another topic. Returns an error message, empty on success.
  std::string CreateTopic(const TopicSpec& topic);

  // Fault injection, for tests: take a broker (1-based id) down or up; move a partition's leader
  // (-1 = leaderless).
  void SetBrokerDown(int broker_id, bool down);
  void SetPartitionLeader(const std::string& topic, int partition, int broker_id);
  // Delays every response of broker `broker_id` by `rtt_ms` (0: no delay).
  void SetBrokerRtt(int broker_id, int rtt_ms);
  // Makes the next `count` requests of Kafka API `api_key` fail with `error_code`.
  void PushRequestErrors(int api_key, int count, int error_code);
  // Makes broker `broker_id` the coordinator of consumer group `group`.
  void SetGroupCoordinator(const std::string& group, int broker_id);

 private:
  EmbeddedBroker() = default;

  rd_kafka_s* handle_ = nullptr;
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstrap_;
};

}  // namespace earshot::ingest
