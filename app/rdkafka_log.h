// librdkafka's log lines, as earshot's clients hand them on: written to stderr in librdkafka's
// own format, and read for the one event the service must count, an offset reset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace earshot::app {

// A consumer's position moved because the broker no longer had the offset it asked for (or it
// had none): "bench.live [5]: offset reset (at offset 43565, broker 1) to cached BEGINNING
// offset 46153: fetch failed due to ...: Broker: Offset out of range" in librdkafka 2.0.2.
struct OffsetReset {
  std::string topic;
  int32_t partition = -1;
  int64_t from = -1;  // the offset asked for; -1 when logical (INVALID, END, ...)
  int64_t to = -1;    // where fetching resumes; -1 when not yet known
  // Records between the two that were never fetched: lost to the broker's retention.
  int64_t skipped() const { return from >= 0 && to > from ? to - from : 0; }
};

// The reset a librdkafka log message (facility OFFSET) reports, or nothing. The message may
// start with librdkafka's "[thrd:NAME]: " prefix.
[[nodiscard]] std::optional<OffsetReset> ParseOffsetReset(std::string_view message);

// Writes one line as librdkafka's default logger would: "%LEVEL|SECONDS|FACILITY|NAME| MESSAGE".
void WriteLibrdkafkaLog(int level, const char* facility, const char* name, const char* message);

}  // namespace earshot::app
