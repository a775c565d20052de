// PartitionTracker: at-least-once bookkeeping for one partition. Every consumed offset is added
// in order; it is finished when its worker has reported how many output records it produced
// and the broker has acknowledged that many. The committable position is one past the longest
// finished prefix, so an offset is committed only after everything up to it is finished.
//
// Thread-compatible: owned by the consumer thread. Memory is bounded by the records in flight.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>

namespace earshot::app {

class PartitionTracker {
 public:
  // REQUIRES: offset greater than every offset added before. `timestamp_ms` is the record's
  // Kafka timestamp, handed back when the record finishes (for end-to-end latency).
  void Add(int64_t offset, int64_t timestamp_ms = -1) {
    entries_.push_back({offset, -1, 0, timestamp_ms});
  }

  // The worker reports `outputs` records produced for `offset`. Returns false for an unknown
  // offset (one that was never added, or already finished). When this finishes the record,
  // `*finished_ts` (if given) receives its timestamp.
  bool SetExpected(int64_t offset, int32_t outputs, int64_t* finished_ts = nullptr) {
    Entry* e = Find(offset);
    if (e == nullptr) return false;
    e->expected = outputs;
    Report(*e, finished_ts);
    Advance();
    return true;
  }

  // The broker acknowledged one output of `offset`.
  bool Ack(int64_t offset, int64_t* finished_ts = nullptr) {
    Entry* e = Find(offset);
    if (e == nullptr) return false;
    ++e->acked;
    Report(*e, finished_ts);
    Advance();
    return true;
  }

  // One past the last offset of the finished prefix; -1 when nothing has finished yet.
  int64_t committable() const { return committable_; }
  size_t in_flight() const { return entries_.size(); }
  bool idle() const { return entries_.empty(); }
  void Clear() {
    entries_.clear();
    committable_ = -1;
  }

 private:
  struct Entry {
    int64_t offset;
    int32_t expected;  // -1 until the worker reports
    int32_t acked;
    int64_t timestamp_ms;
  };

  static void Report(const Entry& e, int64_t* finished_ts) {
    if (finished_ts != nullptr && e.expected >= 0 && e.acked == e.expected) {
      *finished_ts = e.timestamp_ms;
    }
  }

  Entry* Find(int64_t offset) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                               [](const Entry& e, int64_t o) { return e.offset < o; });
    if (it == entries_.end() || it->offset != offset) return nullptr;
    return &*it;
  }

  void Advance() {
    while (!entries_.empty() && entries_.front().expected >= 0 &&
           entries_.front().acked >= entries_.front().expected) {
      committable_ = entries_.front().offset + 1;
      entries_.pop_front();
    }
  }

  std::deque<Entry> entries_;
  int64_t committable_ = -1;
};

}  // namespace earshot::app
