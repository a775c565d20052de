// Golden tests for the Yelp and Amazon review adapters: the shared fixtures (exact post and
// rejection counts, chosen records field by field) and hand-written cases for every quirk in
// ../shared/fixtures/PROVENANCE.md.
#include <gtest/gtest.h>

#include <limits>
#include <set>

#include "tests/testing/fixtures.h"

namespace earshot::ingest {
namespace {

using ::earshot::testing::ParseFile;
using ::earshot::testing::ParseText;
using Counts = std::map<std::string, int>;

// ---------------------------------------------------------------------------------------------
// Yelp

TEST(YelpAdapterTest, DatasetHeadGivesFiveHundredReviews) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/yelp/yelp_academic_dataset_review.head.json");
  auto parsed = ParseFile(path);
  EXPECT_EQ(parsed.posts.size(), 500u);
  EXPECT_EQ(parsed.ReasonCounts(), Counts{});
  for (const Post& p : parsed.posts) {
    ASSERT_EQ(p.source, Source::kYelp) << p.id;
    ASSERT_EQ(p.kind, PostKind::kReview) << p.id;
    ASSERT_TRUE(p.rating.has_value()) << p.id;
  }

  const Post* first = parsed.Find("KU_O5udG6zpxOg-VcAEodg");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->author.id, "mh_-eMZ6K5RLWhZyISBhwA");
  EXPECT_EQ(first->community, "XQfwVwDr-v0ZS3_CbbE5Xw");
  EXPECT_EQ(first->rating, 3.0);
  EXPECT_EQ(first->created_at_ms, 1531001351000);  // "2018-07-07 22:09:11" read as UTC
  EXPECT_EQ(first->engagement.likes, 0);
  EXPECT_EQ(first->title, "");
  EXPECT_EQ(first->url,
            "https://www.yelp.com/biz/XQfwVwDr-v0ZS3_CbbE5Xw?hrid=KU_O5udG6zpxOg-VcAEodg");
  EXPECT_EQ(first->origin.line, 1);
  EXPECT_EQ(first->text.rfind("If you decide to eat here, just be aware", 0), 0u);
  EXPECT_NE(first->text.find("bad experience. \n\nThe food is good"), std::string::npos);

  // Written with `\/` in the file.
  const Post* slash = parsed.Find("Sx8TMOWLNuJBWer-0pcmoA");
  ASSERT_NE(slash, nullptr);
  EXPECT_EQ(slash->text.rfind("Cute interior and owner (?) gave us tour of upcoming patio/rooftop "
                              "area",
                              0),
            0u);
  EXPECT_EQ(slash->text.find('\\'), std::string::npos);
  EXPECT_EQ(slash->rating, 4.0);
  EXPECT_EQ(slash->created_at_ms, 1484427255000);

  const Post* useful = parsed.Find("r-PjI5sBvNoBekk5mURNww");
  ASSERT_NE(useful, nullptr);
  EXPECT_EQ(useful->engagement.likes, 15);
  EXPECT_EQ(useful->rating, 5.0);
  EXPECT_EQ(useful->author.id, "uzy_KYIZx65cp7Yh8_seeQ");
  EXPECT_EQ(useful->community, "ZuM1vcZ_ObCjCCGweYzItg");
  EXPECT_EQ(useful->created_at_ms, 1382632847000);
}

TEST(YelpAdapterTest, SlashEscapesMultiLineTextAndNaiveDate) {
  auto parsed = ParseText(
      R"({"review_id":"r1","user_id":"u1","business_id":"b1","stars":4.5,"useful":7,"funny":1,)"
      R"("cool":0,"text":"patio\/rooftop\nsecond line\n\nthird","date":"2018-07-07 22:09:11"})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  ASSERT_TRUE(parsed.rejections.empty());
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.id, "r1");
  EXPECT_EQ(p.source, Source::kYelp);
  EXPECT_EQ(p.kind, PostKind::kReview);
  EXPECT_EQ(p.text, "patio/rooftop\nsecond line\n\nthird");
  EXPECT_EQ(p.created_at_ms, 1531001351000);
  EXPECT_EQ(p.rating, 4.5);
  EXPECT_EQ(p.engagement.likes, 7);
  EXPECT_EQ(p.author.id, "u1");
  EXPECT_EQ(p.community, "b1");
  EXPECT_EQ(p.origin.index, -1);
}

