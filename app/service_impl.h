// Service::Impl, the state `earshot run` shares between its threads, and the records they hand
// each other. Private to the service's sources: service.cc (start-up and the consumer loop),
// service_worker.cc (the worker threads) and service_consumer.cc (partition bookkeeping, offsets,
// backpressure and rebalances, on the consumer thread).
#pragma once

#include <librdkafka/rdkafka.h>
#include <prometheus/gauge.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "app/offset_tracker.h"
#include "app/rdkafka_log.h"
#include "app/service.h"
#include "app/service_metrics.h"
#include "ingest/format.h"
#include "pipeline/enrich.h"
#include "pipeline/spsc_queue.h"
#include "sinks/admin_server.h"
#include "sinks/kafka_producer.h"

namespace earshot::app {
struct Service::Impl {
  using Clock = std::chrono::steady_clock;

  // A delivery token packs the partition slot (16 bits) and the offset (48 bits).
  static uint64_t MakeToken(uint32_t slot, int64_t offset) {
    return (static_cast<uint64_t>(slot) << 48) |
           (static_cast<uint64_t>(offset) & ((1ULL << 48) - 1));
  }
  static uint32_t TokenSlot(uint64_t token) { return static_cast<uint32_t>(token >> 48); }
  static int64_t TokenOffset(uint64_t token) {
    return static_cast<int64_t>(token & ((1ULL << 48) - 1));
  }

  struct WorkItem {
    rd_kafka_message_t* message = nullptr;  // owned: the worker destroys it
    uint32_t slot = 0;
    ingest::Format format = ingest::Format::kAuto;
  };

  struct WorkReport {
    uint32_t slot = 0;
    int64_t offset = 0;
    int32_t outputs = 0;  // records produced for this input (each will be acknowledged)
    Outcome outcome = Outcome::kFiltered;
    bool produce_failed = false;
  };

  // One assigned (or once assigned) partition.
  struct Slot {
    std::string topic;
    int32_t partition = 0;
    ingest::Format format = ingest::Format::kAuto;
    size_t worker = 0;
    bool assigned = false;
    bool paused = false;
    int64_t committed = -1;  // last offset committed (as the next offset to read)
    PartitionTracker tracker;
    prometheus::Gauge* lag = nullptr;
  };

  std::shared_ptr<const Config> config;
  std::shared_ptr<const pipeline::match::RuleSet> rules;
  std::string bootstrap;
  ServiceStats stats;
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<sinks::AdminServer> admin;
  std::unique_ptr<sinks::KafkaProducer> producer;
  rd_kafka_t* consumer = nullptr;
  rd_kafka_queue_t* consumer_queue = nullptr;
  std::atomic<bool>* stop = nullptr;
  std::atomic<bool> producer_up{false};
  std::atomic<bool> fatal{false};
  std::atomic<bool> workers_stop{false};
  // Set when a stop gives up on the outputs still queued: their failed deliveries are expected.
  std::atomic<bool> abandoning_outputs{false};
  // The largest output record the producer accepts (message.max.bytes less room for headers).
  size_t max_output_bytes = 1000000 - kOutputHeadroom;
  static constexpr size_t kOutputHeadroom = 16 << 10;
  // Dead letters: the longest earshot.message kept, a header's framing, and room for the
  // earshot.truncated header.
  static constexpr size_t kMaxDeadLetterMessage = 512;
  static constexpr size_t kHeaderOverhead = 16;
  static constexpr size_t kTruncatedHeaderBytes = 96;

  std::vector<std::unique_ptr<pipeline::SpscQueue<WorkItem>>> work;
  std::vector<std::unique_ptr<pipeline::SpscQueue<WorkReport>>> reports;
  std::vector<std::deque<WorkItem>> pending;  // per worker: items waiting for queue space
  std::vector<std::thread> threads;
  std::vector<std::atomic<int64_t>> brand_counts;
  std::vector<std::atomic<int64_t>> brand_labels;  // brand * 4 + sentiment::Label
  std::shared_ptr<const pipeline::sentiment::SentimentSnapshot> sentiment;
  std::shared_ptr<const pipeline::complaints::ComplaintSnapshot> complaints;  // null: disabled
  std::vector<std::atomic<int64_t>> brand_complaints;  // brand * 4 + priority - 1
  size_t max_inflight = 50000;  // records consumed and not finished; beyond it, pause

