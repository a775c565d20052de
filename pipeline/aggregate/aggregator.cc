#include "pipeline/aggregate/aggregator.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ingest/text.h"

namespace earshot::pipeline::aggregate {
namespace {

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view CutUtf8(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

std::string_view StringOr(simdjson::simdjson_result<simdjson::dom::element> e,
                          std::string_view fallback = {}) {
  std::string_view s;
  return e.get(s) == simdjson::SUCCESS ? s : fallback;
}

Example ExampleOf(const Mention& m) {
  Example e;
  e.post_id = m.post_id;
  e.source = m.source;
  e.url = m.url;
  e.author = m.author;
  e.text = m.text;
  e.category = m.category;
  e.followers = m.followers;
  e.event_ms = m.event_ms;
  e.priority = m.priority;
  e.complaint = m.complaint;
  e.compound = m.compound;
  return e;
}

// Orders for the example lists: the first argument ranks ahead of the second.
bool MoreUrgent(const Example& a, const Example& b) {
  int pa = a.priority ? a.priority : 9, pb = b.priority ? b.priority : 9;
  if (pa != pb) return pa < pb;
  return a.followers > b.followers;
}
bool MoreNegative(const Example& a, const Example& b) { return a.compound < b.compound; }
bool WiderReach(const Example& a, const Example& b) { return a.followers > b.followers; }

bool Spike(double x, double mean, double sd, const SpikeRule& rule) {
  return rule.enabled && x >= static_cast<double>(rule.min_count) && x >= rule.ratio * mean &&
         x - mean >= rule.z * std::max(sd, 1.0);
}

std::string Duration(int64_t ms) {
  char buf[32];
  if (ms % 3'600'000 == 0) {
    std::snprintf(buf, sizeof buf, "%lld h", static_cast<long long>(ms / 3'600'000));
  } else if (ms % 60'000 == 0) {
    std::snprintf(buf, sizeof buf, "%lld min", static_cast<long long>(ms / 60'000));
  } else {
    std::snprintf(buf, sizeof buf, "%g s", static_cast<double>(ms) / 1000);
  }
  return buf;
}

void AppendKey(std::string& out, std::string_view key) {
  if (out.back() != '{') out += ',';
  out += '"';
  out += key;
  out += "\":";
}

void AppendNumber(std::string& out, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", std::isfinite(v) ? v : 0.0);
  out += buf;
}

}  // namespace

bool ParseMention(std::string_view json, Mention& out, std::string& error) {
  // One parser per thread: the aggregator's loop is single-threaded, tests may run several.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto e = parser.parse(json.data(), json.size()).get(doc)) {
    error = std::string("not JSON: ") + simdjson::error_message(e);
    return false;
  }
  simdjson::dom::object root;
  if (doc.get(root) != simdjson::SUCCESS) {
    error = "not a JSON object";
    return false;
  }
  if (StringOr(root["schema"]) != "earshot.enriched.v1") {
    error = "schema is not earshot.enriched.v1";
    return false;
  }
  simdjson::dom::object brand;
  if (root["brand"].get(brand) != simdjson::SUCCESS || StringOr(brand["id"]).empty()) {
    error = "no brand.id (a per-post record of `earshot enrich`, not of the enriched topic)";
    return false;
  }
  simdjson::dom::object post;
  if (root["post"].get(post) != simdjson::SUCCESS) {
    error = "no post";
    return false;
  }
  int64_t event_ms = 0;
  if (post["created_at_ms"].get(event_ms) != simdjson::SUCCESS) {
    error = "no post.created_at_ms";
    return false;
  }
  // Field by field, not `out = Mention{}`: the strings keep their capacity from record to record.
  out.brand = StringOr(brand["id"]);
  out.brand_name = StringOr(brand["name"], out.brand);
  out.event_ms = event_ms;
  out.label = 0;
  out.scored = false;
  out.compound = 0;
  out.complaint = false;
  out.priority = 0;
  out.category.clear();
  out.followers = -1;
  out.author.clear();
  out.partition = 0;
  out.offset = 0;
  simdjson::dom::object sentiment;
  if (root["sentiment"].get(sentiment) == simdjson::SUCCESS) {
    std::string_view label = StringOr(sentiment["label"]);
    out.scored = label == "positive" || label == "neutral" || label == "negative";
    out.label = label == "positive" ? 1 : label == "negative" ? -1 : 0;
    double compound = 0;
    if (sentiment["compound"].get(compound) == simdjson::SUCCESS) out.compound = compound;
  }
  simdjson::dom::object complaint;
  if (root["complaint"].get(complaint) == simdjson::SUCCESS) {
    bool is = false;
    if (complaint["is_complaint"].get(is) == simdjson::SUCCESS) out.complaint = is;
    std::string_view priority = StringOr(complaint["priority"]);
    if (priority.size() == 2 && priority[0] == 'P' && priority[1] >= '1' && priority[1] <= '4') {
      out.priority = priority[1] - '0';
    }
    out.category = StringOr(complaint["category"]);
  }
  out.post_id = StringOr(post["id"]);
  out.source = StringOr(post["source"]);
  out.url = StringOr(post["url"]);
  out.text = CutUtf8(StringOr(post["text"]), kExcerptBytes);
  simdjson::dom::object author;
  if (post["author"].get(author) == simdjson::SUCCESS) {
    out.author = StringOr(author["handle"], StringOr(author["id"]));
    int64_t followers = 0;
    if (author["followers"].get(followers) == simdjson::SUCCESS && followers >= 0) {
      out.followers = followers;
    }
  }
  return true;
}

std::string_view AlertKindName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kComplaintStorm:
      return "complaint_storm";
    case AlertKind::kMentionSpike:
      return "mention_spike";
    case AlertKind::kSentimentDrop:
      return "sentiment_drop";
    case AlertKind::kUrgentComplaint:
      return "urgent_complaint";
  }
  return "complaint_storm";
}

std::string_view AlertName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kComplaintStorm:
      return "BrandComplaintStorm";
    case AlertKind::kMentionSpike:
      return "BrandMentionSpike";
    case AlertKind::kSentimentDrop:
      return "BrandSentimentDrop";
    case AlertKind::kUrgentComplaint:
      return "BrandUrgentComplaint";
  }
  return "BrandComplaintStorm";
}

