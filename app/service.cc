#include "app/service.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <thread>
#include <unordered_map>
#include <vector>

#include "app/commands.h"
#include "app/offset_tracker.h"
#include "app/service_metrics.h"
#include "ingest/format.h"
#include "pipeline/enrich.h"
#include "pipeline/spsc_queue.h"
#include "sinks/admin_server.h"
#include "sinks/kafka_producer.h"

namespace earshot::app {
namespace {

using Clock = std::chrono::steady_clock;
using pipeline::Outcome;

// A delivery token packs the partition slot (16 bits) and the offset (48 bits).
uint64_t MakeToken(uint32_t slot, int64_t offset) {
  return (static_cast<uint64_t>(slot) << 48) | (static_cast<uint64_t>(offset) & ((1ULL << 48) - 1));
}
uint32_t TokenSlot(uint64_t token) { return static_cast<uint32_t>(token >> 48); }
int64_t TokenOffset(uint64_t token) { return static_cast<int64_t>(token & ((1ULL << 48) - 1)); }

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

}  // namespace

struct Service::Impl {
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
  std::unordered_map<std::string, uint32_t> slot_index;  // "topic\0partition"
  std::unordered_map<uint64_t, uint32_t> slot_cache;     // (topic handle, partition) -> slot
  Clock::time_point congested_since{};
  Clock::time_point stop_deadline = Clock::time_point::max();  // set when stopping
  std::unordered_map<std::string, ingest::Format> topic_format;
  size_t in_flight = 0;
  Clock::time_point last_commit = Clock::now();
  Clock::time_point last_gauges{};

  // The occupancy gauges (in flight, queue depths, paused partitions), at most every 100 ms.
  void UpdateGauges() {
    const auto now = Clock::now();
    if (now - last_gauges < std::chrono::milliseconds(100)) return;
    last_gauges = now;
    metrics->in_flight_now->Set(static_cast<double>(in_flight));
    for (size_t w = 0; w < work.size(); ++w) {
      metrics->work_depth[w]->Set(static_cast<double>(work[w]->size()));
      metrics->backlog_depth[w]->Set(static_cast<double>(pending[w].size()));
    }
    size_t paused = 0;
    for (const Slot& slot : slots) paused += slot.paused && slot.assigned;
    metrics->paused_partitions.Set(static_cast<double>(paused));
  }

  ~Impl() {
    if (consumer_queue != nullptr) rd_kafka_queue_destroy(consumer_queue);
    if (consumer != nullptr) rd_kafka_destroy(consumer);
  }

  static std::string SlotKey(std::string_view topic, int32_t partition) {
    std::string key(topic);
    key.push_back('\0');
    key.append(std::to_string(partition));
    return key;
  }

  uint32_t SlotFor(std::string_view topic, int32_t partition) {
    auto it = slot_index.find(SlotKey(topic, partition));
    return it != slot_index.end() ? it->second : AddSlot(std::string(topic), partition);
  }

  // A new slot for the partition, which from now on maps to it. Its worker follows from the
  // partition, so a replaced slot's successor keeps the same worker (and record order).
  uint32_t AddSlot(std::string topic, int32_t partition) {
    std::string key = SlotKey(topic, partition);
    auto id = static_cast<uint32_t>(slots.size());
    Slot& s = slots.emplace_back();
    auto f = topic_format.find(topic);
    s.format = f == topic_format.end() ? ingest::Format::kAuto : f->second;
    s.worker = std::hash<std::string>{}(key) % work.size();
    s.lag = &metrics->lag.Add({{"topic", topic}, {"partition", std::to_string(partition)}});
    s.topic = std::move(topic);
    s.partition = partition;
    slot_index.insert_or_assign(std::move(key), id);
    return id;
  }

  // A new slot for the partition of slot `old`, which keeps its unfinished entries.
  uint32_t ReplaceSlot(uint32_t old) {
    const uint32_t id = AddSlot(slots[old].topic, slots[old].partition);
    slot_cache.clear();  // it maps messages to `old`
    stats.reassigned_unfinished.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("{}[{}] assigned again with {} records of its previous assignment unfinished",
                 slots[id].topic, slots[id].partition, slots[old].tracker.in_flight());
    return id;
  }

  // ---- workers ----------------------------------------------------------------------------

