// Tests of the pieces every adapter shares: text and time helpers, format detection, framing,
// the parser's limits and the Post JSON writer.
#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "ingest/format.h"
#include "ingest/json_fields.h"
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
  // A surrogate alone is no character: U+FFFD, as HTML5 decodes it. A high one followed by a
  // low one is UTF-16 written out by an encoder that escapes code units: one character.
  EXPECT_EQ(Unescaped("&#xD800;"), "\xEF\xBF\xBD");
  EXPECT_EQ(Unescaped("a&#xDE00;b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(Unescaped("&#55357;&#56832; ok"), "😀 ok");
  EXPECT_EQ(Unescaped("&#xD83D;&#xDE00;&#xD83D;x"), "😀\xEF\xBF\xBDx");
  // HTML 4's whole named set: Latin-1 letters, symbols, Greek.
  EXPECT_EQ(Unescaped("Sch&ouml;n &auml;rgerlich &Uuml;ber &ccedil;a &aacute; &hearts; &alpha;"),
            "Schön ärgerlich Über ça á ♥ α");
}

TEST(TextTest, ReferencesAreAtMostTwelveBytes) {
  // "&#0000000065;" is 13 bytes with its '&' and ';' (12 after the '&'): still a reference;
  // one byte more is text. The ';' is looked for only that far, so a text of many '&' and no
  // ';' costs linear time (it took 1.4 s for a 800 KB Reddit body before).
  EXPECT_EQ(Unescaped("&#0000000065;"), "A");
  EXPECT_EQ(Unescaped("&#00000000065;"), "&#00000000065;");
  std::string many;
  for (int i = 0; i < 200000; ++i) many += "&a";
  EXPECT_EQ(Unescaped(many + "&amp;"), many + "&");
}

TEST(TextTest, StrayAngleBracketsStayText) {
  // Once no '>' follows, every later '<' is text without another search: linear time for a
  // text of many "<a" (0.8 s for a 600 KB Mastodon status before).
  EXPECT_EQ(HtmlText("<a<a<a x"), "<a<a<a x");
  EXPECT_EQ(HtmlText("x <b>bold</b> <i and <u"), "x bold <i and <u");
  std::string many;
  for (int i = 0; i < 200000; ++i) many += "<a";
  EXPECT_EQ(HtmlText(many), many);
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
  // A first line cut short does not turn JSON lines into one broken document...
  EXPECT_EQ(DetectFraming("{\"a\":\"cut\n{\"a\":2}\n{\"a\":3}\n", Format::kAuto),
            Framing::kJsonLines);
  // A capture cut at both ends (its first and its last line broken) is JSON lines too, however
  // few lines it has...
  EXPECT_EQ(DetectFraming("{\"a\":\"cut\n{\"a\":2}\n{\"a\":3}\n{\"a\":", Format::kAuto),
            Framing::kJsonLines);
  EXPECT_EQ(DetectFraming("{\"a\":\"cut\n{\"a\":2}\n{\"a\":", Format::kAuto), Framing::kJsonLines);
  // ...while a valid document with whole objects on lines of their own stays a document.
  EXPECT_EQ(DetectFraming("{\"data\": [\n{\"id\": \"1\"}\n],\n\"includes\": {\"users\": [\n"
                          "{\"id\": \"9\"}\n]}}\n",
                          Format::kAuto),
            Framing::kJsonDocument);
  // ...while a document whose inner objects sit on lines of their own stays a document.
  EXPECT_EQ(DetectFraming("{\"data\": [\n  {\"id\": 1},\n  {\"id\": 2}\n]}\n", Format::kAuto),
            Framing::kJsonDocument);
  EXPECT_EQ(DetectFraming("{\"data\": [\n  {\"id\": 1}\n]}\n", Format::kAuto),
            Framing::kJsonDocument);
  EXPECT_EQ(DetectFraming(":thump\n\nevent: update\n", Format::kAuto), Framing::kSse);
  EXPECT_EQ(DetectFraming("tweet_id,author_id,inbound\n", Format::kAuto), Framing::kCsv);
  EXPECT_EQ(DetectFraming("\xEF\xBB\xBFtweet_id,author_id\n", Format::kAuto), Framing::kCsv);
  EXPECT_EQ(DetectFraming("anything", Format::kTwcsCsv), Framing::kCsv);
}

TEST(TimeTest, CalendarAndRangeLimits) {
  // February 29 only in leap years (2000 is one, 1900 and 2100 are not).
  EXPECT_EQ(ParseIsoTime("2019-02-29T10:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseIsoTime("2100-02-29T10:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseIsoTime("2020-02-29T10:00:00Z"), 1582970400000);
  EXPECT_TRUE(ParseIsoTime("2000-02-29T00:00:00Z").has_value());
  EXPECT_EQ(ParseTwitterTime("Sun Feb 29 00:29:15 +0000 2015"), std::nullopt);
  EXPECT_EQ(ParseIsoTime("2019-04-31T10:00:00Z"), std::nullopt);
  // Times past the year 9999 in UTC cannot be written as four-digit years.
  EXPECT_EQ(ParseIsoTime("9999-12-31T23:00:00-05:00"), std::nullopt);
  EXPECT_EQ(ParseIsoTime("9999-12-31T23:59:59.999Z"), kMaxTimeMs - 1);
  char buf[24];
  FormatIsoMillis(kMaxTimeMs - 1, buf);
  EXPECT_EQ(std::string_view(buf, 24), "9999-12-31T23:59:59.999Z");
}

TEST(ParserTest, EpochsPastTheYear9999AndNegativeCountsAreRefused) {
  // Amazon's unixReviewTime is seconds; 99999999999999 s is in the year 3170843.
  auto far = ParseText(R"({"asin":"B1","reviewerID":"r","reviewText":"ok",)"
                       R"("unixReviewTime":99999999999999})",
                       Format::kAmazon);
  EXPECT_TRUE(far.posts.empty());
  EXPECT_EQ(far.ReasonCounts(), (std::map<std::string, int>{{"bad_timestamp", 1}}));
  auto counts =
      ParseText(R"({"id_str":"1","text":"hi","created_at":"Sun Aug 31 00:29:15 +0000 2014",)"
                R"("favorite_count":-5,"retweet_count":3,)"
                R"("user":{"screen_name":"a","followers_count":-3}})",
                Format::kXV1);
  ASSERT_EQ(counts.posts.size(), 1u);
  EXPECT_FALSE(counts.posts[0].engagement.likes.has_value());
  EXPECT_EQ(counts.posts[0].engagement.reposts, 3);
  EXPECT_FALSE(counts.posts[0].author.followers.has_value());
}

TEST(ParserTest, AByteOrderMarkIsNotPartOfTheFirstRecord) {
  const std::string bom = "\xEF\xBB\xBF";
  const std::string line1 =
      R"({"data":{"id":"1","text":"one","created_at":"2023-01-01T00:00:00Z"}})";
  const std::string line2 =
      R"({"data":{"id":"2","text":"two","created_at":"2023-01-01T00:00:00Z"}})";
  auto lines = ParseText(bom + line1 + "\n" + line2 + "\n", Format::kXV2);
  EXPECT_EQ(lines.posts.size(), 2u) << ::testing::PrintToString(lines.ReasonCounts());
  auto document =
      ParseText(bom +
                    "{\n  \"data\": [\n"
                    R"(    {"id":"1","text":"one","created_at":"2023-01-01T00:00:00Z"},)"
                    "\n"
                    R"(    {"id":"2","text":"two","created_at":"2023-01-01T00:00:00Z"})"
                    "\n  ]\n}\n",
                Format::kXV2);
  EXPECT_EQ(document.posts.size(), 2u) << ::testing::PrintToString(document.ReasonCounts());
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

// max_record_bytes bounds a record from Kafka or a line; a file that is one JSON document (a
// scraper's array of reviews) is read whole whatever its size.
TEST(ParserTest, AWholeFileDocumentIsNotBoundByTheRecordLimit) {
  std::string reviews = "[";
  for (int i = 0; i < 5000; ++i) {
    if (i) reviews += ",\n";
    reviews += R"({"reviewId":"r)" + std::to_string(i) + R"(","userName":"u","content":")" +
               std::string(300, 'a') + R"(","score":4,"at":"2023-01-01 10:00:00"})";
  }
  reviews += "]";
  ASSERT_GT(reviews.size(), size_t{1} << 20);
  ParserOptions options;  // max_record_bytes 1 MiB
  PostParser parser(options);
  simdjson::padded_string buffer(reviews);
  size_t posts = 0, rejections = 0;
  ParseInput(parser, std::string_view(buffer.data(), buffer.size()), Format::kAuto, "reviews.json",
             [&](ParseOutput& out) {
               posts += out.posts.size();
               rejections += out.rejections.size();
             });
  EXPECT_EQ(posts, 5000u);
  EXPECT_EQ(rejections, 0u);
}