void Aggregator::Baseline::Update(double x, double alpha) {
  if (!seeded) {
    mean = x;
    var = 0;
    seeded = true;
    return;
  }
  double diff = x - mean;
  double step = alpha * diff;
  mean += step;
  var = (1 - alpha) * (var + diff * step);
}

double Aggregator::Baseline::sd() const { return std::sqrt(std::max(var, 0.0)); }

Aggregator::Aggregator(AggregatorOptions options)
    : options_(options), alpha_(2.0 / (std::max(options.baseline_windows, 1) + 1.0)) {
  options_.window_ms = std::max<int64_t>(options_.window_ms, 1);
}

int64_t Aggregator::WindowStart(int64_t event_ms) const {
  int64_t w = options_.window_ms;
  int64_t q = event_ms / w;
  if (event_ms % w != 0 && event_ms < 0) --q;  // floor for times before the epoch
  return q * w;
}

int64_t Aggregator::WatermarkOf(const PartitionState& p, int64_t now_ms) const {
  int64_t idle = now_ms - p.last_record_ms;
  return p.max_event_ms - options_.lateness_ms + (idle >= options_.idle_ms ? idle : 0);
}

std::optional<int64_t> Aggregator::Watermark(int32_t partition, int64_t now_ms) const {
  auto it = partitions_.find(partition);
  if (it == partitions_.end() || it->second.max_event_ms == INT64_MIN) return std::nullopt;
  return WatermarkOf(it->second, now_ms);
}

