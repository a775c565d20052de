// SpreadOverWorkers: an even split of an assignment's partitions over the workers, keeping the
// partitions whose earlier records are still queued with their worker.
#include "app/worker_spread.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace earshot::app {
namespace {

std::vector<size_t> Counts(const std::vector<size_t>& workers_of, size_t workers) {
  std::vector<size_t> counts(workers, 0);
  for (size_t w : workers_of) ++counts[w];
  return counts;
}

TEST(WorkerSpreadTest, SplitsEvenly) {
  for (size_t workers : {1u, 2u, 3u, 8u}) {
    for (size_t partitions : {0u, 1u, 7u, 8u, 48u, 163u}) {
      const auto out = SpreadOverWorkers(std::vector<int>(partitions, -1), workers);
      ASSERT_EQ(out.size(), partitions);
      const auto counts = Counts(out, workers);
      const auto [lo, hi] = std::minmax_element(counts.begin(), counts.end());
      EXPECT_LE(*hi - *lo, 1u) << partitions << " partitions over " << workers << " workers";
    }
  }
  // Round robin in the order given.
  EXPECT_EQ(SpreadOverWorkers({-1, -1, -1, -1, -1}, 2), (std::vector<size_t>{0, 1, 0, 1, 0}));
}

TEST(WorkerSpreadTest, KeepsFixedPartitionsAndBalancesAroundThem) {
  // Partitions 0 and 1 must stay with worker 1; the other six fill worker 0 first.
  const auto out = SpreadOverWorkers({1, 1, -1, -1, -1, -1, -1, -1}, 2);
  EXPECT_EQ(out[0], 1u);
  EXPECT_EQ(out[1], 1u);
  EXPECT_EQ(Counts(out, 2), (std::vector<size_t>{4, 4}));
  // More fixed on one worker than an even split allows: the rest all go elsewhere.
  const auto skewed = SpreadOverWorkers({0, 0, 0, 0, -1, -1}, 2);
  EXPECT_EQ(Counts(skewed, 2), (std::vector<size_t>{4, 2}));
  EXPECT_EQ(skewed[4], 1u);
  EXPECT_EQ(skewed[5], 1u);
}

}  // namespace
}  // namespace earshot::app