TEST(YelpAdapterTest, RootArrayGivesOnePostPerElementWithItsIndex) {
  auto parsed = ParseText(
      R"([{"review_id":"a","business_id":"b","stars":1.0,"text":"one","date":"2020-01-01 00:00:00"},)"
      R"({"review_id":"b","business_id":"b","stars":2.0,"text":"","date":"2020-01-01 00:00:00"},)"
      R"("not a review",)"
      R"({"review_id":"c","business_id":"b","stars":3.0,"text":"three","date":"2020-01-02"}])",
      Format::kYelp);
  ASSERT_EQ(parsed.posts.size(), 2u);
  EXPECT_EQ(parsed.posts[0].id, "a");
  EXPECT_EQ(parsed.posts[0].origin.index, 0);
  EXPECT_EQ(parsed.posts[1].id, "c");
  EXPECT_EQ(parsed.posts[1].origin.index, 3);
  EXPECT_EQ(parsed.posts[1].created_at_ms, 1577923200000);
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"missing_text", 1}, {"not_a_post", 1}}));
  ASSERT_EQ(parsed.rejections.size(), 2u);
  EXPECT_EQ(parsed.rejections[0].origin.index, 1);
  EXPECT_EQ(parsed.rejections[1].origin.index, 2);
}

TEST(YelpAdapterTest, MissingIdAndBadDateAreRejected) {
  auto parsed = ParseText(
      "{\"business_id\":\"b\",\"review_id\":null,\"text\":\"t\",\"date\":\"2020-01-01 00:00:00\"}\n"
      "{\"review_id\":\"x\",\"business_id\":\"b\",\"text\":\"t\",\"date\":\"07/07/2018\"}\n",
      Format::kYelp);
  EXPECT_TRUE(parsed.posts.empty());
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"bad_timestamp", 1}, {"missing_id", 1}}));
}

TEST(YelpAdapterTest, RatingOffTheScaleIsDroppedAndThePostKept) {
  // Found by fuzz_yelp: a 21-digit rating was written back as a 21-digit integer literal, which
  // 64-bit JSON readers reject.
  auto parsed = ParseText(
      "{\"review_id\":\"a\",\"text\":\"t\",\"date\":\"2020-01-01 00:00:00\","
      "\"stars\":184467440737095516160}\n"
      "{\"review_id\":\"b\",\"text\":\"t\",\"date\":\"2020-01-01 00:00:00\",\"stars\":\"nan\"}\n"
      "{\"review_id\":\"c\",\"text\":\"t\",\"date\":\"2020-01-01 00:00:00\",\"stars\":-1}\n"
      "{\"review_id\":\"d\",\"text\":\"t\",\"date\":\"2020-01-01 00:00:00\",\"stars\":4.5}\n",
      Format::kYelp);
  ASSERT_EQ(parsed.posts.size(), 4u);
  EXPECT_EQ(parsed.ReasonCounts(), Counts{});
  for (size_t i = 0; i < 3; ++i) EXPECT_FALSE(parsed.posts[i].rating.has_value()) << i;
  EXPECT_EQ(parsed.posts[3].rating, 4.5);
  std::string json;
  AppendPostJson(parsed.posts[3], json);
  EXPECT_NE(json.find(",\"rating\":4.5,"), std::string::npos) << json;
}

TEST(PostJsonTest, NumbersStayReadableByEveryJsonParser) {
  Post post;
  post.id = "p";
  post.text = "t";
  post.created_at_ms = 1;
  std::string json;
  post.rating = 1.8446744073709552e20;  // only reachable by building a Post by hand
  AppendPostJson(post, json);
  EXPECT_NE(json.find("\"rating\":1.844674407370955e+20,"), std::string::npos) << json;
  json.clear();
  post.rating = std::numeric_limits<double>::quiet_NaN();
  AppendPostJson(post, json);
  EXPECT_NE(json.find("\"rating\":null"), std::string::npos) << json;
}

