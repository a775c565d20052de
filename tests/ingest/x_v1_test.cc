#include <gtest/gtest.h>

#include "tests/testing/fixtures.h"

namespace earshot::ingest {
namespace {

using ::earshot::testing::ParseFile;
using ::earshot::testing::ParseText;

TEST(XV1AdapterTest, SearchResponseGivesOneHundredStatuses) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/twitter_v1/simdjson_twitter.json");
  auto parsed = ParseFile(path);
  ASSERT_EQ(parsed.posts.size(), 100u);
  EXPECT_TRUE(parsed.rejections.empty());
  int reposts = 0, replies = 0;
  for (const auto& p : parsed.posts) {
    reposts += p.kind == PostKind::kRepost;
    replies += p.kind == PostKind::kReply;
  }
  EXPECT_EQ(reposts, 73);
  EXPECT_EQ(replies, 6);

  // Ids above 2^53 come from id_str, exactly.
  const Post& first = parsed.posts[0];
  EXPECT_EQ(first.id, "505874924095815681");
  EXPECT_EQ(first.origin.index, 0);
  EXPECT_EQ(first.source, Source::kX);
  EXPECT_EQ(first.kind, PostKind::kPost);
  EXPECT_EQ(first.created_at_ms, 1409444955000);  // Sun Aug 31 00:29:15 +0000 2014
  EXPECT_EQ(first.author.id, "1186275104");
  EXPECT_EQ(first.author.handle, "ayuu0123");
  EXPECT_EQ(first.author.name, "AYUMI");
  EXPECT_EQ(first.author.followers, 262);
  EXPECT_EQ(first.lang, "ja");
  EXPECT_EQ(first.url, "https://x.com/ayuu0123/status/505874924095815681");
  EXPECT_EQ(first.text.rfind("@aym0566x \n\n名前:前田あゆみ", 0), 0u);

  // A retweet whose own text was cut: the original's full text follows "RT @handle: ".
  const Post* rt = parsed.Find("505874903094939648");
  ASSERT_NE(rt, nullptr);
  EXPECT_EQ(rt->kind, PostKind::kRepost);
  EXPECT_EQ(rt->parent_id, "505871615125491712");
  EXPECT_EQ(rt->author.handle, "mote_danshi1");
  EXPECT_EQ(rt->author.followers, 664);
  EXPECT_EQ(rt->created_at_ms, 1409444950000);
  EXPECT_EQ(rt->text.rfind("RT @shiawaseomamori: 一に止まると書いて", 0), 0u);
  const std::string tail = "by神様のカルテ、夏川草介";
  ASSERT_GE(rt->text.size(), tail.size());
  EXPECT_EQ(rt->text.substr(rt->text.size() - tail.size()), tail);

  const Post* reply = parsed.Find("505874920140591104");
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(reply->kind, PostKind::kReply);
  EXPECT_EQ(reply->parent_id, "505874728897085440");
  EXPECT_EQ(reply->text, "@longhairxMIURA 朝一ライカス辛目だよw");
}

TEST(XV1AdapterTest, StreamingLinesUseExtendedTextAndTimestampMs) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/twitter_v1/python-twitter_streaming_lines.jsonl");
  auto parsed = ParseFile(path);
  ASSERT_EQ(parsed.posts.size(), 72u);
  EXPECT_TRUE(parsed.rejections.empty());
  int quotes = 0, replies = 0;
  for (const auto& p : parsed.posts) {
    quotes += p.kind == PostKind::kQuote;
    replies += p.kind == PostKind::kReply;
  }
  EXPECT_EQ(quotes, 8);
  EXPECT_EQ(replies, 33);

