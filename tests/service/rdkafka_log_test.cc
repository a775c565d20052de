// ParseOffsetReset: librdkafka 2.0.2's offset reset lines, as the consumer's log callback gets
// them.
#include "app/rdkafka_log.h"

#include <gtest/gtest.h>

namespace earshot::app {
namespace {

TEST(RdkafkaLogTest, ReadsAResetPastTheBrokersRetention) {
  // Copied from a run of earshot on the mock cluster (the line's message part).
  const auto r = ParseOffsetReset(
      "[thrd:main]: bench.live [5]: offset reset (at offset 43565, broker 1) to cached BEGINNING "
      "offset 46153: fetch failed due to requested offset not available on the broker: Broker: "
      "Offset out of range");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->topic, "bench.live");
  EXPECT_EQ(r->partition, 5);
  EXPECT_EQ(r->from, 43565);
  EXPECT_EQ(r->to, 46153);
  EXPECT_EQ(r->skipped(), 2588);
}

TEST(RdkafkaLogTest, ReadsTopicsWithDotsAndNoThreadPrefix) {
  const auto r = ParseOffsetReset(
      "raw.x.v1 [12]: offset reset (at offset 7, broker 3) to offset 900: fetch failed: Broker: "
      "Offset out of range");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->topic, "raw.x.v1");
  EXPECT_EQ(r->partition, 12);
  EXPECT_EQ(r->skipped(), 893);
}

TEST(RdkafkaLogTest, ALogicalOffsetSkipsNothingCountable) {
  // A reset with no stored offset (a new group) or to a logical target: counted, no records.
  auto r = ParseOffsetReset(
      "[thrd:main]: raw.x [0]: offset reset (at offset INVALID, broker 1) to BEGINNING: no "
      "previously committed offset available: Local: No offset stored");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->from, -1);
  EXPECT_EQ(r->skipped(), 0);
  r = ParseOffsetReset("raw.x [0]: offset reset (at offset 50, broker 1) to offset 20: x");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->skipped(), 0);  // backwards: nothing jumped over
}

TEST(RdkafkaLogTest, OtherLinesAreNotResets) {
  EXPECT_FALSE(ParseOffsetReset("[thrd:main]: Partition raw.x [3] start fetching at offset 42"));
  EXPECT_FALSE(ParseOffsetReset(""));
  EXPECT_FALSE(ParseOffsetReset("]: offset reset (at offset 1, broker 1) to offset 2: x"));
  EXPECT_FALSE(ParseOffsetReset("raw.x [z]: offset reset (at offset 1, broker 1) to offset 2"));
}

}  // namespace
}  // namespace earshot::app
