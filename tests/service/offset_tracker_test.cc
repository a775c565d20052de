#include "app/offset_tracker.h"

#include <gtest/gtest.h>

namespace earshot::app {
namespace {

TEST(PartitionTrackerTest, CommitsOnlyTheFinishedPrefix) {
  PartitionTracker t;
  for (int64_t o : {10, 11, 12, 15}) t.Add(o);  // gaps happen (compaction, transactions)
  EXPECT_EQ(t.committable(), -1);
  EXPECT_TRUE(t.SetExpected(11, 0));  // filtered: finished, but 10 is not
  EXPECT_EQ(t.committable(), -1);
  EXPECT_TRUE(t.SetExpected(10, 2));
  EXPECT_TRUE(t.Ack(10));
  EXPECT_EQ(t.committable(), -1);  // one of two outputs acknowledged
  EXPECT_TRUE(t.Ack(10));
  EXPECT_EQ(t.committable(), 12);  // 10 and 11 finished
  EXPECT_TRUE(t.Ack(12));          // an ack may arrive before the worker's report
  EXPECT_EQ(t.committable(), 12);
  EXPECT_TRUE(t.SetExpected(12, 1));
  EXPECT_EQ(t.committable(), 13);
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_FALSE(t.SetExpected(13, 0));  // never added
  EXPECT_FALSE(t.Ack(10));             // already finished
  EXPECT_TRUE(t.SetExpected(15, 0));
  EXPECT_EQ(t.committable(), 16);
  EXPECT_TRUE(t.idle());
}

}  // namespace
}  // namespace earshot::app
