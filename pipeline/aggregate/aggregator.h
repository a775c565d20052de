// Aggregator: event-time windows per brand over the enriched topic, spike detection against each
// brand's own recent past, and the alert engine that turns detections into alert episodes
// (firing, updated, resolved), each carrying the posts that caused it.
//
// Single-threaded and clock-free: every call takes the current time (processing time, ms since
// the epoch) from its caller, so tests drive it with an injected clock. State is kept per
// (partition, brand): the enriched topic is keyed by brand, so one brand lives in one partition,
// and a revoked partition's state is dropped whole (its new owner rebuilds it from the committed
// offset, which never passes a record of an open window: see HeldFrom).
//
// Windows are tumbling, `window_ms` long, aligned to the epoch. A partition's watermark is the
// latest event time it has seen (never beyond the clock) minus `lateness_ms`; while it receives
// nothing for `idle_ms`, its event time is taken to advance with processing time, so a brand that
// goes quiet still closes its windows (and resolves its alerts). A window closes when the
// watermark passes its end; a record for a closed window is late (counted, not aggregated; an
// urgent complaint still pages). A brand new to a partition starts at the watermark's window.
// Windows with no records close as zeros: quiet is part of a brand's baseline.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace earshot::pipeline::aggregate {

// One enriched record, reduced to what the aggregator uses (ParseMention).
struct Mention {
  std::string brand;       // brand.id (the record's key)
  std::string brand_name;  // brand.name
  int64_t event_ms = 0;    // post.created_at_ms
  // Sentiment: -1 negative, 0 neutral, +1 positive; `scored` is false when the record has no
  // sentiment or it is `unsupported` (such records count as mentions only).
  int label = 0;
  bool scored = false;
  double compound = 0;
  bool complaint = false;
  int priority = 0;  // 1..4 when the record has a complaint section, else 0
  std::string category;
  int64_t followers = -1;  // -1: the source does not report reach
  std::string post_id;
  std::string source;
  std::string url;
  std::string author;  // handle, else id
  std::string text;    // the post's text, cut at kExcerptBytes on a character boundary
  int32_t partition = 0;
  int64_t offset = 0;
};

inline constexpr size_t kExcerptBytes = 280;

// Parses one enriched record (schemas/enriched_post.schema.json, a per-brand record). False with
// `error` set when it is not one: not JSON, a wrong schema, no brand, no usable event time.
[[nodiscard]] bool ParseMention(std::string_view json, Mention& out, std::string& error);

enum class AlertKind : uint8_t { kComplaintStorm, kMentionSpike, kSentimentDrop, kUrgentComplaint };
inline constexpr int kAlertKinds = 4;

// "complaint_storm", ... (the alert schema's `kind`).
[[nodiscard]] std::string_view AlertKindName(AlertKind kind);
// "BrandComplaintStorm", ... (Alertmanager's `alertname`).
[[nodiscard]] std::string_view AlertName(AlertKind kind);

// A spike rule on a per-window count: the window's count must be at least `min_count`, at least
// `ratio` times the brand's usual count, and at least `z` standard deviations above it (the
// deviation taken as at least 1, so a flat baseline does not page on noise).
struct SpikeRule {
  bool enabled = true;
  int64_t min_count = 10;
  double ratio = 3.0;
  double z = 3.0;
};

struct AggregatorOptions {
  int64_t window_ms = 60'000;
  int64_t lateness_ms = 10'000;
  int64_t idle_ms = 30'000;
  // Records more than this far ahead of processing time are filtered (future_time): one wrong
  // clock would otherwise close every open window of its brand.
  int64_t max_future_ms = 300'000;
  // Windows a brand must have closed before its spikes and drops count (a brand first seen, or
  // seen again after a restart, has no usual level yet).
  int history_windows = 30;
  // The usual level is an exponentially weighted mean over about this many windows.
  int baseline_windows = 60;
  // An episode resolves after this many windows in a row without its condition.
  int resolve_after_windows = 5;
  // Posts attached to each alert.
  int examples = 5;
  SpikeRule complaint_storm{true, 10, 3.0, 3.0};
  SpikeRule mention_spike{true, 50, 3.0, 3.0};
  // Sentiment drop: at least `min_scored` scored posts in the window, a negative share of at least
  // `negative_share`, and at least `rise` above the brand's usual negative share.
  bool sentiment_drop = true;
  int64_t min_scored = 20;
  double negative_share = 0.5;
  double rise = 0.2;
  // Urgent complaints page one by one, at once: a complaint of priority <= urgent_priority, or by
  // an author with at least urgent_followers followers (0: reach alone never makes one urgent).
  bool urgent = true;
  int urgent_priority = 1;
  int64_t urgent_followers = 100'000;
  // At most this many urgent alerts per brand per window of the clock; more are counted, not sent.
  int max_urgent_per_window = 20;
  // How long an urgent alert stays active (Alertmanager's endsAt) after its post.
  int64_t urgent_hold_ms = 3'600'000;
};

// Per-window counts of one brand.
struct WindowStats {
  int64_t mentions = 0;
  int64_t complaints = 0;
  int64_t scored = 0;  // records with a positive, neutral or negative label
  int64_t negative = 0;
  int64_t positive = 0;
  double compound_sum = 0;
  double negative_share() const { return scored ? static_cast<double>(negative) / scored : 0; }
};