TEST(ParserTest, InvalidUtf8IsABadEncoding) {
  auto parsed = ParseText("{\"data\":{\"id\":\"1\",\"text\":\"\xff\xfe\",\"created_at\":\"2023-01-01T00:00:00Z\"}}",
                          Format::kXV2);
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].reason, RejectReason::kBadEncoding);
}

// On-Demand reads a string whose escapes do not decode as absent: such a text must not pass
// for a missing one (filtered), but dead-letter the record as malformed JSON.
TEST(ParserTest, StringsWhoseEscapesDoNotDecodeAreMalformed) {
  for (const char* text :
       {R"(Parcelly \q lost it)", R"(cut emoji \ud83d)", R"(\ude00 alone)", R"(\u12G4)"}) {
    auto parsed = ParseText(std::string(R"({"data":{"id":"1","text":")") + text +
                                R"(","created_at":"2023-01-01T00:00:00Z"}})",
                            Format::kXV2);
    ASSERT_EQ(parsed.rejections.size(), 1u) << text;
    EXPECT_EQ(parsed.rejections[0].reason, RejectReason::kMalformedJson) << text;
    EXPECT_NE(parsed.rejections[0].detail.find("escapes do not decode"), std::string::npos);
  }
  // A page with one good post and one broken one is rejected whole, as bad JSON is.
  auto page = ParseText(R"({"data":[{"id":"1","text":"fine","created_at":"2023-01-01T00:00:00Z"},)"
                        R"({"id":"2","text":"\ud800","created_at":"2023-01-01T00:00:00Z"}]})",
                        Format::kXV2);
  EXPECT_TRUE(page.posts.empty());
  ASSERT_EQ(page.rejections.size(), 1u);
  EXPECT_EQ(page.rejections[0].reason, RejectReason::kMalformedJson);
  // Escapes that decode are text, and a post with no text at all is still missing_text.
  auto fine = ParseText(
      R"({"data":{"id":"1","text":"caf\u00e9 \ud83d\ude00 \"ok\"","created_at":"2023-01-01T00:00:00Z"}})",
      Format::kXV2);
  ASSERT_EQ(fine.posts.size(), 1u);
  EXPECT_EQ(fine.posts[0].text, "caf\xC3\xA9 \xF0\x9F\x98\x80 \"ok\"");
  // Valid JSON the DOM parser refuses (an integer beyond 64 bits) keeps its outcome.
  auto big =
      ParseText(R"({"data":[{"id":"1","text":"ok","created_at":"2023-01-01T00:00:00Z"},)"
                R"({"id":"2","created_at":"2023-01-01T00:00:00Z"}],"n":123456789012345678901})",
                Format::kXV2);
  ASSERT_EQ(big.posts.size(), 1u);
  ASSERT_EQ(big.rejections.size(), 1u);
  EXPECT_EQ(big.rejections[0].reason, RejectReason::kMissingText);
  auto missing =
      ParseText(R"({"data":{"id":"1","created_at":"2023-01-01T00:00:00Z"}})", Format::kXV2);
  ASSERT_EQ(missing.rejections.size(), 1u);
  EXPECT_EQ(missing.rejections[0].reason, RejectReason::kMissingText);
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

