// Tests of the pieces every adapter shares: text and time helpers, format detection, framing,
// the parser's limits and the Post JSON writer.
#include <gtest/gtest.h>

#include "ingest/format.h"
#include "ingest/post.h"
#include "ingest/post_parser.h"
#include "ingest/record_reader.h"
#include "ingest/text.h"
#include "ingest/time_parse.h"
#include "tests/testing/fixtures.h"

namespace earshot::ingest {
namespace {

using ::earshot::testing::ParseText;

std::string Unescaped(std::string_view in) {
  std::string out;
  AppendHtmlUnescaped(in, out);
  return out;
}

std::string HtmlText(std::string_view in) {
  std::string out;
  AppendHtmlAsText(in, out);
  return out;
}

TEST(TextTest, DecodesNamedAndNumericReferences) {
  EXPECT_EQ(Unescaped("fish &amp; chips &lt;3 &gt;_&lt; &quot;ok&quot; &#39;x&#39;"),
            "fish & chips <3 >_< \"ok\" 'x'");
  EXPECT_EQ(Unescaped("&#x1F600; &#128512; caf&eacute; &hellip;"), "😀 😀 café …");
  EXPECT_EQ(Unescaped("AT&T & co &bogus; &#xZZ; &#0; &amp"), "AT&T & co &bogus; &#xZZ; &#0; &amp");
  EXPECT_EQ(Unescaped("&#xD800;"), "&#xD800;");  // a lone surrogate is not a character
}

TEST(TextTest, HtmlToText) {
  EXPECT_EQ(HtmlText("<p>Hello <a href=\"x\">@<span>bob</span></a> &amp; friends</p>"
                     "<p>second<br/>line</p>"),
            "Hello @bob & friends\n\nsecond\nline");
  EXPECT_EQ(HtmlText("a < b and <b>c</b>"), "a < b and c");
  EXPECT_EQ(HtmlText("<p></p><p></p><p>x</p>"), "x");
}

TEST(TextTest, JsonStringEscapesAndRepairsUtf8) {
  std::string out;
  AppendJsonString("a\"b\\c\n\t\x01 é", out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001 é\"");
  out.clear();
  AppendJsonString("bad \xff byte", out);
  EXPECT_EQ(out, "\"bad \xEF\xBF\xBD byte\"");
  EXPECT_TRUE(IsValidUtf8("héllo 😀"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));  // truncated
}

TEST(TimeTest, IsoVariants) {
  EXPECT_EQ(ParseIsoTime("2021-04-01T15:52:31.000Z"), 1617292351000);
  EXPECT_EQ(ParseIsoTime("2021-04-01T15:52:31.5Z"), 1617292351500);
  EXPECT_EQ(ParseIsoTime("2021-04-01T15:52:31.123456Z"), 1617292351123);
  EXPECT_EQ(ParseIsoTime("2021-11-20T10:25:34-07:00"), 1637429134000);
  EXPECT_EQ(ParseIsoTime("2021-11-20T10:25:34+0530"), 1637384134000);
  EXPECT_EQ(ParseIsoTime("2024-11-18 17:22:44"), 1731950564000);  // naive: UTC
  EXPECT_EQ(ParseIsoTime("2018-08-18"), 1534550400000);
  EXPECT_EQ(ParseIsoTime("2021-02-30T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseIsoTime("2021-04-01T25:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseIsoTime("2021-04-01T15:52:31Zjunk"), std::nullopt);
  EXPECT_EQ(ParseIsoTime(""), std::nullopt);
}

TEST(TimeTest, TwitterAmazonAndEpochs) {
  EXPECT_EQ(ParseTwitterTime("Sun Aug 31 00:29:15 +0000 2014"), 1409444955000);
  EXPECT_EQ(ParseTwitterTime("Sun Aug 31 02:29:15 +0200 2014"), 1409444955000);
  EXPECT_EQ(ParseTwitterTime("Sun Foo 31 00:29:15 +0000 2014"), std::nullopt);
  EXPECT_EQ(ParseAmazonReviewTime("06 17, 2018"), 1529193600000);
  EXPECT_EQ(ParseAmazonReviewTime("09 2, 2015"), 1441152000000);
  EXPECT_EQ(ParseAmazonReviewTime("13 2, 2015"), std::nullopt);
  EXPECT_EQ(EpochIntToMillis(1529193600), 1529193600000);
  EXPECT_EQ(EpochIntToMillis(1520690595660), 1520690595660);
  EXPECT_EQ(EpochIntToMillis(1779719009132431), 1779719009132);
  EXPECT_EQ(EpochToMillis(1397853025.25), 1397853025250);
  EXPECT_EQ(ParseEpochText("1520690595660"), 1520690595660);
  EXPECT_EQ(ParseEpochText("1397853025.0"), 1397853025000);
  EXPECT_EQ(ParseEpochText("12a"), std::nullopt);
  EXPECT_EQ(EpochToMillis(-1), std::nullopt);
}

TEST(TimeTest, FormatRoundTrips) {
  for (int64_t ms : {int64_t{1}, int64_t{951782400000}, int64_t{1617292351123},
                     int64_t{4102444799999}}) {
    char buf[24];
    FormatIsoMillis(ms, buf);
    EXPECT_EQ(ParseIsoTime(std::string_view(buf, 24)), ms) << std::string_view(buf, 24);
  }
  char buf[24];
  FormatIsoMillis(1617292351123, buf);
  EXPECT_EQ(std::string_view(buf, 24), "2021-04-01T15:52:31.123Z");
}

TEST(FormatTest, NamesRoundTripAndAliases) {
  for (int i = 0; i < kFormatCount; ++i) {
    Format f = static_cast<Format>(i);
    EXPECT_EQ(FormatFromName(FormatName(f)), f);
  }
  EXPECT_EQ(FormatFromName("jetstream"), Format::kBluesky);
  EXPECT_EQ(FormatFromName("nope"), std::nullopt);
}

TEST(FormatTest, DetectsEachSourceFromKeys) {
  EXPECT_EQ(DetectJsonFormat(R"({"did":"d","time_us":1,"kind":"commit"})"), Format::kBluesky);
  EXPECT_EQ(DetectJsonFormat(R"({"statuses":[]})"), Format::kXV1);
  EXPECT_EQ(DetectJsonFormat(R"({"id_str":"1","user":{}})"), Format::kXV1);
  EXPECT_EQ(DetectJsonFormat(R"({"data":{"id":"1","author_id":"2"}})"), Format::kXV2);
  EXPECT_EQ(DetectJsonFormat(R"({"errors":[{"title":"x"}]})"), Format::kXV2);
  EXPECT_EQ(DetectJsonFormat(R"({"kind":"Listing","data":{"children":[]}})"), Format::kReddit);
  EXPECT_EQ(DetectJsonFormat(R"({"body":"b","subreddit":"s"})"), Format::kReddit);
  EXPECT_EQ(DetectJsonFormat(R"({"feed":{"entry":[]}})"), Format::kAppStoreRss);
  EXPECT_EQ(DetectJsonFormat(R"([{"reviewId":"1","content":"c"}])"), Format::kAppScraper);
  EXPECT_EQ(DetectJsonFormat(R"({"review_id":"1","business_id":"b"})"), Format::kYelp);
  EXPECT_EQ(DetectJsonFormat(R"({"asin":"1"})"), Format::kAmazon);
  EXPECT_EQ(DetectJsonFormat(R"({"account":{},"content":"<p>x</p>"})"), Format::kMastodon);
  EXPECT_EQ(DetectJsonFormat(R"({"review":"r","rating":1,"userName":"u"})"), Format::kAppScraper);
  EXPECT_EQ(DetectJsonFormat(R"({"nothing":"here"})"), std::nullopt);
  // A key inside a string value does not count.
  EXPECT_EQ(DetectJsonFormat(R"({"x":"\"asin\": 1"})"), std::nullopt);
}

TEST(FramingTest, TellsLinesFromDocuments) {
  EXPECT_EQ(DetectFraming("{\"a\":1}\n{\"a\":2}\n", Format::kAuto), Framing::kJsonLines);
  EXPECT_EQ(DetectFraming("{\n  \"a\": 1\n}\n", Format::kAuto), Framing::kJsonDocument);
  EXPECT_EQ(DetectFraming("[{\"a\":1},\n{\"a\":2}]", Format::kAuto), Framing::kJsonDocument);
  EXPECT_EQ(DetectFraming("{\"a\":\"}\"}\n{\"a\":2}", Format::kAuto), Framing::kJsonLines);
  EXPECT_EQ(DetectFraming("garbage\n{\"a\":2}", Format::kAuto), Framing::kJsonLines);
  EXPECT_EQ(DetectFraming(":thump\n\nevent: update\n", Format::kAuto), Framing::kSse);
  EXPECT_EQ(DetectFraming("tweet_id,author_id,inbound\n", Format::kAuto), Framing::kCsv);
  EXPECT_EQ(DetectFraming("\xEF\xBB\xBFtweet_id,author_id\n", Format::kAuto), Framing::kCsv);
  EXPECT_EQ(DetectFraming("anything", Format::kTwcsCsv), Framing::kCsv);
}

TEST(ParserTest, GarbageBlankAndUnknownRecords) {
  auto parsed = ParseText("not json\n\n   \n{\"a\":\n{\"who\":\"knows\"}\n");
  EXPECT_TRUE(parsed.posts.empty());
  EXPECT_EQ(parsed.ReasonCounts(),
            (std::map<std::string, int>{{"not_a_post", 1}, {"malformed_json", 2}}));
}

TEST(ParserTest, OversizedRecordsAreRejectedBeforeParsing) {
  ParserOptions options;
  options.max_record_bytes = 64;
  PostParser parser(options);
  ParseOutput out;
  std::string big = R"({"data":{"id":"1","text":")" + std::string(100, 'a') +
                    R"(","created_at":"2023-01-01T00:00:00Z"}})";
  parser.Parse(Format::kXV2, big, big.size(), Origin{}, {}, out);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].reason, RejectReason::kTooLarge);
  EXPECT_TRUE(out.posts.empty());
}