  void WorkerLoop(size_t index) {
    // Named for top -H and perf: "earshot-w0", "earshot-w1", ... (15 bytes at most).
    pthread_setname_np(pthread_self(), ("earshot-w" + std::to_string(index % 100000)).c_str());
    ingest::ParserOptions parser_options;
    parser_options.max_record_bytes = config->max_record_bytes;
    pipeline::Enricher enricher(parser_options, rules, sentiment, complaints);
    pipeline::EnrichResult result;
    auto& in = *work[index];
    auto& out = *reports[index];
    std::vector<sinks::Header> headers;
    std::string post_json;
    uint64_t processed = 0;
    int idle = 0;
    CounterBatch counts;  // this worker's metric increments, applied in batches
    while (true) {
      std::optional<WorkItem> item = in.TryPop();
      if (!item) {
        if (!counts.empty()) counts.Flush();
        if (workers_stop.load(std::memory_order_relaxed)) return;
        if (++idle < 64) {
          std::this_thread::yield();
        } else {
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        continue;
      }
      idle = 0;
      counts.Add(metrics->work_pop);
      rd_kafka_message_t* m = item->message;
      ingest::Origin origin;
      origin.topic = rd_kafka_topic_name(m->rkt);
      origin.partition = m->partition;
      origin.offset = m->offset;
      std::string_view bytes(static_cast<const char*>(m->payload), m->payload ? m->len : 0);
      bool timed = (processed++ & 15) == 0;
      auto start = timed ? Clock::now() : Clock::time_point{};
      enricher.Process(item->format, bytes, bytes.size(), origin, result);
      if (timed) {
        metrics->enrich_seconds->Observe(
            std::chrono::duration<double>(Clock::now() - start).count());
      }
      WorkReport report;
      report.slot = item->slot;
      report.offset = m->offset;
      report.outcome = result.outcome;
      uint64_t token = MakeToken(item->slot, m->offset);
      if (result.outcome == Outcome::kEnriched) {
        for (size_t i = 0; i < result.count; ++i) {
          const pipeline::OutputRecord& rec = result.records[i];
          if (!Produce(config->topics.enriched, rec.key, rec.value, {}, token)) {
            report.produce_failed = true;
            continue;
          }
          ++report.outputs;
          counts.Add(metrics->brand_counter[rec.brand]);
          brand_counts[rec.brand].fetch_add(1, std::memory_order_relaxed);
          if (sentiment) {
            auto label = static_cast<size_t>(rec.label);
            brand_labels[rec.brand * 4 + label].fetch_add(1, std::memory_order_relaxed);
            counts.Add(metrics->sentiment_counter[rec.brand * 4 + label]);
          }
          if (rec.complaint) {
            size_t p = static_cast<size_t>(rec.priority - 1) & 3;
            brand_complaints[rec.brand * 4 + p].fetch_add(1, std::memory_order_relaxed);
            counts.Add(metrics->complaint_by_brand[rec.brand * 4 + p]);
            counts.Add(metrics->complaint_by_category[rec.category * 4 + p]);
          }
        }
        counts.Add(metrics->outcome_counter[0]);
      } else if (result.outcome == Outcome::kDeadLetter) {
        std::string partition = std::to_string(m->partition);
        std::string offset = std::to_string(m->offset);
        headers = {{"earshot.source.topic", origin.topic},
                   {"earshot.source.partition", partition},
                   {"earshot.source.offset", offset},
                   {"earshot.reason", result.reason},
                   {"earshot.message", result.detail}};
        std::string_view key(static_cast<const char*>(m->key), m->key ? m->key_len : 0);
        if (Produce(config->topics.dead_letter, key, bytes, headers, token)) {
          report.outputs = 1;
        } else {
          report.produce_failed = true;
        }
        counts.Add(metrics->outcome_counter[2]);
        auto it = metrics->dead_by_reason.find(result.reason);
        if (it != metrics->dead_by_reason.end()) counts.Add(it->second);
      } else {
        counts.Add(metrics->outcome_counter[1]);
        auto it = metrics->filtered_by_reason.find(result.reason);
        if (it != metrics->filtered_by_reason.end()) counts.Add(it->second);
      }
      rd_kafka_message_destroy(m);
      // Counted as it is pushed (the push fails only when a fatal stop abandons it): the batch
      // is flushed before the report leaves whenever no record waits, so the counts of every
      // reported record are in /metrics by the time /stats shows it.
      counts.Add(metrics->report_push);
      if (in.empty() || processed % CounterBatch::kMaxRecords == 0) counts.Flush();
      while (!out.TryPush(report)) {
        if (workers_stop.load(std::memory_order_relaxed) && fatal.load()) return;
        std::this_thread::yield();
      }
    }
  }

  // Produces one record, waiting while librdkafka's queue is full (backpressure reaches the
  // consumer through this worker's full input queue). False on a permanent failure.
  bool Produce(const std::string& topic, std::string_view key, std::string_view value,
               const std::vector<sinks::Header>& headers, uint64_t token) {
    while (true) {
      switch (producer->Produce(topic, key, value, headers, token)) {
        case sinks::ProduceStatus::kOk:
          return true;
        case sinks::ProduceStatus::kQueueFull:
          std::this_thread::sleep_for(std::chrono::microseconds(500));
          continue;
        case sinks::ProduceStatus::kFailed:
          metrics->producer_errors.Increment();
          return false;
      }
    }
  }

  // ---- consumer thread --------------------------------------------------------------------

  void OnDelivery(uint64_t token, bool ok, std::string_view error) {
    uint32_t s = TokenSlot(token);
    if (s >= slots.size()) return;
    if (!ok) {
      // librdkafka retries retriable errors forever (message.timeout.ms=0); what reaches us is
      // permanent. Leave the offset unfinished: it is never committed, and lag shows it.
      metrics->producer_errors.Increment();
      fatal.store(true);
      spdlog::error("produce failed for good on {}[{}] offset {}: {}", slots[s].topic,
                    slots[s].partition, TokenOffset(token), error);
      return;
    }
    int64_t ts = -1;
    slots[s].tracker.Ack(TokenOffset(token), &ts);
    ObserveLatency(ts);
  }

  void OnReport(const WorkReport& r) {
    Slot& slot = slots[r.slot];
    switch (r.outcome) {
      case Outcome::kEnriched:
        stats.enriched.fetch_add(1, std::memory_order_relaxed);
        break;
      case Outcome::kFiltered:
        stats.filtered.fetch_add(1, std::memory_order_relaxed);
        break;
      case Outcome::kDeadLetter:
        stats.dead_lettered.fetch_add(1, std::memory_order_relaxed);
        break;
    }
    if (r.produce_failed) {
      fatal.store(true);
      spdlog::error("could not produce the outputs of {}[{}] offset {}; it will not be committed",
                    slot.topic, slot.partition, r.offset);
      return;
    }
    int64_t ts = -1;
    slot.tracker.SetExpected(r.offset, r.outputs, &ts);
    ObserveLatency(ts);
  }

  void ObserveLatency(int64_t timestamp_ms) {
    if (timestamp_ms <= 0) return;
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    metrics->latency.Observe(static_cast<double>(std::max<int64_t>(0, now_ms - timestamp_ms)) /
                             1000.0);
  }

  // Delivery reports and worker reports; returns how many were handled.
  size_t Serve() {
    size_t handled = 0;
    producer->Poll(0);
    for (auto& q : reports) {
      while (auto r = q->TryPop()) {
        metrics->report_pop->Increment();
        OnReport(*r);
        ++handled;
      }
    }
    // Reports and deliveries both finish records: recount from the trackers (a few dozen).
    in_flight = TotalInFlight();
    return handled;
  }

  size_t TotalInFlight() const {
    size_t n = 0;
    for (const Slot& s : slots) n += s.tracker.in_flight();
    return n;
  }

  void Pause(Slot& slot) {
    if (slot.paused || !slot.assigned) return;
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, slot.topic.c_str(), slot.partition);
    rd_kafka_pause_partitions(consumer, list);
    rd_kafka_topic_partition_list_destroy(list);
    slot.paused = true;
    metrics->backpressure.Increment();
  }

