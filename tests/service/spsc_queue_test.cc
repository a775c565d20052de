#include "pipeline/spsc_queue.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

namespace earshot::pipeline {
namespace {

TEST(SpscQueueTest, FifoAndBounded) {
  SpscQueue<int> q(3);
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.TryPush(1));
  EXPECT_TRUE(q.TryPush(2));
  EXPECT_TRUE(q.TryPush(3));
  int four = 4;
  EXPECT_FALSE(q.TryPush(four));  // full: refused, value kept
  EXPECT_EQ(four, 4);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.TryPop(), 1);
  EXPECT_TRUE(q.TryPush(four));
  EXPECT_EQ(q.TryPop(), 2);
  EXPECT_EQ(q.TryPop(), 3);
  EXPECT_EQ(q.TryPop(), 4);
  EXPECT_EQ(q.TryPop(), std::nullopt);
}

TEST(SpscQueueTest, MovesOwningValuesAndDestroysLeftovers) {
  auto counter = std::make_shared<int>(0);
  {
    SpscQueue<std::shared_ptr<int>> q(4);
    EXPECT_TRUE(q.TryPush(std::shared_ptr<int>(counter)));
    EXPECT_TRUE(q.TryPush(std::shared_ptr<int>(counter)));
    EXPECT_EQ(counter.use_count(), 3);
    auto v = q.TryPop();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(counter.use_count(), 3);
  }
  EXPECT_EQ(counter.use_count(), 1);  // the value left in the queue was destroyed with it
}

// Run under the tsan preset this is the data-race check of the ring; in any build it checks
// that two threads pass every value exactly once, in order.
TEST(SpscQueueTest, TwoThreadStress) {
  constexpr uint64_t kCount = 2'000'000;
  SpscQueue<std::string> q(64);
  std::thread producer([&] {
    for (uint64_t i = 0; i < kCount; ++i) {
      std::string s = std::to_string(i);
      while (!q.TryPush(s)) std::this_thread::yield();
    }
  });
  uint64_t expected = 0;
  uint64_t spins = 0;
  while (expected < kCount) {
    if (auto v = q.TryPop()) {
      ASSERT_EQ(*v, std::to_string(expected));
      ++expected;
    } else if (++spins % 64 == 0) {
      std::this_thread::yield();
    }
  }
  producer.join();
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace earshot::pipeline
