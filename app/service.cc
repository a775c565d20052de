// Service: start-up (sentiment and complaint stages, producer, consumer, workers, admin server),
// the consumer loop of Run(), and the public accessors. The workers are in service_worker.cc and
// the consumer thread's bookkeeping in service_consumer.cc; their shared state is in
// service_impl.h.
#include "app/service.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "app/commands.h"
#include "app/memory_budget.h"
#include "app/producer_defaults.h"
#include "app/rdkafka_log.h"
#include "app/service_impl.h"

namespace earshot::app {
namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

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
    // At 0 from the start: the first offset reset must show as an increase, which a series
    // born at its first value does not.
    impl->metrics->offset_resets.Add({{"topic", input.topic}});
    impl->metrics->records_skipped.Add({{"topic", input.topic}});
  }
  if (topics.empty()) {
    error = config->path + ": no input has a Kafka 'topic' to consume";
    return nullptr;
  }

  const MemoryShares shares = SplitMemoryBudget(config->service.memory_budget_mb);

  // Producer: outputs are acknowledged by all in-sync replicas, retried without a deadline
  // (a permanent failure stops commits instead of losing data). At most 5 requests in flight a
  // connection (librdkafka's default is 1,000,000): each lz4 batch holds an output buffer of
  // LZ4F_compressBound(len, NULL), about 64 KiB however small the batch, until the broker
  // answers, so with many output partitions that many requests grew the producer past the
  // memory budget (163 partitions: peak RSS 390 MiB, 154 MiB with 5; same throughput).
  std::map<std::string, std::string> pprops = {
      {"bootstrap.servers", bootstrap},
      {"acks", "all"},
      {"message.timeout.ms", "0"},
      {"linger.ms", "5"},
      {"compression.type", std::string(DefaultOutputCompression(bootstrap))},
      {"queue.buffering.max.messages", "200000"},
      {"statistics.interval.ms", "1000"},
      {"client.id", "earshot-producer"},
      {"queue.buffering.max.kbytes", std::to_string(shares.producer_kb)},
      {"max.in.flight.requests.per.connection", "5"},
  };
  for (const auto& [k, v] : config->kafka.properties) pprops[k] = v;
  for (const auto& [k, v] : config->kafka.producer) pprops[k] = v;
  // librdkafka refuses a record larger than message.max.bytes when it is produced, for good.
  if (auto it = pprops.find("message.max.bytes"); it != pprops.end()) {
    if (const long long max = std::atoll(it->second.c_str()); max > 0) {
      // The headroom, or half of a small limit (librdkafka allows 1000 bytes).
      const auto limit = static_cast<size_t>(max);
      impl->max_output_bytes =
          limit > 2 * Impl::kOutputHeadroom ? limit - Impl::kOutputHeadroom : limit / 2;
    }
  }
  spdlog::info("output compression: {}{}", pprops["compression.type"],
               pprops["compression.type"] == DefaultOutputCompression(bootstrap)
                   ? " (default for these brokers)"
                   : "");
  impl->producer = sinks::KafkaProducer::Create(
      pprops,
      [self](uint64_t token, bool ok, std::string_view err) {
        if (ok) self->stats.outputs.fetch_add(1, std::memory_order_relaxed);
        self->OnDelivery(token, ok, err);
      },
      [self](std::string_view json) { self->OnProducerStats(json); }, error);
  if (!impl->producer) return nullptr;
  // Know the output topics' partitions before the first records: until then librdkafka holds
  // them, and with them their input records in flight (a second or more for a topic the broker
  // creates on first use, during which the in-flight limit stopped the consumer).
  impl->producer->PrepareTopics({config->topics.enriched, config->topics.dead_letter});

  // Memory budget: split over librdkafka's prefetch, the producer's queue and the records in
  // flight, unless the config sets them explicitly. With a subscription every partition's fetch
  // queue forwards to the one consumer queue, and queued.max.messages.kbytes bounds that queue as
  // a whole (not per partition): dividing it by the partition count starves the fetcher, which
  // then idles until its next wake-up each time the small queue fills. queued.min.messages bounds
  // the same queue in records (see SplitMemoryBudget).
  impl->max_inflight = static_cast<size_t>(shares.max_inflight);
  if (config->service.max_inflight_set) {
    impl->max_inflight = static_cast<size_t>(config->service.max_inflight_records);
  }
  spdlog::info(
      "memory budget {} MiB: prefetch {} MiB or {} records, fetch responses {} MiB, producer "
      "queue {} MiB, up to {} records in flight",
      config->service.memory_budget_mb, shares.prefetch_kb / 1024, shares.prefetch_records,
      shares.fetch_bytes >> 20, shares.producer_kb / 1024, impl->max_inflight);

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
      {"queued.max.messages.kbytes", std::to_string(shares.prefetch_kb)},  // the whole queue
      {"queued.min.messages", std::to_string(shares.prefetch_records)},    // the same, in records
      {"fetch.max.bytes", std::to_string(shares.fetch_bytes)},
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
  // librdkafka's lines go to stderr as before; an offset reset is also counted, since it means
  // records the service never saw (called from librdkafka's threads, while the consumer
  // exists: the metrics outlive it).
  rd_kafka_conf_set_offset_commit_cb(
      conf, [](rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
               void* opaque) { static_cast<Impl*>(opaque)->OnCommitted(err, offsets); });
  rd_kafka_conf_set_log_cb(conf,
                           [](const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
                             WriteLibrdkafkaLog(level, fac, rd_kafka_name(rk), buf);
                             // Warnings only: with `debug` set, librdkafka also reports the first
                             // position of a group that has none as a reset.
                             if (level > 4 || std::string_view(fac) != "OFFSET") return;
                             if (std::optional<OffsetReset> reset = ParseOffsetReset(buf)) {
                               static_cast<Impl*>(rd_kafka_opaque(rk))->OnOffsetReset(*reset);
                             }
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
    impl->work.push_back(std::make_unique<pipeline::SpscQueue<Impl::WorkItem>>(capacity));
    impl->reports.push_back(std::make_unique<pipeline::SpscQueue<Impl::WorkReport>>(capacity));
  }
  impl->pending.resize(workers);
  for (size_t i = 0; i < workers; ++i) {
    const std::string worker = std::to_string(i);
    impl->metrics->work_depth.push_back(
        &impl->metrics->queue_depth.Add({{"queue", "work"}, {"worker", worker}}));
    impl->metrics->backlog_depth.push_back(
        &impl->metrics->queue_depth.Add({{"queue", "backlog"}, {"worker", worker}}));
    impl->metrics->partitions_of.push_back(
        &impl->metrics->worker_partitions.Add({{"worker", worker}}));
  }
  impl->metrics->in_flight_limit->Set(static_cast<double>(impl->max_inflight));

  // The service owns its state before the admin server can call ready() on it.
  service->impl_ = std::move(impl);
  self->admin = sinks::AdminServer::Start(
      config->service.admin_listen, self->metrics->registry,
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
  if (!self->admin) return nullptr;
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
  for (Impl::Slot& slot : s.slots) s.Pause(slot);
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
  if (!s.producer->Flush(static_cast<int>(std::clamp<int64_t>(left.count(), 100, 2000)))) {
    // Outputs the brokers never took: their records were not committed and will be read again.
    s.abandoning_outputs.store(true);
    spdlog::warn("stopping: giving up on {} outputs not acknowledged",
                 s.producer->OutQueueLength());
    s.producer->Purge();
  }
  spdlog::info("stopped: consumed {}, enriched {}, filtered {}, dead-lettered {}{}",
               s.stats.consumed.load(), s.stats.enriched.load(), s.stats.filtered.load(),
               s.stats.dead_lettered.load(), drained ? "" : " (drain timed out)");
  return drained && !s.fatal.load() ? 0 : 1;
}

}  // namespace earshot::app