  void ResumeIdleWorkers() {
    for (Slot& slot : slots) {
      if (!slot.paused || !slot.assigned) continue;
      size_t w = slot.worker;
      bool room = pending[w].empty() && work[w]->size() < work[w]->capacity() / 2 &&
                  in_flight < max_inflight / 2;
      if (!room) continue;
      rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
      rd_kafka_topic_partition_list_add(list, slot.topic.c_str(), slot.partition);
      rd_kafka_resume_partitions(consumer, list);
      rd_kafka_topic_partition_list_destroy(list);
      slot.paused = false;
    }
  }

  void FlushPending() {
    for (size_t w = 0; w < pending.size(); ++w) {
      while (!pending[w].empty()) {
        if (!work[w]->TryPush(pending[w].front())) break;
        metrics->work_push->Increment();
        pending[w].pop_front();
      }
    }
  }

  // Slot of a message, cached by its topic handle and partition (no allocation per message).
  uint32_t SlotOf(rd_kafka_message_t* m) {
    uint64_t key = (static_cast<uint64_t>(reinterpret_cast<uintptr_t>(m->rkt)) << 16) ^
                   static_cast<uint64_t>(static_cast<uint32_t>(m->partition));
    const char* topic = rd_kafka_topic_name(m->rkt);
    auto it = slot_cache.find(key);
    // The name check guards against a topic handle freed and its address reused.
    if (it != slot_cache.end() && slots[it->second].topic == topic) return it->second;
    uint32_t s = SlotFor(topic, m->partition);
    slot_cache[key] = s;
    return s;
  }

