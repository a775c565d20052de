// `earshot aggregate` on the embedded broker (librdkafka's mock cluster): enriched records made by
// the service's own enrichment chain from generated posts, a complaint storm about one brand, and
// what must come out: the storm alert for that brand only, with posts of the storm, resolved once
// it is over; every record accounted for; offsets committed only past closed windows and
// acknowledged outputs.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "app/aggregate_service.h"
#include "app/brands.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/generator.h"
#include "ingest/embedded_broker.h"
#include "pipeline/enrich.h"
#include "tests/integration/kafka_harness.h"
#include "tests/testing/fixtures.h"

namespace earshot::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPartitions = 4;
constexpr int64_t kWindowMs = 2000;
constexpr int kHistory = 12;  // windows of ordinary traffic before the storm
constexpr int kStorm = 3;     // windows of storm
constexpr int kAfter = 8;     // ordinary windows after it

template <typename Pred>
bool WaitFor(Pred pred, int seconds) {
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Enriched {
  std::vector<app::GeneratedRecord> records;  // to topic earshot.enriched, keyed by brand
  // Complaint post ids about each brand, by window start.
  std::map<std::string, std::map<int64_t, std::set<std::string>>> complaints;
  int64_t storm_start = 0, storm_end = 0;
};

class AggregateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    broker_ = ingest::EmbeddedBroker::Create(3,
                                             {{"earshot.enriched", kPartitions},
                                              {"earshot.alerts", kPartitions},
                                              {"earshot.dead-letter", kPartitions}},
                                             error);
    ASSERT_NE(broker_, nullptr) << error;
    bootstrap_ = broker_->bootstrap_servers();
    group_ = "agg-" + std::to_string(std::random_device{}());
  }

  std::shared_ptr<const app::Config> Config(const std::string& aggregator_extra = "") {
    std::string path = dir_.path + "/earshot.yaml";
    std::ofstream(path)
        << "inputs:\n  - {name: x, topic: raw.x, format: x_v2}\n"
        << "kafka:\n  bootstrap: " << bootstrap_ << "\n  group_id: " << group_
        << "\n  consumer:\n    session.timeout.ms: 6000\n    heartbeat.interval.ms: 500\n"
        << "service:\n  shutdown_timeout_ms: 5000\n"
        << "brands:\n"
        << "  - {id: nimbus-air, name: Nimbus Air, query: '\"nimbus air\" OR @NimbusAir'}\n"
        << "  - {id: brightbean, name: Brightbean, query: 'brightbean OR @Brightbean'}\n"
        << "  - {id: parcelly, name: Parcelly, query: 'parcelly OR @Parcelly'}\n"
        << "aggregator:\n  window_seconds: 2\n  allowed_lateness_seconds: 1\n"
        << "  idle_seconds: 1\n  history_windows: 8\n  baseline_windows: 10\n"
        << "  resolve_after_windows: 3\n  commit_interval_ms: 200\n"
        << "  admin_listen: 127.0.0.1:0\n"
        << "  urgent_complaint: {enabled: false}\n"
        << aggregator_extra;
    auto loaded = app::LoadConfig(path);
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.errors[0].ToString());
    return loaded.config;
  }

  // Posts in the real source formats, `per_window` a window, enriched by the service's chain.
  // The storm windows carry the generator's complaint storm about Nimbus Air.
  Enriched Make(const app::Config& config, int per_window) {
    Enriched out;
    std::vector<app::ConfigError> errors;
    auto rules = app::CompileBrands(config, errors);
    auto sentiment = app::LoadSentiment(&config, "", true);
    auto complaints = app::LoadComplaints(&config, "");
    EXPECT_TRUE(rules && sentiment && complaints);
    if (!rules || !sentiment || !complaints) return out;
    pipeline::Enricher enricher(ingest::ParserOptions{}, rules, sentiment, complaints);
    app::GeneratorOptions go;
    go.brands = {"Nimbus Air", "Brightbean", "Parcelly"};
    go.malformed_rate = 0;
    go.scenario = "complaint-storm";
    go.storm_at_s = kHistory;  // "elapsed" below is the window number
    app::Generator gen(go);
    // Far enough in the past that every window can close at once, recent enough to be real.
    const int64_t total = kHistory + kStorm + kAfter;
    const int64_t base = (NowMs() - (total + 30) * kWindowMs) / kWindowMs * kWindowMs;
    out.storm_start = base + kHistory * kWindowMs;
    out.storm_end = out.storm_start + kStorm * kWindowMs;
    app::GeneratedRecord raw;
    pipeline::EnrichResult result;
    simdjson::dom::parser parser;
    for (int k = 0; k < total; ++k) {
      bool storm = k >= kHistory && k < kHistory + kStorm;
      for (int i = 0; i < per_window; ++i) {
        // The generator dates a post up to 2 s before `now`: the window's end.
        gen.Next(storm ? k : 0, base + (k + 1) * kWindowMs - 1, raw);
        ingest::Format format = raw.topic == "raw.x"          ? ingest::Format::kXV2
                                : raw.topic == "raw.x.v1"     ? ingest::Format::kXV1
                                : raw.topic == "raw.reddit"   ? ingest::Format::kReddit
                                : raw.topic == "raw.bluesky"  ? ingest::Format::kBluesky
                                : raw.topic == "raw.mastodon" ? ingest::Format::kMastodon
                                                              : ingest::Format::kAuto;
        enricher.Process(format, raw.value, raw.value.size(), ingest::Origin{raw.topic, 0, 0},
                         result);
        for (size_t r = 0; r < result.count; ++r) {
          const pipeline::OutputRecord& o = result.records[r];
          out.records.push_back({"earshot.enriched", o.key, o.value});
          if (o.complaint) {
            simdjson::dom::element doc;
            EXPECT_EQ(parser.parse(o.value).get(doc), simdjson::SUCCESS);
            int64_t t = doc["post"]["created_at_ms"].get_int64().value_unsafe();
            std::string id(doc["post"]["id"].get_string().value_unsafe());
            out.complaints[o.key][t / kWindowMs * kWindowMs].insert(id);
          }
        }
      }
    }
    return out;
  }

  struct Run {
    std::unique_ptr<app::AggregateService> service;
    std::thread thread;
    int code = -1;
    int Stop() {
      service->RequestStop();
      thread.join();
      return code;
    }
  };

  std::unique_ptr<Run> Start(std::shared_ptr<const app::Config> config) {
    auto run = std::make_unique<Run>();
    std::string error;
    run->service = app::AggregateService::Create(config, bootstrap_, error);
    EXPECT_NE(run->service, nullptr) << error;
    if (!run->service) return nullptr;
    run->thread = std::thread([r = run.get()] { r->code = r->service->Run(); });
    return run;
  }

  // The aggregator's group: kafka.group_id + "-aggregator" unless aggregator.group_id is set.
  int64_t Committed() {
    return CommittedOffsets(bootstrap_, group_ + "-aggregator", "earshot.enriched", kPartitions);
  }

  struct Alert {
    std::string kind, status, id, brand;
    int64_t window_start = 0;
    std::vector<std::string> posts;
  };

  std::vector<Alert> Alerts() {
    std::vector<Alert> out;
    simdjson::dom::parser parser;
    for (const Record& r : ReadTopic(bootstrap_, "earshot.alerts")) {
      simdjson::dom::element doc;
      EXPECT_EQ(parser.parse(r.value).get(doc), simdjson::SUCCESS) << r.value;
      Alert a;
      a.kind = std::string(doc["kind"].get_string().value_unsafe());
      a.status = std::string(doc["status"].get_string().value_unsafe());
      a.id = std::string(doc["id"].get_string().value_unsafe());
      a.brand = std::string(doc["brand"]["id"].get_string().value_unsafe());
      EXPECT_EQ(r.key, a.brand);
      a.window_start = doc["window"]["start_ms"].get_int64().value_unsafe();
      simdjson::dom::array posts;
      EXPECT_EQ(doc["posts"].get(posts), simdjson::SUCCESS);
      for (simdjson::dom::element p : posts) {
        a.posts.emplace_back(p["id"].get_string().value_unsafe());
      }
      out.push_back(std::move(a));
    }
    return out;
  }

  static double Metric(int port, const std::string& series) {
    std::string body;
    if (HttpGet(port, "/metrics", &body) != 200) return -1;
    const std::string name = "\n" + series + " ";
    size_t at = body.find(name);
    return at == std::string::npos ? -1 : std::atof(body.c_str() + at + name.size());
  }

  TempDir dir_;
  std::unique_ptr<ingest::EmbeddedBroker> broker_;
  std::string bootstrap_;
  std::string group_;
};

