// The aggregator's windows, watermarks, detectors and alert episodes, driven by an injected
// clock and synthetic mentions (the parsing of real enriched records: mention_test.cc).
#include "pipeline/aggregate/aggregator.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>

namespace earshot::pipeline::aggregate {
namespace {

constexpr int64_t kWindow = 10'000;
constexpr int64_t kT0 = 1'800'000'000'000;  // a window boundary

AggregatorOptions Options() {
  AggregatorOptions o;
  o.window_ms = kWindow;
  o.lateness_ms = 2'000;
  o.idle_ms = 5'000;
  o.history_windows = 6;
  o.baseline_windows = 10;
  o.resolve_after_windows = 2;
  o.examples = 3;
  o.complaint_storm = {true, 10, 3.0, 3.0};
  o.mention_spike = {true, 30, 3.0, 3.0};
  o.min_scored = 10;
  return o;
}

class AggregatorTest : public ::testing::Test {
 protected:
  Mention M(const std::string& brand, int64_t event_ms, bool complaint = false, int label = 0,
            int32_t partition = 0) {
    Mention m;
    m.brand = brand;
    m.brand_name = brand + " Inc";
    m.event_ms = event_ms;
    m.complaint = complaint;
    m.priority = complaint ? 3 : 0;
    m.scored = true;
    m.label = label;
    m.compound = label * 0.5;
    m.followers = 10;
    m.post_id = brand + "-" + std::to_string(next_id_);
    m.source = "x";
    m.text = "post " + std::to_string(next_id_);
    m.partition = partition;
    m.offset = offsets_[partition]++;
    ++next_id_;
    return m;
  }

  // Adds `n` mentions of `brand` spread over window `k` (k windows after kT0), of which
  // `complaints` are complaints and `negative` are negative, then advances the clock past it.
  void Window(Aggregator& a, const std::string& brand, int k, int n, int complaints,
              int negative = 0, int32_t partition = 0) {
    for (int i = 0; i < n; ++i) {
      int64_t t = kT0 + k * kWindow + (kWindow * i) / std::max(n, 1);
      int label = i < negative ? -1 : (i % 3 == 0 ? 1 : 0);
      Add(a, M(brand, t, i < complaints, label, partition), t);
    }
  }

  void Add(Aggregator& a, const Mention& m, int64_t now) {
    a.Add(m, now, events_);
    now_ = std::max(now_, now);
  }

  // Advances processing time to `now` in steps, collecting events.
  void AdvanceTo(Aggregator& a, int64_t now) {
    for (int64_t t = now_; t <= now; t += 500) a.Advance(t, events_);
    now_ = now;
  }

  std::vector<AlertEvent> Take(AlertKind kind) {
    std::vector<AlertEvent> out, rest;
    for (auto& e : events_) (e.kind == kind ? out : rest).push_back(std::move(e));
    events_ = std::move(rest);
    return out;
  }

