// The service's Prometheus metrics: every family and every labelled child created up front, so
// workers only increment (lock-free) on the hot path and labels stay bounded (brands, reasons and
// outcomes are known at start-up). Thread-safe after construction.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ingest/reject_reason.h"
#include "pipeline/complaints/complaints.h"
#include "pipeline/enrich.h"
#include "pipeline/match/rule_set.h"
#include "pipeline/sentiment/sentiment.h"

namespace earshot::app {

using pipeline::Outcome;

struct Metrics {
  Metrics(const pipeline::match::RuleSet& rules,
          const std::vector<pipeline::complaints::Category>& categories)
      : registry(std::make_shared<prometheus::Registry>()),
        records(prometheus::BuildCounter()
                    .Name("earshot_ingest_records_total")
                    .Help("Input records by outcome: enriched, filtered or dead_lettered")
                    .Register(*registry)),
        consumed(prometheus::BuildCounter()
                     .Name("earshot_ingest_consumed_total")
                     .Help("Input records consumed from Kafka")
                     .Register(*registry)
                     .Add({})),
        filtered(prometheus::BuildCounter()
                     .Name("earshot_ingest_filtered_total")
                     .Help("Input records filtered, by reason")
                     .Register(*registry)),
        dead(prometheus::BuildCounter()
                 .Name("earshot_ingest_dead_letters_total")
                 .Help("Input records sent to the dead-letter topic, by reason")
                 .Register(*registry)),
        dropped(prometheus::BuildCounter()
                    .Name("earshot_ingest_dropped_elements_total")
                    .Help("Posts or elements dropped, by reason, from input records that yielded "
                          "other posts (such records are counted by their outcome)")
                    .Register(*registry)),
        enriched_by_brand(prometheus::BuildCounter()
                              .Name("earshot_enriched_records_total")
                              .Help("Enriched records produced, by brand")
                              .Register(*registry)),
        stage(prometheus::BuildHistogram()
                  .Name("earshot_pipeline_stage_seconds")
                  .Help("Time per input record in each stage (every 16th record is timed)")
                  .Register(*registry)),
        queue(prometheus::BuildCounter()
                  .Name("earshot_queue_operations_total")
                  .Help("Pushes and pops on the inter-thread queues")
                  .Register(*registry)),
        lag(prometheus::BuildGauge()
                .Name("earshot_kafka_consumer_lag")
                .Help("Consumer lag per partition, from librdkafka statistics")
                .Register(*registry)),
        producer_errors(prometheus::BuildCounter()
                            .Name("earshot_kafka_producer_errors_total")
                            .Help("Produce requests that failed for good")
                            .Register(*registry)
                            .Add({})),
        offset_resets(prometheus::BuildCounter()
                          .Name("earshot_kafka_consumer_offset_resets_total")
                          .Help("Times the consumer's position was reset because the broker "
                                "no longer had the offset it asked for")
                          .Register(*registry)),
        records_skipped(prometheus::BuildCounter()
                            .Name("earshot_kafka_consumer_records_skipped_total")
                            .Help("Records an offset reset jumped over: gone to the broker's "
                                  "retention before earshot read them, never consumed")
                            .Register(*registry)),
        producer_retries(prometheus::BuildGauge()
                             .Name("earshot_kafka_producer_retries")
                             .Help("Produce retries so far (librdkafka txretries)")
                             .Register(*registry)
                             .Add({})),
        backpressure(prometheus::BuildCounter()
                         .Name("earshot_backpressure_pauses_total")
                         .Help("Times partitions were paused because a queue or the producer was "
                               "full, or too many records were in flight")
                         .Register(*registry)
                         .Add({})),
        latency(prometheus::BuildHistogram()
                    .Name("earshot_end_to_end_seconds")
                    .Help("From a record's Kafka timestamp to all its outputs acknowledged (or "
                          "its filtering)")
                    .Register(*registry)
                    .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.002, 0.005, 0.01,
                                                                     0.02, 0.03, 0.04, 0.05, 0.1,
                                                                     0.2, 0.5, 1, 2, 5, 10, 30})),
        commits(prometheus::BuildCounter()
                    .Name("earshot_kafka_commits_total")
                    .Help("Offset commits requested")
                    .Register(*registry)
                    .Add({})),
        commit_failures(prometheus::BuildCounter()
                            .Name("earshot_kafka_commit_failures_total")
                            .Help("Offset commits the group coordinator refused or that failed; "
                                  "their partitions are committed again")
                            .Register(*registry)
                            .Add({})),
        in_flight(prometheus::BuildGauge()
                      .Name("earshot_records_in_flight")
                      .Help("Records consumed and not yet finished (outputs acknowledged, "
                            "filtered or dead-lettered); at service.max_inflight_records "
                            "the consumer stops taking records")
                      .Register(*registry)),
        queue_depth(prometheus::BuildGauge()
                        .Name("earshot_queue_depth")
                        .Help("Records waiting for each worker: in its ring (work) and, when the "
                              "ring is full, in the consumer's backlog")
                        .Register(*registry)),
        worker_partitions(prometheus::BuildGauge()
                              .Name("earshot_worker_partitions")
                              .Help("Assigned partitions each worker owns (their records stay "
                                    "in order on it)")
                              .Register(*registry)),
        paused_partitions(prometheus::BuildGauge()
                              .Name("earshot_paused_partitions")
                              .Help("Assigned partitions paused by backpressure")
                              .Register(*registry)
                              .Add({})) {
    in_flight_now = &in_flight.Add({{"kind", "current"}});
    in_flight_limit = &in_flight.Add({{"kind", "limit"}});
    for (Outcome o : {Outcome::kEnriched, Outcome::kFiltered, Outcome::kDeadLetter}) {
      outcome_counter[static_cast<size_t>(o)] =
          &records.Add({{"outcome", std::string(pipeline::OutcomeName(o))}});
    }
    for (int i = 0; i < ingest::kRejectReasonCount; ++i) {
      std::string reason(ingest::RejectReasonName(static_cast<ingest::RejectReason>(i)));
      filtered_by_reason[reason] = &filtered.Add({{"reason", reason}});
      dead_by_reason[reason] = &dead.Add({{"reason", reason}});
      dropped_by_reason[static_cast<size_t>(i)] = &dropped.Add({{"reason", reason}});
    }
    for (std::string_view r : {pipeline::kNoBrandReason, pipeline::kNoPostsReason}) {
      std::string reason(r);
      filtered_by_reason[reason] = &filtered.Add({{"reason", reason}});
    }
    auto& by_sentiment = prometheus::BuildCounter()
                             .Name("earshot_sentiment_records_total")
                             .Help("Enriched records by brand and sentiment label")
                             .Register(*registry);
    for (const auto& b : rules.brands()) {
      brand_counter.push_back(&enriched_by_brand.Add({{"brand", b.rule.id}}));
      for (int l = 0; l < 4; ++l) {
        auto label = static_cast<pipeline::sentiment::Label>(l);
        sentiment_counter.push_back(&by_sentiment.Add(
            {{"brand", b.rule.id}, {"label", std::string(pipeline::sentiment::LabelName(label))}}));
      }
    }
    auto& complaints_brand = prometheus::BuildCounter()
                                 .Name("earshot_complaints_total")
                                 .Help("Enriched records that are complaints, by brand and priority")
                                 .Register(*registry);
    auto& complaints_category =
        prometheus::BuildCounter()
            .Name("earshot_complaints_by_category_total")
            .Help("Enriched records that are complaints, by category and priority (all brands)")
            .Register(*registry);
    static constexpr const char* kPriorities[4] = {"P1", "P2", "P3", "P4"};
    if (!categories.empty()) {
      for (const auto& b : rules.brands()) {
        for (const char* p : kPriorities) {
          complaint_by_brand.push_back(&complaints_brand.Add({{"brand", b.rule.id}, {"priority", p}}));
        }
      }
      for (const auto& c : categories) {
        for (const char* p : kPriorities) {
          complaint_by_category.push_back(
              &complaints_category.Add({{"category", c.id}, {"priority", p}}));
        }
      }
    }
    enrich_seconds = &stage.Add({{"stage", "enrich"}},
                                prometheus::Histogram::BucketBoundaries{
                                    1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2});
    work_push = &queue.Add({{"queue", "work"}, {"op", "push"}});
    work_pop = &queue.Add({{"queue", "work"}, {"op", "pop"}});
    report_push = &queue.Add({{"queue", "report"}, {"op", "push"}});
    report_pop = &queue.Add({{"queue", "report"}, {"op", "pop"}});
  }

  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<prometheus::Counter>& records;
  prometheus::Counter& consumed;
  prometheus::Family<prometheus::Counter>& filtered;
  prometheus::Family<prometheus::Counter>& dead;
  prometheus::Family<prometheus::Counter>& dropped;
  prometheus::Family<prometheus::Counter>& enriched_by_brand;
  prometheus::Family<prometheus::Histogram>& stage;
  prometheus::Family<prometheus::Counter>& queue;
  prometheus::Family<prometheus::Gauge>& lag;
  prometheus::Counter& producer_errors;
  prometheus::Family<prometheus::Counter>& offset_resets;    // by topic
  prometheus::Family<prometheus::Counter>& records_skipped;  // by topic
  prometheus::Gauge& producer_retries;
  prometheus::Counter& backpressure;
  prometheus::Histogram& latency;
  prometheus::Counter& commits;
  prometheus::Counter& commit_failures;
  prometheus::Family<prometheus::Gauge>& in_flight;
  prometheus::Family<prometheus::Gauge>& queue_depth;
  prometheus::Family<prometheus::Gauge>& worker_partitions;
  prometheus::Gauge& paused_partitions;
  prometheus::Gauge* in_flight_now = nullptr;
  prometheus::Gauge* in_flight_limit = nullptr;
  std::vector<prometheus::Gauge*> work_depth;     // per worker
  std::vector<prometheus::Gauge*> backlog_depth;  // per worker
  std::vector<prometheus::Gauge*> partitions_of;  // per worker
  prometheus::Counter* outcome_counter[3] = {};
  std::unordered_map<std::string, prometheus::Counter*> filtered_by_reason;
  std::unordered_map<std::string, prometheus::Counter*> dead_by_reason;
  std::array<prometheus::Counter*, ingest::kRejectReasonCount> dropped_by_reason{};
  std::vector<prometheus::Counter*> brand_counter;
  std::vector<prometheus::Counter*> sentiment_counter;  // brand * 4 + label
  std::vector<prometheus::Counter*> complaint_by_brand;     // brand * 4 + priority - 1
  std::vector<prometheus::Counter*> complaint_by_category;  // category * 4 + priority - 1
  prometheus::Histogram* enrich_seconds = nullptr;
  prometheus::Counter* work_push = nullptr;
  prometheus::Counter* work_pop = nullptr;
  prometheus::Counter* report_push = nullptr;
  prometheus::Counter* report_pop = nullptr;
};

