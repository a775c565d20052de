// CounterBatch holds a worker's counter increments and applies them in one Increment(n) per
// counter: nothing may be lost or double counted, whatever the number of distinct counters.
#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <random>
#include <string>
#include <vector>

#include "app/service_metrics.h"

namespace earshot::app {
namespace {

TEST(CounterBatchTest, AppliesEveryIncrementOnceOnFlush) {
  prometheus::Registry registry;
  auto& family = prometheus::BuildCounter().Name("test_total").Help("test").Register(registry);
  // More distinct counters than the batch holds at once, so it flushes by itself on the way.
  std::vector<prometheus::Counter*> counters;
  for (int i = 0; i < 700; ++i) counters.push_back(&family.Add({{"i", std::to_string(i)}}));
  std::vector<double> expected(counters.size(), 0);
  std::mt19937 rng(7);
  CounterBatch batch;
  EXPECT_TRUE(batch.empty());
  for (int round = 0; round < 20000; ++round) {
    // Skewed like brand traffic: a few counters take most increments.
    size_t i = rng() % 4 == 0 ? rng() % counters.size() : rng() % 8;
    batch.Add(counters[i]);
    ++expected[i];
    if (round == 10000) {
      batch.Flush();
      EXPECT_TRUE(batch.empty());
      for (size_t k = 0; k < counters.size(); ++k) {
        ASSERT_EQ(counters[k]->Value(), expected[k]) << k;
      }
    }
  }
  EXPECT_FALSE(batch.empty());
  batch.Flush();
  for (size_t k = 0; k < counters.size(); ++k) ASSERT_EQ(counters[k]->Value(), expected[k]) << k;
  batch.Add(nullptr);  // an absent counter (a reason without a series) is ignored
  EXPECT_TRUE(batch.empty());
}

TEST(CounterBatchTest, HoldsIncrementsUntilFlushed) {
  prometheus::Registry registry;
  auto& c = prometheus::BuildCounter().Name("held_total").Help("test").Register(registry).Add({});
  CounterBatch batch;
  for (int i = 0; i < 5; ++i) batch.Add(&c);
  EXPECT_EQ(c.Value(), 0);
  batch.Flush();
  EXPECT_EQ(c.Value(), 5);
  batch.Flush();  // nothing held: no change
  EXPECT_EQ(c.Value(), 5);
}

}  // namespace
}  // namespace earshot::app
