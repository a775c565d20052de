// The CLI's subcommands, one function each. main.cc only wires CLI11 to these; each returns the
// process exit code (kExitOk, kExitRuntime, kExitUsage).
#pragma once

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

int RunParse(const ParseOptions& options);
int RunMatch(const MatchCommandOptions& options);
int RunCheckConfig(const std::string& path);

}  // namespace earshot::app