void Aggregator::Keep(std::vector<Example>& list, const Mention& m,
                      bool (*better)(const Example&, const Example&)) const {
  size_t max = static_cast<size_t>(std::max(options_.examples, 0));
  if (max == 0) return;
  if (list.size() == max) {
    // Ranked on its numbers first: most posts are not kept, and copying their strings costs.
    Example probe;
    probe.priority = m.priority;
    probe.followers = m.followers;
    probe.compound = m.compound;
    if (!better(probe, list.back())) return;
    list.pop_back();
  }
  Example e = ExampleOf(m);
  auto at = std::upper_bound(list.begin(), list.end(), e, better);
  list.insert(at, std::move(e));
}

Aggregator::AddResult Aggregator::Add(const Mention& m, int64_t now_ms,
                                      std::vector<AlertEvent>& out) {
  if (m.event_ms > now_ms + options_.max_future_ms) {
    ++counters_.future;
    return AddResult::kFuture;
  }
  PartitionState& p = partitions_[m.partition];
  const int64_t start = WindowStart(m.event_ms);
  auto found = p.brands.find(m.brand);
  // A brand first seen in a partition that already has a watermark starts at the watermark's
  // window: a record older than that is late, as it would be for every other brand there. (An
  // old record starting the brand would give it a history of empty windows, and a baseline of
  // zeros to page against.)
  int64_t first_open = INT64_MIN;
  if (found == p.brands.end() && p.max_event_ms != INT64_MIN) {
    first_open = WindowStart(WatermarkOf(p, now_ms));
  }
  const bool late =
      found != p.brands.end() ? start < found->second.closed_until : start < first_open;
  // The partition is active whatever the record's window; its event time moves no further than
  // the clock, so that a post from a fast clock cannot close its brands' windows early.
  p.last_record_ms = now_ms;
  if (!late) p.max_event_ms = std::max(p.max_event_ms, std::min(m.event_ms, now_ms));
  // Urgent complaints page as they are read, late or not (their age is the sender's business).
  const bool urgent = options_.urgent && m.complaint &&
                      ((m.priority >= 1 && m.priority <= options_.urgent_priority) ||
                       (options_.urgent_followers > 0 && m.followers >= options_.urgent_followers));
  if (urgent) Urgent(m, start, now_ms, found != p.brands.end() ? found->second.name : "", out);
  if (late) {
    ++counters_.late;
    return AddResult::kLate;
  }
  BrandState& b = found != p.brands.end() ? found->second : p.brands[m.brand];
  if (!m.brand_name.empty()) b.name = m.brand_name;
  if (b.closed_until == INT64_MIN) b.closed_until = start;
  Window& w = b.open[start];
  WindowStats& s = w.stats;
  ++s.mentions;
  if (m.complaint) ++s.complaints;
  if (m.scored) {
    ++s.scored;
    if (m.label < 0) ++s.negative;
    if (m.label > 0) ++s.positive;
    s.compound_sum += m.compound;
  }
  w.min_offset = std::min(w.min_offset, m.offset);
  if (m.complaint) Keep(w.complaints, m, MoreUrgent);
  if (m.scored && m.label < 0) Keep(w.negatives, m, MoreNegative);
  if (m.followers >= 0) Keep(w.reach, m, WiderReach);
  ++counters_.counted;
  return AddResult::kCounted;
}

void Aggregator::Urgent(const Mention& m, int64_t start, int64_t now_ms,
                        const std::string& known_name, std::vector<AlertEvent>& out) {
  // At most max_urgent_per_window pages per brand per window of the clock: what on-call staff
  // can take in, whatever the posts' own times.
  UrgentBudget& budget = urgent_budget_[m.brand];
  const int64_t window = WindowStart(now_ms);
  if (budget.window != window) budget = {window, 0};
  if (budget.sent >= options_.max_urgent_per_window) {
    ++counters_.urgent_suppressed;
    return;
  }
  ++budget.sent;
  AlertEvent& e = out.emplace_back();
  e.kind = AlertKind::kUrgentComplaint;
  e.id = m.brand + "/urgent_complaint/" + m.post_id;
  e.brand = m.brand;
  e.brand_name = !m.brand_name.empty() ? m.brand_name : known_name;
  e.partition = m.partition;
  e.starts_at_ms = m.event_ms;
  e.ends_at_ms = m.event_ms + options_.urgent_hold_ms;
  e.window_start_ms = start;
  e.window_end_ms = start + options_.window_ms;
  e.windows = 1;
  e.measured = static_cast<double>(m.priority);
  e.posts.push_back(ExampleOf(m));
}

