#include <gtest/gtest.h>

#include "tests/testing/fixtures.h"

namespace earshot::ingest {
namespace {

using ::earshot::testing::ParseFile;
using ::earshot::testing::ParseText;

TEST(RedditAdapterTest, DumpCommentsSkipDeletedAndRemovedBodies) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/reddit/pushshift-importer_test_comments.ndjson");
  auto parsed = ParseFile(path);
  EXPECT_EQ(parsed.posts.size(), 23u);
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"deleted", 4}}));
  for (const auto& p : parsed.posts) {
    EXPECT_EQ(p.source, Source::kReddit);
    EXPECT_EQ(p.kind, PostKind::kComment);
  }

  // created_utc as a float (2024 dumps); parent a comment, root the submission, prefixes stripped.
  const Post* recent = parsed.Find("kod0bkg");
  ASSERT_NE(recent, nullptr);
  EXPECT_EQ(recent->created_at_ms, 1706745600000);
  EXPECT_EQ(recent->parent_id, "kobvslu");
  EXPECT_EQ(recent->root_id, "1afo2er");
  EXPECT_EQ(recent->author.handle, "Anonymous_Monkey116");
  EXPECT_EQ(recent->author.id, "t2_8bof0esy");
  EXPECT_EQ(recent->community, "Christian");
  EXPECT_EQ(recent->engagement.score, 1);
  EXPECT_EQ(recent->text, "No but I'll keep looking");
  EXPECT_EQ(recent->url,
            "https://www.reddit.com/r/Christian/comments/1afo2er/being_a_christian_sucks/kod0bkg/");

  // created_utc as a string (2009 dumps); "&gt;" quotes decoded, Markdown kept.
  const Post* quoted = parsed.Find("c0cmuoo");
  ASSERT_NE(quoted, nullptr);
  EXPECT_EQ(quoted->created_at_ms, 1251763202000);
  EXPECT_EQ(quoted->text.rfind(">Nebraska\n>Diocese of Grand Island", 0), 0u);
  EXPECT_EQ(quoted->parent_id, "9fyq4");
  EXPECT_EQ(quoted->root_id, "9fyq4");
  EXPECT_EQ(quoted->author.id, "");  // no author_fullname in this era

  // created_utc as an int (2005); a "[deleted]" author with a surviving body is kept, authorless.
  const Post* old = parsed.Find("c15");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->created_at_ms, 1134366848000);
  EXPECT_EQ(old->author.handle, "");
  EXPECT_EQ(old->text, "Jython related topics by Frank Wierzbicki");
  EXPECT_EQ(old->url, "https://www.reddit.com/comments/17869/_/c15/");

  EXPECT_EQ(parsed.Find("kod0bkj"), nullptr);  // [removed]
  EXPECT_EQ(parsed.Find("c0cmuon"), nullptr);  // [deleted]
}

TEST(RedditAdapterTest, DumpSubmissionsKeepTitlesAndSelftext) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/reddit/pushshift-importer_test_submissions.ndjson");
  auto parsed = ParseFile(path);
  EXPECT_EQ(parsed.posts.size(), 31u);
  EXPECT_TRUE(parsed.rejections.empty());
  for (const auto& p : parsed.posts) EXPECT_EQ(p.kind, PostKind::kPost);

  const Post* nba = parsed.Find("1afwvvf");
  ASSERT_NE(nba, nullptr);
  EXPECT_EQ(nba->title.rfind("GAME THREAD: Dallas Mavericks (26-21) @ ", 0), 0u);
  EXPECT_EQ(nba->text.rfind("##General Information\n", 0), 0u);
  EXPECT_EQ(nba->engagement.replies, 189);
  EXPECT_EQ(nba->engagement.score, 13);
  EXPECT_EQ(nba->author.handle, "NBA_MOD");
  EXPECT_EQ(nba->author.id, "t2_6vjwa");
  EXPECT_TRUE(nba->links.empty());  // a self post links to itself only

  // Title entities decoded; a link submission's url is kept as a link.
  const Post* numbers = parsed.Find("1v3sg");
  ASSERT_NE(numbers, nullptr);
  EXPECT_EQ(numbers->title, "NUMBERS & WEB SITES");
  EXPECT_EQ(numbers->text, "");
  EXPECT_EQ(numbers->created_at_ms, 1180656045000);
  EXPECT_EQ(numbers->url, "https://www.reddit.com/r/reddit.com/comments/1v3sg/numbers_web_sites/");
  ASSERT_EQ(numbers->links.size(), 1u);
  EXPECT_EQ(numbers->links[0].rfind("http://www.nola.com/hurricane/", 0), 0u);

  // Removed selftext: the title carries the post.
  const Post* removed = parsed.Find("abdn5a");
  ASSERT_NE(removed, nullptr);
  EXPECT_EQ(removed->text, "");
  EXPECT_EQ(removed->title, "What new stone sales are coming with the years banner on global?");
  EXPECT_EQ(removed->created_at_ms, 1546306255000);

  const Post* string_time = parsed.Find("2f4i98");
  ASSERT_NE(string_time, nullptr);
  EXPECT_EQ(string_time->created_at_ms, 1409529601000);
  EXPECT_EQ(string_time->community, "Fitness");
}

