// The admin endpoint over real sockets: status codes, HEAD without a body, methods other than
// GET and HEAD refused, readiness with its reason, and probes answered while idle clients hold
// connections open.
#include "sinks/admin_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

namespace earshot::sinks {
namespace {

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{3, 0};  // bounded: a starved server fails the test instead of hanging it
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// The whole response (headers and body) to one request; empty when none came in 3 s.
std::string Request(int port, const std::string& request) {
  int fd = Connect(port);
  if (fd < 0) return {};
  std::string response;
  if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) response.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return response;
}

std::string Body(const std::string& response) {
  size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_shared<prometheus::Registry>();
    prometheus::BuildCounter()
        .Name("earshot_test_total")
        .Help("a test counter")
        .Register(*registry_)
        .Add({})
        .Increment(3);
    std::string error;
    server_ = AdminServer::Start(
        "127.0.0.1:0", registry_,
        [this](std::string& why) {
          if (ready_.load()) return true;
          why = "no partitions assigned";
          return false;
        },
        error, [] { return std::string("{\"consumed\":7}\n"); });
    ASSERT_NE(server_, nullptr) << error;
    port_ = server_->port();
    ASSERT_GT(port_, 0);
  }

  std::shared_ptr<prometheus::Registry> registry_;
  std::atomic<bool> ready_{false};
  std::unique_ptr<AdminServer> server_;
  int port_ = 0;
};

TEST_F(AdminServerTest, ServesTheEndpoints) {
  std::string r = Request(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_EQ(Body(r), "ok\n");
  r = Request(port_, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(r.find("Content-Type: text/plain; version=0.0.4\r\n"), std::string::npos) << r;
  EXPECT_NE(Body(r).find("earshot_test_total 3"), std::string::npos) << r;
  r = Request(port_, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << r;
  EXPECT_EQ(Body(r), "not ready: no partitions assigned\n");
  ready_ = true;
  EXPECT_EQ(Body(Request(port_, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")), "ready\n");
  r = Request(port_, "GET /stats?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(r.find("Content-Type: application/json\r\n"), std::string::npos) << r;
  EXPECT_EQ(Body(r), "{\"consumed\":7}\n");
  r = Request(port_, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << r;
}

TEST_F(AdminServerTest, AbsoluteFormTargetsAreServedLikeTheirPath) {
  // HTTP/1.1 servers must accept "GET http://host:port/path"; any host naming this server's port.
  for (const std::string host : {"127.0.0.1", "localhost", "earshot-admin.monitoring.svc"}) {
    const std::string authority = host + ":" + std::to_string(port_);
    std::string r = Request(
        port_, "GET http://" + authority + "/healthz HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
    EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << host << ": " << r;
    EXPECT_EQ(Body(r), "ok\n") << host;
  }
  std::string r = Request(port_, "GET http://localhost:" + std::to_string(port_) +
                                     "/metrics?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_NE(Body(r).find("earshot_test_total 3"), std::string::npos) << r;
  // Another port makes it a proxy's request: closed unanswered, never served as this one's.
  const int other = port_ == 65535 ? 1 : port_ + 1;
  r = Request(port_, "GET http://127.0.0.1:" + std::to_string(other) +
                         "/healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.find("200 OK"), std::string::npos) << r;
}

TEST_F(AdminServerTest, HeadHasTheHeadersOfGetAndNoBody) {
  const std::string get = Request(port_, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string head = Request(port_, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_FALSE(head.empty());
  EXPECT_EQ(Body(head), "");
  const std::string length = "Content-Length: " + std::to_string(Body(get).size()) + "\r\n";
  EXPECT_NE(head.find(length), std::string::npos) << head;
}

TEST_F(AdminServerTest, OtherMethodsAreNotAllowed) {
  for (const char* method : {"POST", "DELETE", "PUT"}) {
    std::string r = Request(port_, std::string(method) +
                                       " /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                                       "\r\nhi");
    EXPECT_EQ(r.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << method << ": " << r;
    EXPECT_NE(r.find("Allow: GET, HEAD\r\n"), std::string::npos) << r;
  }
}

// Idle connections (a stuck scraper, a half-open load balancer check) must not take every
// thread: with two threads, two of them made every probe wait for civetweb's 30 s timeout.
TEST_F(AdminServerTest, ProbesAreAnsweredWhileIdleClientsHoldConnections) {
  std::vector<int> idle;
  for (int i = 0; i < 4; ++i) {
    int fd = Connect(port_);
    ASSERT_GE(fd, 0);
    if (i % 2 == 1) {
      const char partial[] = "GET /healthz HTTP/1.1\r\n";  // a request never finished
      ASSERT_EQ(write(fd, partial, sizeof partial - 1), static_cast<ssize_t>(sizeof partial - 1));
    }
    idle.push_back(fd);
  }
  usleep(200 * 1000);  // let the server take the idle connections first
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Body(Request(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")), "ok\n")
        << "probe " << i << " was not answered within 3 s";
  }
  for (int fd : idle) close(fd);
}

}  // namespace
}  // namespace earshot::sinks
