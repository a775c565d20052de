// The CLI's subcommands, one function each. main.cc only wires CLI11 to these; each returns the
// process exit code (kExitOk, kExitRuntime, kExitUsage).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace earshot::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;  // a runtime failure (unreadable input, broken pipe)
inline constexpr int kExitUsage = 2;    // bad usage or a bad configuration

struct ParseOptions {
  std::string format = "auto";
  std::vector<std::string> files;  // "-" or empty: stdin
  std::string config;              // optional: limits and the generic mapping come from it
  std::string input;               // with config: which input's format and mapping to use
  bool quiet = false;              // no per-record rejection lines, only the summary
};

struct MatchCommandOptions {
  std::string config;  // required: the brands
  std::string format = "auto";
  std::vector<std::string> files;
  bool text = false;  // one plain text per line instead of posts
  bool quiet = false;
};

struct RunOptions {
  std::string config;
  double duration_s = 0;        // stop after this long (0: until SIGINT/SIGTERM)
  bool summary = false;         // print a live summary on stderr
  std::string admin_listen;     // overrides service.admin_listen
  std::string bootstrap;        // overrides kafka.bootstrap
  std::string bootstrap_file;   // write the bootstrap servers here once started
  std::string admin_port_file;  // write the admin port here once listening
  std::function<void(const std::string& bootstrap)> on_started;  // for the demo driver
};

struct BrokerOptions {
  int brokers = 3;
  int partitions = 6;
  std::vector<std::string> topics;
  std::string bootstrap_file;
};

struct GenerateOptions {
  double rate = 100;       // records per second
  double duration_s = 10;  // 0: until --count
  int64_t count = 0;       // stop after this many (0: no limit)
  std::string config;      // brands from this config
  std::string brands_file;  // or one brand name per line
  std::string scenario = "steady";
  double storm_at_s = 60;
  std::string to = "stdout";  // stdout | kafka
  std::string bootstrap;
  std::string bootstrap_file;  // read the bootstrap servers from here (waits for it)
  std::string topic_prefix = "raw.";
  uint64_t seed = 1;
};

int RunParse(const ParseOptions& options);
int RunGenerate(const GenerateOptions& options);
int RunService(const RunOptions& options);
int RunBroker(const BrokerOptions& options);
int RunMatch(const MatchCommandOptions& options);
int RunCheckConfig(const std::string& path);

}  // namespace earshot::app