  // Entities decoded; links from extended_tweet.entities, not the "i/web/status" stub.
  const Post* expo = parsed.Find("972472962799603712");
  ASSERT_NE(expo, nullptr);
  EXPECT_EQ(expo->origin.line, 8);
  EXPECT_EQ(expo->kind, PostKind::kPost);
  EXPECT_EQ(expo->text,
            "Connect w/ @FloatHarder @mainedoulas and @JadeIntegrated at Portland Mom & Baby Expo "
            "on 5/5 in #portlandme! https://t.co/triAGvO3mY https://t.co/dw57NACq0F");
  EXPECT_EQ(expo->created_at_ms, 1520690596662);  // timestamp_ms, not created_at's seconds
  EXPECT_EQ(expo->author.handle, "MaineBabyExpo");
  EXPECT_EQ(expo->author.followers, 263);
  EXPECT_EQ(expo->lang, "en");
  EXPECT_EQ(expo->links, std::vector<std::string>{"http://www.portlandmomandbabyexpo.com"});

  // Truncated: text ends in "…", extended_tweet.full_text is the whole tweet.
  const Post* long_reply = parsed.Find("972472996366618624");
  ASSERT_NE(long_reply, nullptr);
  EXPECT_EQ(long_reply->kind, PostKind::kReply);
  EXPECT_EQ(long_reply->text.find("…"), std::string::npos);
  const std::string tail =
      "would probably have been whining and whinging for another referendum "
      "on 19th September 2014?";
  ASSERT_GE(long_reply->text.size(), tail.size());
  EXPECT_EQ(long_reply->text.substr(long_reply->text.size() - tail.size()), tail);

  const Post* quote = parsed.Find("972473008953708545");
  ASSERT_NE(quote, nullptr);
  EXPECT_EQ(quote->kind, PostKind::kQuote);
  EXPECT_EQ(quote->parent_id, "972469475994894336");
  EXPECT_EQ(quote->text.rfind("😂😂 you was drunk && i don’t babysit drunk ppl", 0), 0u);
  EXPECT_EQ(quote->author.handle, "ChynaaKDave");
  EXPECT_EQ(quote->created_at_ms, 1520690607666);

  const Post* reply = parsed.Find("972472958584320000");
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(reply->kind, PostKind::kReply);
  EXPECT_EQ(reply->parent_id, "972472543960555520");
  EXPECT_EQ(reply->author.id, "857267033603530752");
}

TEST(XV1AdapterTest, TruncatedStatusTakesExtendedFullTextWhateverTheKeyOrder) {
  // extended_tweet before text, and after it: the full text wins both times.
  for (const char* json :
       {R"({"extended_tweet":{"full_text":"full &amp; long"},"text":"cut…","truncated":true,)"
        R"("id_str":"1","created_at":"Sun Aug 31 00:29:15 +0000 2014","user":{"id_str":"2"}})",
        R"({"text":"cut…","truncated":true,"extended_tweet":{"full_text":"full &amp; long"},)"
        R"("id_str":"1","created_at":"Sun Aug 31 00:29:15 +0000 2014","user":{"id_str":"2"}})"}) {
    auto parsed = ParseText(json, Format::kXV1);
    ASSERT_EQ(parsed.posts.size(), 1u) << json;
    EXPECT_EQ(parsed.posts[0].text, "full & long");
    EXPECT_EQ(parsed.posts[0].created_at_ms, 1409444955000);
  }
}

TEST(XV1AdapterTest, RetweetTextIsPrefixPlusOriginalFullText) {
  auto parsed = ParseText(
      R"({"id_str":"20","text":"RT @orig: short &amp; cut…",)"
      R"("created_at":"Sun Aug 31 00:29:15 +0000 2014",)"
      R"("user":{"id_str":"7","screen_name":"rter","followers_count":5},)"
      R"("retweeted_status":{"id":9007199254740993,"id_str":"9007199254740993","truncated":true,)"
      R"("text":"short &amp; cut…","extended_tweet":{"full_text":"short &amp; complete text",)"
      R"("entities":{"urls":[{"expanded_url":"https://example.com/a"}]}},)"
      R"("user":{"id_str":"8","screen_name":"orig"}}})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.kind, PostKind::kRepost);
  EXPECT_EQ(p.parent_id, "9007199254740993");
  EXPECT_EQ(p.text, "RT @orig: short & complete text");
  EXPECT_EQ(p.author.handle, "rter");
  EXPECT_EQ(p.author.followers, 5);
  EXPECT_EQ(p.links, std::vector<std::string>{"https://example.com/a"});
}

TEST(XV1AdapterTest, IdWithoutIdStrIsReadDigitForDigit) {
  auto parsed = ParseText(
      R"({"id":18446744073709551615,"text":"x","created_at":"Sun Aug 31 00:29:15 +0000 2014",)"
      R"("user":{"id":12,"screen_name":"a"},"in_reply_to_status_id":9007199254740993})",
      Format::kXV1);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].id, "18446744073709551615");
  EXPECT_EQ(parsed.posts[0].author.id, "12");
  EXPECT_EQ(parsed.posts[0].kind, PostKind::kReply);
  EXPECT_EQ(parsed.posts[0].parent_id, "9007199254740993");
}

