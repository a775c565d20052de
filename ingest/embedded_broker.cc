#include "ingest/embedded_broker.h"

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h must come after rdkafka.h.
#include <librdkafka/rdkafka_mock.h>

#include <charconv>
#include <vector>

namespace earshot::ingest {

bool ParseTopicSpec(std::string_view text, int default_partitions, TopicSpec& spec,
                    std::string& error) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    if (text.empty()) {
      error = "empty topic name";
      return false;
    }
    spec = {std::string(text), default_partitions};
    return true;
  }
  std::string_view digits = text.substr(colon + 1);
  int partitions = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), partitions);
  if (colon == 0 || ec != std::errc() || ptr != digits.data() + digits.size() || partitions < 1) {
    error = "'" + std::string(text) + "' is not NAME or NAME:PARTITIONS (a positive count)";
    return false;
  }
  spec = {std::string(text.substr(0, colon)), partitions};
  return true;
}

std::unique_ptr<EmbeddedBroker> EmbeddedBroker::Create(int brokers,
                                                       const std::vector<TopicSpec>& topics,
                                                       std::string& error) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the cluster; it never connects anywhere.
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    error = errstr;
    return nullptr;
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    error = std::string("cannot create the embedded broker's handle: ") + errstr;
    return nullptr;
  }
  std::unique_ptr<EmbeddedBroker> broker(new EmbeddedBroker());
  broker->handle_ = rk;
  broker->cluster_ = rd_kafka_mock_cluster_new(rk, brokers);
  if (broker->cluster_ == nullptr) {
    error = "cannot start librdkafka's mock cluster";
    return nullptr;
  }
  broker->bootstrap_ = rd_kafka_mock_cluster_bootstraps(broker->cluster_);
  for (const auto& topic : topics) {
    error = broker->CreateTopic(topic);
    if (!error.empty()) return nullptr;
  }
  return broker;
}

EmbeddedBroker::~EmbeddedBroker() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_ != nullptr) rd_kafka_destroy(handle_);
}

std::string EmbeddedBroker::CreateTopic(const TopicSpec& topic) {
  rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(cluster_, topic.name.c_str(), topic.partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return "cannot create topic " + topic.name + ": " + rd_kafka_err2str(err);
  }
  return {};
}

void EmbeddedBroker::SetBrokerDown(int broker_id, bool down) {
  if (down) {
    rd_kafka_mock_broker_set_down(cluster_, broker_id);
  } else {
    rd_kafka_mock_broker_set_up(cluster_, broker_id);
  }
}

void EmbeddedBroker::SetPartitionLeader(const std::string& topic, int partition, int broker_id) {
  rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker_id);
}

void EmbeddedBroker::SetBrokerRtt(int broker_id, int rtt_ms) {
  rd_kafka_mock_broker_set_rtt(cluster_, broker_id, rtt_ms);
}

void EmbeddedBroker::PushRequestErrors(int api_key, int count, int error_code) {
  std::vector<rd_kafka_resp_err_t> errors(static_cast<size_t>(count),
                                          static_cast<rd_kafka_resp_err_t>(error_code));
  rd_kafka_mock_push_request_errors_array(cluster_, static_cast<int16_t>(api_key),
                                          errors.size(), errors.data());
}

void EmbeddedBroker::SetGroupCoordinator(const std::string& group, int broker_id) {
  rd_kafka_mock_coordinator_set(cluster_, "group", group.c_str(), broker_id);
}

}  // namespace earshot::ingest
