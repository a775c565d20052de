// The generator: each record is valid JSON in the format of the topic it is written to, the
// same seed gives the same records, and brands, languages and malformed records appear as set.
#include "app/generator.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ingest/format.h"

namespace earshot::app {
namespace {

using ingest::Format;

GeneratorOptions Options(uint64_t seed, double malformed_rate) {
  GeneratorOptions o;
  o.brands = {"Nimbus Air", "Parcelly", "Q8 Mobile"};
  o.seed = seed;
  o.malformed_rate = malformed_rate;
  o.topic_prefix = "t.";
  return o;
}

bool ValidJson(const std::string& value) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  return parser.parse(value).get(doc) == simdjson::SUCCESS;
}

TEST(GeneratorTest, WritesEachTopicInItsFormat) {
  const std::map<std::string, std::set<Format>> formats = {
      {"t.x", {Format::kXV2}},
      {"t.x.v1", {Format::kXV1}},
      {"t.reddit", {Format::kReddit}},
      {"t.bluesky", {Format::kBluesky}},
      {"t.mastodon", {Format::kMastodon}},
      {"t.reviews", {Format::kYelp, Format::kAmazon, Format::kAppScraper}},
  };
  Generator gen(Options(3, 0));
  std::map<std::string, int> per_topic;
  std::set<Format> review_formats;
  GeneratedRecord r;
  for (int i = 0; i < 5000; ++i) {
    gen.Next(i * 0.001, 1795000000000 + i, r);
    ASSERT_TRUE(formats.contains(r.topic)) << r.topic;
    ASSERT_FALSE(r.key.empty()) << r.value;
    ASSERT_TRUE(ValidJson(r.value)) << r.value;
    const std::optional<Format> f = ingest::DetectJsonFormat(r.value);
    ASSERT_TRUE(f.has_value()) << r.value;
    ASSERT_TRUE(formats.at(r.topic).contains(*f)) << r.topic << ": " << r.value;
    ++per_topic[r.topic];
    if (r.topic == "t.reviews") review_formats.insert(*f);
  }
  EXPECT_EQ(per_topic.size(), formats.size());
  EXPECT_EQ(review_formats.size(), 3u);
  // The source mix: 40 % X v2, 10 % X v1.1, 15 % each Reddit and Bluesky, 10 % each Mastodon and
  // reviews, within a few points over 5,000 records.
  EXPECT_NEAR(per_topic["t.x"], 2000, 150);
  EXPECT_NEAR(per_topic["t.reviews"], 500, 100);
}

TEST(GeneratorTest, SameSeedSameRecords) {
  Generator a(Options(11, 0.003)), b(Options(11, 0.003)), c(Options(12, 0.003));
  GeneratedRecord ra, rb, rc;
  int differ = 0;
  for (int i = 0; i < 2000; ++i) {
    a.Next(i * 0.001, 1795000000000 + i, ra);
    b.Next(i * 0.001, 1795000000000 + i, rb);
    c.Next(i * 0.001, 1795000000000 + i, rc);
    ASSERT_EQ(ra.topic, rb.topic);
    ASSERT_EQ(ra.key, rb.key);
    ASSERT_EQ(ra.value, rb.value);
    differ += ra.value != rc.value;
  }
  EXPECT_GT(differ, 1900);
}

TEST(GeneratorTest, MentionsBrandsAndBreaksSomeRecordsOnPurpose) {
  Generator gen(Options(5, 0.05));
  GeneratedRecord r;
  int mentions = 0, invalid = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    gen.Next(i * 0.001, 1795000000000 + i, r);
    mentions += r.value.find("Nimbus Air") != std::string::npos ||
                r.value.find("Parcelly") != std::string::npos ||
                r.value.find("Q8 Mobile") != std::string::npos ||
                r.value.find("@NimbusAir") != std::string::npos ||
                r.value.find("@Q8Mobile") != std::string::npos;
    invalid += !ValidJson(r.value) || !ingest::DetectJsonFormat(r.value).has_value();
  }
  // mention_rate 0.35; malformed_rate 0.05 (a truncated, non-UTF-8 or non-post record).
  EXPECT_NEAR(mentions, n * 0.35, n * 0.05);
  EXPECT_NEAR(invalid, n * 0.05, n * 0.025);
}

TEST(GeneratorTest, ComplaintStormFocusesOnOneBrand) {
  GeneratorOptions o = Options(7, 0);
  o.scenario = "complaint-storm";
  o.storm_at_s = 1.0;
  o.storm_brand = 1;  // Parcelly
  Generator gen(o);
  GeneratedRecord r;
  int before = 0, during = 0;
  for (int i = 0; i < 4000; ++i) {
    const double t = i < 2000 ? 0.5 : 1.5;
    gen.Next(t, 1795000000000 + i, r);
    (i < 2000 ? before : during) += r.value.find("Parcelly") != std::string::npos;
  }
  // Before: a third of the mentions, about 12 % of posts; during: 40 % more on top.
  EXPECT_GT(during, before + 2000 * 3 / 10);
}

}  // namespace
}  // namespace earshot::app
