// AggregateService: `earshot aggregate`. Consumes the enriched topic in its own consumer group,
// feeds the Aggregator (pipeline/aggregate), and sends what it detects to the alerts topic and,
// when configured, to Alertmanager. docs/aggregator.md describes the behaviour for operators.
//
// One thread runs everything (Run): consumer polls, rebalances, window closes, produce delivery
// reports and Alertmanager posts. Offsets: a partition's committed offset never passes a record
// that is still in an open window, and nothing is committed while an output (alert record,
// dead letter, Alertmanager post) is unacknowledged; so after a crash the open windows are
// rebuilt by reading again, and what was produced is never lost (it may be sent twice).
// Baselines and episodes are not kept: a restarted or reassigned brand needs `history_windows`
// windows before its storm, spike and drop alerts fire again, and an episode firing at the
// restart gets no resolved record (Alertmanager lets it expire). docs/aggregator.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "app/config.h"

namespace earshot::app {

struct AggregateStats {
  std::atomic<int64_t> consumed{0};
  std::atomic<int64_t> counted{0};        // aggregated into a window
  std::atomic<int64_t> late{0};           // filtered: their window had closed
  std::atomic<int64_t> future{0};         // filtered: event time too far ahead
  std::atomic<int64_t> dead_lettered{0};  // not an enriched record
  std::atomic<int64_t> alerts{0};         // alert records produced (firing and resolved)
  std::atomic<int64_t> outputs_acked{0};  // alert records and dead letters acknowledged
  std::atomic<int64_t> alertmanager_posts{0};
  std::atomic<int64_t> alertmanager_errors{0};
  std::atomic<int64_t> alertmanager_stale{0};  // too old to page: alerts topic only
  std::atomic<int64_t> commits{0};
  std::atomic<int64_t> windows_closed{0};
  std::atomic<int64_t> assigned_partitions{0};
};

class AggregateService {
 public:
  // Milliseconds since the epoch; tests inject their own.
  using Clock = std::function<int64_t()>;

  // Starts the producer, consumer (subscribed to topics.enriched) and admin server. Null and
  // `error` on failure.
  static std::unique_ptr<AggregateService> Create(std::shared_ptr<const Config> config,
                                                  const std::string& bootstrap, std::string& error,
                                                  Clock clock = {});
  ~AggregateService();

  // Runs until RequestStop; then sends what is pending, commits and leaves the group. 0 when
  // every output was acknowledged, 1 otherwise.
  int Run();
  void RequestStop() { stop_.store(true); }

  int admin_port() const;
  const AggregateStats& stats() const;
  bool ready(std::string& why) const;

  struct Impl;

 private:
  AggregateService() = default;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_{false};
};

}  // namespace earshot::app