TEST(RedditAdapterTest, ApiListingGivesEachChildItsIndex) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/reddit/go-reddit_search-posts_listing.json");
  auto parsed = ParseFile(path);
  ASSERT_EQ(parsed.posts.size(), 2u);
  EXPECT_TRUE(parsed.rejections.empty());
  const Post& first = parsed.posts[0];
  EXPECT_EQ(first.id, "hybow9");
  EXPECT_EQ(first.origin.index, 0);
  EXPECT_EQ(first.kind, PostKind::kPost);
  EXPECT_EQ(first.title, "Pregnancy test");
  EXPECT_EQ(first.created_at_ms, 1595787264000);  // created_utc, not the local "created"
  EXPECT_EQ(first.author.handle, "chocolat_ice_cream");
  EXPECT_EQ(first.engagement.score, 103829);
  EXPECT_EQ(first.engagement.replies, 3748);
  EXPECT_EQ(first.community, "WatchPeopleDieInside");
  const Post& second = parsed.posts[1];
  EXPECT_EQ(second.id, "hmwhd7");
  EXPECT_EQ(second.origin.index, 1);
  EXPECT_EQ(second.links,
            std::vector<std::string>{"https://www.theguardian.com/world/2020/jul/07/"
                                     "jair-bolsonaro-coronavirus-positive-test-brazil-president"});
}

TEST(RedditAdapterTest, CreatedUtcAsIntStringOrFloat) {
  auto parsed = ParseText(
      R"({"id":"a1","body":"int","link_id":"t3_x","parent_id":"t3_x","subreddit":"s",)"
      R"("created_utc":1134365188})"
      "\n"
      R"({"id":"a2","body":"string","link_id":"t3_x","parent_id":"t1_a1","subreddit":"s",)"
      R"("created_utc":"1251763200"})"
      "\n"
      R"({"id":"a3","body":"float","link_id":"t3_x","parent_id":"t1_a2","subreddit":"s",)"
      R"("created_utc":1706745600.5})"
      "\n");
  ASSERT_EQ(parsed.posts.size(), 3u);
  EXPECT_EQ(parsed.posts[0].created_at_ms, 1134365188000);
  EXPECT_EQ(parsed.posts[1].created_at_ms, 1251763200000);
  EXPECT_EQ(parsed.posts[2].created_at_ms, 1706745600500);
  EXPECT_EQ(parsed.posts[2].parent_id, "a2");
  EXPECT_EQ(parsed.posts[2].root_id, "x");
}

TEST(RedditAdapterTest, DeletedCommentIsRejectedButDeletedSelftextKeepsTitle) {
  auto parsed = ParseText(
      R"({"id":"c1","body":"[deleted]","author":"[deleted]","link_id":"t3_p","subreddit":"s",)"
      R"("created_utc":1})"
      "\n"
      R"({"id":"c2","body":"[removed]","link_id":"t3_p","subreddit":"s","created_utc":1600000000})"
      "\n"
      R"({"id":"p1","title":"Still &amp; here","selftext":"[removed]","subreddit":"s",)"
      R"("created_utc":1600000000})"
      "\n"
      R"({"id":"p2","selftext":"[deleted]","subreddit":"s","num_comments":0,)"
      R"("created_utc":1600000000})"
      "\n");
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].id, "p1");
  EXPECT_EQ(parsed.posts[0].title, "Still & here");
  EXPECT_EQ(parsed.posts[0].text, "");
  EXPECT_EQ(parsed.posts[0].url, "https://www.reddit.com/comments/p1/");
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"deleted", 3}}));
}

TEST(RedditAdapterTest, ApiThingsAndListingsUnwrap) {
  auto thing = ParseText(
      R"({"kind":"t1","data":{"name":"t1_abc","body":"a &amp; b","link_id":"t3_root",)"
      R"("parent_id":"t1_up","author":"u","author_fullname":"t2_u","subreddit":"s",)"
      R"("created_utc":1600000000.0,"score":3,"permalink":"/r/s/comments/root/t/abc/"}})");
  ASSERT_EQ(thing.posts.size(), 1u);
  const Post& c = thing.posts[0];
  EXPECT_EQ(c.id, "abc");  // from the fullname when "id" is absent
  EXPECT_EQ(c.kind, PostKind::kComment);
  EXPECT_EQ(c.text, "a & b");
  EXPECT_EQ(c.parent_id, "up");
  EXPECT_EQ(c.root_id, "root");
  EXPECT_EQ(c.author.id, "t2_u");
  EXPECT_EQ(c.url, "https://www.reddit.com/r/s/comments/root/t/abc/");
  EXPECT_EQ(c.origin.index, -1);

  // A comments page: an array of two Listings, with a "more" stub that is not a post.
  auto page = ParseText(
      R"([{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":"root","title":"T",)"
      R"("subreddit":"s","created_utc":1600000000}}]}},)"
      R"({"kind":"Listing","data":{"children":[{"kind":"t1","data":{"id":"c1","body":"b",)"
      R"("link_id":"t3_root","parent_id":"t3_root","subreddit":"s","created_utc":1600000001}},)"
      R"({"kind":"more","data":{"count":3,"children":["x","y"]}}]}}])",
      Format::kReddit);
  ASSERT_EQ(page.posts.size(), 2u);
  EXPECT_EQ(page.posts[0].id, "root");
  EXPECT_EQ(page.posts[0].kind, PostKind::kPost);
  EXPECT_EQ(page.posts[0].origin.index, 0);
  EXPECT_EQ(page.posts[1].id, "c1");
  EXPECT_EQ(page.posts[1].kind, PostKind::kComment);
  EXPECT_EQ(page.posts[1].origin.index, 1);
  ASSERT_EQ(page.rejections.size(), 1u);
  EXPECT_EQ(page.rejections[0].reason, RejectReason::kUnsupportedEvent);
  EXPECT_EQ(page.rejections[0].origin.index, 2);
}

