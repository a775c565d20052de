// ParseMention on records made by the service's own enrichment chain (so a change to the enriched
// schema that the aggregator would misread fails here), and on records that are not enriched.
#include <gtest/gtest.h>

#include "app/brands.h"
#include "app/commands.h"
#include "app/config.h"
#include "pipeline/aggregate/aggregator.h"
#include "pipeline/enrich.h"

namespace earshot::pipeline::aggregate {
namespace {

constexpr const char* kConfig = R"(inputs:
  - {name: x, topic: raw.x, format: x_v2}
brands:
  - {id: nimbus-air, name: Nimbus Air, query: '"nimbus air" OR @NimbusAir'}
  - {id: parcelly, name: Parcelly, query: 'parcelly'}
)";

std::vector<OutputRecord> Enrich(const std::string& raw) {
  auto loaded = app::LoadConfigFromString(kConfig, "test.yaml");
  EXPECT_TRUE(loaded.ok());
  std::vector<app::ConfigError> errors;
  auto rules = app::CompileBrands(*loaded.config, errors);
  auto sentiment = app::LoadSentiment(loaded.config.get(), "", true);
  auto complaints = app::LoadComplaints(loaded.config.get(), "");
  EXPECT_NE(sentiment, nullptr) << "scripts/setup.sh fetches the sentiment data";
  EXPECT_NE(complaints, nullptr);
  Enricher enricher(ingest::ParserOptions{}, rules, sentiment, complaints);
  EnrichResult result;
  enricher.Process(ingest::Format::kXV2, raw, raw.size(), ingest::Origin{"raw.x", 2, 41}, result);
  EXPECT_EQ(result.outcome, Outcome::kEnriched) << result.reason << " " << result.detail;
  return {result.records.begin(), result.records.begin() + static_cast<ptrdiff_t>(result.count)};
}

TEST(ParseMention, ReadsTheServicesEnrichedRecords) {
  const std::string raw =
      R"({"data":{"id":"1790000000000000001","text":"@NimbusAir flight delayed 3 hours, lost my )"
      R"(bag and nobody helps. Worst airline ever. Parcelly lost my parcel too.","author_id":"501",)"
      R"("created_at":"2026-11-20T08:15:02.000Z","lang":"en"},"includes":{"users":[{"id":"501",)"
      R"("username":"traveller_jo","name":"Jo","public_metrics":{"followers_count":250000}}]}})";
  std::vector<OutputRecord> records = Enrich(raw);
  ASSERT_EQ(records.size(), 2u);  // one per brand
  for (const OutputRecord& r : records) {
    Mention m;
    std::string error;
    ASSERT_TRUE(ParseMention(r.value, m, error)) << error << "\n" << r.value;
    EXPECT_EQ(m.brand, r.key);
    EXPECT_EQ(m.brand_name, r.key == "parcelly" ? "Parcelly" : "Nimbus Air");
    EXPECT_EQ(m.event_ms, 1795162502000);
    EXPECT_TRUE(m.scored);
    EXPECT_EQ(m.label, -1);
    EXPECT_LT(m.compound, -0.3);
    EXPECT_EQ(m.complaint, r.complaint);
    EXPECT_TRUE(m.complaint);
    EXPECT_EQ(m.priority, r.priority);
    EXPECT_FALSE(m.category.empty());
    EXPECT_EQ(m.followers, 250000);
    EXPECT_EQ(m.author, "traveller_jo");
    EXPECT_EQ(m.post_id, "1790000000000000001");
    EXPECT_EQ(m.source, "x");
    EXPECT_EQ(m.url, "https://x.com/traveller_jo/status/1790000000000000001");
    EXPECT_EQ(m.text.substr(0, 10), "@NimbusAir");
  }
}

TEST(ParseMention, CutsLongTextsOnACharacterBoundary) {
  std::string text(kExcerptBytes - 1, 'a');
  text += "\xC3\xA9 nimbus air";  // a two-byte character across the cut
  const std::string raw = R"({"data":{"id":"7","text":")" + text +
                          R"(","author_id":"1","created_at":"2026-11-20T08:15:02.000Z"}})";
  std::vector<OutputRecord> records = Enrich(raw);
  ASSERT_EQ(records.size(), 1u);
  Mention m;
  std::string error;
  ASSERT_TRUE(ParseMention(records[0].value, m, error)) << error;
  EXPECT_EQ(m.text, std::string(kExcerptBytes - 1, 'a'));
  EXPECT_EQ(m.followers, -1);  // not reported
}

TEST(ParseMention, RejectsWhatIsNotAPerBrandEnrichedRecord) {
  Mention m;
  std::string error;
  EXPECT_FALSE(ParseMention("{\"schema\":", m, error));
  EXPECT_NE(error.find("not JSON"), std::string::npos);
  EXPECT_FALSE(ParseMention("[1]", m, error));
  EXPECT_EQ(error, "not a JSON object");
  EXPECT_FALSE(ParseMention(R"({"schema":"earshot.enriched.v2","brand":{"id":"a"}})", m, error));
  EXPECT_NE(error.find("schema"), std::string::npos);
  // `earshot enrich` writes per-post records without `brand`.
  EXPECT_FALSE(ParseMention(R"({"schema":"earshot.enriched.v1","brands":[],"post":{}})", m, error));
  EXPECT_NE(error.find("brand.id"), std::string::npos);
  EXPECT_FALSE(ParseMention(
      R"({"schema":"earshot.enriched.v1","brand":{"id":"a"},"post":{"created_at_ms":"x"}})", m,
      error));
  EXPECT_EQ(error, "no post.created_at_ms");
  EXPECT_TRUE(ParseMention(
      R"({"schema":"earshot.enriched.v1","brand":{"id":"a"},"post":{"created_at_ms":5}})", m,
      error));
  EXPECT_EQ(m.brand_name, "a");
  EXPECT_FALSE(m.scored);
  EXPECT_FALSE(m.complaint);
}

}  // namespace
}  // namespace earshot::pipeline::aggregate
