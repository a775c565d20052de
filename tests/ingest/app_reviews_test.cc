// Golden tests for the app-review adapters: the App Store customer-reviews RSS (JSON flavour) and
// the google-play-scraper / app-store-scraper outputs. Shared fixtures with exact counts and
// chosen records, plus hand-written cases for the quirks in ../shared/fixtures/PROVENANCE.md.
#include <gtest/gtest.h>

#include <set>

#include "ingest/text.h"
#include "tests/testing/fixtures.h"

namespace earshot::ingest {
namespace {

using ::earshot::testing::ParseFile;
using ::earshot::testing::ParseText;
using Counts = std::map<std::string, int>;

// ---------------------------------------------------------------------------------------------
// App Store RSS

TEST(AppStoreRssAdapterTest, FeedPageGivesFiftyReviews) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/app_reviews/appvox_itunes_rss_reviews.json");
  auto parsed = ParseFile(path);
  ASSERT_EQ(parsed.posts.size(), 50u);
  EXPECT_EQ(parsed.ReasonCounts(), Counts{});
  double rating_sum = 0;
  for (const Post& p : parsed.posts) {
    ASSERT_EQ(p.source, Source::kAppStore);
    ASSERT_EQ(p.kind, PostKind::kReview);
    ASSERT_TRUE(p.rating.has_value());
    rating_sum += *p.rating;
    EXPECT_EQ(p.community, "284815942");  // from the feed's id, which follows the entries
  }
  EXPECT_EQ(rating_sum, 130.0);

  const Post& first = parsed.posts[0];
  EXPECT_EQ(first.id, "8044879566");
  EXPECT_EQ(first.origin.index, 0);
  EXPECT_EQ(first.title, "Usually interesting reading but");
  EXPECT_EQ(first.rating, 4.0);                   // "im:rating": {"label": "4"}
  EXPECT_EQ(first.created_at_ms, 1637429134000);  // 2021-11-20T10:25:34-07:00
  EXPECT_EQ(first.author.id, "524855897");
  EXPECT_EQ(first.author.handle, "Lantana, FL");
  EXPECT_EQ(first.author.name, "Lantana, FL");
  EXPECT_EQ(first.engagement.likes, 263);  // im:voteSum
  EXPECT_EQ(first.url, "https://apps.apple.com/app/id284815942");
  EXPECT_EQ(first.text.rfind("A huge bug is that when I click on that I\u2019m not interested", 0),
            0u);
  EXPECT_NE(first.text.find("continue reading the article."), std::string::npos);

  const Post* second = parsed.Find("7868068902");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->author.handle, "laur849");
  EXPECT_EQ(second->author.id, "1140640454");
  EXPECT_EQ(second->title, "Google - get rid of the blue pop up tips!!!");
  EXPECT_EQ(second->created_at_ms, 1633155183000);  // 2021-10-01T23:13:03-07:00

  const Post& last = parsed.posts[49];
  EXPECT_EQ(last.id, "7200642338");
  EXPECT_EQ(last.author.handle, "AdamantVision");
  EXPECT_EQ(last.rating, 1.0);
  EXPECT_EQ(last.title, "News feed is so bad it's surreal");
  EXPECT_EQ(last.engagement.likes, 3);
  EXPECT_EQ(last.origin.index, 49);
}

// An old-style page: the app's own metadata first (no im:rating), then one review whose content
// comes as both a text and an html rendering; `entry` items use every wrapper quirk.
constexpr char kOldFeed[] = R"({"feed":{"entry":[
  {"im:name":{"label":"Some App"},"summary":{"label":"An app."},
   "id":{"label":"https://apps.apple.com/us/app/some-app/id123456?uo=2","attributes":{"im:id":"123456"}},
   "title":{"label":"Some App - Vendor"},"updated":{"label":"2015-01-01T00:00:00-07:00"}},
  {"author":{"uri":{"label":"https://itunes.apple.com/us/reviews/id42"},"name":{"label":"kim"},"label":""},
   "im:version":{"label":"2.1"},"im:rating":{"label":"3"},"id":{"label":"1001"},
   "title":{"label":"Okay"},
   "content":[{"label":"plain &amp; simple","attributes":{"type":"text"}},
              {"label":"<table><tr><td>html version</td></tr></table>","attributes":{"type":"html"}}],
   "im:voteSum":{"label":"0"},"updated":{"label":"2015-03-04T05:06:07-07:00"}}
]}})";

