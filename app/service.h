// Service: `earshot run`, the long-running stream processor.
//
// Threads: the calling thread runs the consumer loop (fetch, dispatch, delivery reports, offset
// bookkeeping, commits, rebalances); `workers` threads each own a set of partitions and run the
// stateless chain (pipeline::Enricher) inline, producing outputs directly to Kafka. Work goes to
// workers, and their reports come back, through bounded SPSC queues (pipeline/spsc_queue.h); a
// full queue, or too many records in flight, pauses the affected partitions. Offsets are
// committed only when every record up to them is enriched and acknowledged, filtered, or
// dead-lettered and acknowledged. A stop request drains, commits and returns within
// service.shutdown_timeout_ms.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "app/config.h"
#include "pipeline/match/rule_set.h"

namespace earshot::app {

struct ServiceStats {
  std::atomic<int64_t> consumed{0};
  std::atomic<int64_t> enriched{0};      // input records with at least one enriched output
  std::atomic<int64_t> filtered{0};
  std::atomic<int64_t> dead_lettered{0};
  std::atomic<int64_t> outputs{0};       // enriched records acknowledged by the broker
  std::atomic<int64_t> committed{0};     // commits made
  std::atomic<int> assigned_partitions{0};
  // Partitions assigned again while work of their previous assignment was unfinished (a revoke
  // whose drain timed out); that work finishes on its own and is never committed.
  std::atomic<int64_t> reassigned_unfinished{0};
  // Partition slots: one per partition ever assigned, plus those that keep such unfinished work
  // until it finishes (then reused).
  std::atomic<int64_t> partition_slots{0};
};

class Service {
 public:
  // `bootstrap` is the resolved broker list (the embedded broker's when configured so).
  static std::unique_ptr<Service> Create(std::shared_ptr<const Config> config,
                                         std::shared_ptr<const pipeline::match::RuleSet> rules,
                                         const std::string& bootstrap, std::string& error);
  ~Service();

  // Runs until RequestStop(); returns the process exit code (0 after a clean drain).
  int Run();
  // Thread-safe; async-signal-safe (stores to an atomic).
  void RequestStop() { stop_.store(true, std::memory_order_relaxed); }

  const ServiceStats& stats() const;
  // Per-brand count of enriched outputs, indexed like rules->brands().
  int64_t brand_count(size_t brand) const;
  // Enriched records of `brand` with sentiment label `label` (pipeline::sentiment::Label).
  int64_t brand_label_count(size_t brand, int label) const;
  // Enriched records of `brand` that are complaints of priority `priority` (1..4).
  int64_t brand_complaint_count(size_t brand, int priority) const;
  int admin_port() const;
  bool ready(std::string& why) const;

 private:
  Service() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_{false};
};

}  // namespace earshot::app