TEST(ParserTest, InvalidUtf8IsABadEncoding) {
  auto parsed = ParseText("{\"data\":{\"id\":\"1\",\"text\":\"\xff\xfe\",\"created_at\":\"2023-01-01T00:00:00Z\"}}",
                          Format::kXV2);
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].reason, RejectReason::kBadEncoding);
}

TEST(ParserTest, UnpaddedInputIsCopiedAndParsed) {
  PostParser parser;
  ParseOutput out;
  std::string record = R"({"data":{"id":"7","text":"hi","created_at":"2023-01-01T00:00:00Z"}})";
  Origin origin;
  origin.topic = "raw.x";
  origin.partition = 3;
  origin.offset = 42;
  parser.Parse(Format::kXV2, record, record.size(), origin, {}, out);
  ASSERT_EQ(out.posts.size(), 1u);
  EXPECT_EQ(out.posts[0].origin.partition, 3);
  EXPECT_EQ(out.posts[0].origin.offset, 42);
}

TEST(ParserTest, OriginsCarryLineNumbers) {
  auto parsed = ParseText(
      "\n{\"data\":{\"id\":\"1\",\"text\":\"a\",\"created_at\":\"2023-01-01T00:00:00Z\"}}\nbroken\n",
      Format::kXV2);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].origin.line, 2);
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].origin.line, 3);
}

