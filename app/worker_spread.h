// Which worker takes each partition of a consumer's assignment. A worker owns its partitions (so
// their records stay in order), so an uneven split caps the service at the busiest worker's
// rate: hashing 8 partitions over 2 workers gave one of them 7.
#pragma once

#include <cstddef>
#include <vector>

namespace earshot::app {

// Workers for the partitions of one assignment, in the order given: `fixed[i]` >= 0 keeps
// partition i with that worker (earlier records of it are still in that worker's queue); the
// others go one by one to the worker with the fewest partitions so far (the lowest index on a
// tie), so the counts differ by at most one when nothing is fixed, and the same assignment in the
// same order always gives the same split. REQUIRES: workers > 0, fixed values < workers.
[[nodiscard]] inline std::vector<size_t> SpreadOverWorkers(const std::vector<int>& fixed,
                                                           size_t workers) {
  std::vector<size_t> load(workers, 0);
  std::vector<size_t> out(fixed.size(), 0);
  for (size_t i = 0; i < fixed.size(); ++i) {
    if (fixed[i] >= 0) {
      out[i] = static_cast<size_t>(fixed[i]);
      ++load[out[i]];
    }
  }
  for (size_t i = 0; i < fixed.size(); ++i) {
    if (fixed[i] >= 0) continue;
    size_t best = 0;
    for (size_t w = 1; w < workers; ++w) {
      if (load[w] < load[best]) best = w;
    }
    out[i] = best;
    ++load[best];
  }
  return out;
}

}  // namespace earshot::app
