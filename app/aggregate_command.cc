// `earshot aggregate`: the aggregator process (app/aggregate_service.h).
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

#include "app/aggregate_service.h"
#include "app/commands.h"
#include "app/config.h"

namespace earshot::app {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

}  // namespace

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
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  std::string error;
  auto service = AggregateService::Create(config, config->kafka.bootstrap, error);
  if (!service) {
    std::fprintf(stderr, "earshot aggregate: %s\n", error.c_str());
    return kExitRuntime;
  }
  if (!options.admin_port_file.empty()) {
    std::string tmp = options.admin_port_file + ".tmp";
    std::ofstream(tmp) << service->admin_port() << "\n";
    std::rename(tmp.c_str(), options.admin_port_file.c_str());
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