// A post attached to an alert.
struct Example {
  std::string post_id, source, url, author, text, category;
  int64_t followers = -1;
  int64_t event_ms = 0;
  int priority = 0;
  bool complaint = false;
  double compound = 0;
};

struct AlertEvent {
  AlertKind kind = AlertKind::kComplaintStorm;
  bool resolved = false;
  // Stable for one episode: brand, kind and the start of its first window (urgent: the post id).
  std::string id;
  std::string brand, brand_name;
  int32_t partition = 0;
  int64_t starts_at_ms = 0;  // the first window's start (urgent: the post's time)
  int64_t ends_at_ms = 0;    // resolved: the end of the last window with the condition
  int64_t window_start_ms = 0, window_end_ms = 0;  // the window this event is about
  int windows = 0;       // windows with the condition so far in this episode
  WindowStats observed;  // that window's counts (urgent: zeros)
  double usual = 0;      // the brand's usual level of the measure (count or share)
  double usual_sd = 0;
  double measured = 0;  // the window's level of the same measure
  std::vector<Example> posts;
};

struct AggregatorCounters {
  int64_t counted = 0;
  int64_t late = 0;
  int64_t future = 0;
  int64_t windows_closed = 0;
  int64_t urgent_suppressed = 0;
};

class Aggregator {
 public:
  explicit Aggregator(AggregatorOptions options);

  enum class AddResult : uint8_t { kCounted, kLate, kFuture };
  // Adds one mention; an urgent complaint appends its alert to `out` at once.
  AddResult Add(const Mention& m, int64_t now_ms, std::vector<AlertEvent>& out);

  // Closes every window the watermarks have passed, appending the alert events they cause.
  void Advance(int64_t now_ms, std::vector<AlertEvent>& out);

  // The offset to commit for `partition`: the smallest offset of a record in an open window, or
  // nullopt when no open window holds one (then everything consumed may be committed).
  [[nodiscard]] std::optional<int64_t> HeldFrom(int32_t partition) const;

  // Forgets a revoked partition: its brands' windows, baselines and episodes.
  void DropPartition(int32_t partition);

  // The partition's watermark at `now_ms`, or nullopt when it has seen no record.
  [[nodiscard]] std::optional<int64_t> Watermark(int32_t partition, int64_t now_ms) const;

  const AggregatorCounters& counters() const { return counters_; }
  const AggregatorOptions& options() const { return options_; }
  size_t open_windows() const;
  size_t brands() const;

 private:
  struct Window {
    WindowStats stats;
    int64_t min_offset = INT64_MAX;
    std::vector<Example> complaints;  // the most urgent complaints (priority, then reach)
    std::vector<Example> negatives;   // the most negative posts
    std::vector<Example> reach;       // the widest-reaching posts
  };
  struct Baseline {
    double mean = 0, var = 0;
    bool seeded = false;
    void Update(double x, double alpha);
    double sd() const;
  };
  struct Episode {
    bool active = false;
    std::string id;
    int64_t starts_at_ms = 0;
    int64_t last_end_ms = 0;
    int windows = 0;
    int quiet = 0;
  };
  struct BrandState {
    std::string name;
    int64_t closed_until = INT64_MIN;  // windows ending at or before this are closed
    std::map<int64_t, Window> open;    // by window start
    int64_t history = 0;               // windows closed
    Baseline mentions, complaints, negative_share;
    Episode episodes[kAlertKinds];
  };
  struct PartitionState {
    int64_t max_event_ms = INT64_MIN;
    int64_t last_record_ms = 0;  // processing time of the latest record
    std::unordered_map<std::string, BrandState> brands;
  };

  int64_t WindowStart(int64_t event_ms) const;
  int64_t WatermarkOf(const PartitionState& p, int64_t now_ms) const;
  void Close(int32_t partition, const std::string& brand, BrandState& b, int64_t start, Window* w,
             std::vector<AlertEvent>& out);
  void Detect(int32_t partition, const std::string& brand, BrandState& b, AlertKind kind,
              bool condition, int64_t start, const Window& w, double measured,
              const Baseline& usual, std::vector<AlertEvent>& out);
  void Keep(std::vector<Example>& list, const Mention& m,
            bool (*better)(const Example&, const Example&)) const;
  void Urgent(const Mention& m, int64_t start, int64_t now_ms, const std::string& known_name,
              std::vector<AlertEvent>& out);

  struct UrgentBudget {
    int64_t window = INT64_MIN;  // a window of the clock
    int sent = 0;
  };

  AggregatorOptions options_;
  double alpha_;
  std::map<int32_t, PartitionState> partitions_;
  std::unordered_map<std::string, UrgentBudget> urgent_budget_;  // by brand
  AggregatorCounters counters_;
};

// One line for people: "Complaint storm: Nimbus Air had 42 complaints in 1 min (usual 3.1)".
[[nodiscard]] std::string AlertSummary(const AlertEvent& e, int64_t window_ms);

// The alert as JSON for the alerts topic (schemas/alert.schema.json).
[[nodiscard]] std::string AlertJson(const AlertEvent& e, int64_t window_ms);

}  // namespace earshot::pipeline::aggregate
