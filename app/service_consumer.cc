// Service::Impl on the consumer thread: partition slots, dispatch to workers, worker reports and
// delivery acknowledgements, backpressure, offset commits, rebalances and librdkafka statistics.
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include "app/service_impl.h"
#include "app/worker_spread.h"

namespace earshot::app {

void Service::Impl::UpdateGauges() {
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

uint32_t Service::Impl::SlotFor(std::string_view topic, int32_t partition) {
  auto it = slot_index.find(SlotKey(topic, partition));
  return it != slot_index.end() ? it->second : AddSlot(std::string(topic), partition);
}

uint32_t Service::Impl::AddSlot(std::string topic, int32_t partition) {
  if (slots.size() >= kMaxSlots) {
    // Slots are one per partition plus the retired ones still busy: 65,536 of them cannot
    // happen short of a bug, and a token's 16 bits would then name the wrong slot.
    spdlog::critical("{} partition slots in use: a delivery token cannot name more", slots.size());
    std::abort();
  }
  auto id = static_cast<uint32_t>(slots.size());
  slots.emplace_back();
  InitSlot(id, std::move(topic), partition);
  stats.partition_slots.store(static_cast<int64_t>(slots.size()), std::memory_order_relaxed);
  return id;
}

void Service::Impl::InitSlot(uint32_t id, std::string topic, int32_t partition) {
  Slot& s = slots[id];
  s = Slot{};
  auto f = topic_format.find(topic);
  s.format = f == topic_format.end() ? ingest::Format::kAuto : f->second;
  s.lag = &metrics->lag.Add({{"topic", topic}, {"partition", std::to_string(partition)}});
  s.topic = std::move(topic);
  s.partition = partition;
  slot_index.insert_or_assign(SlotKey(s.topic, partition), id);
}

uint32_t Service::Impl::ReplaceSlot(uint32_t old) {
  const size_t unfinished = slots[old].tracker.in_flight();
  uint32_t id = 0;
  auto reusable = std::find_if(retired_slots.begin(), retired_slots.end(), [this](uint32_t r) {
    return slots[r].tracker.idle() && !slots[r].assigned;
  });
  if (reusable != retired_slots.end()) {
    id = *reusable;
    retired_slots.erase(reusable);
    InitSlot(id, slots[old].topic, slots[old].partition);
  } else {
    id = AddSlot(slots[old].topic, slots[old].partition);
  }
  retired_slots.push_back(old);
  slots[id].worker = slots[old].worker;  // after the old slot's queued records
  slot_cache.clear();  // it maps messages to `old`
  stats.reassigned_unfinished.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("{}[{}] assigned again with {} records of its previous assignment unfinished",
               slots[id].topic, slots[id].partition, unfinished);
  return id;
}

void Service::Impl::OnDelivery(uint64_t token, bool ok, std::string_view error) {
  uint32_t s = TokenSlot(token);
  if (s >= slots.size()) return;
  if (!ok) {
    if (abandoning_outputs.load()) return;  // purged by a stop; never committed
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

void Service::Impl::OnReport(const WorkReport& r) {
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

void Service::Impl::ObserveLatency(int64_t timestamp_ms) {
  if (timestamp_ms <= 0) return;
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  metrics->latency.Observe(static_cast<double>(std::max<int64_t>(0, now_ms - timestamp_ms)) /
                           1000.0);
}

size_t Service::Impl::Serve() {
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

void Service::Impl::Pause(Slot& slot) {
  if (slot.paused || !slot.assigned) return;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, slot.topic.c_str(), slot.partition);
  rd_kafka_pause_partitions(consumer, list);
  rd_kafka_topic_partition_list_destroy(list);
  slot.paused = true;
  metrics->backpressure.Increment();
}

void Service::Impl::ResumeIdleWorkers() {
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

void Service::Impl::FlushPending() {
  for (size_t w = 0; w < pending.size(); ++w) {
    while (!pending[w].empty()) {
      if (!work[w]->TryPush(pending[w].front())) break;
      metrics->work_push->Increment();
      pending[w].pop_front();
    }
  }
}

uint32_t Service::Impl::SlotOf(rd_kafka_message_t* m) {
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

void Service::Impl::Dispatch(rd_kafka_message_t* m) {
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

Service::Impl::Congestion Service::Impl::Congested() {
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

void Service::Impl::Commit(bool sync, const std::vector<uint32_t>* only) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(8);
  std::vector<uint32_t> committed;
  auto consider = [&](uint32_t s) {
    Slot& slot = slots[s];
    int64_t c = slot.tracker.committable();
    // A synchronous commit (a revoke, a stop) is sent even when an asynchronous one of the same
    // offset is on its way: that one may yet fail, after the partition is gone.
    if (c < 0 || (!sync && c <= slot.committed)) return;
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
      // Counted by OnCommitted, which librdkafka calls for synchronous commits too.
      spdlog::warn("offset commit failed: {}", rd_kafka_err2str(err));
    }
  }
  rd_kafka_topic_partition_list_destroy(list);
  last_commit = Clock::now();
}

void Service::Impl::OnCommitted(rd_kafka_resp_err_t err,
                                const rd_kafka_topic_partition_list_t* offsets) {
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET || offsets == nullptr) return;
  int failed = 0;
  for (int i = 0; i < offsets->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = offsets->elems[i];
    const rd_kafka_resp_err_t e = p.err != RD_KAFKA_RESP_ERR_NO_ERROR ? p.err : err;
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    ++failed;
    auto it = slot_index.find(SlotKey(p.topic, p.partition));
    if (it != slot_index.end()) slots[it->second].committed = -1;  // commit it again
    spdlog::warn("offset commit of {}[{}] at {} failed: {}", p.topic, p.partition, p.offset,
                 rd_kafka_err2str(e));
  }
  if (failed > 0) metrics->commit_failures.Increment();
}

bool Service::Impl::Drain(const std::vector<uint32_t>& which, Clock::time_point deadline) {
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

void Service::Impl::OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
  std::vector<uint32_t> which;
  for (int i = 0; i < parts->cnt; ++i) {
    which.push_back(SlotFor(parts->elems[i].topic, parts->elems[i].partition));
  }
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    // The partitions are spread evenly over the workers in (topic, partition) order; a partition
    // given a fresh slot below stays with its worker, behind the old slot's queued records.
    std::sort(which.begin(), which.end(), [this](uint32_t a, uint32_t b) {
      return std::tie(slots[a].topic, slots[a].partition) <
             std::tie(slots[b].topic, slots[b].partition);
    });
    std::vector<int> fixed;  // per partition of `which`: its worker, or -1 for any
    for (uint32_t& s : which) {
      // A revoke whose drain timed out leaves work of the old assignment running: its
      // reports and acknowledgements name this slot and offsets the new assignment fetches
      // again. Give the partition a fresh slot so they land on the old one (never committed
      // again) instead of finishing the new copies' entries early.
      const bool unfinished = !slots[s].tracker.idle();
      if (unfinished) s = ReplaceSlot(s);
      fixed.push_back(unfinished ? static_cast<int>(slots[s].worker) : -1);
      slots[s].assigned = true;
      slots[s].paused = false;
      slots[s].committed = -1;
      slots[s].tracker.Clear();
    }
    const std::vector<size_t> workers = SpreadOverWorkers(fixed, work.size());
    std::vector<size_t> per_worker(work.size(), 0);
    for (size_t i = 0; i < which.size(); ++i) {
      slots[which[i]].worker = workers[i];
      ++per_worker[workers[i]];
    }
    std::string split;
    for (size_t w = 0; w < per_worker.size(); ++w) {
      metrics->partitions_of[w]->Set(static_cast<double>(per_worker[w]));
      split += (split.empty() ? "" : "/") + std::to_string(per_worker[w]);
    }
    rd_kafka_assign(consumer, parts);
    stats.assigned_partitions.store(static_cast<int>(which.size()));
    spdlog::info("assigned {} partitions ({} per worker)", which.size(), split);
    return;
  }
  // Revoked: finish and commit what belongs to these partitions before giving them up (within
  // what is left of the stop deadline when stopping: consumer_close() revokes too).
  auto deadline = std::min(
      stop_deadline, Clock::now() + std::chrono::milliseconds(config->service.shutdown_timeout_ms));
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
    // The lag of a partition given up is its next owner's to report: a last value left here
    // would be summed with, or outlast, the live one in every replica's /metrics.
    if (slots[s].lag != nullptr) slots[s].lag->Set(0);
  }
  if (paused->cnt > 0) rd_kafka_resume_partitions(consumer, paused);
  rd_kafka_topic_partition_list_destroy(paused);
  rd_kafka_assign(consumer, nullptr);
  stats.assigned_partitions.store(0);
  for (prometheus::Gauge* g : metrics->partitions_of) g->Set(0);
  spdlog::info("revoked {} partitions", which.size());
}

void Service::Impl::OnOffsetReset(const OffsetReset& reset) {
  // Family::Add is thread-safe and returns the same counter for the same labels.
  metrics->offset_resets.Add({{"topic", reset.topic}}).Increment();
  metrics->records_skipped.Add({{"topic", reset.topic}})
      .Increment(static_cast<double>(reset.skipped()));
  // Worded apart from librdkafka's own line, which scripts count.
  spdlog::warn(
      "{} [{}]: position moved from {} to {}: {} records skipped, deleted by the broker "
      "before they were read",
      reset.topic, reset.partition, reset.from, reset.to, reset.skipped());
}

void Service::Impl::OnStats(std::string_view json) {
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

void Service::Impl::OnProducerStats(std::string_view json) {
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

}  // namespace earshot::app
