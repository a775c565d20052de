#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

#include "app/aggregate_service.h"
#include "app/brands.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/service.h"
#include "ingest/embedded_broker.h"

namespace earshot::app {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << text << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

std::vector<ingest::TopicSpec> TopicsOf(const Config& config) {
  std::vector<ingest::TopicSpec> topics;
  int partitions = config.service.embedded_partitions;
  for (const auto& input : config.inputs) {
    if (!input.topic.empty()) topics.push_back({input.topic, partitions});
  }
  topics.push_back({config.topics.enriched, partitions});
  topics.push_back({config.topics.dead_letter, partitions});
  return topics;
}

void PrintSummary(const Service& service, const pipeline::match::RuleSet& rules, double seconds,
                  int64_t consumed_before) {
  const ServiceStats& st = service.stats();
  int64_t consumed = st.consumed.load();
  std::fprintf(stderr,
               "[%6.1fs] consumed %lld (%.0f/s)  enriched %lld  filtered %lld  dead-lettered %lld"
               "  outputs acked %lld\n          [per brand: records +positive =neutral -negative "
               "?unsupported | complaints P1/P2/P3/P4]\n",
               seconds, static_cast<long long>(consumed),
               static_cast<double>(consumed - consumed_before) / 2.0,
               static_cast<long long>(st.enriched.load()), static_cast<long long>(st.filtered.load()),
               static_cast<long long>(st.dead_lettered.load()),
               static_cast<long long>(st.outputs.load()));
  std::vector<std::pair<int64_t, size_t>> top;
  for (size_t b = 0; b < rules.brands().size(); ++b) {
    if (int64_t n = service.brand_count(b)) top.emplace_back(n, b);
  }
  std::sort(top.rbegin(), top.rend());
  if (top.size() > 8) top.resize(8);
  for (const auto& [n, b] : top) {
    // Labels: 0 negative, 1 neutral, 2 positive, 3 unsupported.
    std::fprintf(stderr,
                 "          %-24s %6lld   +%-5lld =%-5lld -%-5lld ?%-5lld | complaints "
                 "%lld/%lld/%lld/%lld\n",
                 rules.brands()[b].rule.id.c_str(), static_cast<long long>(n),
                 static_cast<long long>(service.brand_label_count(b, 2)),
                 static_cast<long long>(service.brand_label_count(b, 1)),
                 static_cast<long long>(service.brand_label_count(b, 0)),
                 static_cast<long long>(service.brand_label_count(b, 3)),
                 static_cast<long long>(service.brand_complaint_count(b, 1)),
                 static_cast<long long>(service.brand_complaint_count(b, 2)),
                 static_cast<long long>(service.brand_complaint_count(b, 3)),
                 static_cast<long long>(service.brand_complaint_count(b, 4)));
  }
}

}  // namespace

int RunService(const RunOptions& options) {
  LoadedBrands loaded = LoadConfigAndBrands(options.config);
  if (!loaded.ok()) return kExitUsage;
  auto rules = loaded.rules;
  auto config = loaded.config;
  if (!options.admin_listen.empty() || !options.bootstrap.empty()) {
    auto copy = std::make_shared<Config>(*config);
    if (!options.admin_listen.empty()) copy->service.admin_listen = options.admin_listen;
    if (!options.bootstrap.empty()) copy->kafka.bootstrap = options.bootstrap;
    config = copy;
  }
  InstallSignalHandlers();
  std::unique_ptr<ingest::EmbeddedBroker> broker;
  std::string bootstrap = config->kafka.bootstrap;
  std::string error;
  if (bootstrap == "embedded") {
    broker = ingest::EmbeddedBroker::Create(3, TopicsOf(*config), error);
    if (!broker) {
      std::fprintf(stderr, "earshot run: %s\n", error.c_str());
      return kExitRuntime;
    }
    bootstrap = broker->bootstrap_servers();
    spdlog::info("embedded broker (librdkafka mock cluster) at {}", bootstrap);
  }
  if (!options.bootstrap_file.empty() && !WriteFile(options.bootstrap_file, bootstrap)) {
    std::fprintf(stderr, "earshot run: cannot write %s\n", options.bootstrap_file.c_str());
    return kExitRuntime;
  }
  auto service = Service::Create(config, rules, bootstrap, error);
  if (!service) {
    std::fprintf(stderr, "earshot run: %s\n", error.c_str());
    return kExitRuntime;
  }
  if (!options.admin_port_file.empty() &&
      !WriteFile(options.admin_port_file, std::to_string(service->admin_port()))) {
    std::fprintf(stderr, "earshot run: cannot write %s\n", options.admin_port_file.c_str());
    return kExitRuntime;
  }
  std::atomic<bool> done{false};
  auto start = std::chrono::steady_clock::now();
  std::thread watcher([&] {
    auto next_summary = start + std::chrono::seconds(2);
    int64_t consumed_before = 0;
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      auto now = std::chrono::steady_clock::now();
      double elapsed = std::chrono::duration<double>(now - start).count();
      if (g_stop.load() || (options.duration_s > 0 && elapsed >= options.duration_s)) {
        service->RequestStop();
      }
      if (options.summary && now >= next_summary) {
        PrintSummary(*service, *rules, elapsed, consumed_before);
        consumed_before = service->stats().consumed.load();
        next_summary += std::chrono::seconds(2);
      }
    }
  });
  if (options.on_started) options.on_started(bootstrap);
  int code = service->Run();
  done.store(true);
  watcher.join();
  if (options.summary) {
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "final:\n");
    PrintSummary(*service, *rules, total, service->stats().consumed.load());
    std::fprintf(stderr, "enriched records are on topic '%s' at %s (e.g. kcat -C -b %s -t %s)\n",
                 config->topics.enriched.c_str(), bootstrap.c_str(), bootstrap.c_str(),
                 config->topics.enriched.c_str());
  }
  service.reset();
  return code;
}

