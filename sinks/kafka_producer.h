// KafkaProducer: a thin RAII owner of a librdkafka producer handle for earshot's output topics
// (enriched posts, dead letters, alerts).
//
// Produce() is thread-safe (workers call it directly); delivery reports are delivered by Poll()
// on whichever single thread calls it, to the DeliveryFn given at creation. Each record carries
// a 64-bit token that comes back with its report. Payloads are copied, so callers may reuse
// their buffers at once. Secrets in properties are never logged.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct rd_kafka_s;
struct rd_kafka_topic_s;

namespace earshot::sinks {

struct Header {
  std::string_view name;
  std::string_view value;
};

// Called from Poll() for every produced record: its token and whether it was acknowledged.
using DeliveryFn = std::function<void(uint64_t token, bool ok, std::string_view error)>;

enum class ProduceStatus : uint8_t { kOk, kQueueFull, kFailed };

class KafkaProducer {
 public:
  // `properties` are librdkafka settings (bootstrap.servers and anything from config).
  // `on_stats` (optional) receives librdkafka's statistics JSON when statistics.interval.ms is
  // set, from Poll().
  static std::unique_ptr<KafkaProducer> Create(const std::map<std::string, std::string>& properties,
                                               DeliveryFn on_delivery,
                                               std::function<void(std::string_view)> on_stats,
                                               std::string& error);
  ~KafkaProducer();

  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Enqueues one record. kQueueFull means librdkafka's queue is full: poll and retry (this is
  // backpressure, not an error). On kFailed, `error` (when given) gets librdkafka's reason.
  ProduceStatus Produce(const std::string& topic, std::string_view key, std::string_view value,
                        const std::vector<Header>& headers, uint64_t token,
                        std::string* error = nullptr);

  // Serves delivery reports; returns how many were served.
  int Poll(int timeout_ms);
  // Waits until every queued record is delivered or `timeout_ms` passes. True when all were.
  bool Flush(int timeout_ms);
  // Gives up on every record queued or in flight: each gets a failed delivery report, served
  // here. For a stop whose flush timed out, so that destroying the producer does not wait.
  void Purge();
  // Records queued or in flight.
  int OutQueueLength() const;

  // Starts looking up these topics' partitions now, without waiting, so that the first records
  // produced to them do not wait for a metadata round trip (or, for a topic the broker creates on
  // first use, for several). The handles are kept for the producer's lifetime, and Produce uses
  // them: a record to a topic given by name costs librdkafka a write lock on the client and a
  // search of its topic list. REQUIRES: no Produce call runs concurrently with this one.
  void PrepareTopics(const std::vector<std::string>& topics);

  rd_kafka_s* handle() { return handle_; }

 private:
  KafkaProducer() = default;
  static void OnDelivery(rd_kafka_s* rk, const void* message, void* opaque);

  rd_kafka_s* handle_ = nullptr;
  std::vector<std::pair<std::string, rd_kafka_topic_s*>> topics_;  // from PrepareTopics
  DeliveryFn on_delivery_;
  std::function<void(std::string_view)> on_stats_;
};

// True for property names whose values must never be printed (passwords, keys, tokens).
[[nodiscard]] bool IsSecretProperty(std::string_view name);

}  // namespace earshot::sinks
