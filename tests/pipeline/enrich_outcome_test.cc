// The Enricher's outcome for each kind of record: every record is enriched, filtered with a
// reason, or dead-lettered with a reason.
#include <gtest/gtest.h>

#include "pipeline/enrich.h"

namespace earshot::pipeline {
namespace {

struct Case {
  ingest::Format format;
  std::string record;
  Outcome outcome;
  std::string reason;
};

TEST(EnrichOutcomeTest, EveryRecordGetsAnOutcomeAndAReason) {
  std::vector<match::CompileError> errors;
  auto rules = match::RuleSet::Compile({{"acme", "Acme", "acme", "", "", {}}}, {}, errors);
  ASSERT_TRUE(errors.empty());
  Enricher enricher(ingest::ParserOptions{}, rules);
  const std::string status =
      R"({"id":"1","created_at":"2026-11-20T08:15:02.000Z","content":"<p>TEXT</p>",)"
      R"("account":{"id":"5","acct":"a"}})";
  auto with = [&](const std::string& text) {
    std::string s = status;
    s.replace(s.find("TEXT"), 4, text);
    return s;
  };
  const std::vector<Case> cases = {
      {ingest::Format::kMastodon, with("acme again"), Outcome::kEnriched, ""},
      {ingest::Format::kMastodon, with("nothing here"), Outcome::kFiltered, "no_brand"},
      // Well-formed lists with nothing in them: an empty timeline page, an empty search result.
      {ingest::Format::kMastodon, "[]", Outcome::kFiltered, "no_posts"},
      {ingest::Format::kAuto, R"({"accounts":[],"statuses":[],"hashtags":[]})", Outcome::kFiltered,
       "no_posts"},
      {ingest::Format::kXV1, R"({"statuses":[],"search_metadata":{}})", Outcome::kFiltered,
       "no_posts"},
      {ingest::Format::kAuto, R"({"accounts":[],"statuses":[)" + with("acme") + "]}",
       Outcome::kEnriched, ""},
      {ingest::Format::kMastodon, R"({"accounts":[]})", Outcome::kDeadLetter, "not_a_post"},
      {ingest::Format::kMastodon, "[1,", Outcome::kDeadLetter, "malformed_json"},
  };
  EnrichResult result;
  for (const Case& c : cases) {
    enricher.Process(c.format, c.record, c.record.size(), ingest::Origin{}, result);
    EXPECT_EQ(result.outcome, c.outcome) << c.record;
    EXPECT_EQ(result.reason, c.reason) << c.record;
  }
}

}  // namespace
}  // namespace earshot::pipeline
