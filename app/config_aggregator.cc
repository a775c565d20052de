// The `aggregator:` section: how `earshot aggregate` windows the enriched topic, what counts as
// a spike, and where its alerts go (docs/aggregator.md).
#include <cmath>
#include <set>

#include "app/config_reader.h"

namespace earshot::app::config_internal {
namespace {

// Reads `key` as seconds (fractions allowed) into milliseconds.
void Seconds(ConfigReader& r, const YAML::Node& node, const std::string& key, int64_t& out_ms,
             double min, double max, const std::string& what) {
  double seconds = 0;
  if (r.Number(node, key, seconds, min, max, what)) {
    out_ms = static_cast<int64_t>(std::llround(seconds * 1000));
  }
}

void Int(ConfigReader& r, const YAML::Node& node, const std::string& key, int& out, int64_t min,
         int64_t max, const std::string& what) {
  int64_t v = 0;
  if (r.Integer(node, key, v, min, max, what)) out = static_cast<int>(v);
}

void LoadSpike(ConfigReader& r, const YAML::Node& node, pipeline::aggregate::SpikeRule& rule,
               const std::string& what) {
  if (!r.CheckMap(node, {"enabled", "min_count", "ratio", "z"}, what)) return;
  r.Bool(node, "enabled", rule.enabled, what);
  r.Integer(node, "min_count", rule.min_count, 1, 1'000'000'000, what);
  r.Number(node, "ratio", rule.ratio, 1, 1000, what);
  r.Number(node, "z", rule.z, 0, 100, what);
}

}  // namespace

void LoadAggregator(ConfigReader& r, const YAML::Node& node, Config& config) {
  const std::string what = "aggregator";
  if (!r.CheckMap(
          node,
          {"group_id", "window_seconds", "allowed_lateness_seconds", "idle_seconds",
           "max_future_seconds", "history_windows", "baseline_windows", "resolve_after_windows",
           "examples", "admin_listen", "commit_interval_ms", "complaint_storm", "mention_spike",
           "sentiment_drop", "urgent_complaint", "alertmanager"},
          what)) {
    return;
  }
  AggregatorConfig& a = config.aggregator;
  pipeline::aggregate::AggregatorOptions& o = a.options;
  if (r.String(node, "group_id", a.group_id, false, what) && a.group_id.empty()) {
    r.Error(node["group_id"], "'group_id' in aggregator must not be empty");
  }
  Seconds(r, node, "window_seconds", o.window_ms, 0.1, 86400, what);
  Seconds(r, node, "allowed_lateness_seconds", o.lateness_ms, 0, 86400, what);
  Seconds(r, node, "idle_seconds", o.idle_ms, 0.1, 86400, what);
  Seconds(r, node, "max_future_seconds", o.max_future_ms, 0, 86400 * 7, what);
  Int(r, node, "history_windows", o.history_windows, 1, 100000, what);
  Int(r, node, "baseline_windows", o.baseline_windows, 1, 100000, what);
  Int(r, node, "resolve_after_windows", o.resolve_after_windows, 1, 100000, what);
  Int(r, node, "examples", o.examples, 0, 50, what);
  Int(r, node, "commit_interval_ms", a.commit_interval_ms, 10, 600000, what);
  if (r.String(node, "admin_listen", a.admin_listen, false, what) &&
      a.admin_listen.find(':') == std::string::npos) {
    r.Error(node["admin_listen"], "'admin_listen' must be host:port (port 0 picks a free one)");
  }
  if (YAML::Node n = node["complaint_storm"]) {
    LoadSpike(r, n, o.complaint_storm, what + ".complaint_storm");
  }
  if (YAML::Node n = node["mention_spike"])
    LoadSpike(r, n, o.mention_spike, what + ".mention_spike");
  if (YAML::Node n = node["sentiment_drop"]) {
    const std::string w = what + ".sentiment_drop";
    if (r.CheckMap(n, {"enabled", "min_scored", "negative_share", "rise"}, w)) {
      r.Bool(n, "enabled", o.sentiment_drop, w);
      r.Integer(n, "min_scored", o.min_scored, 1, 1'000'000'000, w);
      r.Number(n, "negative_share", o.negative_share, 0, 1, w);
      r.Number(n, "rise", o.rise, 0, 1, w);
    }
  }
  if (YAML::Node n = node["urgent_complaint"]) {
    const std::string w = what + ".urgent_complaint";
    if (r.CheckMap(n, {"enabled", "priority", "followers", "max_per_window", "hold_minutes"}, w)) {
      r.Bool(n, "enabled", o.urgent, w);
      std::string priority;
      if (r.String(n, "priority", priority, false, w)) {
        if (priority.size() == 2 && priority[0] == 'P' && priority[1] >= '0' &&
            priority[1] <= '4') {
          o.urgent_priority = priority[1] - '0';
        } else {
          r.Error(n["priority"], "'priority' in " + w +
                                     " must be P1, P2, P3 or P4 (the lowest that pages), or P0 "
                                     "(priority alone never pages), found '" +
                                     priority + "'");
        }
      }
      r.Integer(n, "followers", o.urgent_followers, 0, int64_t{1} << 40, w);
      Int(r, n, "max_per_window", o.max_urgent_per_window, 0, 100000, w);
      double minutes = 0;
      if (r.Number(n, "hold_minutes", minutes, 1, 7 * 24 * 60, w)) {
        o.urgent_hold_ms = static_cast<int64_t>(std::llround(minutes * 60000));
      }
    }
  }
  if (YAML::Node n = node["alertmanager"]) {
    const std::string w = what + ".alertmanager";
    if (r.CheckMap(n, {"url", "timeout_ms", "resend_seconds", "max_age_seconds", "labels"}, w)) {
      if (r.String(n, "url", a.alertmanager_url, true, w) &&
          a.alertmanager_url.rfind("http://", 0) != 0 &&
          a.alertmanager_url.rfind("https://", 0) != 0) {
        r.Error(n["url"], "'url' in " + w + " must start with http:// or https://");
      }
      Int(r, n, "timeout_ms", a.alertmanager_timeout_ms, 100, 60000, w);
      int64_t resend_ms = a.resend_interval_ms;
      Seconds(r, n, "resend_seconds", resend_ms, 1, 3600, w);
      a.resend_interval_ms = static_cast<int>(resend_ms);
      Seconds(r, n, "max_age_seconds", a.alertmanager_max_age_ms, 1, 86400 * 30, w);
      if (YAML::Node labels = n["labels"]) {
        if (!labels.IsMap()) {
          r.Error(labels, "'labels' in " + w + " must be a mapping, found " + TypeName(labels));
        } else {
          for (const auto& kv : labels) {
            std::string key = kv.first.Scalar();
            bool valid = !key.empty() && !(key[0] >= '0' && key[0] <= '9');
            for (char c : key) {
              valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '_');
            }
            static const std::set<std::string> kReserved = {"alertname", "brand",  "post_id",
                                                            "severity",  "source", "team"};
            if (valid && kReserved.count(key)) {
              r.Error(kv.first, "label '" + key + "' in " + w +
                                    ".labels is set by earshot (alertname, brand, post_id, "
                                    "severity, source, team); route on it instead");
            } else if (!valid) {
              r.Error(kv.first,
                      "label name '" + key + "' in " + w +
                          ".labels is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)");
            } else if (!kv.second.IsScalar()) {
              r.Error(kv.second, "label '" + key + "' in " + w + ".labels must be a string");
            } else {
              a.labels[key] = kv.second.Scalar();
            }
          }
        }
      }
    }
  }
  if (o.lateness_ms >= o.window_ms * 1000) {
    r.Error(node, "aggregator: allowed_lateness_seconds must be under 1000 windows");
  }
}

}  // namespace earshot::app::config_internal
