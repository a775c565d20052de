// DetectJsonFormat finds its keys in one pass (ScanKeys). Its first version searched the record
// once for every key it asked about; that version is kept here as the reference, and both must
// agree on every line and every 8 KB window of the shared fixtures and on generated records
// full of quotes, escapes, colons and white space.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/format.h"
#include "tests/testing/fixtures.h"

namespace earshot::ingest {
namespace {

bool ReferenceHasKey(std::string_view s, std::string_view key) {
  size_t pos = 0;
  while (true) {
    pos = s.find(key, pos);
    if (pos == std::string_view::npos) return false;
    size_t before = pos;
    size_t after = pos + key.size();
    pos = after;
    if (before == 0 || s[before - 1] != '"' || (before >= 2 && s[before - 2] == '\\')) continue;
    if (after >= s.size() || s[after] != '"') continue;
    size_t k = after + 1;
    while (k < s.size() && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r')) ++k;
    if (k < s.size() && s[k] == ':') return true;
  }
}

bool ReferenceFirstKeyIs(std::string_view s, std::string_view key) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  if (i >= s.size() || s[i] != '{') return false;
  ++i;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  if (s.size() < i + key.size() + 2) return false;
  return s[i] == '"' && s.substr(i + 1, key.size()) == key && s[i + 1 + key.size()] == '"';
}

std::optional<Format> ReferenceDetectIn(std::string_view s) {
  auto has = [s](std::string_view key) { return ReferenceHasKey(s, key); };
  if (has("did") && has("time_us")) return Format::kBluesky;
  if (has("statuses") && has("account") && has("content") && !has("user")) {
    return Format::kMastodon;
  }
  if (has("statuses") || (has("id_str") && has("user"))) return Format::kXV1;
  for (std::string_view key : {"delete", "limit", "warning", "scrub_geo", "status_withheld",
                               "user_withheld", "disconnect"}) {
    if (ReferenceFirstKeyIs(s, key)) return Format::kXV1;
  }
  if (has("data") && (has("author_id") || has("matching_rules") || has("includes") ||
                      has("edit_history_tweet_ids") || has("meta"))) {
    return Format::kXV2;
  }
  if (has("errors") && !has("kind")) return Format::kXV2;
  if (has("subreddit") || has("subreddit_id") ||
      (has("kind") && has("data") &&
       (s.find("\"Listing\"") != std::string_view::npos ||
        s.find("\"t1\"") != std::string_view::npos ||
        s.find("\"t3\"") != std::string_view::npos))) {
    return Format::kReddit;
  }
  if (has("data") && has("text") && has("id")) return Format::kXV2;
  if (has("feed") && has("entry")) return Format::kAppStoreRss;
  if (has("reviewId") && has("content")) return Format::kAppScraper;
  if (has("review_id") && has("business_id")) return Format::kYelp;
  if (has("asin") || has("reviewerID") || has("parent_asin")) return Format::kAmazon;
  if (has("account") && has("content")) return Format::kMastodon;
  if (has("review") && has("rating") && has("userName")) return Format::kAppScraper;
  return std::nullopt;
}

// The first 8 KB, then the whole record when they tell nothing.
std::optional<Format> ReferenceDetect(std::string_view record) {
  if (auto f = ReferenceDetectIn(record.substr(0, 8192))) return f;
  return record.size() > 8192 ? ReferenceDetectIn(record) : std::nullopt;
}

std::string Show(std::optional<Format> f) { return f ? std::string(FormatName(*f)) : "none"; }

TEST(FormatDetectTest, AgreesWithReferenceOnEveryFixture) {
  EARSHOT_REQUIRE_SHARED(dir, "fixtures");
  int checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    // Every line (JSON Lines inputs), and windows of the whole file at many offsets (documents
    // and arrays; windows start and end anywhere, inside strings and escapes too).
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      ASSERT_EQ(Show(DetectJsonFormat(line)), Show(ReferenceDetect(line))) << entry.path();
      ++checked;
    }
    for (size_t at = 0; at < text.size(); at += 997) {
      const std::string_view window = std::string_view(text).substr(at, 8192 + 64);
      ASSERT_EQ(Show(DetectJsonFormat(window)), Show(ReferenceDetect(window)))
          << entry.path() << " at " << at;
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(FormatDetectTest, AgreesWithReferenceOnGeneratedRecords) {
  const std::vector<std::string> pieces = {
      "\"did\"", "\"time_us\"", "\"statuses\"", "\"id_str\"", "\"user\"", "\"data\"",
      "\"author_id\"", "\"meta\"", "\"errors\"", "\"kind\"", "\"subreddit\"", "\"text\"",
      "\"id\"", "\"feed\"", "\"entry\"", "\"reviewId\"", "\"content\"", "\"review_id\"",
      "\"business_id\"", "\"asin\"", "\"account\"", "\"review\"", "\"rating\"", "\"userName\"",
      "\"Listing\"", "\"t3\"", "\"delete\"", "did", "id", ":", " : ", ": ", "\t", "\n", "\"",
      "\\", "\\\"", "{", "}", "[", "]", ",", "1", "\"x\"", "\"long value\"", "{\"limit\""};
  std::mt19937_64 rng(31);
  int found = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string record;
    const int count = 1 + static_cast<int>(rng() % 24);
    for (int k = 0; k < count; ++k) record += pieces[rng() % pieces.size()];
    const auto got = DetectJsonFormat(record);
    ASSERT_EQ(Show(got), Show(ReferenceDetect(record))) << record;
    found += got.has_value();
  }
  EXPECT_GT(found, 10000);  // the generator reaches the detection rules, not only "none"
}

// Reddit dumps sort their keys, so a long comment's "body" comes before "subreddit": the
// format is found past the first 8 KB too.
TEST(FormatDetectTest, FindsKeysAfterALongTextFirst) {
  const std::string long_first = R"({"author":"u","body":")" + std::string(9000, 'x') +
                                 R"(","created_utc":1700000000,"id":"abc","subreddit":"x"})";
  EXPECT_EQ(Show(DetectJsonFormat(long_first)), "reddit");
  EXPECT_EQ(Show(DetectJsonFormat(R"({"body":")" + std::string(20000, 'y') + R"("})")), "none");
}

}  // namespace
}  // namespace earshot::ingest