  std::vector<Slot> slots;
  // Slots ReplaceSlot took out of slot_index: their late reports and acknowledgements still
  // land on them; once idle they are reused.
  std::vector<uint32_t> retired_slots;
  std::unordered_map<std::string, uint32_t> slot_index;  // "topic\0partition"
  std::unordered_map<uint64_t, uint32_t> slot_cache;     // (topic handle, partition) -> slot
  Clock::time_point congested_since{};
  Clock::time_point stop_deadline = Clock::time_point::max();  // set when stopping
  std::unordered_map<std::string, ingest::Format> topic_format;
  size_t in_flight = 0;
  Clock::time_point last_commit = Clock::now();
  Clock::time_point last_gauges{};

  // The occupancy gauges (in flight, queue depths, paused partitions), at most every 100 ms.
  void UpdateGauges();

  ~Impl() {
    // The consumer first (destroying one never closed serves a last rebalance, which drains
    // through the producer), then the producer (its last delivery reports reach the slots,
    // metrics and stats): both while every member is alive.
    if (consumer_queue != nullptr) rd_kafka_queue_destroy(consumer_queue);
    if (consumer != nullptr) rd_kafka_destroy(consumer);
    consumer = nullptr;
    producer.reset();
  }

  static std::string SlotKey(std::string_view topic, int32_t partition) {
    std::string key(topic);
    key.push_back('\0');
    key.append(std::to_string(partition));
    return key;
  }

  uint32_t SlotFor(std::string_view topic, int32_t partition);

  // A new slot for the partition, which from now on maps to it. Its worker is set by the
  // assignment that brings the partition (OnRebalance) or by ReplaceSlot.
  uint32_t AddSlot(std::string topic, int32_t partition);

  // A new slot for the partition of slot `old`, which keeps its unfinished entries; the new one
  // has the old one's worker, so its records queue behind the old ones (record order). The new
  // slot is a retired one whose records have all finished when there is one: a token has 16
  // bits for the slot, and reassignments that leave work unfinished must not use them up.
  uint32_t ReplaceSlot(uint32_t old);

  // Sets slot `id` up for the partition and maps the partition to it.
  void InitSlot(uint32_t id, std::string topic, int32_t partition);
  static constexpr size_t kMaxSlots = size_t{1} << 16;  // what a delivery token can name

  // ---- workers (service_worker.cc) -------------------------------------------------------

  void WorkerLoop(size_t index);

  // Produces one record, waiting while librdkafka's queue is full (backpressure reaches the
  // consumer through this worker's full input queue). False on a permanent failure.
  bool Produce(const std::string& topic, std::string_view key, std::string_view value,
               const std::vector<sinks::Header>& headers, uint64_t token);

  // ---- consumer thread (service_consumer.cc) ---------------------------------------------

  void OnDelivery(uint64_t token, bool ok, std::string_view error);

  void OnReport(const WorkReport& r);

  void ObserveLatency(int64_t timestamp_ms);

  // Delivery reports and worker reports; returns how many were handled.
  size_t Serve();

  size_t TotalInFlight() const {
    size_t n = 0;
    for (const Slot& s : slots) n += s.tracker.in_flight();
    return n;
  }

  void Pause(Slot& slot);

  void ResumeIdleWorkers();

  void FlushPending();

  // Slot of a message, cached by its topic handle and partition (no allocation per message).
  uint32_t SlotOf(rd_kafka_message_t* m);

  void Dispatch(rd_kafka_message_t* m);

  // Backpressure. While a worker's ring is full the consumer stops pulling records (librdkafka's
  // prefetch is capped by queued.max.messages.kbytes), so at most one batch waits here. When the
  // congestion lasts (a stuck producer, a broker outage), the worker's partitions are paused so
  // librdkafka stops fetching them too; they resume once the ring is half empty.
  enum class Congestion {
    kNone,
    kHolding,  // congested: take no records for now
    kPaused,   // congested for a while: the congested partitions are paused
  };
  Congestion Congested();

  void Commit(bool sync, const std::vector<uint32_t>* only = nullptr);

  // Waits until the given slots have nothing in flight, or the deadline passes.
  bool Drain(const std::vector<uint32_t>& which, Clock::time_point deadline);

  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
  // The result of an offset commit (served by the consumer queue, on the consumer thread): a
  // failed partition is marked uncommitted, so the next commit sends its offset again.
  void OnCommitted(rd_kafka_resp_err_t err, const rd_kafka_topic_partition_list_t* offsets);

  void OnStats(std::string_view json);

  // Counts a reset of the consumer's position (librdkafka's threads; see the log callback).
  void OnOffsetReset(const OffsetReset& reset);

  void OnProducerStats(std::string_view json);
};

}  // namespace earshot::app