  std::vector<AlertEvent> events_;
  std::map<int32_t, int64_t> offsets_;
  int64_t now_ = 0;
  int next_id_ = 0;
};

TEST_F(AggregatorTest, WindowsCloseWhenTheWatermarkPassesTheirEnd) {
  Aggregator a(Options());
  Window(a, "acme", 0, 10, 0);
  // The latest event is in window 0 (t < kT0 + kWindow): nothing closes yet.
  a.Advance(now_, events_);
  EXPECT_EQ(a.counters().windows_closed, 0);
  EXPECT_EQ(a.open_windows(), 1u);
  // An event at kT0 + kWindow + lateness moves the watermark to the end of window 0.
  Add(a, M("acme", kT0 + kWindow + 2'000), kT0 + kWindow + 2'000);
  a.Advance(now_, events_);
  EXPECT_EQ(a.counters().windows_closed, 1);
  EXPECT_EQ(a.open_windows(), 1u);
  // One millisecond less lateness would have been needed: a record for window 0 is now late.
  EXPECT_EQ(a.Add(M("acme", kT0 + 5), now_, events_), Aggregator::AddResult::kLate);
  EXPECT_EQ(a.counters().late, 1);
  // Within the open window it still counts.
  EXPECT_EQ(a.Add(M("acme", kT0 + kWindow + 1), now_, events_), Aggregator::AddResult::kCounted);
}

TEST_F(AggregatorTest, AnIdlePartitionClosesItsWindowsWithProcessingTime) {
  Aggregator a(Options());
  Window(a, "acme", 0, 5, 0);
  const int64_t last = now_;
  a.Advance(last + 4'999, events_);  // idle less than idle_ms: the watermark stays
  EXPECT_EQ(a.counters().windows_closed, 0);
  // Idle for idle_ms: event time is taken to advance with processing time.
  a.Advance(last + 5'000, events_);
  EXPECT_EQ(*a.Watermark(0, last + 5'000), last - 2'000 + 5'000);
  a.Advance(last + 10'000, events_);
  EXPECT_EQ(a.counters().windows_closed, 1);
  // Quiet windows close as empty ones, one per window of processing time.
  a.Advance(last + 10'000 + 3 * kWindow, events_);
  EXPECT_EQ(a.counters().windows_closed, 4);
  EXPECT_EQ(a.open_windows(), 0u);
}

TEST_F(AggregatorTest, APostFromAFastClockDoesNotCloseWindowsEarly) {
  Aggregator a(Options());
  const int64_t now = kT0 + 5'000;
  Add(a, M("acme", now - 1'000), now);
  // Three minutes ahead (within max_future): counted, but the partition's event time stops at
  // the clock, so the records that follow are not late.
  EXPECT_EQ(a.Add(M("bolt", now + 180'000), now, events_), Aggregator::AddResult::kCounted);
  EXPECT_LE(*a.Watermark(0, now), now - 2'000);
  a.Advance(now, events_);
  EXPECT_EQ(a.Add(M("acme", now + 100), now + 100, events_), Aggregator::AddResult::kCounted);
  EXPECT_EQ(a.counters().late, 0);
}

TEST_F(AggregatorTest, ABrandNewToAPartitionStartsAtItsWatermark) {
  Aggregator a(Options());
  for (int k = 0; k < 40; ++k) Window(a, "acme", k, 5, 0);
  a.Advance(now_, events_);
  const int64_t closed = a.counters().windows_closed;
  // An old review of another brand, read amid the live stream: late, not the start of 38
  // windows of empty history for that brand.
  EXPECT_EQ(a.Add(M("bolt", kT0 + kWindow), now_, events_), Aggregator::AddResult::kLate);
  EXPECT_EQ(a.brands(), 1u);
  // A live one starts the brand at the watermark's window.
  EXPECT_EQ(a.Add(M("bolt", now_), now_, events_), Aggregator::AddResult::kCounted);
  a.Advance(now_, events_);
  EXPECT_EQ(a.counters().windows_closed, closed);
  // Forty windows later it has its history, of its own windows only: a storm then pages.
  for (int k = 40; k < 80; ++k) {
    Window(a, "acme", k, 5, 0);
    Window(a, "bolt", k, 5, k < 79 ? 0 : 5);
  }
  Window(a, "bolt", 80, 20, 20);
  Window(a, "acme", 81, 5, 0);
  a.Advance(now_, events_);
  std::vector<AlertEvent> storm = Take(AlertKind::kComplaintStorm);
  ASSERT_EQ(storm.size(), 1u);
  EXPECT_EQ(storm[0].brand, "bolt");
}

TEST_F(AggregatorTest, RecordsFarInTheFutureAreFilteredNotWindowed) {
  AggregatorOptions o = Options();
  o.max_future_ms = 60'000;
  Aggregator a(o);
  EXPECT_EQ(a.Add(M("acme", kT0 + 60'001), kT0, events_), Aggregator::AddResult::kFuture);
  EXPECT_EQ(a.Add(M("acme", kT0 + 60'000), kT0, events_), Aggregator::AddResult::kCounted);
  EXPECT_EQ(a.counters().future, 1);
  EXPECT_EQ(a.counters().counted, 1);
}

TEST_F(AggregatorTest, AComplaintStormFiresForTheStormingBrandOnlyAndResolves) {
  Aggregator a(Options());
  std::mt19937 rng(7);
  // Ten windows of ordinary traffic for two brands, then a storm about one of them.
  for (int k = 0; k < 10; ++k) {
    Window(a, "acme", k, 40, 2 + static_cast<int>(rng() % 3), 0, 0);
    Window(a, "bolt", k, 40, 2 + static_cast<int>(rng() % 3), 0, 1);
  }
  AdvanceTo(a, now_ + 1);
  EXPECT_TRUE(Take(AlertKind::kComplaintStorm).empty());
  Window(a, "acme", 10, 60, 45, 0, 0);
  Window(a, "bolt", 10, 40, 3, 0, 1);
  Window(a, "acme", 11, 60, 45, 0, 0);
  Window(a, "bolt", 11, 40, 3, 0, 1);
  // Quiet again: the storm resolves after resolve_after_windows (2) windows without it.
  Window(a, "acme", 12, 40, 3, 0, 0);
  Window(a, "acme", 13, 40, 3, 0, 0);
  Window(a, "acme", 14, 40, 3, 0, 0);  // its records move the watermark past window 13
  a.Advance(now_, events_);
  std::vector<AlertEvent> storm = Take(AlertKind::kComplaintStorm);
  ASSERT_EQ(storm.size(), 3u);  // one episode: two windows firing, then resolved
  for (const AlertEvent& e : storm) {
    EXPECT_EQ(e.brand, "acme");
    EXPECT_EQ(e.id, "acme/complaint_storm/" + std::to_string(kT0 + 10 * kWindow));
  }
  for (int i = 0; i < 2; ++i) {
    const AlertEvent& e = storm[static_cast<size_t>(i)];
    EXPECT_FALSE(e.resolved);
    EXPECT_EQ(e.windows, i + 1);
    EXPECT_EQ(e.window_start_ms, kT0 + (10 + i) * kWindow);
    EXPECT_EQ(e.observed.complaints, 45);
    // Judged against the usual level before the storm, not one the storm raised.
    EXPECT_GT(e.usual, 1.0);
    EXPECT_LT(e.usual, 10.0);
    // The posts that caused it: complaints of the window, the most urgent first.
    ASSERT_EQ(e.posts.size(), 3u);
    for (const Example& p : e.posts) {
      EXPECT_TRUE(p.complaint);
      EXPECT_GE(p.event_ms, e.window_start_ms);
      EXPECT_LT(p.event_ms, e.window_end_ms);
    }
  }
  EXPECT_TRUE(storm[2].resolved);
  EXPECT_EQ(storm[2].ends_at_ms, kT0 + 12 * kWindow);
  EXPECT_EQ(storm[2].windows, 2);
  EXPECT_EQ(storm[2].window_start_ms, kT0 + 13 * kWindow);
}

TEST_F(AggregatorTest, ALastingStormIsNotAbsorbedIntoItsOwnBaseline) {
  Aggregator a(Options());
  for (int k = 0; k < 8; ++k) Window(a, "acme", k, 40, 2);
  for (int k = 8; k < 14; ++k) Window(a, "acme", k, 60, 40);
  AdvanceTo(a, now_ + 6'000 + kWindow);
  std::vector<AlertEvent> storm = Take(AlertKind::kComplaintStorm);
  // Six windows of storm, six firing events of one episode, none resolved.
  ASSERT_EQ(storm.size(), 6u);
  for (const AlertEvent& e : storm) {
    EXPECT_FALSE(e.resolved);
    EXPECT_EQ(e.id, storm[0].id);
  }
}

TEST_F(AggregatorTest, NoAlertWithoutHistory) {
  Aggregator a(Options());
  // A brand first seen in a storm has no usual level: nothing fires for history_windows.
  for (int k = 0; k < 6; ++k) Window(a, "acme", k, 60, 45);
  AdvanceTo(a, now_ + 6'000 + kWindow);
  EXPECT_GE(a.counters().windows_closed, 6);
  EXPECT_TRUE(Take(AlertKind::kComplaintStorm).empty());
  EXPECT_TRUE(Take(AlertKind::kMentionSpike).empty());
}

TEST_F(AggregatorTest, SmallCountsDoNotPageEvenAgainstAZeroBaseline) {
  for (int complaints : {9, 10}) {  // min_count is 10
    Aggregator a(Options());
    for (int k = 0; k < 8; ++k) Window(a, "acme", k, 5, 0);
    Window(a, "acme", 8, 12, complaints);
    AdvanceTo(a, now_ + 6'000 + kWindow);
    std::vector<AlertEvent> storm = Take(AlertKind::kComplaintStorm);
    if (complaints < 10) {
      EXPECT_TRUE(storm.empty());
    } else {
      ASSERT_FALSE(storm.empty());
      EXPECT_EQ(storm[0].window_start_ms, kT0 + 8 * kWindow);
      EXPECT_FALSE(storm[0].resolved);
    }
    events_.clear();
  }
}

TEST_F(AggregatorTest, MentionSpikeAndSentimentDrop) {
  Aggregator a(Options());
  for (int k = 0; k < 8; ++k) Window(a, "acme", k, 20, 0, 4);  // 20% negative
  Window(a, "acme", 8, 100, 0, 80);  // five times the mentions, 80% negative
  AdvanceTo(a, now_ + 6'000 + kWindow);
  std::vector<AlertEvent> spike = Take(AlertKind::kMentionSpike);
  ASSERT_EQ(spike.size(), 1u);
  EXPECT_EQ(spike[0].observed.mentions, 100);
  EXPECT_NEAR(spike[0].usual, 20, 1e-9);
  std::vector<AlertEvent> drop = Take(AlertKind::kSentimentDrop);
  ASSERT_EQ(drop.size(), 1u);
  EXPECT_NEAR(drop[0].measured, 0.8, 1e-9);
  EXPECT_NEAR(drop[0].usual, 0.2, 1e-9);
  // The drop's posts are the most negative ones.
  ASSERT_FALSE(drop[0].posts.empty());
  for (const Example& p : drop[0].posts) EXPECT_LT(p.compound, 0);
  // A window as negative as usual plus less than `rise` does not fire.
  Aggregator b(Options());
  for (int k = 0; k < 8; ++k) Window(b, "acme", k, 20, 0, 7);  // 35%
  Window(b, "acme", 8, 20, 0, 11);                             // 55%: +0.2 needed, +0.2 there
  Window(b, "acme", 9, 20, 0, 10);                             // 50%: too little rise
  AdvanceTo(b, now_ + 6'000 + kWindow);
  std::vector<AlertEvent> drops = Take(AlertKind::kSentimentDrop);
  ASSERT_EQ(drops.size(), 2u);
  EXPECT_EQ(drops[0].window_start_ms, kT0 + 8 * kWindow);
  EXPECT_FALSE(drops[0].resolved);
  EXPECT_TRUE(drops[1].resolved);  // windows 9 and 10 (empty) without the condition
}

TEST_F(AggregatorTest, UrgentComplaintsPageAtOnceWithTheirPost) {
  AggregatorOptions o = Options();
  o.urgent_followers = 50'000;
  o.max_urgent_per_window = 2;
  Aggregator a(o);
  Mention p1 = M("acme", kT0 + 100, true);
  p1.priority = 1;
  p1.author = "angry";
  a.Add(p1, kT0 + 200, events_);
  std::vector<AlertEvent> urgent = Take(AlertKind::kUrgentComplaint);
  ASSERT_EQ(urgent.size(), 1u);
  EXPECT_EQ(urgent[0].id, "acme/urgent_complaint/" + p1.post_id);
  EXPECT_EQ(urgent[0].starts_at_ms, kT0 + 100);
  EXPECT_EQ(urgent[0].ends_at_ms, kT0 + 100 + o.urgent_hold_ms);
  ASSERT_EQ(urgent[0].posts.size(), 1u);
  EXPECT_EQ(urgent[0].posts[0].post_id, p1.post_id);
  EXPECT_NE(AlertSummary(urgent[0], kWindow).find("@angry"), std::string::npos);
  // Reach alone makes a complaint urgent; a P3 complaint with little reach does not page, and
  // neither does a praise post with a large audience.
  Mention reach = M("acme", kT0 + 300, true);
  reach.followers = 50'000;
  a.Add(reach, kT0 + 300, events_);
  a.Add(M("acme", kT0 + 400, true), kT0 + 400, events_);
  Mention praise = M("acme", kT0 + 500, false, 1);
  praise.followers = 900'000;
  a.Add(praise, kT0 + 500, events_);
  EXPECT_EQ(Take(AlertKind::kUrgentComplaint).size(), 1u);
  // At most max_urgent_per_window a window of the clock per brand; the rest are counted.
  Mention third = M("acme", kT0 + 600, true);
  third.priority = 1;
  a.Add(third, kT0 + 600, events_);
  EXPECT_TRUE(Take(AlertKind::kUrgentComplaint).empty());
  EXPECT_EQ(a.counters().urgent_suppressed, 1);
  // A late urgent complaint (its window closed long ago) still pages, in the next window.
  const int64_t later = kT0 + 5 * kWindow;
  Add(a, M("acme", later), later);
  a.Advance(later, events_);
  Mention old = M("acme", kT0 + 700, true);
  old.priority = 1;
  EXPECT_EQ(a.Add(old, later, events_), Aggregator::AddResult::kLate);
  std::vector<AlertEvent> late = Take(AlertKind::kUrgentComplaint);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].posts[0].post_id, old.post_id);
}

TEST_F(AggregatorTest, HeldFromIsTheFirstOffsetOfAnOpenWindow) {
  AggregatorOptions o = Options();
  o.idle_ms = 3'600'000;  // partition 1 must not close its window by idling
  Aggregator a(o);
  EXPECT_FALSE(a.HeldFrom(0).has_value());
  Window(a, "acme", 0, 5, 0, 0, 0);  // offsets 0..4 of partition 0
  Window(a, "bolt", 0, 5, 0, 0, 1);  // offsets 0..4 of partition 1
  Window(a, "acme", 1, 5, 0, 0, 0);  // offsets 5..9
  EXPECT_EQ(a.HeldFrom(0), 0);
  EXPECT_EQ(a.HeldFrom(1), 0);
  // Window 0 of partition 0 closes (its watermark passes its end); window 1 still holds 5.
  Add(a, M("acme", kT0 + 2 * kWindow - 1'000, false, 0, 0), now_);  // offset 10
  a.Advance(now_, events_);
  EXPECT_EQ(a.HeldFrom(0), 5);
  EXPECT_EQ(a.HeldFrom(1), 0);
  // A revoked partition is forgotten whole.
  a.DropPartition(1);
  EXPECT_FALSE(a.HeldFrom(1).has_value());
  EXPECT_EQ(a.brands(), 1u);
}

TEST_F(AggregatorTest, AClockJumpDoesNotCostAWindowPerStep) {
  Aggregator a(Options());
  Window(a, "acme", 0, 5, 0);
  // Ten years of quiet: closed in bounded work, and the brand keeps working afterwards.
  const int64_t later = kT0 + int64_t{10} * 365 * 24 * 3600 * 1000;
  a.Advance(later, events_);
  EXPECT_LT(a.counters().windows_closed, 1000);
  EXPECT_EQ(a.open_windows(), 0u);
  EXPECT_EQ(a.Add(M("acme", later), later, events_), Aggregator::AddResult::kCounted);
}

TEST_F(AggregatorTest, AlertJsonIsValidAndCarriesThePosts) {
  Aggregator a(Options());
  for (int k = 0; k < 8; ++k) Window(a, "acme", k, 40, 2);
  Mention quote = M("acme", kT0 + 8 * kWindow, true);
  quote.text = "say \"no\" \\ to\nthis \xF0\x9F\x98\xA1";
  quote.url = "https://x.com/a/status/1";
  Add(a, quote, quote.event_ms);
  Window(a, "acme", 8, 60, 45);
  AdvanceTo(a, now_ + 6'000 + kWindow);
  std::vector<AlertEvent> storm = Take(AlertKind::kComplaintStorm);
  ASSERT_EQ(storm.size(), 1u);
  std::string json = AlertJson(storm[0], kWindow);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["schema"]), "earshot.alert.v1");
  EXPECT_EQ(std::string_view(doc["kind"]), "complaint_storm");
  EXPECT_EQ(std::string_view(doc["status"]), "firing");
  EXPECT_EQ(std::string_view(doc["brand"]["id"]), "acme");
  EXPECT_EQ(int64_t(doc["observed"]["complaints"]), 46);
  simdjson::dom::array posts = doc["posts"];
  EXPECT_EQ(posts.size(), 3u);
  bool found = false;
  for (simdjson::dom::element p : posts) {
    if (std::string_view(p["id"]) == quote.post_id) {
      found = true;
      EXPECT_EQ(std::string_view(p["text"]), quote.text);
      EXPECT_EQ(std::string_view(p["url"]), quote.url);
    }
  }
  EXPECT_TRUE(found) << "the post with the same priority and reach that came first is kept";
  EXPECT_NE(std::string_view(doc["summary"]).find("46 complaints in 10 s"), std::string::npos);
}

}  // namespace
}  // namespace earshot::pipeline::aggregate