TEST(YelpAdapterTest, TruncatedRecordIsMalformed) {
  auto parsed = ParseText(R"({"review_id":"r1","text":"cut off)", Format::kYelp);
  EXPECT_TRUE(parsed.posts.empty());
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"malformed_json", 1}}));
}

// ---------------------------------------------------------------------------------------------
// Amazon

TEST(AmazonAdapterTest, GiftCards2018GivesEveryReview) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/amazon/amazon2018_Gift_Cards_5.json");
  auto parsed = ParseFile(path);
  EXPECT_EQ(parsed.posts.size(), 2972u);
  EXPECT_EQ(parsed.ReasonCounts(), Counts{});
  // Three reviewers reviewed two variants of one product on one day; the text hash in the id
  // keeps those six reviews apart.
  std::set<std::string> ids;
  int without_text = 0, with_votes = 0;
  for (const Post& p : parsed.posts) {
    ids.insert(p.id);
    without_text += p.text.empty();
    with_votes += p.engagement.likes.has_value();
    ASSERT_EQ(p.source, Source::kAmazon);
    ASSERT_EQ(p.kind, PostKind::kReview);
  }
  EXPECT_EQ(ids.size(), 2972u);
  EXPECT_EQ(without_text, 6);
  EXPECT_EQ(with_votes, 208);

  const Post& first = parsed.posts[0];
  EXPECT_EQ(first.id, "A31UBHTUUIFJUT:B004LLIKVU:1529193600:581f400a");
  EXPECT_EQ(first.text, "Another great gift.");
  EXPECT_EQ(first.title, "Five Stars");
  EXPECT_EQ(first.rating, 5.0);
  EXPECT_EQ(first.created_at_ms, 1529193600000);
  EXPECT_EQ(first.author.id, "A31UBHTUUIFJUT");
  EXPECT_EQ(first.author.name, "john stoiber");
  EXPECT_EQ(first.community, "B004LLIKVU");
  EXPECT_EQ(first.url, "https://www.amazon.com/dp/B004LLIKVU");
  EXPECT_FALSE(first.engagement.likes.has_value());

  // reviewerName "Brett &amp; Family" in the file.
  const Post& brett = parsed.posts[54];
  EXPECT_EQ(brett.origin.line, 55);
  EXPECT_EQ(brett.author.name, "Brett & Family");
  EXPECT_EQ(brett.text, "Its a gift card");
  EXPECT_EQ(brett.created_at_ms, 1456704000000);  // 02 29, 2016

  const Post& voted = parsed.posts[395];
  EXPECT_EQ(voted.author.id, "A300JMW5AMQ4UR");
  EXPECT_EQ(voted.engagement.likes, 27);  // "vote": "27"
  EXPECT_EQ(voted.title, "Cool");

  // No reviewText: the summary is the only text.
  const Post& textless = parsed.posts[1215];
  EXPECT_EQ(textless.id.rfind("A3UL0A27IDQ8P5:B00BXLW5QC:1461456000:", 0), 0u);
  EXPECT_EQ(textless.text, "");
  EXPECT_EQ(textless.title, "Five Stars");
}

TEST(AmazonAdapterTest, VoteStringWithThousandsSeparator) {
  auto parsed = ParseText(
      R"({"overall": 2.0, "vote": "1,234", "verified": true, "reviewTime": "06 17, 2018",)"
      R"( "reviewerID": "R1", "asin": "B0", "style": {"Size:": " Large"}, "reviewerName": "N",)"
      R"( "reviewText": "text", "summary": "sum", "unixReviewTime": 1529193600})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.engagement.likes, 1234);
  EXPECT_EQ(p.rating, 2.0);
  EXPECT_EQ(p.id.rfind("R1:B0:1529193600:", 0), 0u);
  EXPECT_EQ(p.id.size(), std::string("R1:B0:1529193600:").size() + 8);
}

TEST(AmazonAdapterTest, ReviewTimeIsTheFallbackForAMissingUnixTime) {
  auto parsed =
      ParseText(R"({"overall": 5.0, "reviewTime": "09 2, 2015", "reviewerID": "R1", "asin": "B0",)"
                R"( "reviewText": "ok", "summary": "s"})",
                Format::kAmazon);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].created_at_ms, 1441152000000);  // 2015-09-02
  EXPECT_EQ(parsed.posts[0].id.rfind("R1:B0:1441152000:", 0), 0u);
}