// Counter increments a worker makes, held by that worker and applied by Flush() as one
// Increment(n) per counter: one atomic update per counter and batch instead of one per record,
// and no cache line that both workers write for every record. The worker flushes before it
// reports a record while its input queue is empty (so once every report is in, every count is
// in /metrics) and at least every kMaxRecords records. Not thread-safe: one per worker.
class CounterBatch {
 public:
  static constexpr int kMaxRecords = 256;

  void Add(prometheus::Counter* counter) {
    if (counter == nullptr) return;
    size_t i = Slot(counter);
    while (slots_[i].counter != nullptr && slots_[i].counter != counter) i = (i + 1) & (kSlots - 1);
    if (slots_[i].counter == nullptr) {
      if (used_count_ == kSlots / 2) {  // keep probes short: apply what is held, then insert
        Flush();
        i = Slot(counter);
      }
      slots_[i].counter = counter;
      used_[used_count_++] = static_cast<uint16_t>(i);
    }
    ++slots_[i].count;
  }

  void Flush() {
    for (size_t k = 0; k < used_count_; ++k) {
      Entry& e = slots_[used_[k]];
      e.counter->Increment(static_cast<double>(e.count));
      e = Entry{};
    }
    used_count_ = 0;
  }

  bool empty() const { return used_count_ == 0; }

 private:
  static constexpr size_t kSlots = 256;
  struct Entry {
    prometheus::Counter* counter = nullptr;
    uint64_t count = 0;
  };
  static size_t Slot(const prometheus::Counter* counter) {
    return static_cast<size_t>(
               (reinterpret_cast<uintptr_t>(counter) >> 4) * 0x9E3779B97F4A7C15ull >> 56) &
           (kSlots - 1);
  }

  std::array<Entry, kSlots> slots_{};
  std::array<uint16_t, kSlots / 2> used_{};
  size_t used_count_ = 0;
};

}  // namespace earshot::app
