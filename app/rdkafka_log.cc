#include "app/rdkafka_log.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace earshot::app {
namespace {

// The decimal integer at the start of `s`, or nothing.
std::optional<int64_t> LeadingInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<OffsetReset> ParseOffsetReset(std::string_view message) {
  constexpr std::string_view kMarker = "]: offset reset (at offset ";
  const size_t marker = message.find(kMarker);
  if (marker == std::string_view::npos) return std::nullopt;
  // "TOPIC [PARTITION" before the marker, after the "[thrd:...]: " prefix if there is one.
  std::string_view head = message.substr(0, marker);
  const size_t open = head.rfind(" [");
  if (open == std::string_view::npos) return std::nullopt;
  OffsetReset r;
  const std::optional<int64_t> partition = LeadingInt(head.substr(open + 2));
  if (!partition) return std::nullopt;
  r.partition = static_cast<int32_t>(*partition);
  std::string_view topic = head.substr(0, open);
  if (size_t prefix = topic.rfind("]: "); prefix != std::string_view::npos) {
    topic.remove_prefix(prefix + 3);
  }
  if (topic.empty() || topic.find(' ') != std::string_view::npos) return std::nullopt;
  r.topic = std::string(topic);

  std::string_view rest = message.substr(marker + kMarker.size());
  r.from = LeadingInt(rest).value_or(-1);
  // "... ) to [cached ]BEGINNING offset 46153: reason" or "... ) to offset 46153: reason".
  const size_t to = rest.find(") to ");
  if (to != std::string_view::npos) {
    std::string_view target = rest.substr(to + 5);
    target = target.substr(0, target.find(':'));
    const size_t offset = target.rfind("offset ");
    if (offset != std::string_view::npos) r.to = LeadingInt(target.substr(offset + 7)).value_or(-1);
  }
  return r;
}

void WriteLibrdkafkaLog(int level, const char* facility, const char* name, const char* message) {
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::fprintf(stderr, "%%%d|%.3f|%s|%s| %s\n", level, now, facility, name, message);
}

}  // namespace earshot::app