void Aggregator::Advance(int64_t now_ms, std::vector<AlertEvent>& out) {
  const int64_t w = options_.window_ms;
  // After this many empty windows in a row, the rest of a gap is skipped: the usual levels have
  // decayed to nothing by then, and a clock that jumped years must not cost years of windows.
  const int64_t max_empty = 4LL * std::max(options_.baseline_windows, options_.history_windows) +
                            options_.resolve_after_windows + 1;
  for (auto& [partition, p] : partitions_) {
    if (p.max_event_ms == INT64_MIN) continue;
    int64_t watermark = WatermarkOf(p, now_ms);
    for (auto& [brand, b] : p.brands) {
      int64_t empty = 0;
      while (b.closed_until <= watermark - w) {
        int64_t start = b.closed_until;
        auto it = b.open.find(start);
        if (it == b.open.end()) {
          Close(partition, brand, b, start, nullptr, out);
          b.closed_until = start + w;
          if (++empty >= max_empty) {
            int64_t target = WindowStart(watermark) - w;
            if (!b.open.empty()) target = std::min(target, b.open.begin()->first);
            b.closed_until = std::max(b.closed_until, target);
            empty = 0;
          }
        } else {
          Close(partition, brand, b, start, &it->second, out);
          b.open.erase(it);
          b.closed_until = start + w;
          empty = 0;
        }
      }
    }
  }
}

void Aggregator::Close(int32_t partition, const std::string& brand, BrandState& b, int64_t start,
                       Window* window, std::vector<AlertEvent>& out) {
  static const Window kEmpty;
  const Window& w = window ? *window : kEmpty;
  const WindowStats& s = w.stats;
  ++counters_.windows_closed;
  const bool ready = b.history >= options_.history_windows;
  const double complaints = static_cast<double>(s.complaints);
  const double mentions = static_cast<double>(s.mentions);
  const double share = s.negative_share();
  const bool storm =
      ready && Spike(complaints, b.complaints.mean, b.complaints.sd(), options_.complaint_storm);
  const bool spike =
      ready && Spike(mentions, b.mentions.mean, b.mentions.sd(), options_.mention_spike);
  const bool drop = ready && options_.sentiment_drop && b.negative_share.seeded &&
                    s.scored >= options_.min_scored && share >= options_.negative_share &&
                    share - b.negative_share.mean >= options_.rise;
  Detect(partition, brand, b, AlertKind::kComplaintStorm, storm, start, w, complaints, b.complaints,
         out);
  Detect(partition, brand, b, AlertKind::kMentionSpike, spike, start, w, mentions, b.mentions, out);
  Detect(partition, brand, b, AlertKind::kSentimentDrop, drop, start, w, share, b.negative_share,
         out);
  ++b.history;
  // A window that alerts enters the usual level only up to the alerting line: the level still
  // rises under a lasting change, but slowly, so a storm is not absorbed into its own baseline
  // (which would resolve it while it goes on).
  auto clip = [](double x, bool alerting, double line) { return alerting ? std::min(x, line) : x; };
  const SpikeRule& cs = options_.complaint_storm;
  const SpikeRule& ms = options_.mention_spike;
  b.complaints.Update(
      clip(complaints, storm, b.complaints.mean + cs.z * std::max(b.complaints.sd(), 1.0)), alpha_);
  b.mentions.Update(clip(mentions, spike, b.mentions.mean + ms.z * std::max(b.mentions.sd(), 1.0)),
                    alpha_);
  if (s.scored > 0) {
    b.negative_share.Update(clip(share, drop, b.negative_share.mean + options_.rise), alpha_);
  }
}