TEST(RedditAdapterTest, NestedRepliesAreFollowedInDocumentOrder) {
  auto parsed = ParseText(
      R"({"kind":"t1","data":{"id":"top","body":"parent","link_id":"t3_p","parent_id":"t3_p",)"
      R"("subreddit":"s","created_utc":1600000000,"replies":{"kind":"Listing","data":{)"
      R"("children":[{"kind":"t1","data":{"id":"kid","body":"child","link_id":"t3_p",)"
      R"("parent_id":"t1_top","subreddit":"s","created_utc":1600000001,"replies":""}},)"
      R"({"kind":"more","data":{"count":1,"children":["z"]}}]}}}})",
      Format::kReddit);
  ASSERT_EQ(parsed.posts.size(), 2u);
  EXPECT_EQ(parsed.posts[0].id, "kid");  // emitted once complete; numbered in document order
  EXPECT_EQ(parsed.posts[0].parent_id, "top");
  EXPECT_EQ(parsed.posts[0].origin.index, 1);
  EXPECT_EQ(parsed.posts[1].id, "top");
  EXPECT_EQ(parsed.posts[1].origin.index, 0);
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].origin.index, 2);
}

// A reply chain deeper than the adapter follows: the posts it reads come out, and the part it
// leaves unread is reported once (too_large) instead of being dropped without a word.
TEST(RedditAdapterTest, RepliesBeyondTheDepthLimitAreReportedNotDropped) {
  auto comment = [](int i, const std::string& replies) {
    return R"({"kind":"t1","data":{"id":"c)" + std::to_string(i) + R"(","body":"reply )" +
           std::to_string(i) +
           R"(","link_id":"t3_p","subreddit":"s","created_utc":1600000000,)"
           R"("replies":)" +
           replies + "}}";
  };
  auto chain = [&](int levels) {
    std::string json = "\"\"";
    for (int i = levels; i >= 1; --i) {
      json = R"({"kind":"Listing","data":{"children":[)" + comment(i, json) + "]}}";
    }
    return json;
  };
  auto shallow = ParseText(chain(5), Format::kReddit);
  EXPECT_EQ(shallow.posts.size(), 5u);
  EXPECT_TRUE(shallow.rejections.empty());
  auto deep = ParseText(chain(40), Format::kReddit);
  ASSERT_GT(deep.posts.size(), 10u);
  ASSERT_LT(deep.posts.size(), 40u);
  ASSERT_EQ(deep.rejections.size(), 1u);
  EXPECT_EQ(deep.rejections[0].reason, RejectReason::kTooLarge);
  EXPECT_NE(deep.rejections[0].detail.find("nested deeper than"), std::string::npos);
}

// A downvoted post keeps its score below zero; a crosspost's url (the shared post's relative
// path) is no link of the post.
TEST(RedditAdapterTest, NegativeScoresAndCrosspostPaths) {
  auto comment =
      ParseText(R"({"id":"abc","body":"this product sucks","created_utc":1700000000,"author":"u",)"
                R"("subreddit":"gadgets","link_id":"t3_x","parent_id":"t3_x","score":-7})",
                Format::kReddit);
  ASSERT_EQ(comment.posts.size(), 1u);
  EXPECT_EQ(comment.posts[0].engagement.score, -7);
  auto crosspost = ParseText(
      R"({"kind":"t3","data":{"id":"s1","title":"look","selftext":"","created_utc":1700000000,)"
      R"("author":"u","subreddit":"pics","url":"/r/pics/comments/s0/original/","score":"-2"}})",
      Format::kReddit);
  ASSERT_EQ(crosspost.posts.size(), 1u);
  EXPECT_TRUE(crosspost.posts[0].links.empty());
  EXPECT_EQ(crosspost.posts[0].engagement.score, -2);
}

}  // namespace
}  // namespace earshot::ingest
