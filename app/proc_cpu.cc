#include "app/proc_cpu.h"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace earshot::app {
namespace {

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

double TicksToSeconds(uint64_t ticks) {
  static const long hz = sysconf(_SC_CLK_TCK);
  return static_cast<double>(ticks) / static_cast<double>(hz > 0 ? hz : 100);
}

}  // namespace

std::optional<uint64_t> ParseStatCpuTicks(std::string_view stat) {
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // Fields after the name, from field 3 (state): utime is field 14, stime field 15.
  std::string_view rest = stat.substr(close + 1);
  uint64_t utime = 0, stime = 0;
  int field = 2;
  size_t i = 0;
  while (i < rest.size() && field < 15) {
    while (i < rest.size() && rest[i] == ' ') ++i;
    const size_t begin = i;
    while (i < rest.size() && rest[i] != ' ') ++i;
    if (begin == i) break;
    ++field;
    if (field == 14 || field == 15) {
      uint64_t& out = field == 14 ? utime : stime;
      const auto [end, ec] = std::from_chars(rest.data() + begin, rest.data() + i, out);
      if (ec != std::errc() || end != rest.data() + i) return std::nullopt;
    }
  }
  if (field < 15) return std::nullopt;
  return utime + stime;
}

ThreadRole RoleOfThread(std::string_view name, std::string_view executable) {
  if (name.starts_with("earshot-w")) return ThreadRole::kWorker;
  if (name.starts_with("rdk:")) return ThreadRole::kKafka;
  // The kernel keeps the first 15 bytes of a thread's name.
  if (!executable.empty() && name == executable.substr(0, 15)) return ThreadRole::kConsumer;
  return ThreadRole::kOther;
}

CpuByRole ThreadCpu(pid_t pid) {
  CpuByRole cpu;
  const std::string base = "/proc/" + std::to_string(pid);
  const std::string executable = ReadFirstLine(base + "/comm");
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(base + "/task", ec)) {
    const std::string dir = task.path().string();
    const auto ticks = ParseStatCpuTicks(ReadFirstLine(dir + "/stat"));
    if (!ticks) continue;  // the thread ended meanwhile
    const double seconds = TicksToSeconds(*ticks);
    switch (RoleOfThread(ReadFirstLine(dir + "/comm"), executable)) {
      case ThreadRole::kWorker:
        cpu.worker += seconds;
        break;
      case ThreadRole::kConsumer:
        cpu.consumer += seconds;
        break;
      case ThreadRole::kKafka:
        cpu.kafka += seconds;
        break;
      case ThreadRole::kOther:
        cpu.other += seconds;
        break;
    }
  }
  return cpu;
}

double ProcessCpu(pid_t pid) {
  const auto ticks = ParseStatCpuTicks(ReadFirstLine("/proc/" + std::to_string(pid) + "/stat"));
  return ticks ? TicksToSeconds(*ticks) : 0.0;
}

}  // namespace earshot::app