TEST_F(AggregateTest, AStormPagesForItsBrandWithItsPostsAndEveryRecordIsAccountedFor) {
  auto config = Config();
  Enriched in = Make(*config, 120);
  ASSERT_FALSE(in.records.empty());
  // Two records that are not per-brand enriched records: dead letters.
  std::vector<app::GeneratedRecord> records = in.records;
  records.push_back({"earshot.enriched", "nimbus-air", "{\"schema\":\"earshot.enriched.v1\""});
  records.push_back({"earshot.enriched", "x", R"({"schema":"earshot.enriched.v1","brands":[]})"});
  ASSERT_TRUE(ProduceAll(bootstrap_, records));
  const int64_t end = EndOffsets(bootstrap_, "earshot.enriched");
  ASSERT_EQ(end, static_cast<int64_t>(records.size()));

  auto run = Start(config);
  ASSERT_NE(run, nullptr);
  const app::AggregateStats& st = run->service->stats();
  // Everything read, every window closed (the partitions go idle), every alert acknowledged
  // and the offsets committed to the end.
  EXPECT_TRUE(WaitFor([&] { return Committed() == end; }, 60))
      << "committed " << Committed() << " of " << end << "; consumed " << st.consumed.load()
      << ", counted " << st.counted.load() << ", windows closed " << st.windows_closed.load()
      << ", alerts " << st.alerts.load() << ", acked " << st.outputs_acked.load() << ", commits "
      << st.commits.load();
  std::vector<Alert> alerts;
  EXPECT_TRUE(WaitFor(
      [&] {
        alerts = Alerts();
        for (const Alert& a : alerts) {
          if (a.kind == "complaint_storm" && a.status == "resolved") return true;
        }
        return false;
      },
      30));
  EXPECT_EQ(run->Stop(), 0);

  EXPECT_EQ(st.consumed.load(), end);
  EXPECT_EQ(st.counted.load() + st.late.load() + st.future.load() + st.dead_lettered.load(),
            st.consumed.load());
  EXPECT_EQ(st.dead_lettered.load(), 2);
  EXPECT_EQ(st.late.load(), 0);  // one producer, in order: nothing late
  std::vector<Record> dead = ReadTopic(bootstrap_, "earshot.dead-letter");
  ASSERT_EQ(dead.size(), 2u);
  for (const Record& r : dead) {
    EXPECT_EQ(r.headers.at("earshot.reason"), "not_enriched");
    EXPECT_EQ(r.headers.at("earshot.source.topic"), "earshot.enriched");
  }

  int firing = 0, resolved = 0;
  std::string episode;
  for (const Alert& a : alerts) {
    if (a.kind != "complaint_storm") continue;
    EXPECT_EQ(a.brand, "nimbus-air") << "only the storming brand pages";
    if (episode.empty()) episode = a.id;
    EXPECT_EQ(a.id, episode) << "one storm, one episode";
    if (a.status == "resolved") {
      ++resolved;
      continue;
    }
    ++firing;
    EXPECT_GE(a.window_start, in.storm_start);
    EXPECT_LT(a.window_start, in.storm_end);
    // The posts attached are complaints about the brand from the window that fired.
    const std::set<std::string>& window = in.complaints["nimbus-air"][a.window_start];
    ASSERT_FALSE(a.posts.empty());
    for (const std::string& id : a.posts) EXPECT_TRUE(window.count(id)) << id;
  }
  EXPECT_GE(firing, 2) << "the storm lasted three windows";
  EXPECT_EQ(resolved, 1);
  EXPECT_EQ(st.alerts.load(), static_cast<int64_t>(alerts.size()));
}

