// The parts of `earshot bench` its figures rest on: the latency quantiles from two scrapes of the
// end-to-end histogram, the /stats counts, child processes and their exit codes, YAML quoting of
// brand names, and the brand set built from the public lists (skipped without ../shared).
#include "app/bench_harness.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "app/bench_brands.h"
#include "tests/testing/fixtures.h"

namespace earshot::app::bench {
namespace {

// A Prometheus exposition of the histogram with cumulative counts `counts` for the bounds
// 0.01, 0.02, 0.05, +Inf, among other lines.
std::string Exposition(const double (&counts)[4]) {
  const char* bounds[4] = {"0.01", "0.02", "0.05", "+Inf"};
  std::string out = "# TYPE earshot_end_to_end_seconds histogram\nearshot_other_total 7\n";
  for (int i = 0; i < 4; ++i) {
    out += "earshot_end_to_end_seconds_bucket{le=\"" + std::string(bounds[i]) + "\"} " +
           std::to_string(counts[i]) + "\n";
  }
  out += "earshot_end_to_end_seconds_sum 1.5\nearshot_end_to_end_seconds_count " +
         std::to_string(counts[3]) + "\n";
  return out;
}

TEST(BenchHarnessTest, ReadsTheHistogramBuckets) {
  Buckets b = EndToEndHistogram(Exposition({10, 30, 40, 41}));
  ASSERT_EQ(b.size(), 4u);
  EXPECT_DOUBLE_EQ(b[0].first, 0.01);
  EXPECT_DOUBLE_EQ(b[1].second, 30);
  EXPECT_TRUE(std::isinf(b[3].first));
  EXPECT_DOUBLE_EQ(b[3].second, 41);
  EXPECT_TRUE(EndToEndHistogram("earshot_other_bucket{le=\"1\"} 3\n").empty());
}

TEST(BenchHarnessTest, QuantilesOfWhatHappenedBetweenTwoScrapes) {
  // Before: 10 records in the first bucket. After: 10 + 100 there, 100 more in (0.01, 0.02],
  // nothing above. Between the scrapes: 200 records, half in each of the two buckets.
  Buckets before = EndToEndHistogram(Exposition({10, 10, 10, 10}));
  Buckets after = EndToEndHistogram(Exposition({110, 210, 210, 210}));
  double total = 0;
  // The median is the top of the first bucket; the 75th percentile half-way into the second.
  EXPECT_NEAR(Quantile(before, after, 0.5, total), 0.01, 1e-12);
  EXPECT_DOUBLE_EQ(total, 200);
  EXPECT_NEAR(Quantile(before, after, 0.75, total), 0.015, 1e-12);
  EXPECT_NEAR(Quantile(before, after, 0.99, total), 0.01 + 0.01 * 98 / 100, 1e-12);
  // The 10 records before the first scrape do not count: from an empty histogram instead, the
  // median of all 210 would lie lower, at 105 of the first bucket's 110.
  Buckets zero = EndToEndHistogram(Exposition({0, 0, 0, 0}));
  EXPECT_NEAR(Quantile(zero, after, 0.5, total), 0.01 * 105 / 110, 1e-12);
  EXPECT_DOUBLE_EQ(total, 210);
}

TEST(BenchHarnessTest, QuantileEdgeCases) {
  double total = -1;
  Buckets empty;
  Buckets one = EndToEndHistogram(Exposition({1, 2, 3, 4}));
  EXPECT_TRUE(std::isnan(Quantile(empty, empty, 0.5, total)));
  EXPECT_TRUE(std::isnan(Quantile(empty, one, 0.5, total))) << "scrapes that do not match";
  EXPECT_TRUE(std::isnan(Quantile(one, one, 0.5, total))) << "nothing observed in between";
  EXPECT_DOUBLE_EQ(total, 0);
  // A quantile in the +Inf bucket is the largest finite bound.
  Buckets slow = EndToEndHistogram(Exposition({0, 0, 1, 10}));
  Buckets zero = EndToEndHistogram(Exposition({0, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(Quantile(zero, slow, 0.99, total), 0.05);
  EXPECT_DOUBLE_EQ(total, 10);
}

TEST(BenchHarnessTest, CountsFromStats) {
  const std::string stats =
      R"({"consumed":1200,"enriched":700.5,"filtered":480,"dead_lettered":20})";
  EXPECT_DOUBLE_EQ(JsonCount(stats, "enriched"), 700.5);
  EXPECT_DOUBLE_EQ(JsonCount(stats, "dead_lettered"), 20);
  EXPECT_DOUBLE_EQ(JsonCount(stats, "lost"), 0);
  // "enriched" must not be read from a key that merely ends with it.
  EXPECT_DOUBLE_EQ(JsonCount(R"({"not_enriched":5})", "enriched"), 0);
}

TEST(BenchHarnessTest, ChildExitCodesAndStop) {
  const std::string out = ::earshot::testing::ScratchDir() + "/child.out";
  const std::string err = ::earshot::testing::ScratchDir() + "/child.err";
  Child exits;
  ASSERT_TRUE(exits.Start({"/bin/sh", "-c", "echo hello; echo oops >&2; exit 3"}, out, err));
  EXPECT_EQ(exits.Wait(), 3);
  EXPECT_EQ(ReadAll(out), "hello\n");
  EXPECT_EQ(ReadAll(err), "oops\n");
  EXPECT_EQ(exits.Wait(), -1) << "waited for already";

  Child sleeper;
  ASSERT_TRUE(sleeper.Start({"/bin/sleep", "30"}, out, err));
  const auto t0 = Clock::now();
  sleeper.Stop();  // SIGTERM ends sleep at once
  EXPECT_LT(Seconds(t0, Clock::now()), 5.0);
  EXPECT_EQ(sleeper.pid, -1);

  Child missing;
  EXPECT_FALSE(missing.Start({"/nonexistent/program"}, out, err));
  EXPECT_EQ(missing.Wait(), -1);
  EXPECT_EQ(ReadAll("/nonexistent/file"), "");
}

TEST(BenchHarnessTest, YamlQuotedEscapes) {
  EXPECT_EQ(YamlQuoted("AT&T"), "\"AT&T\"");
  EXPECT_EQ(YamlQuoted(R"(say "hi" \o/)"), R"("say \"hi\" \\o/")");
  EXPECT_EQ(YamlQuoted("two\nlines\t"), "\"two\\x0alines\\x09\"");
}

TEST(BenchBrandsTest, Utf16LittleEndian) {
  // BOM, "A", "é", U+1F600 as a surrogate pair, then a lone high surrogate before "B".
  const std::string bytes(
      "\xFF\xFE"
      "A\0"
      "\xE9\0"
      "\x3D\xD8\x00\xDE"
      "\x3D\xD8"
      "B\0",
      14);
  EXPECT_EQ(Utf16LeToUtf8(bytes),
            "A\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBD"
            "B");
  EXPECT_EQ(Utf16LeToUtf8(std::string("h\0i\0", 4)), "hi");
}

TEST(BenchBrandsTest, ThousandBrandsFromThePublicLists) {
  EARSHOT_REQUIRE_SHARED(sp500, "data/brands/sp500_constituents.csv");
  const std::string dir = sp500.substr(0, sp500.rfind('/'));
  std::vector<std::pair<std::string, std::string>> brands;
  ASSERT_EQ(BuildBrands(dir, brands), "");
  ASSERT_EQ(brands.size(), 1000u);
  std::set<std::string> names;
  int handles = 0, quoted = 0;
  for (const auto& [name, query] : brands) {
    EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
    EXPECT_GE(name.size(), 3u) << name;
    if (name[0] == '@') {
      ++handles;
      EXPECT_EQ(query, name);
    } else if (name[0] != '$') {
      ++quoted;
      EXPECT_EQ(query, "\"" + name + "\"");
      // Legal suffixes are gone: "Apple Inc." is "Apple".
      EXPECT_FALSE(name.ends_with(" Inc") || name.ends_with(" Inc.") ||
                   name.ends_with(" Corporation"))
          << name;
    }
  }
  EXPECT_GT(quoted, 500);
  EXPECT_GT(handles, 0);
  EXPECT_NE(names.count("Apple"), 0u);
  std::vector<std::pair<std::string, std::string>> none;
  EXPECT_NE(BuildBrands("/nonexistent", none).find("/nonexistent: brand lists are missing"),
            std::string::npos);
}

}  // namespace
}  // namespace earshot::app::bench