  void Dispatch(rd_kafka_message_t* m) {
    uint32_t s = SlotOf(m);
    Slot& slot = slots[s];
    stats.consumed.fetch_add(1, std::memory_order_relaxed);
    metrics->consumed.Increment();
    rd_kafka_timestamp_type_t ts_type;
    slot.tracker.Add(m->offset, rd_kafka_message_timestamp(m, &ts_type));
    ++in_flight;
    WorkItem item{m, s, slot.format};
    size_t w = slot.worker;
    if (!pending[w].empty() || !work[w]->TryPush(item)) {
      pending[w].push_back(item);
    } else {
      metrics->work_push->Increment();
    }
  }

  // Backpressure. While a worker's ring is full the consumer stops pulling records (librdkafka's
  // prefetch is capped by queued.max.messages.kbytes), so at most one batch waits here. When the
  // congestion lasts (a stuck producer, a broker outage), the worker's partitions are paused so
  // librdkafka stops fetching them too; they resume once the ring is half empty.
  enum class Congestion {
    kNone,
    kHolding,  // congested: take no records for now
    kPaused,   // congested for a while: the congested partitions are paused
  };
  Congestion Congested() {
    bool congested = in_flight >= max_inflight;
    for (const auto& p : pending) congested = congested || !p.empty();
    auto now = Clock::now();
    if (!congested) {
      congested_since = Clock::time_point{};
      return Congestion::kNone;
    }
    if (congested_since == Clock::time_point{}) congested_since = now;
    if (now - congested_since <= std::chrono::milliseconds(500)) return Congestion::kHolding;
    for (Slot& slot : slots) {
      if (!pending[slot.worker].empty() || in_flight >= max_inflight) Pause(slot);
    }
    return Congestion::kPaused;
  }

