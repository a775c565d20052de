// The parts of `earshot bench` that are not its phases: child processes, waiting for a file, a
// GET against earshot's admin port, and the arithmetic on earshot's end-to-end latency
// histogram. Control plane (a benchmark driver), not hot path.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace earshot::app::bench {

using Clock = std::chrono::steady_clock;

[[nodiscard]] double Seconds(Clock::time_point a, Clock::time_point b);

// The whole file; empty when it cannot be read.
[[nodiscard]] std::string ReadAll(const std::string& path);

// A child process: args[0] is the program's path; its stdout and stderr go to files. The
// destructor stops it (SIGTERM, then SIGKILL after 10 s).
struct Child {
  pid_t pid = -1;
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { Stop(); }
  bool Start(const std::vector<std::string>& args, const std::string& out, const std::string& err);
  // The exit status, or 128 + the signal that ended it; -1 when not started.
  int Wait();
  void Stop();
};

// Polls until `path` exists and is not empty; false after `seconds`.
[[nodiscard]] bool WaitForFile(const std::string& path, double seconds);

// The body of GET http://127.0.0.1:port/path (5 s timeout); empty on any failure.
[[nodiscard]] std::string HttpGet(int port, const std::string& path);

// The number after "\"key\":" in a flat JSON object (earshot's /stats); 0 when absent.
[[nodiscard]] double JsonCount(const std::string& body, const std::string& key);

// (upper bound, cumulative count) of each bucket of earshot_end_to_end_seconds in a Prometheus
// text exposition, in the order given (+Inf as infinity).
using Buckets = std::vector<std::pair<double, double>>;
[[nodiscard]] Buckets EndToEndHistogram(const std::string& metrics_body);

// The q-quantile of what was observed between two scrapes of the same histogram, interpolated
// linearly within its bucket (as Prometheus' histogram_quantile does; a quantile in the +Inf
// bucket is the largest finite bound). `total` gets the number of observations between the two.
// NaN when the scrapes do not match or nothing was observed.
[[nodiscard]] double Quantile(const Buckets& before, const Buckets& after, double q, double& total);

// `s` as a YAML double-quoted scalar.
[[nodiscard]] std::string YamlQuoted(const std::string& s);

}  // namespace earshot::app::bench
