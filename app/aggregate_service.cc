#include "app/aggregate_service.h"

#include <librdkafka/rdkafka.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "app/producer_defaults.h"
#include "app/rdkafka_log.h"
#include "ingest/text.h"
#include "sinks/admin_server.h"
#include "sinks/alertmanager.h"
#include "sinks/kafka_producer.h"

namespace earshot::app {

using pipeline::aggregate::AlertEvent;
using pipeline::aggregate::AlertKind;

namespace {

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct AggregateService::Impl {
  std::shared_ptr<const Config> config;
  Clock clock;
  AggregateStats stats;
  std::atomic<bool>* stop = nullptr;

  rd_kafka_t* consumer = nullptr;
  std::unique_ptr<sinks::KafkaProducer> producer;
  std::unique_ptr<sinks::AlertmanagerClient> alertmanager;
  std::unique_ptr<pipeline::aggregate::Aggregator> aggregator;
  std::unique_ptr<sinks::AdminServer> admin;

  // Metrics.
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>* records = nullptr;
  prometheus::Family<prometheus::Counter>* alerts_family = nullptr;
  prometheus::Counter* am_ok = nullptr;
  prometheus::Counter* am_failed = nullptr;
  prometheus::Counter* am_stale = nullptr;
  prometheus::Counter* am_rejected = nullptr;
  prometheus::Counter* windows_closed = nullptr;
  prometheus::Counter* urgent_suppressed = nullptr;
  int64_t urgent_suppressed_seen = 0;
  prometheus::Gauge* open_windows = nullptr;
  prometheus::Gauge* pending_gauge = nullptr;
  prometheus::Gauge* watermark_delay = nullptr;
  std::map<std::string, prometheus::Counter*> record_counters;

  // Outputs produced and not yet acknowledged, by token; a failed one is produced again.
  struct Output {
    std::string topic, key, value;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  std::unordered_map<uint64_t, Output> unacked;
  std::deque<uint64_t> retry;  // tokens whose delivery failed
  uint64_t next_token = 1;
  // Read by the admin server's threads (readiness).
  std::atomic<bool> produce_failed{false};  // since the last successful delivery

  // Alertmanager: alerts waiting to be posted (id, JSON; a later event of the same alert replaces
  // a waiting one, so an outage queues one entry per alert, not one per window), and the firing
  // ones to re-post.
  std::vector<AlertEvent> am_queue;  // the JSON is built when sent: endsAt from the clock then
  std::map<std::string, AlertEvent> firing;  // by id
  int64_t am_next_attempt_ms = 0;
  int64_t am_backoff_ms = 0;
  int64_t last_resend_ms = 0;
  std::string am_last_error;

  // Consumer position (next offset to read) and the last committed offset, per partition.
  std::map<int32_t, int64_t> position;
  std::map<int32_t, int64_t> committed;
  std::atomic<bool> assigned_once{false};  // read by the admin server's threads

  std::vector<AlertEvent> events;  // reused

  // Also on a failed Create: whatever was started is stopped, the admin server first (its
  // threads read this object).
  ~Impl() {
    admin.reset();
    if (consumer) rd_kafka_destroy(consumer);
    if (producer) producer->Purge();
  }

  int64_t Now() const { return clock(); }

  prometheus::Counter& RecordCounter(const std::string& outcome) {
    auto it = record_counters.find(outcome);
    if (it == record_counters.end()) {
      it = record_counters.emplace(outcome, &records->Add({{"outcome", outcome}})).first;
    }
    return *it->second;
  }

  size_t pending() const { return unacked.size() + am_queue.size(); }

  void Produce(const std::string& topic, std::string key, std::string value,
               std::vector<std::pair<std::string, std::string>> headers) {
    uint64_t token = next_token++;
    Output& out = unacked[token];
    out.topic = topic;
    out.key = std::move(key);
    out.value = std::move(value);
    out.headers = std::move(headers);
    Send(token);
  }

  void Send(uint64_t token) {
    const Output& out = unacked.at(token);
    std::vector<sinks::Header> headers;
    for (const auto& [name, value] : out.headers) headers.push_back({name, value});
    for (;;) {
      std::string error;
      switch (producer->Produce(out.topic, out.key, out.value, headers, token, &error)) {
        case sinks::ProduceStatus::kOk:
          return;
        case sinks::ProduceStatus::kQueueFull:
          producer->Poll(10);
          continue;
        case sinks::ProduceStatus::kFailed:
          spdlog::error("aggregate: cannot produce to {}: {}; will retry", out.topic, error);
          produce_failed = true;
          retry.push_back(token);
          return;
      }
    }
  }

  void OnDelivery(uint64_t token, bool ok, std::string_view error) {
    if (ok) {
      unacked.erase(token);
      stats.outputs_acked.fetch_add(1, std::memory_order_relaxed);
      produce_failed = false;
      return;
    }
    spdlog::error("aggregate: output not acknowledged: {}; will retry", error);
    produce_failed = true;
    retry.push_back(token);
  }

  void DeadLetter(const rd_kafka_message_t* m, const std::string& reason,
                  const std::string& message) {
    std::string key(static_cast<const char*>(m->key), m->key_len);
    std::string value(static_cast<const char*>(m->payload), m->len);
    Produce(config->topics.dead_letter, std::move(key), std::move(value),
            {{"earshot.source.topic", rd_kafka_topic_name(m->rkt)},
             {"earshot.source.partition", std::to_string(m->partition)},
             {"earshot.source.offset", std::to_string(m->offset)},
             {"earshot.reason", reason},
             {"earshot.message", message}});
    stats.dead_lettered.fetch_add(1, std::memory_order_relaxed);
    RecordCounter("dead_lettered").Increment();
  }

  std::string AlertmanagerJson(const AlertEvent& e, int64_t now) const {
    const AggregatorConfig& a = config->aggregator;
    const int64_t window_ms = a.options.window_ms;
    std::string out = "{\"labels\":{\"alertname\":";
    ingest::AppendJsonString(pipeline::aggregate::AlertName(e.kind), out);
    out += ",\"brand\":";
    ingest::AppendJsonString(e.brand, out);
    out += ",\"team\":\"care\",\"severity\":";
    const bool page = e.kind == AlertKind::kComplaintStorm || e.kind == AlertKind::kUrgentComplaint;
    out += page ? "\"page\"" : "\"warning\"";
    out += ",\"source\":\"earshot-aggregator\"";
    if (e.kind == AlertKind::kUrgentComplaint && !e.posts.empty()) {
      out += ",\"post_id\":";
      ingest::AppendJsonString(e.posts.front().post_id, out);
    }
    for (const auto& [name, value] : a.labels) {
      out += ',';
      ingest::AppendJsonString(name, out);
      out += ':';
      ingest::AppendJsonString(value, out);
    }
    out += "},\"annotations\":{\"summary\":";
    ingest::AppendJsonString(pipeline::aggregate::AlertSummary(e, window_ms), out);
    std::string posts;
    for (const auto& p : e.posts) {
      posts += p.priority ? "P" + std::to_string(p.priority) + " " : "";
      if (!p.author.empty()) posts += "@" + p.author + " ";
      if (p.followers >= 0) posts += "(" + std::to_string(p.followers) + " followers) ";
      posts += p.url.empty() ? p.source + ":" + p.post_id : p.url;
      posts += ": ";
      posts += p.text.substr(0, 140);
      posts += '\n';
    }
    out += ",\"posts\":";
    ingest::AppendJsonString(posts, out);
    out += ",\"alert_id\":";
    ingest::AppendJsonString(e.id, out);
    out += "},\"startsAt\":\"" + sinks::Rfc3339Ms(e.starts_at_ms) + "\"";
    // Firing alerts are kept alive by re-posting; one missed resend must not resolve them.
    int64_t ends = e.resolved                              ? std::min(e.ends_at_ms, now)
                   : e.kind == AlertKind::kUrgentComplaint ? e.ends_at_ms
                                                           : now + 4LL * a.resend_interval_ms;
    out += ",\"endsAt\":\"" + sinks::Rfc3339Ms(ends) + "\"}";
    return out;
  }

  void Emit(int64_t now) {
    for (AlertEvent& e : events) {
      const std::string name(pipeline::aggregate::AlertName(e.kind));
      alerts_family
          ->Add({{"alertname", name},
                 {"brand", e.brand},
                 {"status", e.resolved ? "resolved" : "firing"}})
          .Increment();
      spdlog::info("alert {} {}: {}", e.resolved ? "resolved" : "firing", e.id,
                   pipeline::aggregate::AlertSummary(e, aggregator->options().window_ms));
      Produce(config->topics.alerts, e.brand,
              pipeline::aggregate::AlertJson(e, aggregator->options().window_ms), {});
      stats.alerts.fetch_add(1, std::memory_order_relaxed);
      if (!alertmanager) continue;
      // Alerts about the past (a replay after a long outage, a first start on a full topic) go
      // to the alerts topic only: nobody is to be paged about last week's storm. A resolution
      // always follows a firing alert that was sent.
      const int64_t max_age = config->aggregator.alertmanager_max_age_ms;
      const bool stale = e.kind == AlertKind::kUrgentComplaint
                             ? e.ends_at_ms < now || e.starts_at_ms < now - max_age
                             : e.window_end_ms < now - max_age;
      if (e.resolved) {
        // Posted when its firing alert was sent, or may have been before a restart (unless stale).
        if (firing.erase(e.id) > 0 || !stale) QueueForAlertmanager(e);
        continue;
      }
      if (stale) {
        am_stale->Increment();
        stats.alertmanager_stale.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      QueueForAlertmanager(e);
      if (e.kind != AlertKind::kUrgentComplaint) firing[e.id] = e;
    }
    events.clear();
  }

  void QueueForAlertmanager(const AlertEvent& e) {
    for (AlertEvent& queued : am_queue) {
      if (queued.id == e.id) {
        queued = e;
        return;
      }
    }
    am_queue.push_back(e);
  }

  void ServeAlertmanager(int64_t now, bool force) {
    if (!alertmanager) return;
    const int64_t resend = config->aggregator.resend_interval_ms;
    if (!firing.empty() && now - last_resend_ms >= resend && am_queue.empty()) {
      for (const auto& [id, e] : firing) QueueForAlertmanager(e);
      last_resend_ms = now;
    }
    if (am_queue.empty() || (!force && now < am_next_attempt_ms)) return;
    // Urgent alerts whose time is up would arrive expired: dropped, counted as stale.
    std::erase_if(am_queue, [&](const AlertEvent& e) {
      bool expired = e.kind == AlertKind::kUrgentComplaint && !e.resolved && e.ends_at_ms < now;
      if (expired) {
        am_stale->Increment();
        stats.alertmanager_stale.fetch_add(1, std::memory_order_relaxed);
      }
      return expired;
    });
    // In chunks: a long outage's backlog in one request could pass a proxy's body limit.
    constexpr size_t kChunk = 64;
    std::string error;
    int status = 0;
    while (!am_queue.empty()) {
      const size_t n = std::min(kChunk, am_queue.size());
      std::string body = "[";
      for (size_t i = 0; i < n; ++i) {
        if (i) body += ',';
        body += AlertmanagerJson(am_queue[i], now);
      }
      body += ']';
      if (alertmanager->Post(body, error, &status)) {
        am_ok->Increment();
        stats.alertmanager_posts.fetch_add(1, std::memory_order_relaxed);
      } else if (status >= 400 && status < 500 && status != 408 && status != 429) {
        // Alertmanager refused these alerts as they are: sending them again cannot help.
        am_rejected->Increment();
        stats.alertmanager_errors.fetch_add(1, std::memory_order_relaxed);
        spdlog::error("aggregate: Alertmanager refused {} alerts, dropped: {}", n, error);
      } else {
        break;
      }
      am_queue.erase(am_queue.begin(), am_queue.begin() + static_cast<ptrdiff_t>(n));
    }
    if (am_queue.empty()) {
      am_backoff_ms = 0;
      am_last_error.clear();
      return;
    }
    am_failed->Increment();
    stats.alertmanager_errors.fetch_add(1, std::memory_order_relaxed);
    am_backoff_ms = std::min<int64_t>(am_backoff_ms ? am_backoff_ms * 2 : 500, 30000);
    am_next_attempt_ms = now + am_backoff_ms;
    if (error != am_last_error) spdlog::warn("aggregate: Alertmanager: {}; will retry", error);
    am_last_error = error;
  }

  // Commits every assigned partition up to its first record still in an open window, when no
  // output is pending. `only` limits it to some partitions (a revocation).
  void Commit(const std::set<int32_t>* only) {
    // Outputs produced since the last pass are usually acknowledged within milliseconds: wait
    // that long rather than skip the commit, which a steady trickle of them would do every time.
    if (!unacked.empty()) producer->Flush(200);
    RetryFailed();
    if (pending() != 0) return;
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(8);
    for (const auto& [partition, next] : position) {
      if (only && !only->count(partition)) continue;
      int64_t offset = aggregator->HeldFrom(partition).value_or(next);
      auto it = committed.find(partition);
      if (it != committed.end() && it->second >= offset) continue;
      rd_kafka_topic_partition_list_add(list, config->topics.enriched.c_str(), partition)->offset =
          offset;
    }
    if (list->cnt > 0) {
      rd_kafka_resp_err_t err = rd_kafka_commit(consumer, list, 0);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < list->cnt; ++i) {
          committed[list->elems[i].partition] = list->elems[i].offset;
        }
        stats.commits.fetch_add(1, std::memory_order_relaxed);
      } else {
        spdlog::warn("aggregate: commit failed: {}", rd_kafka_err2str(err));
      }
    }
    rd_kafka_topic_partition_list_destroy(list);
  }

  // Waits (bounded) until every output is acknowledged.
  // `wait_for_alertmanager` false: only the Kafka outputs are waited for (one post is still tried
  // when due), so that an unreachable Alertmanager does not hold up a rebalance.
  bool Settle(int timeout_ms, bool wait_for_alertmanager = true) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    auto waiting = [&] { return unacked.size() + (wait_for_alertmanager ? am_queue.size() : 0); };
    ServeAlertmanager(Now(), am_next_attempt_ms <= Now());
    while (waiting() != 0 && std::chrono::steady_clock::now() < deadline) {
      RetryFailed();
      producer->Poll(20);
      ServeAlertmanager(Now(), am_next_attempt_ms <= Now());
      if (!am_queue.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pending() == 0;
  }

  void RetryFailed() {
    while (!retry.empty()) {
      uint64_t token = retry.front();
      retry.pop_front();
      if (unacked.count(token)) Send(token);
    }
  }

  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      rd_kafka_assign(consumer, parts);
      stats.assigned_partitions.store(parts->cnt);
      assigned_once = true;
      spdlog::info("aggregate: {} partitions of {} assigned", parts->cnt, config->topics.enriched);
      return;
    }
    // Revoked: settle what is pending so that the offsets can be committed, then hand over. A
    // failing Alertmanager is not waited for: the group would wait with it; the next owner reads
    // the partitions again instead (alerts may repeat; none is lost).
    std::set<int32_t> revoked;
    for (int i = 0; i < parts->cnt; ++i) revoked.insert(parts->elems[i].partition);
    if (!Settle(config->service.shutdown_timeout_ms, am_backoff_ms == 0) || pending() != 0) {
      spdlog::warn(
          "aggregate: outputs still pending at a revocation: not committing; the next "
          "owner reads those partitions again");
    }
    Commit(&revoked);
    for (int32_t p : revoked) {
      aggregator->DropPartition(p);
      position.erase(p);
      committed.erase(p);
      for (auto it = firing.begin(); it != firing.end();) {
        it = it->second.partition == p ? firing.erase(it) : std::next(it);
      }
    }
    rd_kafka_assign(consumer, nullptr);
    stats.assigned_partitions.store(0);
  }