TEST(SseTest, OnlyStatusEventsAreParsed) {
  auto parsed = ParseText(
      ":thump\n\nevent: delete\ndata: 123456789012345678901\n\n"
      "event: filters_changed\ndata: undefined\n\n"
      "event: notification\ndata: {\"id\":\"1\"}\n\n");
  EXPECT_TRUE(parsed.posts.empty());
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"unsupported_event", 3}}));
  EXPECT_EQ(parsed.rejections[0].origin.line, 3);
  EXPECT_NE(parsed.rejections[0].detail.find("'delete'"), std::string::npos);
}

TEST(PostJsonTest, WritesEveryField) {
  Post post;
  post.id = "18446744073709551615";
  post.source = Source::kReddit;
  post.kind = PostKind::kComment;
  post.text = "line\n\"quoted\"";
  post.title = "T";
  post.author = {"t2_1", "bob", "Bob", 12};
  post.created_at_ms = 1617292351123;
  post.lang = "en";
  post.rating = 4.5;
  post.url = "https://example.com/x";
  post.parent_id = "p";
  post.root_id = "r";
  post.community = "coffee";
  post.links = {"https://a.example"};
  post.engagement.likes = 3;
  post.engagement.score = -2;
  post.origin.topic = "f.json";
  post.origin.line = 9;
  post.origin.index = 0;
  std::string out;
  AppendPostJson(post, out);
  EXPECT_EQ(out,
            R"({"id":"18446744073709551615","source":"reddit","kind":"comment",)"
            R"("text":"line\n\"quoted\"","title":"T","author":{"id":"t2_1","handle":"bob",)"
            R"("name":"Bob","followers":12},"created_at":"2021-04-01T15:52:31.123Z",)"
            R"("created_at_ms":1617292351123,"lang":"en","rating":4.5,)"
            R"("url":"https://example.com/x","parent_id":"p","root_id":"r",)"
            R"("community":"coffee","links":["https://a.example"],)"
            R"("engagement":{"likes":3,"score":-2},"origin":{"topic":"f.json","line":9,"index":0}})");
}

}  // namespace
}  // namespace earshot::ingest