TEST_F(AggregateTest, OffsetsNeverPassARecordOfAnOpenWindow) {
  // Windows that cannot close (an hour of lateness, partitions never idle): nothing may be
  // committed, and a restart reads every record again and alerts as one run would.
  auto held = Config("  max_future_seconds: 86400\n");
  auto held_config = std::make_shared<app::Config>(*held);
  held_config->aggregator.options.lateness_ms = 3'600'000;
  held_config->aggregator.options.idle_ms = 3'600'000;
  Enriched in = Make(*held, 60);
  ASSERT_TRUE(ProduceAll(bootstrap_, in.records));
  const int64_t end = EndOffsets(bootstrap_, "earshot.enriched");
  auto run = Start(held_config);
  ASSERT_NE(run, nullptr);
  EXPECT_TRUE(WaitFor([&] { return run->service->stats().consumed.load() == end; }, 60));
  // Commit intervals pass; nothing is committed.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_GT(run->service->stats().counted.load(), 0);
  EXPECT_EQ(run->Stop(), 0);
  EXPECT_EQ(Committed(), 0);
  EXPECT_TRUE(Alerts().empty());

  // The same group with windows that close: every record is read again.
  auto again = Start(Config());
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(WaitFor([&] { return Committed() == end; }, 60));
  EXPECT_EQ(again->service->stats().consumed.load(), end);
  EXPECT_EQ(again->Stop(), 0);
  bool storm = false;
  for (const Alert& a : Alerts()) storm |= a.kind == "complaint_storm" && a.brand == "nimbus-air";
  EXPECT_TRUE(storm);
}

