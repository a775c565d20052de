// AdminServer: earshot's operational HTTP endpoint.
//   GET /metrics  Prometheus text format of the given registry
//   GET /healthz  200 while the process serves HTTP (liveness: nothing else is checked)
//   GET /readyz   200 only while the readiness probe says so (partitions assigned, producer
//                 connected), 503 otherwise, with the reason in the body
//   GET /stats    a small JSON object of the service's record accounting (cheap enough to poll
//                 every few milliseconds, unlike /metrics, whose per-brand series make it
//                 hundreds of kilobytes); 404 when no stats function was given
// HEAD gets GET's headers without the body; other methods get 405. An absolute-form target
// ("GET http://earshot:9464/metrics") is served like its path when its port is the one this
// server listens on; with another port civetweb closes the connection unanswered (it would be a
// proxy's request, and this is no proxy). Serves on its own civetweb threads (8; a client that
// has not sent its request within 5 s is dropped); the probes it calls must be thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

struct mg_context;
struct mg_connection;

namespace prometheus {
class Registry;
}

namespace earshot::sinks {

// Returns true when ready; otherwise fills `why`.
using ReadinessFn = std::function<bool(std::string& why)>;
// Returns the body of /stats (a JSON object).
using StatsFn = std::function<std::string()>;

class AdminServer {
 public:
  // `listen` is "host:port" ("127.0.0.1:0" picks a free port). Null and `error` on failure.
  static std::unique_ptr<AdminServer> Start(const std::string& listen,
                                            std::shared_ptr<prometheus::Registry> registry,
                                            ReadinessFn ready, std::string& error,
                                            StatsFn stats = {});
  ~AdminServer();

  int port() const { return port_; }

 private:
  AdminServer() = default;
  static int Handle(mg_connection* conn, void* self);

  mg_context* ctx_ = nullptr;
  std::shared_ptr<prometheus::Registry> registry_;
  ReadinessFn ready_;
  StatsFn stats_;
  int port_ = 0;
};

}  // namespace earshot::sinks