TEST(AmazonAdapterTest, SameReviewGivesTheSameIdAndOtherTextAnotherId) {
  std::string a =
      R"({"reviewerID":"R","asin":"B","unixReviewTime":1,"summary":"s","reviewText":"one"})";
  std::string b =
      R"({"reviewerID":"R","asin":"B","unixReviewTime":1,"summary":"s","reviewText":"two"})";
  auto parsed = ParseText(a + "\n" + a + "\n" + b + "\n", Format::kAmazon);
  ASSERT_EQ(parsed.posts.size(), 3u);
  EXPECT_EQ(parsed.posts[0].id, parsed.posts[1].id);
  EXPECT_NE(parsed.posts[0].id, parsed.posts[2].id);
  EXPECT_EQ(parsed.posts[0].created_at_ms, 1000);
}

TEST(AmazonAdapterTest, MissingTextKeepsTheSummaryAndMissingBothIsRejected) {
  auto parsed = ParseText(
      "{\"overall\": 5.0, \"reviewerID\": \"R1\", \"asin\": \"B1\", \"summary\": \"Five Stars\","
      " \"unixReviewTime\": 1461456000}\n"
      "{\"overall\": 5.0, \"reviewerID\": \"R2\", \"asin\": \"B1\", \"unixReviewTime\": "
      "1461456000}\n"
      "{\"overall\": 5.0, \"asin\": \"B1\", \"reviewText\": \"no reviewer\","
      " \"unixReviewTime\": 1461456000}\n",
      Format::kAmazon);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].text, "");
  EXPECT_EQ(parsed.posts[0].title, "Five Stars");
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"missing_id", 1}, {"missing_text", 1}}));
}

TEST(AmazonAdapterTest, Layout2023WithMillisecondTimestampAndParentAsin) {
  auto parsed = ParseText(
      R"({"rating": 4.0, "title": "Nice &amp; cheap", "text": "Line one<br />Line two<br>3 &lt; 4",)"
      R"( "images": [], "asin": "B01", "parent_asin": "B00P", "user_id": "AGKH",)"
      R"( "timestamp": 1588687728923, "helpful_vote": 2, "verified_purchase": true})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  ASSERT_TRUE(parsed.rejections.empty());
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.source, Source::kAmazon);
  EXPECT_EQ(p.id.rfind("AGKH:B01:1588687728923:", 0), 0u);
  EXPECT_EQ(p.created_at_ms, 1588687728923);
  EXPECT_EQ(p.text, "Line one\nLine two\n3 < 4");
  EXPECT_EQ(p.title, "Nice & cheap");
  EXPECT_EQ(p.rating, 4.0);
  EXPECT_EQ(p.engagement.likes, 2);
  EXPECT_EQ(p.author.id, "AGKH");
  EXPECT_EQ(p.community, "B00P");
  EXPECT_EQ(p.url, "https://www.amazon.com/dp/B01");
}

TEST(AmazonAdapterTest, RootArrayOfReviews) {
  auto parsed =
      ParseText(R"([{"reviewerID":"R1","asin":"B","unixReviewTime":1529193600,"reviewText":"a"},)"
                R"( {"reviewerID":"R2","asin":"B","unixReviewTime":1529193600,"reviewText":"b"}])",
                Format::kAmazon);
  ASSERT_EQ(parsed.posts.size(), 2u);
  EXPECT_EQ(parsed.posts[1].author.id, "R2");
  EXPECT_EQ(parsed.posts[1].origin.index, 1);
  EXPECT_EQ(parsed.posts[1].text, "b");
}

}  // namespace
}  // namespace earshot::ingest
