// The inter-thread ring (pipeline/spsc_queue.h) against the obvious alternative, a std::deque
// behind a std::mutex, in the same run: one producer thread, one consumer thread, 16-byte items
// (the size of a work item). Reports items/s; the ratio is what to read on a busy machine.
#include <benchmark/benchmark.h>

#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "pipeline/spsc_queue.h"

namespace {

struct Item {
  void* message;
  uint64_t slot;
};

class MutexQueue {
 public:
  explicit MutexQueue(size_t capacity) : capacity_(capacity) {}
  bool TryPush(Item& v) {
    std::lock_guard<std::mutex> lock(mu_);
    if (q_.size() >= capacity_) return false;
    q_.push_back(v);
    return true;
  }
  std::optional<Item> TryPop() {
    std::lock_guard<std::mutex> lock(mu_);
    if (q_.empty()) return std::nullopt;
    Item v = q_.front();
    q_.pop_front();
    return v;
  }

 private:
  std::mutex mu_;
  std::deque<Item> q_;
  size_t capacity_;
};

template <typename Queue>
void RunPair(benchmark::State& state) {
  constexpr uint64_t kItems = 1 << 20;
  for (auto _ : state) {
    Queue q(1024);
    std::thread producer([&] {
      for (uint64_t i = 0; i < kItems; ++i) {
        Item item{nullptr, i};
        while (!q.TryPush(item)) std::this_thread::yield();
      }
    });
    uint64_t sum = 0;
    for (uint64_t got = 0; got < kItems;) {
      if (auto v = q.TryPop()) {
        sum += v->slot;
        ++got;
      }
    }
    producer.join();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kItems));
}

void BM_SpscRing(benchmark::State& state) { RunPair<earshot::pipeline::SpscQueue<Item>>(state); }
void BM_MutexDeque(benchmark::State& state) { RunPair<MutexQueue>(state); }

BENCHMARK(BM_SpscRing)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MutexDeque)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