  void Handle(const rd_kafka_message_t* m, int64_t now) {
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        spdlog::warn("aggregate: consumer: {}", rd_kafka_message_errstr(m));
      }
      return;
    }
    stats.consumed.fetch_add(1, std::memory_order_relaxed);
    position[m->partition] = m->offset + 1;
    pipeline::aggregate::Mention mention;
    std::string error;
    std::string_view bytes(static_cast<const char*>(m->payload), m->len);
    if (!pipeline::aggregate::ParseMention(bytes, mention, error)) {
      DeadLetter(m, "not_enriched", error);
      return;
    }
    mention.partition = m->partition;
    mention.offset = m->offset;
    switch (aggregator->Add(mention, now, events)) {
      case pipeline::aggregate::Aggregator::AddResult::kCounted:
        stats.counted.fetch_add(1, std::memory_order_relaxed);
        RecordCounter("counted").Increment();
        break;
      case pipeline::aggregate::Aggregator::AddResult::kLate:
        stats.late.fetch_add(1, std::memory_order_relaxed);
        RecordCounter("late").Increment();
        break;
      case pipeline::aggregate::Aggregator::AddResult::kFuture:
        stats.future.fetch_add(1, std::memory_order_relaxed);
        RecordCounter("future_time").Increment();
        break;
    }
    if (!events.empty()) Emit(now);
  }

  void UpdateGauges(int64_t now) {
    open_windows->Set(static_cast<double>(aggregator->open_windows()));
    pending_gauge->Set(static_cast<double>(pending()));
    int64_t closed = aggregator->counters().windows_closed;
    int64_t before = stats.windows_closed.exchange(closed);
    if (closed > before) windows_closed->Increment(static_cast<double>(closed - before));
    const int64_t suppressed = aggregator->counters().urgent_suppressed;
    if (suppressed > urgent_suppressed_seen) {
      urgent_suppressed->Increment(static_cast<double>(suppressed - urgent_suppressed_seen));
      urgent_suppressed_seen = suppressed;
    }
    std::optional<int64_t> oldest;
    for (const auto& [partition, next] : position) {
      if (auto w = aggregator->Watermark(partition, now)) {
        oldest = oldest ? std::min(*oldest, *w) : *w;
      }
    }
    watermark_delay->Set(oldest ? static_cast<double>(now - *oldest) / 1000 : 0);
  }
};

