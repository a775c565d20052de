// SplitMemoryBudget: the shares of service.memory_budget_mb, and the prefetch bound in records.
#include "app/memory_budget.h"

#include <gtest/gtest.h>

namespace earshot::app {
namespace {

TEST(MemoryBudgetTest, SharesStayWithinTheBudget) {
  for (int64_t mb : {32, 64, 256, 1024, 4096}) {
    const MemoryShares s = SplitMemoryBudget(mb);
    const int64_t budget = mb << 20;
    // The prefetch's record bound holds no more than its byte share at librdkafka's measured
    // cost a record, unless the floor of 10,000 records applies.
    if (s.prefetch_records > 10000) {
      EXPECT_LE(s.prefetch_records * kPrefetchBytesPerRecord, s.prefetch_kb * 1024) << mb;
    }
    // Prefetch, one fetch response, the producer's queue and the records in flight (2 KiB each)
    // leave at least a tenth of the budget for the rest, once past the floors.
    if (mb >= 256) {
      EXPECT_LE(s.prefetch_kb * 1024 + s.fetch_bytes + s.producer_kb * 1024 + s.max_inflight * 2048,
                budget * 9 / 10)
          << mb;
    }
  }
}

TEST(MemoryBudgetTest, DefaultBudgetPrefetchesMoreRecordsThanLibrdkafkasDefault) {
  // librdkafka's queued.min.messages default, 100,000, stopped the fetchers for up to a second
  // at a time during a catch-up; the default budget must allow more than that.
  const MemoryShares s = SplitMemoryBudget(256);
  EXPECT_GT(s.prefetch_records, 100000);
  EXPECT_EQ(s.prefetch_kb, 256 * 1024 * 2 / 5);
  EXPECT_EQ(s.producer_kb, 256 * 1024 / 4);
  EXPECT_EQ(s.fetch_bytes, int64_t{256} * 1024 * 1024 / 10);
}

TEST(MemoryBudgetTest, FloorsAndCeilings) {
  const MemoryShares small = SplitMemoryBudget(1);
  EXPECT_EQ(small.prefetch_kb, 1024);
  EXPECT_EQ(small.prefetch_records, 10000);
  EXPECT_EQ(small.fetch_bytes, 1 << 20);
  EXPECT_EQ(small.producer_kb, 4096);
  EXPECT_EQ(small.max_inflight, 1024);
  const MemoryShares huge = SplitMemoryBudget(1 << 20);
  EXPECT_EQ(huge.prefetch_kb, 2097151);  // librdkafka's maximum
  EXPECT_EQ(huge.prefetch_records, 2097151LL * 1024 / kPrefetchBytesPerRecord);
  EXPECT_EQ(huge.fetch_bytes, 50 << 20);
}

}  // namespace
}  // namespace earshot::app