void Aggregator::Detect(int32_t partition, const std::string& brand, BrandState& b, AlertKind kind,
                        bool condition, int64_t start, const Window& w, double measured,
                        const Baseline& usual, std::vector<AlertEvent>& out) {
  Episode& ep = b.episodes[static_cast<int>(kind)];
  const int64_t end = start + options_.window_ms;
  // The event of this window for the episode as it stands.
  auto event = [&]() -> AlertEvent& {
    AlertEvent& e = out.emplace_back();
    e.kind = kind;
    e.id = ep.id;
    e.brand = brand;
    e.brand_name = b.name;
    e.partition = partition;
    e.starts_at_ms = ep.starts_at_ms;
    e.window_start_ms = start;
    e.window_end_ms = end;
    e.windows = ep.windows;
    e.observed = w.stats;
    e.measured = measured;
    e.usual = usual.mean;
    e.usual_sd = usual.sd();
    return e;
  };
  if (!condition) {
    if (!ep.active || ++ep.quiet < options_.resolve_after_windows) return;
    AlertEvent& e = event();
    e.resolved = true;
    e.ends_at_ms = ep.last_end_ms;
    ep = Episode{};
    return;
  }
  if (!ep.active) {
    ep.active = true;
    ep.id = brand + "/" + std::string(AlertKindName(kind)) + "/" + std::to_string(start);
    ep.starts_at_ms = start;
    ep.windows = 0;
  }
  ++ep.windows;
  ep.quiet = 0;
  ep.last_end_ms = end;
  AlertEvent& e = event();
  switch (kind) {
    case AlertKind::kComplaintStorm:
      e.posts = w.complaints;
      break;
    case AlertKind::kSentimentDrop:
      e.posts = w.negatives;
      break;
    default:
      e.posts = w.reach.empty() ? w.complaints : w.reach;
      break;
  }
}

std::optional<int64_t> Aggregator::HeldFrom(int32_t partition) const {
  auto it = partitions_.find(partition);
  if (it == partitions_.end()) return std::nullopt;
  int64_t min = INT64_MAX;
  for (const auto& [brand, b] : it->second.brands) {
    for (const auto& [start, w] : b.open) min = std::min(min, w.min_offset);
  }
  if (min == INT64_MAX) return std::nullopt;
  return min;
}

void Aggregator::DropPartition(int32_t partition) { partitions_.erase(partition); }

size_t Aggregator::open_windows() const {
  size_t n = 0;
  for (const auto& [partition, p] : partitions_) {
    for (const auto& [brand, b] : p.brands) n += b.open.size();
  }
  return n;
}

size_t Aggregator::brands() const {
  size_t n = 0;
  for (const auto& [partition, p] : partitions_) n += p.brands.size();
  return n;
}

std::string AlertSummary(const AlertEvent& e, int64_t window_ms) {
  char buf[512];
  const std::string& name = e.brand_name.empty() ? e.brand : e.brand_name;
  const std::string window = Duration(window_ms);
  switch (e.kind) {
    case AlertKind::kComplaintStorm:
      std::snprintf(buf, sizeof buf, "Complaint storm: %s had %lld complaints in %s (usual %.1f)",
                    name.c_str(), static_cast<long long>(e.observed.complaints), window.c_str(),
                    e.usual);
      break;
    case AlertKind::kMentionSpike:
      std::snprintf(buf, sizeof buf, "Mention spike: %s had %lld mentions in %s (usual %.1f)",
                    name.c_str(), static_cast<long long>(e.observed.mentions), window.c_str(),
                    e.usual);
      break;
    case AlertKind::kSentimentDrop:
      std::snprintf(buf, sizeof buf,
                    "Sentiment drop: %.0f%% of %lld scored posts about %s were negative in %s "
                    "(usual %.0f%%)",
                    100 * e.measured, static_cast<long long>(e.observed.scored), name.c_str(),
                    window.c_str(), 100 * e.usual);
      break;
    case AlertKind::kUrgentComplaint: {
      const Example* p = e.posts.empty() ? nullptr : &e.posts.front();
      std::string reach =
          p && p->followers >= 0 ? ", " + std::to_string(p->followers) + " followers" : "";
      std::snprintf(buf, sizeof buf, "Urgent complaint about %s (P%d%s) by %s", name.c_str(),
                    p ? p->priority : 0, reach.c_str(),
                    p && !p->author.empty() ? ("@" + p->author).c_str() : "an unknown author");
      break;
    }
  }
  std::string s = buf;
  if (e.resolved) s = "Resolved: " + s;
  return s;
}

