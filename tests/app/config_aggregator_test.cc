// The `aggregator:` section and topics.alerts (app/config_aggregator.cc).
#include <gtest/gtest.h>

#include "app/config.h"

namespace earshot::app {
namespace {

constexpr const char* kInputs = "inputs:\n  - {name: x, topic: raw.x}\n";

std::vector<std::string> Errors(const std::string& yaml) {
  std::vector<std::string> out;
  for (const auto& e : LoadConfigFromString(kInputs + yaml, "a.yaml").errors) {
    out.push_back(e.ToString());
  }
  return out;
}

TEST(AggregatorConfigTest, Defaults) {
  auto result = LoadConfigFromString(kInputs, "a.yaml");
  ASSERT_TRUE(result.ok());
  const AggregatorConfig& a = result.config->aggregator;
  EXPECT_EQ(result.config->topics.alerts, "earshot.alerts");
  EXPECT_EQ(a.options.window_ms, 60'000);
  EXPECT_EQ(a.options.history_windows, 30);
  EXPECT_TRUE(a.alertmanager_url.empty());
  EXPECT_TRUE(a.group_id.empty());
}

TEST(AggregatorConfigTest, ReadsEverySetting) {
  auto result = LoadConfigFromString(std::string(kInputs) + R"(topics:
  alerts: care.alerts
aggregator:
  group_id: agg
  window_seconds: 30
  allowed_lateness_seconds: 2.5
  idle_seconds: 10
  max_future_seconds: 60
  history_windows: 20
  baseline_windows: 40
  resolve_after_windows: 3
  examples: 4
  admin_listen: 0.0.0.0:9999
  commit_interval_ms: 500
  complaint_storm: {min_count: 12, ratio: 2.5, z: 4}
  mention_spike: {enabled: false}
  sentiment_drop: {min_scored: 15, negative_share: 0.6, rise: 0.3}
  urgent_complaint: {priority: P2, followers: 0, max_per_window: 5, hold_minutes: 30}
  alertmanager:
    url: http://alertmanager:9093
    timeout_ms: 1500
    resend_seconds: 30
    max_age_seconds: 600
    labels: {cluster: eu-1}
)",
                                     "a.yaml");
  ASSERT_TRUE(result.ok()) << result.errors[0].ToString();
  const Config& c = *result.config;
  const AggregatorConfig& a = c.aggregator;
  const auto& o = a.options;
  EXPECT_EQ(c.topics.alerts, "care.alerts");
  EXPECT_EQ(a.group_id, "agg");
  EXPECT_EQ(o.window_ms, 30'000);
  EXPECT_EQ(o.lateness_ms, 2'500);
  EXPECT_EQ(o.idle_ms, 10'000);
  EXPECT_EQ(o.max_future_ms, 60'000);
  EXPECT_EQ(o.history_windows, 20);
  EXPECT_EQ(o.baseline_windows, 40);
  EXPECT_EQ(o.resolve_after_windows, 3);
  EXPECT_EQ(o.examples, 4);
  EXPECT_EQ(a.admin_listen, "0.0.0.0:9999");
  EXPECT_EQ(a.commit_interval_ms, 500);
  EXPECT_EQ(o.complaint_storm.min_count, 12);
  EXPECT_DOUBLE_EQ(o.complaint_storm.ratio, 2.5);
  EXPECT_DOUBLE_EQ(o.complaint_storm.z, 4);
  EXPECT_FALSE(o.mention_spike.enabled);
  EXPECT_EQ(o.min_scored, 15);
  EXPECT_DOUBLE_EQ(o.negative_share, 0.6);
  EXPECT_DOUBLE_EQ(o.rise, 0.3);
  EXPECT_EQ(o.urgent_priority, 2);
  EXPECT_EQ(o.urgent_followers, 0);
  EXPECT_EQ(o.max_urgent_per_window, 5);
  EXPECT_EQ(o.urgent_hold_ms, 1'800'000);
  EXPECT_EQ(a.alertmanager_url, "http://alertmanager:9093");
  EXPECT_EQ(a.alertmanager_timeout_ms, 1500);
  EXPECT_EQ(a.resend_interval_ms, 30'000);
  EXPECT_EQ(a.alertmanager_max_age_ms, 600'000);
  EXPECT_EQ(a.labels.at("cluster"), "eu-1");
}

TEST(AggregatorConfigTest, ErrorsNameTheLineAndTheProblem) {
  EXPECT_EQ(Errors("aggregator:\n  window_secnds: 5\n"),
            std::vector<std::string>{"a.yaml:4:3: unknown key 'window_secnds' in aggregator; did "
                                     "you mean 'window_seconds'?"});
  EXPECT_EQ(Errors("aggregator:\n  window_seconds: 0\n"),
            std::vector<std::string>{"a.yaml:4:19: 'window_seconds' in aggregator must be "
                                     "between 0.100000 and 86400.000000"});
  EXPECT_EQ(Errors("aggregator:\n  urgent_complaint: {priority: urgent}\n"),
            std::vector<std::string>{
                "a.yaml:4:32: 'priority' in aggregator.urgent_complaint must be P1, P2, P3 or P4 "
                "(the lowest that pages), or P0 (priority alone never pages), found 'urgent'"});
  EXPECT_EQ(Errors("aggregator:\n  alertmanager: {url: alertmanager:9093}\n"),
            std::vector<std::string>{"a.yaml:4:23: 'url' in aggregator.alertmanager must start "
                                     "with http:// or https://"});
  EXPECT_EQ(Errors("aggregator:\n  alertmanager: {url: 'http://a', labels: {bad-name: x}}\n"),
            std::vector<std::string>{"a.yaml:4:44: label name 'bad-name' in "
                                     "aggregator.alertmanager.labels is not a Prometheus label "
                                     "name ([a-zA-Z_][a-zA-Z0-9_]*)"});
  EXPECT_EQ(Errors("aggregator:\n  alertmanager: {url: 'http://a', labels: {severity: info}}\n"),
            std::vector<std::string>{"a.yaml:4:44: label 'severity' in "
                                     "aggregator.alertmanager.labels is set by earshot (alertname, "
                                     "brand, post_id, severity, source, team); route on it "
                                     "instead"});
  EXPECT_EQ(Errors("aggregator:\n  complaint_storm: {ratio: 0.5}\n"),
            std::vector<std::string>{"a.yaml:4:28: 'ratio' in aggregator.complaint_storm must be "
                                     "between 1.000000 and 1000.000000"});
  EXPECT_EQ(Errors("topics: {alerts: earshot.enriched}\n"),
            std::vector<std::string>{
                "a.yaml:3:9: topic 'alerts' must differ from 'enriched' and 'dead_letter'"});
  EXPECT_EQ(Errors("topics: {alerts: raw.x}\n"),
            std::vector<std::string>{"a.yaml:2:5: input topic 'raw.x' is one of earshot's output "
                                     "topics (topics.enriched, topics.dead_letter, "
                                     "topics.alerts): it would read its own records"});
}

}  // namespace
}  // namespace earshot::app
