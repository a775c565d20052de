// How `service.memory_budget_mb` is split over what an instance holds in records: librdkafka's
// prefetch, one fetch response, the producer's queue and the records in flight. Each share is
// a librdkafka setting or earshot's in-flight limit; docs/operations.md has the table.
#pragma once

#include <algorithm>
#include <cstdint>

namespace earshot::app {

struct MemoryShares {
  // queued.max.messages.kbytes: the consumer queue all assigned partitions feed (40 %).
  int64_t prefetch_kb = 0;
  // queued.min.messages: the same queue in records.
  int64_t prefetch_records = 0;
  // fetch.max.bytes: one fetch response (10 %, 1 to 50 MiB).
  int64_t fetch_bytes = 0;
  // queue.buffering.max.kbytes: the producer's queue (25 %).
  int64_t producer_kb = 0;
  // Records consumed and not finished (15 %, about 2 KiB each with their outputs).
  int64_t max_inflight = 0;
};

// What librdkafka holds for one prefetched record besides its payload (its message and op
// structures, its share of the fetch buffer): measured as peak RSS against records queued with
// librdkafka 2.0.2, about 330 bytes, plus a typical post of about 400 bytes.
inline constexpr int64_t kPrefetchBytesPerRecord = 700;

[[nodiscard]] inline MemoryShares SplitMemoryBudget(int64_t budget_mb) {
  const int64_t budget_kb = budget_mb * 1024;
  MemoryShares s;
  s.prefetch_kb = std::clamp<int64_t>(budget_kb * 2 / 5, 1024, 2097151);
  // librdkafka's default (100,000 records) is less than a second of a catch-up on two cores, and
  // a fetcher stopped at it idles until its next wake-up (up to a second in 2.0.2) while the
  // queue drains: the whole queue ran dry each time. Sized from the prefetch share instead.
  s.prefetch_records =
      std::clamp<int64_t>(s.prefetch_kb * 1024 / kPrefetchBytesPerRecord, 10000, 10000000);
  s.fetch_bytes = std::clamp<int64_t>(budget_kb * 1024 / 10, 1 << 20, 50 << 20);
  s.producer_kb = std::max<int64_t>(budget_kb / 4, 4096);
  s.max_inflight = std::max<int64_t>(budget_kb * 15 / 100 / 2, 1024);
  return s;
}

}  // namespace earshot::app
