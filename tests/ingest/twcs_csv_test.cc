// Tests for the Customer Support on Twitter (TWCS) CSV reader: the shared 5,000-row sample and
// hand-written rows for every quirk (quoted newlines, "3.0" ids, comma-joined reply lists,
// anonymised customer handles) and for broken input.
#include <gtest/gtest.h>

#include <string>

#include "ingest/text.h"
#include "tests/testing/fixtures.h"

namespace earshot::ingest {
namespace {

using ::earshot::testing::ParseFile;
using ::earshot::testing::ParseText;
using Counts = std::map<std::string, int>;

constexpr char kHeader[] =
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n";

TEST(TwcsCsvTest, SampleGivesFiveThousandPosts) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/support_tweets/twcs_small.csv");
  auto parsed = ParseFile(path);
  ASSERT_EQ(parsed.posts.size(), 5000u);
  EXPECT_EQ(parsed.ReasonCounts(), Counts{});
  int replies = 0, company = 0, multi_line = 0;
  for (const Post& p : parsed.posts) {
    ASSERT_EQ(p.source, Source::kX);
    ASSERT_TRUE(IsValidUtf8(p.text)) << p.id;
    ASSERT_EQ(p.id.find('.'), std::string::npos) << p.id;
    ASSERT_EQ(p.parent_id.find('.'), std::string::npos) << p.id;
    replies += p.kind == PostKind::kReply;
    company += !p.author.handle.empty();
    multi_line += p.text.find('\n') != std::string::npos;
  }
  EXPECT_EQ(replies, 3605);
  EXPECT_EQ(company, 2282);  // outbound rows: the company accounts keep their handles
  EXPECT_EQ(multi_line, 196);
  EXPECT_EQ(parsed.posts.back().origin.line, 5379);

  const Post& first = parsed.posts[0];
  EXPECT_EQ(first.id, "192624");
  EXPECT_EQ(first.kind, PostKind::kReply);
  EXPECT_EQ(first.parent_id, "192625");  // "192625.0" in the file
  EXPECT_EQ(first.author.id, "161253");
  EXPECT_EQ(first.author.handle, "");  // customers are anonymised integers
  EXPECT_EQ(first.text, "@161252 What's that egg website people talk about");
  EXPECT_EQ(first.created_at_ms, 1507125573000);  // Wed Oct 04 13:59:33 +0000 2017
  EXPECT_EQ(first.url, "https://x.com/i/web/status/192624");
  EXPECT_EQ(first.origin.line, 2);

  const Post* apple = parsed.Find("2414302");
  ASSERT_NE(apple, nullptr);
  EXPECT_EQ(apple->author.id, "AppleSupport");
  EXPECT_EQ(apple->author.handle, "AppleSupport");
  EXPECT_EQ(apple->parent_id, "2414304");
  EXPECT_EQ(apple->created_at_ms, 1510681081000);  // Tue Nov 14 17:38:01 +0000 2017

  // A quoted text spanning three lines; the next row's line number accounts for them.
  const Post& quoted = parsed.posts[9];
  EXPECT_EQ(quoted.id, "2744170");
  EXPECT_EQ(quoted.origin.line, 11);
  EXPECT_EQ(quoted.text,
            "@AmazonHelp Saw that but only after a labored hunt. Bigger point though: why only "
            "USB 2.0? \n\nNot expecting you to explain USB standards but is there/will there ever "
            "be a 3.0?");
  EXPECT_EQ(quoted.parent_id, "2744169");
  EXPECT_EQ(parsed.posts[10].id, "844825");
  EXPECT_EQ(parsed.posts[10].origin.line, 14);