// Every field of `p` equals a default-constructed Post's. A field added to Post must be added here
// and to Post::Reset().
void ExpectDefault(const Post& p) {
  const Post d;
  EXPECT_EQ(p.id, d.id);
  EXPECT_EQ(p.source, d.source);
  EXPECT_EQ(p.kind, d.kind);
  EXPECT_EQ(p.text, d.text);
  EXPECT_EQ(p.title, d.title);
  EXPECT_EQ(p.author.id, d.author.id);
  EXPECT_EQ(p.author.handle, d.author.handle);
  EXPECT_EQ(p.author.name, d.author.name);
  EXPECT_EQ(p.author.followers, d.author.followers);
  EXPECT_EQ(p.created_at_ms, d.created_at_ms);
  EXPECT_EQ(p.lang, d.lang);
  EXPECT_EQ(p.rating, d.rating);
  EXPECT_EQ(p.url, d.url);
  EXPECT_EQ(p.parent_id, d.parent_id);
  EXPECT_EQ(p.root_id, d.root_id);
  EXPECT_EQ(p.community, d.community);
  EXPECT_EQ(p.links, d.links);
  EXPECT_EQ(p.engagement.likes, d.engagement.likes);
  EXPECT_EQ(p.engagement.reposts, d.engagement.reposts);
  EXPECT_EQ(p.engagement.replies, d.engagement.replies);
  EXPECT_EQ(p.engagement.quotes, d.engagement.quotes);
  EXPECT_EQ(p.engagement.score, d.engagement.score);
  EXPECT_EQ(p.origin.topic, d.origin.topic);
  EXPECT_EQ(p.origin.partition, d.origin.partition);
  EXPECT_EQ(p.origin.offset, d.origin.offset);
  EXPECT_EQ(p.origin.line, d.origin.line);
  EXPECT_EQ(p.origin.index, d.origin.index);
  std::string json, default_json;
  AppendPostJson(p, json);
  AppendPostJson(d, default_json);
  EXPECT_EQ(json, default_json);
}