TEST(AppStoreRssAdapterTest, AppMetadataEntryIsNotAPostAndGivesTheAppId) {
  auto parsed = ParseText(kOldFeed);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"not_a_post", 1}}));
  EXPECT_EQ(parsed.rejections[0].origin.index, 0);
  EXPECT_NE(parsed.rejections[0].detail.find("im:rating"), std::string::npos);
  EXPECT_NE(parsed.rejections[0].detail.find("123456"), std::string::npos);
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.id, "1001");
  EXPECT_EQ(p.origin.index, 1);
  // The JSON text rendering is taken verbatim (entities in it are literal text).
  EXPECT_EQ(p.text, "plain &amp; simple");
  EXPECT_EQ(p.title, "Okay");
  EXPECT_EQ(p.rating, 3.0);
  EXPECT_EQ(p.author.id, "42");
  EXPECT_EQ(p.author.handle, "kim");
  EXPECT_EQ(p.created_at_ms, 1425470767000);  // 2015-03-04T12:06:07Z
  EXPECT_EQ(p.community, "123456");
  EXPECT_EQ(p.engagement.likes, 0);
}

TEST(AppStoreRssAdapterTest, SeveralFeedsInOneRecordKeepTheirOwnApps) {
  auto feed = [](const std::string& review, const std::string& app) {
    return R"({"feed":{"entry":[{"id":{"label":")" + review +
           R"("},"title":{"label":"t"},"content":{"label":"great app"},"im:rating":{"label":"5"},)"
           R"("updated":{"label":"2020-01-01T10:00:00-07:00"},"author":{"name":{"label":"bob"}}}],)"
           R"("id":{"label":"https://mzstoreservices.apple.com/us/rss/customerreviews/id=)" +
           app + R"(/json"}}})";
  };
  auto parsed =
      ParseText("[" + feed("1", "111") + "," + feed("2", "222") + "]", Format::kAppStoreRss);
  ASSERT_EQ(parsed.posts.size(), 2u) << ::testing::PrintToString(parsed.ReasonCounts());
  EXPECT_EQ(parsed.posts[0].community, "111");
  EXPECT_EQ(parsed.posts[1].community, "222");
  EXPECT_EQ(parsed.posts[1].url, "https://apps.apple.com/app/id222");
}

TEST(AppStoreRssAdapterTest, SingleEntryObjectAndHtmlOnlyContent) {
  auto parsed = ParseText(
      R"({"feed":{"id":{"label":"https://itunes.apple.com/gb/rss/customerreviews/id=99/json"},)"
      R"("entry":{"id":{"label":"5"},"im:rating":{"label":"5"},"title":{"label":"Great"},)"
      R"("content":{"label":"<p>Love it &amp; use it</p>","attributes":{"type":"html"}},)"
      R"("updated":{"label":"2020-01-01T00:00:00Z"}}}})",
      Format::kAppStoreRss);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_TRUE(parsed.rejections.empty());
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.text, "Love it & use it");
  EXPECT_EQ(p.rating, 5.0);
  EXPECT_EQ(p.community, "99");
  EXPECT_EQ(p.created_at_ms, 1577836800000);
}

TEST(AppStoreRssAdapterTest, UnparseableRatingStaysUnsetAndMissingFeedIsNotAPost) {
  auto parsed = ParseText(
      "{\"feed\":{\"entry\":[{\"id\":{\"label\":\"7\"},\"im:rating\":{\"label\":\"five\"},"
      "\"content\":{\"label\":\"x\"},\"updated\":{\"label\":\"2020-01-01T00:00:00Z\"}}]}}\n"
      "{\"something\":{\"entry\":[]}}\n",
      Format::kAppStoreRss);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_FALSE(parsed.posts[0].rating.has_value());
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"not_a_post", 1}}));
}

TEST(AppStoreRssAdapterTest, EntryWithoutUpdatedIsABadTimestamp) {
  auto parsed = ParseText(
      R"({"feed":{"entry":[{"id":{"label":"7"},"im:rating":{"label":"2"},"content":{"label":"x"}}]}})",
      Format::kAppStoreRss);
  EXPECT_TRUE(parsed.posts.empty());
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"bad_timestamp", 1}}));
}

