#include <gtest/gtest.h>

#include "tests/testing/fixtures.h"

namespace earshot::ingest {
namespace {

using ::earshot::testing::ParseFile;
using ::earshot::testing::ParseText;

TEST(XV2AdapterTest, StreamingFixtureGivesEightPostsAndOneStreamError) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/twitter_v2/twarc-csv_streaming_output.jsonl");
  auto parsed = ParseFile(path);
  EXPECT_EQ(parsed.posts.size(), 8u);
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"stream_error", 1}}));
  const Post* fury = parsed.Find("1377650090978992134");
  ASSERT_NE(fury, nullptr);
  EXPECT_EQ(fury->source, Source::kX);
  EXPECT_EQ(fury->kind, PostKind::kQuote);
  EXPECT_EQ(fury->parent_id, "1377640162566496258");
  EXPECT_EQ(fury->author.id, "4602771083");
  EXPECT_FALSE(fury->author.handle.empty());
  EXPECT_TRUE(fury->author.followers.has_value());
  EXPECT_EQ(fury->lang, "en");
  EXPECT_EQ(fury->created_at_ms, 1617292351000);
  ASSERT_EQ(fury->links.size(), 2u);
}

TEST(XV2AdapterTest, TruncatedFinalLineIsMalformed) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/twitter_v2/twarc-csv_streaming_output_with_error.jsonl");
  auto parsed = ParseFile(path);
  EXPECT_EQ(parsed.posts.size(), 7u);
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"malformed_json", 1}}));
}

TEST(XV2AdapterTest, SearchPageJoinsAuthorsFromIncludes) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/twitter_v2/twarc-csv_kpop_search_page.jsonl");
  auto parsed = ParseFile(path);
  EXPECT_EQ(parsed.posts.size(), 100u);
  EXPECT_TRUE(parsed.rejections.empty());
  int with_handle = 0;
  for (const auto& p : parsed.posts) with_handle += !p.author.handle.empty();
  EXPECT_EQ(with_handle, 100);
}

TEST(XV2AdapterTest, ErrorOnlyLineIsAStreamError) {
  auto parsed = ParseText(R"({"errors":[{"title":"operational-disconnect"}]})", Format::kXV2);
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].reason, RejectReason::kStreamError);
  EXPECT_NE(parsed.rejections[0].detail.find("operational-disconnect"), std::string::npos);
}

TEST(XV2AdapterTest, NoteTweetTextReplacesTruncatedTextAndEntitiesAreDecoded) {
  auto parsed = ParseText(
      R"({"data":{"id":"1","text":"short &amp; cut","note_tweet":{"text":"long &amp; full text"},)"
      R"("created_at":"2023-01-01T00:00:00.000Z","author_id":"9","lang":"und"}})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].text, "long & full text");
  EXPECT_EQ(parsed.posts[0].lang, "");
  EXPECT_EQ(parsed.posts[0].url, "https://x.com/i/web/status/1");
}

TEST(XV2AdapterTest, RetweetTakesFullTextFromIncludes) {
  auto parsed = ParseText(
      R"({"data":{"id":"2","text":"RT @a: trunc…","created_at":"2023-01-01T00:00:00Z",)"
      R"("referenced_tweets":[{"type":"retweeted","id":"1"}]},)"
      R"("includes":{"tweets":[{"id":"1","text":"the whole original text"}]}})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].kind, PostKind::kRepost);
  EXPECT_EQ(parsed.posts[0].parent_id, "1");
  EXPECT_EQ(parsed.posts[0].text, "RT @a: the whole original text");
}

TEST(XV2AdapterTest, IdsAboveTwoToThe53StayExact) {
  auto parsed = ParseText(
      R"({"data":{"id":18446744073709551615,"text":"x","created_at":"2023-01-01T00:00:00Z"}})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].id, "18446744073709551615");
}

TEST(XV2AdapterTest, PostWithoutTextIsRejected) {
  auto parsed =
      ParseText(R"({"data":{"id":"5","created_at":"2023-01-01T00:00:00Z"}})", Format::kXV2);
  EXPECT_TRUE(parsed.posts.empty());
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].reason, RejectReason::kMissingText);
}

// Every record is accounted for: one whose data holds no tweet (null, empty, not an object) is a
// stream error when it carries one, else not a post; never nothing.
TEST(XV2AdapterTest, DataWithoutTweetsIsAStreamErrorOrNotAPost) {
  auto null_data =
      ParseText(R"({"data":null,"errors":[{"title":"Not Found Error"}]})", Format::kXV2);
  EXPECT_TRUE(null_data.posts.empty());
  EXPECT_EQ(null_data.ReasonCounts(), (std::map<std::string, int>{{"stream_error", 1}}));
  auto empty = ParseText(R"({"data":[],"meta":{"result_count":0}})", Format::kXV2);
  EXPECT_EQ(empty.ReasonCounts(), (std::map<std::string, int>{{"not_a_post", 1}}));
  auto scalar = ParseText(R"({"data":"x"})", Format::kXV2);
  EXPECT_EQ(scalar.ReasonCounts(), (std::map<std::string, int>{{"not_a_post", 1}}));
}

// A null in a page of tweets is rejected alone; the tweets around it are kept.
TEST(XV2AdapterTest, ANonObjectElementDoesNotDropThePage) {
  auto parsed =
      ParseText(R"({"data":[{"id":"1","text":"a","created_at":"2023-01-01T00:00:00Z"},null,)"
                R"({"id":"3","text":"c","created_at":"2023-01-01T00:00:00Z","lang":"in"}]})",
                Format::kXV2);
  ASSERT_EQ(parsed.posts.size(), 2u);
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"not_a_post", 1}}));
  // X's withdrawn code for Indonesian becomes today's.
  EXPECT_EQ(parsed.posts[1].lang, "id");
}

// created_at comes only when the request asks for it (tweet.fields); a snowflake id dates the
// tweet to the millisecond. An id from before snowflakes (2010) dates nothing.
TEST(XV2AdapterTest, WithoutCreatedAtTheSnowflakeIdGivesTheTime) {
  auto parsed = ParseText(
      R"({"data":[{"id":"1460323737035677698","text":"a"},{"id":"20","text":"b"}]})", Format::kXV2);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].created_at_ms, 1637003285069);  // 2021-11-15T19:08:05.069Z
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"bad_timestamp", 1}}));
}

}  // namespace
}  // namespace earshot::ingest
