#include "sinks/admin_server.h"

#include <civetweb.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cstring>
#include <mutex>
#include <string_view>

namespace earshot::sinks {
namespace {

const char* StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    default:
      return "Service Unavailable";
  }
}

// A HEAD request gets the headers GET would, without the body.
void Reply(mg_connection* conn, bool head, int status, const char* type, const std::string& body) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
            "Connection: close\r\n\r\n",
            status, StatusText(status), type, body.size(),
            status == 405 ? "Allow: GET, HEAD\r\n" : "");
  if (!head) mg_write(conn, body.data(), body.size());
}

std::once_flag civetweb_init;

}  // namespace

std::unique_ptr<AdminServer> AdminServer::Start(const std::string& listen,
                                                std::shared_ptr<prometheus::Registry> registry,
                                                ReadinessFn ready, std::string& error,
                                                StatsFn stats) {
  std::call_once(civetweb_init, [] { mg_init_library(0); });
  std::unique_ptr<AdminServer> server(new AdminServer());
  server->registry_ = std::move(registry);
  server->ready_ = std::move(ready);
  server->stats_ = std::move(stats);
  // Probes must get through while slow or idle clients hold connections: enough threads, and
  // a client that does not finish its request within 5 s is dropped (civetweb's default is 30 s,
  // and two idle connections held every thread of the two this server had).
  // An absolute-form target ("GET http://host:port/metrics", which HTTP/1.1 servers must
  // accept) is served when its port is this server's; civetweb would otherwise also demand that
  // its host be the authentication domain, which this endpoint has no use for.
  const char* options[] = {
      "listening_ports",          listen.c_str(), "num_threads", "8", "request_timeout_ms", "5000",
      "enable_auth_domain_check", "no",           nullptr};
  mg_callbacks callbacks{};
  server->ctx_ = mg_start(&callbacks, nullptr, options);
  if (server->ctx_ == nullptr) {
    error = "cannot listen on " + listen + " for the admin endpoint";
    return nullptr;
  }
  mg_set_request_handler(server->ctx_, "/", &AdminServer::Handle, server.get());
  mg_server_port ports[4];
  int n = mg_get_server_ports(server->ctx_, 4, ports);
  if (n > 0) server->port_ = ports[0].port;
  return server;
}

AdminServer::~AdminServer() {
  if (ctx_ != nullptr) mg_stop(ctx_);
}

int AdminServer::Handle(mg_connection* conn, void* self_ptr) {
  auto* self = static_cast<AdminServer*>(self_ptr);
  const mg_request_info* info = mg_get_request_info(conn);
  std::string uri = info->local_uri != nullptr ? info->local_uri : "";
  const std::string_view method = info->request_method != nullptr ? info->request_method : "";
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    Reply(conn, false, 405, "text/plain", "only GET and HEAD\n");
  } else if (uri == "/metrics") {
    // HEAD pays for the serialization too: Content-Length must be the body's.
    prometheus::TextSerializer serializer;
    Reply(conn, head, 200, "text/plain; version=0.0.4",
          serializer.Serialize(self->registry_->Collect()));
  } else if (uri == "/healthz") {
    Reply(conn, head, 200, "text/plain", "ok\n");
  } else if (uri == "/readyz") {
    std::string why;
    if (self->ready_(why)) {
      Reply(conn, head, 200, "text/plain", "ready\n");
    } else {
      Reply(conn, head, 503, "text/plain", "not ready: " + why + "\n");
    }
  } else if (uri == "/stats" && self->stats_) {
    Reply(conn, head, 200, "application/json", self->stats_());
  } else {
    Reply(conn, head, 404, "text/plain", "not found\n");
  }
  return 1;
}

}  // namespace earshot::sinks