  void Commit(bool sync, const std::vector<uint32_t>* only = nullptr) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(8);
    std::vector<uint32_t> committed;
    auto consider = [&](uint32_t s) {
      Slot& slot = slots[s];
      int64_t c = slot.tracker.committable();
      if (c < 0 || c <= slot.committed) return;
      rd_kafka_topic_partition_list_add(list, slot.topic.c_str(), slot.partition)->offset = c;
      committed.push_back(s);
    };
    if (only != nullptr) {
      for (uint32_t s : *only) consider(s);
    } else {
      for (uint32_t s = 0; s < slots.size(); ++s) {
        if (slots[s].assigned) consider(s);
      }
    }
    if (list->cnt > 0) {
      rd_kafka_resp_err_t err = rd_kafka_commit(consumer, list, sync ? 0 : 1);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) {
        for (uint32_t s : committed) slots[s].committed = slots[s].tracker.committable();
        stats.committed.fetch_add(1, std::memory_order_relaxed);
        metrics->commits.Increment();
      } else {
        spdlog::warn("offset commit failed: {}", rd_kafka_err2str(err));
      }
    }
    rd_kafka_topic_partition_list_destroy(list);
    last_commit = Clock::now();
  }

  // Waits until the given slots have nothing in flight, or the deadline passes.
  bool Drain(const std::vector<uint32_t>& which, Clock::time_point deadline) {
    while (true) {
      FlushPending();
      Serve();
      bool idle = true;
      for (uint32_t s : which) idle = idle && slots[s].tracker.idle();
      if (idle) return true;
      if (Clock::now() >= deadline) return false;
      producer->Poll(1);
    }
  }

  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    std::vector<uint32_t> which;
    for (int i = 0; i < parts->cnt; ++i) {
      which.push_back(SlotFor(parts->elems[i].topic, parts->elems[i].partition));
    }
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      for (uint32_t& s : which) {
        // A revoke whose drain timed out leaves work of the old assignment running: its
        // reports and acknowledgements name this slot and offsets the new assignment fetches
        // again. Give the partition a fresh slot so they land on the old one (never committed
        // again) instead of finishing the new copies' entries early.
        if (!slots[s].tracker.idle()) s = ReplaceSlot(s);
        slots[s].assigned = true;
        slots[s].paused = false;
        slots[s].committed = -1;
        slots[s].tracker.Clear();
      }
      rd_kafka_assign(consumer, parts);
      stats.assigned_partitions.store(static_cast<int>(which.size()));
      spdlog::info("assigned {} partitions", which.size());
      return;
    }
    // Revoked: finish and commit what belongs to these partitions before giving them up (within
    // what is left of the stop deadline when stopping: consumer_close() revokes too).
    auto deadline = std::min(
        stop_deadline,
        Clock::now() + std::chrono::milliseconds(config->service.shutdown_timeout_ms));
    bool drained = Drain(which, deadline);
    Commit(true, &which);
    if (!drained) spdlog::warn("revoke: drain timed out; unfinished records will be redelivered");
    // librdkafka keeps an application pause on its partition object across unassign and assign:
    // a partition given up paused would come back paused at its next assignment and never be
    // fetched again. Resume what backpressure paused before letting go.
    rd_kafka_topic_partition_list_t* paused = rd_kafka_topic_partition_list_new(1);
    for (uint32_t s : which) {
      if (slots[s].paused) {
        rd_kafka_topic_partition_list_add(paused, slots[s].topic.c_str(), slots[s].partition);
      }
      slots[s].assigned = false;
      slots[s].paused = false;
    }
    if (paused->cnt > 0) rd_kafka_resume_partitions(consumer, paused);
    rd_kafka_topic_partition_list_destroy(paused);
    rd_kafka_assign(consumer, nullptr);
    stats.assigned_partitions.store(0);
    spdlog::info("revoked {} partitions", which.size());
  }

  void OnStats(std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(json.data(), json.size()).get(doc)) return;
    simdjson::dom::object topics;
    if (doc["topics"].get(topics) == simdjson::SUCCESS) {
      for (auto [topic, t] : topics) {
        simdjson::dom::object partitions;
        if (t["partitions"].get(partitions)) continue;
        for (auto [pname, p] : partitions) {
          int64_t lag = -1;
          if (p["consumer_lag"].get(lag) || lag < 0) continue;
          auto it = slot_index.find(SlotKey(topic, std::atoi(std::string(pname).c_str())));
          if (it != slot_index.end()) slots[it->second].lag->Set(static_cast<double>(lag));
        }
      }
    }
  }

  void OnProducerStats(std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(json.data(), json.size()).get(doc)) return;
    int64_t retries = 0;
    if (doc["txretries"].get(retries) == simdjson::SUCCESS) {
      metrics->producer_retries.Set(static_cast<double>(retries));
    }
    simdjson::dom::object brokers;
    bool up = false;
    if (doc["brokers"].get(brokers) == simdjson::SUCCESS) {
      for (auto [name, b] : brokers) {
        std::string_view state;
        int64_t nodeid = -1;
        if (b["nodeid"].get(nodeid) == simdjson::SUCCESS && nodeid >= 0 &&
            b["state"].get(state) == simdjson::SUCCESS && state == "UP") {
          up = true;
        }
      }
    }
    producer_up.store(up);
  }
};

const ServiceStats& Service::stats() const { return impl_->stats; }

int64_t Service::brand_count(size_t brand) const {
  return brand < impl_->brand_counts.size() ? impl_->brand_counts[brand].load() : 0;
}

int64_t Service::brand_label_count(size_t brand, int label) const {
  size_t i = brand * 4 + static_cast<size_t>(label);
  return i < impl_->brand_labels.size() ? impl_->brand_labels[i].load() : 0;
}