void FillEveryField(Post& post) {
  post.id = std::string(40, 'i');
  post.source = Source::kReddit;
  post.kind = PostKind::kComment;
  post.text = std::string(200, 't');
  post.title = std::string(30, 'T');
  post.author = {std::string(20, 'a'), "bob", "Bob", 12};
  post.created_at_ms = 1617292351123;
  post.lang = "en";
  post.rating = 4.5;
  post.url = "https://example.com/a/long/enough/url";
  post.parent_id = "p";
  post.root_id = "r";
  post.community = "coffee";
  post.links = {"https://a.example"};
  post.engagement = {1, 2, 3, 4, 5};
  post.origin = {"a.topic.name.longer.than.sso", 3, 42, 9, 0};
}

TEST(ParseOutputTest, ResetPostEqualsADefaultPost) {
  Post post;
  FillEveryField(post);
  post.Reset();
  ExpectDefault(post);
}

TEST(ParseOutputTest, ReusedPostsAndRejectionsStartFromDefaults) {
  ParseOutput out;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 3; ++i) {
      Post& post = out.NewPost();
      ExpectDefault(post);
      FillEveryField(post);
      Rejection& r = out.NewRejection();
      EXPECT_TRUE(r.detail.empty());
      EXPECT_EQ(r.origin.topic, "");
      EXPECT_EQ(r.origin.index, -1);
      r.reason = RejectReason::kDeleted;
      r.detail = std::string(100, 'd');
      r.origin = {"a.topic.name.longer.than.sso", 3, 42, 9, 0};
    }
    ASSERT_EQ(out.posts.size(), 3u);
    ASSERT_EQ(out.rejections.size(), 3u);
    if (round == 1) {
      // The caller may move posts out; their husks are reused all the same.
      std::vector<Post> taken;
      for (Post& p : out.posts) taken.push_back(std::move(p));
    }
    out.TruncatePosts(2);
    out.TruncateRejections(1);
    EXPECT_EQ(out.posts.size(), 2u);
    EXPECT_EQ(out.rejections.size(), 1u);
    out.Clear();
    EXPECT_TRUE(out.posts.empty());
    EXPECT_TRUE(out.rejections.empty());
  }
  // What a reused post was given before keeps its capacity.
  Post& post = out.NewPost();
  EXPECT_GE(post.text.capacity(), 200u);
}