// ---------------------------------------------------------------------------------------------
// Scrapers

TEST(AppScraperAdapterTest, GooglePlayScraperOutput) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/app_reviews/googleplay-scraper_mox_ps-reviews.json");
  auto parsed = ParseFile(path);
  ASSERT_EQ(parsed.posts.size(), 709u);
  EXPECT_EQ(parsed.ReasonCounts(), Counts{});
  int64_t thumbs = 0;
  for (const Post& p : parsed.posts) {
    ASSERT_EQ(p.source, Source::kGooglePlay);
    ASSERT_EQ(p.kind, PostKind::kReview);
    ASSERT_TRUE(IsValidUtf8(p.text)) << p.id;
    thumbs += p.engagement.likes.value_or(0);
  }
  EXPECT_EQ(thumbs, 1491);

  const Post& first = parsed.posts[0];
  EXPECT_EQ(first.id, "24e2265f-a5f3-427c-ab4d-b8a67690403f");
  EXPECT_EQ(first.author.name, "\u00bf");  // "\u00bf" in the file
  EXPECT_EQ(first.author.handle, "");
  EXPECT_EQ(first.text, "useful");
  EXPECT_EQ(first.rating, 5.0);
  EXPECT_EQ(first.created_at_ms, 1731950564000);  // "2024-11-18 17:22:44", naive, read as UTC
  EXPECT_EQ(first.engagement.likes, 0);
  EXPECT_EQ(first.origin.index, 0);

  // English and Cantonese in one review; 19 thumbs up; the developer's reply is not the text.
  const Post* mixed = parsed.Find("200af493-76e7-4dd5-804f-642a25656707");
  ASSERT_NE(mixed, nullptr);
  EXPECT_EQ(mixed->text,
            "A buggy app built on React. \u66f4\u65b0\u5f8c\u5b8c\u5168\u7528\u4e0d\u4e86");
  EXPECT_EQ(mixed->author.name, "Fung Lam");
  EXPECT_EQ(mixed->engagement.likes, 19);
  EXPECT_EQ(mixed->rating, 1.0);
  EXPECT_EQ(mixed->created_at_ms, 1701663358000);

  // Urdu, with appVersion null.
  const Post* urdu = parsed.Find("28e82a3d-75f4-4854-81a9-887420ba744f");
  ASSERT_NE(urdu, nullptr);
  EXPECT_EQ(urdu->text,
            "\u0645\u0645\u062a\u0627\u0632 \u0641\u0636\u0644\u06d4 \u060c\u0686 \u06a9");
  EXPECT_EQ(urdu->author.name, "Anees Zahid");
  EXPECT_EQ(urdu->created_at_ms, 1727993568000);
}

TEST(AppScraperAdapterTest, AppStoreScraperOutput) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/app_reviews/appstore-scraper_mox_as-reviews.json");
  auto parsed = ParseFile(path);
  ASSERT_EQ(parsed.posts.size(), 484u);
  EXPECT_EQ(parsed.ReasonCounts(), Counts{});
  std::set<std::string> ids;
  for (const Post& p : parsed.posts) {
    ASSERT_EQ(p.source, Source::kAppStore);
    ASSERT_TRUE(IsValidUtf8(p.text)) << p.id;
    ASSERT_TRUE(IsValidUtf8(p.title)) << p.id;
    ids.insert(p.id);
  }
  EXPECT_EQ(ids.size(), 484u);

  const Post& first = parsed.posts[0];
  EXPECT_EQ(first.id, "Horace05:2024-11-17 11:38:06:1ab3e8fd");
  EXPECT_EQ(first.text,
            "\u6210\u65e5\u958bapp\u5c31\u5f48\u51fa\u5f37\u5236\u540c\u610f\u96fb\u8a71\u63a8"
            "\u92b7\n\n\u81ea\u5df1\u5572\u512a\u60e0\u505a\u597d\u5572\uff0c\u5514\u4f7f\u63a8"
            "\u92b7\u90fd\u6709\u5ba2\u4e0a\u9580\u5566\u767d\u75f4\u7ba1\u7406\u5c64");
  EXPECT_EQ(first.title, "\u5783\u573e\u9280\u884c");
  EXPECT_EQ(first.rating, 1.0);
  EXPECT_EQ(first.created_at_ms, 1731843486000);
  EXPECT_EQ(first.author.handle, "Horace05");
  EXPECT_EQ(first.kind, PostKind::kReview);

  // A Cantonese user name, and an emoji written as a surrogate pair in the file.
  EXPECT_EQ(parsed.posts[1].author.name, "\u8003\u8a66\u82f1\u96c4\u6b63\u5783\u573eon99");
  EXPECT_EQ(parsed.posts[2].text,
            "\u6975\u5ea60\u4eba\u6027\u5316\u9280\u884c\U0001F602\U0001F602\u4e0d\u5efa\u8b70"
            "\u4f7f\u7528");

  // Edited, with a developerResponse object that is skipped.
  const Post& edited = parsed.posts[307];
  EXPECT_EQ(edited.author.handle, "ggxie");
  EXPECT_EQ(edited.title, "Designed by non banking people!");
  EXPECT_EQ(edited.created_at_ms, 1644583688000);
  EXPECT_EQ(edited.text.rfind("I used bank and credit cards for 30 years", 0), 0u);
}