TEST_F(AggregateTest, AnUnreachableAlertmanagerHoldsTheOffsetsBack) {
  // Port 1 on loopback: connection refused at once. The alerts still reach the alerts topic,
  // but their Alertmanager posts are unacknowledged, so nothing after them is committed, and
  // the stop reports it.
  auto config = Config("  alertmanager: {url: 'http://127.0.0.1:1', timeout_ms: 500}\n");
  Enriched in = Make(*config, 120);
  ASSERT_TRUE(ProduceAll(bootstrap_, in.records));
  const int64_t end = EndOffsets(bootstrap_, "earshot.enriched");
  auto run = Start(config);
  ASSERT_NE(run, nullptr);
  const app::AggregateStats& st = run->service->stats();
  EXPECT_TRUE(
      WaitFor([&] { return st.alerts.load() > 0 && st.alertmanager_errors.load() > 1; }, 60));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // three commit intervals
  EXPECT_LT(Committed(), end);
  EXPECT_EQ(st.alertmanager_posts.load(), 0);
  int port = run->service->admin_port();
  std::string body;
  EXPECT_EQ(HttpGet(port, "/metrics", &body), 200);
  EXPECT_NE(body.find("earshot_aggregator_alertmanager_posts_total{result=\"error\"}"),
            std::string::npos);
  // While it is down, one post waits per alert, however many windows the alert has fired in:
  // the pending outputs are the distinct alerts on the topic (every record there acknowledged).
  std::set<std::string> ids;
  size_t records = 0;
  EXPECT_TRUE(WaitFor(
      [&] {
        std::vector<Alert> alerts = Alerts();
        records = alerts.size();
        ids.clear();
        for (const Alert& a : alerts) ids.insert(a.id);
        return Metric(port, "earshot_aggregator_pending_outputs") ==
               static_cast<double>(ids.size());
      },
      20))
      << Metric(port, "earshot_aggregator_pending_outputs") << " pending, " << ids.size()
      << " alerts";
  EXPECT_GT(records, ids.size()) << "the storm should fire in more than one window";
  EXPECT_EQ(run->Stop(), 1);
  EXPECT_LT(Committed(), end);
}

TEST_F(AggregateTest, AlertsAboutThePastGoToTheTopicButPageNoOne) {
  // The whole stream is a minute old or more, its alerts older than alertmanager.max_age: a
  // replay. They reach the alerts topic; nothing is posted to Alertmanager (here unreachable, so a
  // post would count an error and hold the offsets), and everything is committed.
  auto config =
      Config("  alertmanager: {url: 'http://127.0.0.1:1', timeout_ms: 500, max_age_seconds: 30}\n");
  Enriched in = Make(*config, 120);
  ASSERT_TRUE(ProduceAll(bootstrap_, in.records));
  const int64_t end = EndOffsets(bootstrap_, "earshot.enriched");
  auto run = Start(config);
  ASSERT_NE(run, nullptr);
  const app::AggregateStats& st = run->service->stats();
  EXPECT_TRUE(WaitFor([&] { return Committed() == end; }, 60));
  EXPECT_EQ(run->Stop(), 0);
  EXPECT_GT(st.alerts.load(), 0);
  EXPECT_GT(st.alertmanager_stale.load(), 0);
  EXPECT_EQ(st.alertmanager_errors.load(), 0);
  bool storm = false;
  for (const Alert& a : Alerts()) storm |= a.kind == "complaint_storm" && a.brand == "nimbus-air";
  EXPECT_TRUE(storm);
}

TEST_F(AggregateTest, UrgentComplaintsPastTheLimitAreCountedNotSent) {
  // Every complaint urgent, one page per brand per 2-s window of the clock: the rest are counted
  // on /metrics, and sent plus counted is every complaint read.
  auto config = Config();
  auto urgent = std::make_shared<app::Config>(*config);
  urgent->aggregator.options.urgent = true;
  urgent->aggregator.options.urgent_priority = 4;
  urgent->aggregator.options.urgent_followers = 0;
  urgent->aggregator.options.max_urgent_per_window = 1;
  Enriched in = Make(*config, 60);
  int64_t complaints = 0;
  for (const auto& [brand, windows] : in.complaints) {
    for (const auto& [start, ids] : windows) complaints += static_cast<int64_t>(ids.size());
  }
  ASSERT_TRUE(ProduceAll(bootstrap_, in.records));
  const int64_t end = EndOffsets(bootstrap_, "earshot.enriched");
  auto run = Start(urgent);
  ASSERT_NE(run, nullptr);
  const int port = run->service->admin_port();
  EXPECT_TRUE(WaitFor([&] { return Committed() == end; }, 60));
  int64_t sent = 0;
  for (const Alert& a : Alerts()) sent += a.kind == "urgent_complaint";
  double suppressed = 0;
  EXPECT_TRUE(WaitFor(
      [&] {
        suppressed = Metric(port, "earshot_aggregator_urgent_suppressed_total");
        return static_cast<int64_t>(suppressed) + sent == complaints;
      },
      10))
      << suppressed << " suppressed + " << sent << " sent, " << complaints << " complaints";
  EXPECT_GT(suppressed, 0);
  EXPECT_GT(sent, 0);
  EXPECT_EQ(run->Stop(), 0);
}

}  // namespace
}  // namespace earshot::testing
