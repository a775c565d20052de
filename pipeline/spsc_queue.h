// A bounded, lock-free, single-producer single-consumer ring of values: the only structure that
// carries work between earshot's threads (consumer -> worker -> consumer).
//
// Thread-safety: exactly one thread may call TryPush and exactly one (other) thread TryPop; size()
// and the counters are approximate from any thread. Never blocks, never allocates after
// construction; a full queue makes TryPush return false, and the caller applies backpressure
// (pausing partitions) instead of dropping or growing.
//
// Memory ordering: the producer writes the slot, then publishes it with a release store of tail_;
// the consumer's acquire load of tail_ makes the slot's contents visible before it reads them.
// Symmetrically the consumer releases head_ after moving a value out, and the producer acquires
// head_ before reusing that slot. Each side caches the other's index to touch the shared cache
// line only when the cached view says the ring is full (or empty). head_ and tail_ live on
// separate cache lines to avoid false sharing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <utility>

namespace earshot::pipeline {

template <typename T>
class SpscQueue {
 public:
  // REQUIRES: capacity >= 1. The ring holds exactly `capacity` values.
  explicit SpscQueue(size_t capacity)
      : capacity_(capacity), slots_(std::make_unique<Slot[]>(capacity + 1)) {}

  SpscQueue(const SpscQueue&) = delete;
  SpscQueue& operator=(const SpscQueue&) = delete;

  ~SpscQueue() {
    while (TryPop()) {
    }
  }

  // Producer only. Moves `value` in and returns true, or returns false (value untouched) when
  // the ring is full.
  [[nodiscard]] bool TryPush(T& value) {
    const size_t tail = tail_.load(std::memory_order_relaxed);
    const size_t next = tail == capacity_ ? 0 : tail + 1;
    if (next == head_cache_) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (next == head_cache_) return false;
    }
    new (&slots_[tail].storage) T(std::move(value));
    tail_.store(next, std::memory_order_release);
    return true;
  }

  [[nodiscard]] bool TryPush(T&& value) { return TryPush(value); }

  // Consumer only. Returns the oldest value, or nullopt when the ring is empty.
  [[nodiscard]] std::optional<T> TryPop() {
    const size_t head = head_.load(std::memory_order_relaxed);
    if (head == tail_cache_) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head == tail_cache_) return std::nullopt;
    }
    T* slot = std::launder(reinterpret_cast<T*>(&slots_[head].storage));
    std::optional<T> value(std::move(*slot));
    slot->~T();
    head_.store(head == capacity_ ? 0 : head + 1, std::memory_order_release);
    return value;
  }

  // Approximate number of queued values (exact when both sides are quiet).
  size_t size() const {
    size_t head = head_.load(std::memory_order_acquire);
    size_t tail = tail_.load(std::memory_order_acquire);
    return tail >= head ? tail - head : tail + capacity_ + 1 - head;
  }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size() == 0; }

 private:
  struct Slot {
    alignas(T) unsigned char storage[sizeof(T)];
  };
  static constexpr size_t kCacheLine = 64;

  const size_t capacity_;
  std::unique_ptr<Slot[]> slots_;  // capacity_ + 1 slots: one stays empty to tell full from empty
  alignas(kCacheLine) std::atomic<size_t> head_{0};  // next slot to pop; written by the consumer
  size_t tail_cache_ = 0;                             // consumer's view of tail_
  alignas(kCacheLine) std::atomic<size_t> tail_{0};  // next slot to fill; written by the producer
  size_t head_cache_ = 0;                             // producer's view of head_
};

}  // namespace earshot::pipeline