int64_t Service::brand_complaint_count(size_t brand, int priority) const {
  size_t i = brand * 4 + static_cast<size_t>(priority - 1);
  return priority >= 1 && priority <= 4 && i < impl_->brand_complaints.size()
             ? impl_->brand_complaints[i].load()
             : 0;
}

int Service::admin_port() const { return impl_->admin ? impl_->admin->port() : 0; }

bool Service::ready(std::string& why) const {
  if (impl_->fatal.load()) {
    why = "a record could not be produced; see the log";
    return false;
  }
  if (impl_->stats.assigned_partitions.load() == 0) {
    why = "no partitions assigned";
    return false;
  }
  if (!impl_->producer_up.load()) {
    why = "producer not connected";
    return false;
  }
  return true;
}

Service::~Service() = default;

std::unique_ptr<Service> Service::Create(std::shared_ptr<const Config> config,
                                         std::shared_ptr<const pipeline::match::RuleSet> rules,
                                         const std::string& bootstrap, std::string& error) {
  std::unique_ptr<Service> service(new Service());
  auto impl = std::make_unique<Service::Impl>();
  Impl* self = impl.get();
  impl->config = config;
  impl->rules = rules;
  impl->bootstrap = bootstrap;
  impl->stop = &service->stop_;
  impl->sentiment = LoadSentiment(config.get(), "", true);
  if (!impl->sentiment) {
    error = "cannot load the sentiment engine (see above; scripts/setup.sh fetches its data)";
    return nullptr;
  }
  bool complaints_disabled = false;
  impl->complaints = LoadComplaints(config.get(), "", &complaints_disabled);
  if (!impl->complaints && !complaints_disabled) {
    error = "cannot load the complaint stage (see above)";
    return nullptr;
  }
  impl->metrics = std::make_unique<Metrics>(
      *rules, impl->complaints ? impl->complaints->categories()
                               : std::vector<pipeline::complaints::Category>{});
  impl->brand_complaints = std::vector<std::atomic<int64_t>>(rules->brands().size() * 4);
  impl->brand_counts = std::vector<std::atomic<int64_t>>(rules->brands().size());
  impl->brand_labels = std::vector<std::atomic<int64_t>>(rules->brands().size() * 4);

  std::vector<std::string> topics;
  for (const auto& input : config->inputs) {
    if (input.topic.empty()) continue;
    topics.push_back(input.topic);
    impl->topic_format[input.topic] = input.format;
  }
  if (topics.empty()) {
    error = config->path + ": no input has a Kafka 'topic' to consume";
    return nullptr;
  }

  const int64_t budget_kb = int64_t{config->service.memory_budget_mb} * 1024;
  const int64_t producer_kb = std::max<int64_t>(budget_kb / 4, 4096);  // 25 % of the budget

  // Producer: outputs are acknowledged by all in-sync replicas, retried without a deadline
  // (a permanent failure stops commits instead of losing data). At most 5 requests in flight a
  // connection (librdkafka's default is 1,000,000): each lz4 batch holds an output buffer of
  // LZ4F_compressBound(len, NULL), about 64 KiB however small the batch, until the broker
  // answers, so with many output partitions that many requests grew the producer past the
  // memory budget (163 partitions: peak RSS 390 MiB, 154 MiB with 5; same throughput).
  std::map<std::string, std::string> pprops = {
      {"bootstrap.servers", bootstrap},   {"acks", "all"},
      {"message.timeout.ms", "0"},        {"linger.ms", "5"},
      {"compression.type", "lz4"},        {"queue.buffering.max.messages", "200000"},
      {"statistics.interval.ms", "1000"}, {"client.id", "earshot-producer"},
      {"queue.buffering.max.kbytes", std::to_string(producer_kb)},
      {"max.in.flight.requests.per.connection", "5"},
  };
  for (const auto& [k, v] : config->kafka.properties) pprops[k] = v;
  for (const auto& [k, v] : config->kafka.producer) pprops[k] = v;
  impl->producer = sinks::KafkaProducer::Create(
      pprops,
      [self](uint64_t token, bool ok, std::string_view err) {
        if (ok) self->stats.outputs.fetch_add(1, std::memory_order_relaxed);
        self->OnDelivery(token, ok, err);
      },
      [self](std::string_view json) { self->OnProducerStats(json); }, error);
  if (!impl->producer) return nullptr;

  // Memory budget: split over librdkafka's prefetch, the producer's queue and the records in
  // flight, unless the config sets them explicitly. With a subscription every partition's fetch
  // queue forwards to the one consumer queue, and queued.max.messages.kbytes bounds that queue as
  // a whole (not per partition): dividing it by the partition count starves the fetcher, which
  // then idles until its next wake-up each time the small queue fills.
  const int64_t prefetch_kb = std::clamp<int64_t>(budget_kb * 2 / 5, 1024, 2097151);  // 40 %
  const int64_t fetch_bytes = std::clamp<int64_t>(budget_kb * 1024 / 10, 1 << 20, 50 << 20);
  // 15 % for records in flight (about 2 KiB each with their outputs).
  impl->max_inflight = static_cast<size_t>(std::max<int64_t>(budget_kb * 15 / 100 / 2, 1024));
  if (config->service.max_inflight_set) {
    impl->max_inflight = static_cast<size_t>(config->service.max_inflight_records);
  }
  spdlog::info(
      "memory budget {} MiB: prefetch {} MiB, fetch responses {} MiB, producer queue "
      "{} MiB, up to {} records in flight",
      config->service.memory_budget_mb, prefetch_kb / 1024, fetch_bytes >> 20, producer_kb / 1024,
      impl->max_inflight);

  // Consumer.
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::map<std::string, std::string> cprops = {
      {"bootstrap.servers", bootstrap},
      {"group.id", config->kafka.group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"fetch.wait.max.ms", "100"},
      {"queued.max.messages.kbytes", std::to_string(prefetch_kb)},  // the whole queue
      {"fetch.max.bytes", std::to_string(fetch_bytes)},
      {"statistics.interval.ms", "1000"},
      {"client.id", "earshot-consumer"},
  };
  for (const auto& [k, v] : config->kafka.properties) cprops[k] = v;
  for (const auto& [k, v] : config->kafka.consumer) cprops[k] = v;
  for (const auto& [k, v] : cprops) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      error = "kafka consumer property '" + k + "': " + errstr;
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
  }
  rd_kafka_conf_set_opaque(conf, self);
  rd_kafka_conf_set_rebalance_cb(
      conf, [](rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
               void* opaque) { static_cast<Impl*>(opaque)->OnRebalance(err, parts); });
  rd_kafka_conf_set_stats_cb(conf, [](rd_kafka_t*, char* json, size_t len, void* opaque) {
    static_cast<Impl*>(opaque)->OnStats(std::string_view(json, len));
    return 0;
  });
  impl->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (impl->consumer == nullptr) {
    error = std::string("cannot create the kafka consumer: ") + errstr;
    return nullptr;
  }
  rd_kafka_poll_set_consumer(impl->consumer);
  impl->consumer_queue = rd_kafka_queue_get_consumer(impl->consumer);
  rd_kafka_topic_partition_list_t* subscription =
      rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
  for (const auto& t : topics) {
    rd_kafka_topic_partition_list_add(subscription, t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(impl->consumer, subscription);
  rd_kafka_topic_partition_list_destroy(subscription);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = std::string("cannot subscribe: ") + rd_kafka_err2str(err);
    return nullptr;
  }

  size_t workers = config->service.workers > 0
                       ? static_cast<size_t>(config->service.workers)
                       : std::max<size_t>(1, std::thread::hardware_concurrency());
  for (size_t i = 0; i < workers; ++i) {
    auto capacity = static_cast<size_t>(config->service.queue_capacity);
    impl->work.push_back(std::make_unique<pipeline::SpscQueue<WorkItem>>(capacity));
    impl->reports.push_back(std::make_unique<pipeline::SpscQueue<WorkReport>>(capacity));
  }
  impl->pending.resize(workers);
  for (size_t i = 0; i < workers; ++i) {
    const std::string worker = std::to_string(i);
    impl->metrics->work_depth.push_back(
        &impl->metrics->queue_depth.Add({{"queue", "work"}, {"worker", worker}}));
    impl->metrics->backlog_depth.push_back(
        &impl->metrics->queue_depth.Add({{"queue", "backlog"}, {"worker", worker}}));
  }
  impl->metrics->in_flight_limit->Set(static_cast<double>(impl->max_inflight));

  impl->admin = sinks::AdminServer::Start(
      config->service.admin_listen, impl->metrics->registry,
      [svc = service.get()](std::string& why) { return svc->ready(why); }, error,
      [self] {
        const ServiceStats& st = self->stats;
        std::string body = "{\"consumed\":" + std::to_string(st.consumed.load());
        body += ",\"enriched\":" + std::to_string(st.enriched.load());
        body += ",\"filtered\":" + std::to_string(st.filtered.load());
        body += ",\"dead_lettered\":" + std::to_string(st.dead_lettered.load());
        body += ",\"outputs_acknowledged\":" + std::to_string(st.outputs.load());
        body += ",\"commits\":" + std::to_string(st.committed.load());
        body += ",\"assigned_partitions\":" + std::to_string(st.assigned_partitions.load());
        body += "}\n";
        return body;
      });
  if (!impl->admin) return nullptr;
  service->impl_ = std::move(impl);
  return service;
}