TEST(AppScraperAdapterTest, AppStoreIdIsStableAndDependsOnTheText) {
  std::string a =
      R"({"date":"2024-01-02 03:04:05","review":"A","rating":5,"isEdited":false,"title":"t","userName":"u"})";
  std::string b =
      R"({"date":"2024-01-02 03:04:05","review":"B","rating":5,"isEdited":false,"title":"t","userName":"u"})";
  auto parsed = ParseText("[" + a + "," + a + "," + b + "]");
  ASSERT_EQ(parsed.posts.size(), 3u);
  EXPECT_EQ(parsed.posts[0].id, parsed.posts[1].id);
  EXPECT_NE(parsed.posts[0].id, parsed.posts[2].id);
  EXPECT_EQ(parsed.posts[0].id.rfind("u:2024-01-02 03:04:05:", 0), 0u);
  EXPECT_EQ(parsed.posts[0].created_at_ms, 1704164645000);
  EXPECT_EQ(parsed.posts[2].origin.index, 2);
}

TEST(AppScraperAdapterTest, AppStoreReviewWithoutUserNameHasNoId) {
  auto parsed = ParseText(R"([{"date":"2024-01-02 03:04:05","review":"A","rating":5,"title":"t"}])",
                          Format::kAppScraper);
  EXPECT_TRUE(parsed.posts.empty());
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"missing_id", 1}}));
}

TEST(AppScraperAdapterTest, GooglePlayObjectPerLineWithNaiveTimeAndNulls) {
  auto parsed = ParseText(
      "{\"reviewId\":\"g1\",\"userName\":\"A B\",\"content\":\"\u05e9\u05dc\u05d5\u05dd ok "
      "\u597d\",\"score\":3,\"thumbsUpCount\":12,\"at\":\"2024-11-18 17:22:44\","
      "\"replyContent\":\"thanks\",\"repliedAt\":null,\"appVersion\":null}\n"
      "{\"reviewId\":\"g2\",\"userName\":\"C\",\"content\":null,\"score\":1,"
      "\"at\":\"2024-11-18 17:22:44\"}\n",
      Format::kAppScraper);
  ASSERT_EQ(parsed.posts.size(), 1u);
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.source, Source::kGooglePlay);
  EXPECT_EQ(p.id, "g1");
  EXPECT_EQ(p.text, "\u05e9\u05dc\u05d5\u05dd ok \u597d");
  EXPECT_EQ(p.rating, 3.0);
  EXPECT_EQ(p.engagement.likes, 12);
  EXPECT_EQ(p.created_at_ms, 1731950564000);
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"missing_text", 1}}));
}

TEST(AppScraperAdapterTest, InvalidUtf8IsABadEncoding) {
  auto parsed = ParseText(
      "[{\"reviewId\":\"g1\",\"content\":\"bad \xff byte\",\"score\":3,"
      "\"at\":\"2024-11-18 17:22:44\"}]",
      Format::kAppScraper);
  EXPECT_TRUE(parsed.posts.empty());
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"bad_encoding", 1}}));
}

}  // namespace
}  // namespace earshot::ingest
