// CPU time of a process and of its threads, from /proc (Linux), for `earshot bench`'s account of
// where a record's CPU time goes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace earshot::app {

// The utime + stime fields (clock ticks) of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat
// line. The command name in parentheses may itself hold spaces and parentheses; the fields are
// counted after its last ')'. Nothing for a line that does not parse.
[[nodiscard]] std::optional<uint64_t> ParseStatCpuTicks(std::string_view stat);

// What a thread of `earshot run` does, from its name: the workers are "earshot-w<N>",
// librdkafka's threads "rdk:<...>", the admin server's "civetweb-<...>"; the consumer loop runs
// on the main thread, which keeps the executable's name.
enum class ThreadRole { kWorker, kConsumer, kKafka, kOther };
[[nodiscard]] ThreadRole RoleOfThread(std::string_view name, std::string_view executable);

// CPU seconds (user + system) by role, over the threads of process `pid` alive now.
struct CpuByRole {
  double worker = 0, consumer = 0, kafka = 0, other = 0;
  double total() const { return worker + consumer + kafka + other; }
};
[[nodiscard]] CpuByRole ThreadCpu(pid_t pid);

// CPU seconds (user + system) of process `pid`, all its threads; 0 when unreadable.
[[nodiscard]] double ProcessCpu(pid_t pid);

}  // namespace earshot::app