int Service::Run() {
  Impl& s = *impl_;
  for (size_t i = 0; i < s.work.size(); ++i) {
    s.threads.emplace_back([&s, i] { s.WorkerLoop(i); });
  }
  spdlog::info("earshot running: {} workers, admin on port {}", s.work.size(), admin_port());
  constexpr size_t kBatch = 1000;
  std::vector<rd_kafka_message_t*> batch(kBatch);
  while (!stop_.load(std::memory_order_relaxed)) {
    s.FlushPending();
    size_t served = s.Serve();
    s.ResumeIdleWorkers();
    const Impl::Congestion congestion = s.Congested();
    ssize_t n = 0;
    if (congestion == Impl::Congestion::kNone) {
      // rd_kafka_consume_batch_queue() waits for a full batch until its timeout: take what is
      // queued without waiting, and wait (1 ms at most) only when there was nothing to do, so
      // worker reports and delivery acknowledgements are served within about a millisecond.
      n = rd_kafka_consume_batch_queue(s.consumer_queue, 0, batch.data(), kBatch);
      if (n == 0 && served == 0) {
        n = rd_kafka_consume_batch_queue(s.consumer_queue, 1, batch.data(), kBatch);
      }
    } else {
      if (congestion == Impl::Congestion::kPaused) {
        // The congested partitions are paused, and pausing discards what librdkafka had
        // fetched for them, so polling returns only records of partitions whose workers have
        // room. It also serves rebalances: a consumer that stopped polling for the length of a
        // broker outage would be dropped from its group.
        n = rd_kafka_consume_batch_queue(s.consumer_queue, 0, batch.data(), kBatch);
      }
      if (n == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* m = batch[static_cast<size_t>(i)];
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          spdlog::warn("consumer: {}", rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
        continue;
      }
      s.Dispatch(m);
    }
    s.UpdateGauges();
    if (Clock::now() - s.last_commit >
        std::chrono::milliseconds(s.config->service.commit_interval_ms)) {
      s.Commit(false);
    }
  }

  // Stop: take no more records, finish what is in flight, commit, leave the group.
  spdlog::info("stopping: draining {} records in flight", s.in_flight);
  for (Slot& slot : s.slots) s.Pause(slot);
  std::vector<uint32_t> all;
  for (uint32_t i = 0; i < s.slots.size(); ++i) all.push_back(i);
  auto deadline = Clock::now() + std::chrono::milliseconds(s.config->service.shutdown_timeout_ms);
  s.stop_deadline = deadline;
  bool drained = s.Drain(all, deadline);
  s.Commit(true);
  rd_kafka_consumer_close(s.consumer);
  s.workers_stop.store(true);
  for (auto& t : s.threads) t.join();
  // Destroy records still queued for workers (only when the drain timed out).
  for (size_t w = 0; w < s.work.size(); ++w) {
    while (auto item = s.work[w]->TryPop()) rd_kafka_message_destroy(item->message);
    for (auto& item : s.pending[w]) rd_kafka_message_destroy(item.message);
    s.pending[w].clear();
  }
  // What is left of the deadline (the grace period a supervisor allows is sized on it).
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  s.producer->Flush(static_cast<int>(std::clamp<int64_t>(left.count(), 100, 2000)));
  spdlog::info("stopped: consumed {}, enriched {}, filtered {}, dead-lettered {}{}",
               s.stats.consumed.load(), s.stats.enriched.load(), s.stats.filtered.load(),
               s.stats.dead_lettered.load(), drained ? "" : " (drain timed out)");
  return drained && !s.fatal.load() ? 0 : 1;
}

}  // namespace earshot::app