TEST(ParseOutputTest, RecordsLeaveNothingBehindInAReusedOutput) {
  // One output for many records, as the service uses it: every post starts from scratch.
  PostParser parser;
  ParseOutput out;
  Origin origin;
  origin.topic = "raw.yelp";
  std::string full = R"({"review_id":"r1","user_id":"u1","business_id":"b1","stars":4.5,)"
                     R"("useful":3,"text":"great","date":"2018-07-07 22:09:11"})";
  std::string sparse = R"({"review_id":"r2","text":"ok","date":"2018-07-07 22:09:11"})";
  parser.Parse(Format::kYelp, full, full.size(), origin, {}, out);
  ASSERT_EQ(out.posts.size(), 1u);
  EXPECT_EQ(out.posts[0].rating, 4.5);
  out.Clear();
  parser.Parse(Format::kYelp, sparse, sparse.size(), origin, {}, out);
  ASSERT_EQ(out.posts.size(), 1u);
  const Post& p = out.posts[0];
  EXPECT_EQ(p.id, "r2");
  EXPECT_EQ(p.author.id, "");
  EXPECT_EQ(p.community, "");
  EXPECT_EQ(p.url, "");
  EXPECT_FALSE(p.rating.has_value());
  EXPECT_FALSE(p.engagement.likes.has_value());
  EXPECT_EQ(p.origin.topic, "raw.yelp");
}

TEST(JsonFieldsTest, ShortDecimalsMatchSimdjson) {
  simdjson::ondemand::parser parser;
  for (std::string token : {"0", "-0", "5", "5.0", "4.5", "-3.7", "0.1", "0.30000000000000004",
                            "123456789012345", "1234567.89012345", "9007199254740993", "1e3", "01",
                            "1.", "-", "2.5E-3", "100000000000000000000"}) {
    simdjson::padded_string json("[" + token + "]");
    simdjson::ondemand::document doc;
    ASSERT_EQ(parser.iterate(json).get(doc), simdjson::SUCCESS);
    double expected = 0;
    bool valid = doc.at_pointer("/0").get_double().get(expected) == simdjson::SUCCESS;
    std::optional<double> fast = json::ShortDecimal(token + "]");
    if (!fast) continue;  // left to simdjson
    ASSERT_TRUE(valid) << token;
    EXPECT_EQ(std::memcmp(&*fast, &expected, sizeof(double)), 0) << token;
  }
  EXPECT_FALSE(json::ShortDecimal("01"));
  EXPECT_FALSE(json::ShortDecimal("1e3"));
  EXPECT_FALSE(json::ShortDecimal("1234567890123456"));  // 16 digits: not exact in general
  EXPECT_EQ(json::ShortDecimal("-0.25 }"), -0.25);
}

}  // namespace
}  // namespace earshot::ingest