std::string AlertJson(const AlertEvent& e, int64_t window_ms) {
  std::string out;
  out.reserve(1024 + 512 * e.posts.size());
  out += '{';
  AppendKey(out, "schema");
  out += "\"earshot.alert.v1\"";
  AppendKey(out, "id");
  ingest::AppendJsonString(e.id, out);
  AppendKey(out, "kind");
  ingest::AppendJsonString(AlertKindName(e.kind), out);
  AppendKey(out, "alertname");
  ingest::AppendJsonString(AlertName(e.kind), out);
  AppendKey(out, "status");
  out += e.resolved ? "\"resolved\"" : "\"firing\"";
  AppendKey(out, "brand");
  out += "{\"id\":";
  ingest::AppendJsonString(e.brand, out);
  out += ",\"name\":";
  ingest::AppendJsonString(e.brand_name.empty() ? e.brand : e.brand_name, out);
  out += '}';
  AppendKey(out, "summary");
  ingest::AppendJsonString(AlertSummary(e, window_ms), out);
  AppendKey(out, "starts_at_ms");
  out += std::to_string(e.starts_at_ms);
  if (e.resolved || e.kind == AlertKind::kUrgentComplaint) {
    AppendKey(out, "ends_at_ms");
    out += std::to_string(e.ends_at_ms);
  }
  AppendKey(out, "window");
  out += "{\"start_ms\":" + std::to_string(e.window_start_ms) +
         ",\"end_ms\":" + std::to_string(e.window_end_ms) + '}';
  AppendKey(out, "windows");
  out += std::to_string(e.windows);
  if (e.kind != AlertKind::kUrgentComplaint) {
    const WindowStats& s = e.observed;
    AppendKey(out, "observed");
    out += "{\"mentions\":" + std::to_string(s.mentions) +
           ",\"complaints\":" + std::to_string(s.complaints) +
           ",\"scored\":" + std::to_string(s.scored) +
           ",\"negative\":" + std::to_string(s.negative) +
           ",\"positive\":" + std::to_string(s.positive) + ",\"negative_share\":";
    AppendNumber(out, s.negative_share());
    out += ",\"mean_compound\":";
    AppendNumber(out, s.scored ? s.compound_sum / static_cast<double>(s.scored) : 0.0);
    out += '}';
    AppendKey(out, "measured");
    AppendNumber(out, e.measured);
    AppendKey(out, "usual");
    out += "{\"mean\":";
    AppendNumber(out, e.usual);
    out += ",\"sd\":";
    AppendNumber(out, e.usual_sd);
    out += '}';
  }
  AppendKey(out, "posts");
  out += '[';
  for (size_t i = 0; i < e.posts.size(); ++i) {
    const Example& p = e.posts[i];
    if (i) out += ',';
    out += "{\"id\":";
    ingest::AppendJsonString(p.post_id, out);
    out += ",\"source\":";
    ingest::AppendJsonString(p.source, out);
    if (!p.url.empty()) {
      out += ",\"url\":";
      ingest::AppendJsonString(p.url, out);
    }
    if (!p.author.empty()) {
      out += ",\"author\":";
      ingest::AppendJsonString(p.author, out);
    }
    if (p.followers >= 0) out += ",\"followers\":" + std::to_string(p.followers);
    out += ",\"created_at_ms\":" + std::to_string(p.event_ms);
    out += ",\"complaint\":";
    out += p.complaint ? "true" : "false";
    if (p.priority) out += ",\"priority\":\"P" + std::to_string(p.priority) + '"';
    if (!p.category.empty()) {
      out += ",\"category\":";
      ingest::AppendJsonString(p.category, out);
    }
    out += ",\"compound\":";
    AppendNumber(out, p.compound);
    out += ",\"text\":";
    ingest::AppendJsonString(p.text, out);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace earshot::pipeline::aggregate