TEST(XV1AdapterTest, UndeterminedLanguageIsEmptyAndCountsAreRead) {
  auto parsed = ParseText(
      R"({"id_str":"3","text":"hi","created_at":"Sun Aug 31 00:29:15 +0000 2014","lang":"und",)"
      R"("favorite_count":4,"retweet_count":5,"reply_count":6,"quote_count":7,)"
      R"("user":{"id_str":"2","screen_name":"s","name":"N"}})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.lang, "");
  EXPECT_EQ(p.engagement.likes, 4);
  EXPECT_EQ(p.engagement.reposts, 5);
  EXPECT_EQ(p.engagement.replies, 6);
  EXPECT_EQ(p.engagement.quotes, 7);
}

TEST(XV1AdapterTest, ArrayOfStatusesNumbersEachElement) {
  auto parsed = ParseText(
      R"([{"id_str":"1","text":"a","created_at":"Sun Aug 31 00:29:15 +0000 2014",)"
      R"("user":{"id_str":"9"}},)"
      R"({"id_str":"2","created_at":"Sun Aug 31 00:29:15 +0000 2014","user":{"id_str":"9"}},)"
      R"({"id_str":"3","text":"c","created_at":"Sun Aug 31 00:29:16 +0000 2014",)"
      R"("user":{"id_str":"9"}}])");
  ASSERT_EQ(parsed.posts.size(), 2u);
  EXPECT_EQ(parsed.posts[0].origin.index, 0);
  EXPECT_EQ(parsed.posts[1].id, "3");
  EXPECT_EQ(parsed.posts[1].origin.index, 2);
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"missing_text", 1}}));
}

TEST(XV1AdapterTest, StreamControlMessagesAreUnsupportedEvents) {
  auto parsed = ParseText(
      "{\"delete\":{\"status\":{\"id\":1234,\"id_str\":\"1234\",\"user_id\":3,"
      "\"user_id_str\":\"3\"},\"timestamp_ms\":\"1520690595660\"}}\n"
      "{\"limit\":{\"track\":42,\"timestamp_ms\":\"1520690595660\"}}\n"
      "{\"warning\":{\"code\":\"FALLING_BEHIND\",\"message\":\"m\",\"percent_full\":60}}\n");
  EXPECT_TRUE(parsed.posts.empty());
  ASSERT_EQ(parsed.rejections.size(), 3u);
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"unsupported_event", 3}}));
  EXPECT_NE(parsed.rejections[0].detail.find("delete"), std::string::npos);
  EXPECT_NE(parsed.rejections[1].detail.find("limit"), std::string::npos);
  EXPECT_NE(parsed.rejections[2].detail.find("warning"), std::string::npos);
}

TEST(XV1AdapterTest, BadJsonIsMalformed) {
  auto parsed = ParseText(R"({"id_str":"1","text":"a","user":{"id_str":)", Format::kXV1);
  EXPECT_TRUE(parsed.posts.empty());
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"malformed_json", 1}}));
}

TEST(XV1AdapterTest, ANonObjectStatusIsRejectedAloneAndOldLanguageCodesAreMapped) {
  auto parsed =
      ParseText(R"({"statuses":[null,{"id_str":"1","text":"shalom","lang":"iw",)"
                R"("created_at":"Sun Aug 31 00:29:15 +0000 2014","user":{"screen_name":"a"}}]})",
                Format::kXV1);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].lang, "he");
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"not_a_post", 1}}));
}

}  // namespace
}  // namespace earshot::ingest
