// Service::Impl's worker threads: each pops records from its queue, runs the stateless chain
// (pipeline::Enricher) inline, produces the outputs and reports back to the consumer thread.
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/service_impl.h"

namespace earshot::app {

void Service::Impl::WorkerLoop(size_t index) {
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
      metrics->enrich_seconds->Observe(std::chrono::duration<double>(Clock::now() - start).count());
    }
    WorkReport report;
    report.slot = item->slot;
    report.offset = m->offset;
    report.outcome = result.outcome;
    uint64_t token = MakeToken(item->slot, m->offset);
    if (result.outcome == Outcome::kEnriched) {
      // An output the producer would refuse (larger than its message.max.bytes) is never
      // acknowledged: the record would hold its partition's commits for good. Dead-letter it.
      size_t largest = 0;
      for (size_t i = 0; i < result.count; ++i) {
        largest = std::max(largest, result.records[i].key.size() + result.records[i].value.size());
      }
      if (largest > max_output_bytes) {
        result.outcome = report.outcome = Outcome::kDeadLetter;
        result.reason = "too_large";
        result.detail = "its enriched record of " + std::to_string(largest) +
                        " bytes exceeds what the producer accepts (" +
                        std::to_string(max_output_bytes) + " bytes, from message.max.bytes)";
      }
    }
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
      // The message quotes parts of the record (a post id, say): a few hundred bytes suffice.
      std::string_view message = result.detail;
      if (message.size() > kMaxDeadLetterMessage)
        message = message.substr(0, kMaxDeadLetterMessage);
      headers = {{"earshot.source.topic", origin.topic},
                 {"earshot.source.partition", partition},
                 {"earshot.source.offset", offset},
                 {"earshot.reason", result.reason},
                 {"earshot.message", message}};
      std::string_view key(static_cast<const char*>(m->key), m->key ? m->key_len : 0);
      // The original key and bytes, cut to what the producer accepts with the headers: the
      // whole record stays in its source topic at the offset the headers give.
      size_t budget = max_output_bytes;
      for (const sinks::Header& h : headers) {
        budget -= std::min(budget, h.name.size() + h.value.size() + kHeaderOverhead);
      }
      budget -= std::min(budget, kTruncatedHeaderBytes);
      std::string_view value = bytes;
      std::string truncated;  // outlives the Produce call (headers are views)
      if (key.size() + value.size() > budget) {
        if (key.size() > budget / 2) key = key.substr(0, budget / 2);
        value = bytes.substr(0, budget - key.size());
        truncated = "the first " + std::to_string(value.size()) + " of " +
                    std::to_string(bytes.size()) + " bytes";
        headers.push_back({"earshot.truncated", truncated});
      }
      if (Produce(config->topics.dead_letter, key, value, headers, token)) {
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
    for (const ingest::RejectReason r : result.dropped) {
      counts.Add(metrics->dropped_by_reason[static_cast<size_t>(r)]);
    }
    rd_kafka_message_destroy(m);
    // Counted as it is pushed (the push fails only when a fatal stop abandons it): the batch
    // is flushed before the report leaves whenever no record waits, so the counts of every
    // reported record are in /metrics by the time /stats shows it.
    counts.Add(metrics->report_push);
    if (in.empty() || processed % CounterBatch::kMaxRecords == 0) counts.Flush();
    while (!out.TryPush(report)) {
      // After workers_stop nobody reads the reports: the record is simply not committed.
      if (workers_stop.load(std::memory_order_relaxed)) return;
      std::this_thread::yield();
    }
  }
}

bool Service::Impl::Produce(const std::string& topic, std::string_view key, std::string_view value,
                            const std::vector<sinks::Header>& headers, uint64_t token) {
  std::string error;
  while (true) {
    switch (producer->Produce(topic, key, value, headers, token, &error)) {
      case sinks::ProduceStatus::kOk:
        return true;
      case sinks::ProduceStatus::kQueueFull:
        // A stop that gave up waiting for the outputs joins the workers: do not wait for room
        // that may never come (the record is not committed and is read again).
        if (workers_stop.load(std::memory_order_relaxed)) return false;
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        continue;
      case sinks::ProduceStatus::kFailed:
        metrics->producer_errors.Increment();
        spdlog::error("cannot produce to {}: {}", topic, error);
        return false;
    }
  }
}

}  // namespace earshot::app