  // A post with no in_response_to is a plain post.
  const Post& standalone = parsed.posts[1];
  EXPECT_EQ(standalone.id, "738238");
  EXPECT_EQ(standalone.kind, PostKind::kPost);
  EXPECT_EQ(standalone.parent_id, "");
}

TEST(TwcsCsvTest, QuotedFieldsFloatIdsAndReplyLists) {
  std::string csv = std::string(kHeader) +
                    "3.0,AmazonHelp,False,Tue Oct 31 22:10:47 +0000 2017,"
                    "\"@115712 I said \"\"hi\"\", then, a comma\n"
                    "and a new line &amp; more\",\"1,2\",4.0\n"
                    "5,115712.0,True,Tue Oct 31 22:11:45 +0000 2017,plain &lt;3,,\n";
  auto parsed = ParseText(csv);
  ASSERT_EQ(parsed.posts.size(), 2u);
  EXPECT_TRUE(parsed.rejections.empty());
  const Post& a = parsed.posts[0];
  EXPECT_EQ(a.id, "3");
  EXPECT_EQ(a.author.handle, "AmazonHelp");
  EXPECT_EQ(a.text, "@115712 I said \"hi\", then, a comma\nand a new line & more");
  EXPECT_EQ(a.kind, PostKind::kReply);
  EXPECT_EQ(a.parent_id, "4");
  EXPECT_EQ(a.created_at_ms, 1509487847000);
  EXPECT_EQ(a.origin.line, 2);
  const Post& b = parsed.posts[1];
  EXPECT_EQ(b.id, "5");
  EXPECT_EQ(b.author.id, "115712");  // "115712.0": a float-looking customer id
  EXPECT_EQ(b.author.handle, "");
  EXPECT_EQ(b.text, "plain <3");
  EXPECT_EQ(b.kind, PostKind::kPost);
  EXPECT_EQ(b.origin.line, 4);
}

TEST(TwcsCsvTest, CommaJoinedParentListTakesTheFirst) {
  std::string csv =
      std::string(kHeader) + "10,Delta,False,Tue Oct 31 22:10:47 +0000 2017,hi,,\"8.0,9.0\"\n";
  auto parsed = ParseText(csv);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].parent_id, "8");
}

TEST(TwcsCsvTest, CrlfLineEndingsByteOrderMarkAndBlankLines) {
  std::string csv = "\xEF\xBB\xBF" + std::string(kHeader);
  csv.insert(csv.size() - 1, "\r");
  csv += "1,2,True,Tue Oct 31 22:10:47 +0000 2017,\"a\r\nb\",,\r\n\r\n";
  csv += "3,4,True,Tue Oct 31 22:10:47 +0000 2017,c,,";  // no final newline
  auto parsed = ParseText(csv, Format::kTwcsCsv);
  ASSERT_EQ(parsed.posts.size(), 2u);
  EXPECT_TRUE(parsed.rejections.empty());
  EXPECT_EQ(parsed.posts[0].text, "a\r\nb");
  EXPECT_EQ(parsed.posts[0].origin.line, 2);
  EXPECT_EQ(parsed.posts[1].text, "c");
  EXPECT_EQ(parsed.posts[1].origin.line, 5);
}

TEST(TwcsCsvTest, BrokenRowsAreRejectedWithTheirLine) {
  std::string csv = std::string(kHeader) + "1,2,True,Tue Oct 31 22:10:47 +0000 2017,too few\n" +
                    "2,2,True,2017-10-31,bad time,,\n" +
                    "3,2,True,Tue Oct 31 22:10:47 +0000 2017,,,\n" +
                    ",2,True,Tue Oct 31 22:10:47 +0000 2017,no id,,\n" +
                    "4,2,True,Tue Oct 31 22:10:47 +0000 2017,bad \xff byte,,\n" +
                    "5,2,True,Tue Oct 31 22:10:47 +0000 2017,fine,,\n" +
                    "6,2,True,Tue Oct 31 22:10:47 +0000 2017,\"never closed,,\nmore\n";
  auto parsed = ParseText(csv);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].id, "5");
  EXPECT_EQ(parsed.posts[0].origin.line, 7);
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"bad_encoding", 1},
                                           {"bad_timestamp", 1},
                                           {"malformed_json", 2},
                                           {"missing_id", 1},
                                           {"missing_text", 1}}));
  ASSERT_EQ(parsed.rejections.size(), 6u);
  EXPECT_EQ(parsed.rejections[0].origin.line, 2);
  EXPECT_NE(parsed.rejections[0].detail.find("5 fields"), std::string::npos);
  EXPECT_EQ(parsed.rejections[5].origin.line, 8);
  EXPECT_NE(parsed.rejections[5].detail.find("unterminated"), std::string::npos);
}

}  // namespace
}  // namespace earshot::ingest