int RunBroker(const BrokerOptions& options) {
  // Each topic is NAME or NAME:PARTITIONS (the latter overrides --partitions for that topic).
  std::vector<ingest::TopicSpec> topics;
  for (const auto& text : options.topics) {
    std::string why;
    if (!ParseTopicSpec(text, options.partitions, topics.emplace_back(), why)) {
      std::fprintf(stderr, "earshot broker: --topics: %s\n", why.c_str());
      return kExitUsage;
    }
  }
  std::string error;
  auto broker = ingest::EmbeddedBroker::Create(options.brokers, topics, error);
  if (!broker) {
    std::fprintf(stderr, "earshot broker: %s\n", error.c_str());
    return kExitRuntime;
  }
  std::printf("%s\n", broker->bootstrap_servers().c_str());
  std::fflush(stdout);
  if (!options.bootstrap_file.empty() &&
      !WriteFile(options.bootstrap_file, broker->bootstrap_servers())) {
    std::fprintf(stderr, "earshot broker: cannot write %s\n", options.bootstrap_file.c_str());
    return kExitRuntime;
  }
  InstallSignalHandlers();
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return kExitOk;
}

// `earshot aggregate`: the aggregator process (app/aggregate_service.h).
int RunAggregate(const AggregateCommandOptions& options) {
  ConfigResult loaded = LoadConfig(options.config);
  if (!loaded.ok()) {
    for (const ConfigError& e : loaded.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
    return kExitUsage;
  }
  auto config = std::make_shared<Config>(*loaded.config);
  if (!options.bootstrap.empty()) config->kafka.bootstrap = options.bootstrap;
  if (!options.admin_listen.empty()) config->aggregator.admin_listen = options.admin_listen;
  if (!options.alertmanager.empty()) config->aggregator.alertmanager_url = options.alertmanager;
  if (config->kafka.bootstrap == "embedded") {
    std::fprintf(stderr,
                 "earshot aggregate: kafka.bootstrap is 'embedded', an in-process broker the "
                 "service's records are not on; give the service's brokers with --bootstrap "
                 "(`earshot broker` prints them)\n");
    return kExitUsage;
  }
  InstallSignalHandlers();

  std::string error;
  auto service = AggregateService::Create(config, config->kafka.bootstrap, error);
  if (!service) {
    std::fprintf(stderr, "earshot aggregate: %s\n", error.c_str());
    return kExitRuntime;
  }
  if (!options.admin_port_file.empty() &&
      !WriteFile(options.admin_port_file, std::to_string(service->admin_port()))) {
    std::fprintf(stderr, "earshot aggregate: cannot write %s\n", options.admin_port_file.c_str());
    return kExitRuntime;
  }
  const auto& o = config->aggregator.options;
  spdlog::info("aggregate: {} -> {}{}; windows of {} ms, lateness {} ms, {} windows of history",
               config->topics.enriched, config->topics.alerts,
               config->aggregator.alertmanager_url.empty()
                   ? ""
                   : " and Alertmanager at " + config->aggregator.alertmanager_url,
               o.window_ms, o.lateness_ms, o.history_windows);
  std::atomic<bool> done{false};
  auto start = std::chrono::steady_clock::now();
  std::thread watcher([&] {
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (g_stop.load() || (options.duration_s > 0 && elapsed >= options.duration_s)) {
        service->RequestStop();
      }
    }
  });
  int code = service->Run();
  done.store(true);
  watcher.join();
  const AggregateStats& st = service->stats();
  std::fprintf(
      stderr,
      "aggregate: consumed %lld = counted %lld + late %lld + future_time %lld + "
      "dead-lettered %lld; %lld windows closed; %lld alert records, %lld Alertmanager "
      "posts (%lld failed)\n",
      static_cast<long long>(st.consumed.load()), static_cast<long long>(st.counted.load()),
      static_cast<long long>(st.late.load()), static_cast<long long>(st.future.load()),
      static_cast<long long>(st.dead_lettered.load()),
      static_cast<long long>(st.windows_closed.load()), static_cast<long long>(st.alerts.load()),
      static_cast<long long>(st.alertmanager_posts.load()),
      static_cast<long long>(st.alertmanager_errors.load()));
  return code == 0 ? kExitOk : kExitRuntime;
}

}  // namespace earshot::app