AggregateService::~AggregateService() = default;

int AggregateService::admin_port() const { return impl_->admin ? impl_->admin->port() : 0; }

const AggregateStats& AggregateService::stats() const { return impl_->stats; }

bool AggregateService::ready(std::string& why) const {
  if (!impl_->assigned_once) {
    why = "not yet in the consumer group";
    return false;
  }
  if (impl_->produce_failed) {
    why = "alert records are not being acknowledged; see the log";
    return false;
  }
  return true;
}

std::unique_ptr<AggregateService> AggregateService::Create(std::shared_ptr<const Config> config,
                                                           const std::string& bootstrap,
                                                           std::string& error, Clock clock) {
  std::unique_ptr<AggregateService> service(new AggregateService());
  auto impl = std::make_unique<Impl>();
  Impl* self = impl.get();
  impl->config = config;
  impl->clock = clock ? std::move(clock) : Clock(SystemNowMs);
  impl->stop = &service->stop_;
  const AggregatorConfig& a = config->aggregator;
  impl->aggregator = std::make_unique<pipeline::aggregate::Aggregator>(a.options);

  auto& registry = *impl->registry;
  impl->records = &prometheus::BuildCounter()
                       .Name("earshot_aggregator_records_total")
                       .Help(
                           "Enriched records read by the aggregator, by outcome: counted, late "
                           "(window closed), future_time, dead_lettered")
                       .Register(registry);
  for (const char* outcome : {"counted", "late", "future_time", "dead_lettered"}) {
    impl->RecordCounter(outcome);
  }
  impl->alerts_family = &prometheus::BuildCounter()
                             .Name("earshot_aggregator_alerts_total")
                             .Help("Alert events sent, by alertname, brand and status")
                             .Register(registry);
  auto& am = prometheus::BuildCounter()
                 .Name("earshot_aggregator_alertmanager_posts_total")
                 .Help("Posts to Alertmanager, by result")
                 .Register(registry);
  impl->am_ok = &am.Add({{"result", "ok"}});
  impl->am_failed = &am.Add({{"result", "error"}});
  impl->am_rejected = &am.Add({{"result", "rejected"}});
  impl->am_stale = &prometheus::BuildCounter()
                        .Name("earshot_aggregator_alertmanager_stale_total")
                        .Help(
                            "Alerts about windows older than alertmanager.max_age_seconds: sent "
                            "to the alerts topic only")
                        .Register(registry)
                        .Add({});
  impl->urgent_suppressed = &prometheus::BuildCounter()
                                 .Name("earshot_aggregator_urgent_suppressed_total")
                                 .Help(
                                     "Urgent complaints not sent: past the per-brand limit of "
                                     "aggregator.urgent_complaint.max_per_window")
                                 .Register(registry)
                                 .Add({});
  impl->windows_closed = &prometheus::BuildCounter()
                              .Name("earshot_aggregator_windows_closed_total")
                              .Help("Brand windows closed (empty ones included)")
                              .Register(registry)
                              .Add({});
  impl->open_windows = &prometheus::BuildGauge()
                            .Name("earshot_aggregator_open_windows")
                            .Help("Brand windows open (waiting for the watermark)")
                            .Register(registry)
                            .Add({});
  impl->pending_gauge = &prometheus::BuildGauge()
                             .Name("earshot_aggregator_pending_outputs")
                             .Help(
                                 "Alert records, dead letters and Alertmanager alerts not yet "
                                 "acknowledged (offsets wait for them)")
                             .Register(registry)
                             .Add({});
  impl->watermark_delay = &prometheus::BuildGauge()
                               .Name("earshot_aggregator_watermark_delay_seconds")
                               .Help("Processing time minus the oldest partition watermark")
                               .Register(registry)
                               .Add({});

  if (!a.alertmanager_url.empty()) {
    impl->alertmanager =
        sinks::AlertmanagerClient::Create(a.alertmanager_url, a.alertmanager_timeout_ms, error);
    if (!impl->alertmanager) return nullptr;
  }

  std::map<std::string, std::string> pprops = {
      {"bootstrap.servers", bootstrap}, {"acks", "all"},
      {"message.timeout.ms", "0"},      {"linger.ms", "5"},
      {"enable.idempotence", "true"},   {"client.id", "earshot-aggregator-producer"},
  };
  for (const auto& [k, v] : config->kafka.properties) pprops[k] = v;
  for (const auto& [k, v] : config->kafka.producer) pprops[k] = v;
  impl->producer = sinks::KafkaProducer::Create(
      pprops,
      [self](uint64_t token, bool ok, std::string_view err) { self->OnDelivery(token, ok, err); },
      {}, error);
  if (!impl->producer) return nullptr;
  impl->producer->PrepareTopics({config->topics.alerts, config->topics.dead_letter});

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::map<std::string, std::string> cprops = {
      {"bootstrap.servers", bootstrap},
      {"group.id", a.group_id.empty() ? config->kafka.group_id + "-aggregator" : a.group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"client.id", "earshot-aggregator"},
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
  rd_kafka_conf_set_log_cb(conf,
                           [](const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
                             WriteLibrdkafkaLog(level, fac, rd_kafka_name(rk), buf);
                           });
  impl->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (impl->consumer == nullptr) {
    error = std::string("cannot create the kafka consumer: ") + errstr;
    return nullptr;
  }
  rd_kafka_poll_set_consumer(impl->consumer);
  rd_kafka_topic_partition_list_t* subscription = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(subscription, config->topics.enriched.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(impl->consumer, subscription);
  rd_kafka_topic_partition_list_destroy(subscription);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = std::string("cannot subscribe: ") + rd_kafka_err2str(err);
    return nullptr;
  }

  // The admin server's threads call ready(), which reads impl_: set it before they start.
  AggregateService* svc = service.get();
  service->impl_ = std::move(impl);
  self->admin = sinks::AdminServer::Start(
      a.admin_listen, self->registry, [svc](std::string& why) { return svc->ready(why); }, error,
      [self] {
        const AggregateStats& st = self->stats;
        std::string body = "{\"consumed\":" + std::to_string(st.consumed.load());
        body += ",\"counted\":" + std::to_string(st.counted.load());
        body += ",\"late\":" + std::to_string(st.late.load());
        body += ",\"future_time\":" + std::to_string(st.future.load());
        body += ",\"dead_lettered\":" + std::to_string(st.dead_lettered.load());
        body += ",\"alerts\":" + std::to_string(st.alerts.load());
        body += ",\"outputs_acknowledged\":" + std::to_string(st.outputs_acked.load());
        body += ",\"alertmanager_posts\":" + std::to_string(st.alertmanager_posts.load());
        body += ",\"alertmanager_errors\":" + std::to_string(st.alertmanager_errors.load());
        body += ",\"alertmanager_stale\":" + std::to_string(st.alertmanager_stale.load());
        body += ",\"commits\":" + std::to_string(st.commits.load());
        body += ",\"windows_closed\":" + std::to_string(st.windows_closed.load());
        body += ",\"assigned_partitions\":" + std::to_string(st.assigned_partitions.load());
        body += "}\n";
        return body;
      });
  if (!self->admin) return nullptr;
  return service;
}

int AggregateService::Run() {
  Impl& s = *impl_;
  const int commit_interval = s.config->aggregator.commit_interval_ms;
  int64_t last_advance = 0, last_commit = s.Now(), last_gauges = 0;
  while (!stop_.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(s.consumer, 50);
    int64_t now = s.Now();
    if (m != nullptr) {
      s.Handle(m, now);
      rd_kafka_message_destroy(m);
      // Drain what is already fetched before the periodic work, without waiting.
      for (int i = 0; i < 1000 && (m = rd_kafka_consumer_poll(s.consumer, 0)) != nullptr; ++i) {
        s.Handle(m, now);
        rd_kafka_message_destroy(m);
      }
      now = s.Now();
    }
    if (now - last_advance >= 100) {
      s.aggregator->Advance(now, s.events);
      if (!s.events.empty()) s.Emit(now);
      last_advance = now;
    }
    s.RetryFailed();
    s.producer->Poll(0);
    s.ServeAlertmanager(now, false);
    if (now - last_commit >= commit_interval) {
      s.Commit(nullptr);
      last_commit = now;
    }
    if (now - last_gauges >= 500) {
      s.UpdateGauges(now);
      last_gauges = now;
    }
  }
  // Stop: open windows are incomplete and stay unsent (the next run reads them again); what was
  // sent is settled and committed.
  bool settled = s.Settle(s.config->service.shutdown_timeout_ms);
  s.Commit(nullptr);
  s.UpdateGauges(s.Now());
  rd_kafka_consumer_close(s.consumer);
  if (!settled) {
    spdlog::error(
        "aggregate: {} outputs not acknowledged at stop; their records were not "
        "committed and will be read again",
        s.pending());
    s.producer->Purge();
  }
  return settled ? 0 : 1;
}

}  // namespace earshot::app
