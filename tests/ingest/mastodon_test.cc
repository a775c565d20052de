#include <gtest/gtest.h>

#include "ingest/format.h"
#include "tests/testing/fixtures.h"

namespace earshot::ingest {
namespace {

using ::earshot::testing::ParseFile;
using ::earshot::testing::ParseText;

TEST(MastodonAdapterTest, PublicTimeline2017SchemaWithNumericIds) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/mastodon/mastodon4j_public_timeline.json");
  auto parsed = ParseFile(path);
  ASSERT_EQ(parsed.posts.size(), 20u);
  EXPECT_TRUE(parsed.rejections.empty());
  for (size_t i = 0; i < parsed.posts.size(); ++i) {
    EXPECT_EQ(parsed.posts[i].source, Source::kMastodon);
    EXPECT_EQ(parsed.posts[i].kind, PostKind::kPost);
    EXPECT_EQ(parsed.posts[i].lang, "");  // no language field in the 2017 schema
    EXPECT_EQ(parsed.posts[i].origin.index, static_cast<int32_t>(i));
  }
  const Post& first = parsed.posts[0];
  EXPECT_EQ(first.id, "172429");
  EXPECT_EQ(first.text, "電話であれ、テキストであれ、伝達能力はしっかり鍛えてほしい。");
  EXPECT_EQ(first.author.id, "14476");
  EXPECT_EQ(first.author.handle, "iorin0225");
  EXPECT_EQ(first.author.name, "イオリン");
  EXPECT_EQ(first.author.followers, 1);
  EXPECT_EQ(first.created_at_ms, 1492150301893);
  EXPECT_EQ(first.url, "https://mstdn.jp/@iorin0225/172429");

  // <br> becomes a newline; a remote account's acct keeps its domain.
  const Post* quoted = parsed.Find("172427");
  ASSERT_NE(quoted, nullptr);
  EXPECT_EQ(quoted->author.handle, "cocoabottle@mastodon.cloud");
  EXPECT_EQ(quoted->text.rfind("JP管理人さん大変だなぁ。以下引用\n【お知らせ】", 0), 0u);
  EXPECT_EQ(quoted->engagement.reposts, 1);
}

TEST(MastodonAdapterTest, StreamingExamplesKeepOnlyStatusEvents) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/mastodon/mastodon-docs_streaming_examples.sse");
  auto parsed = ParseFile(path);
  // 4 update + 4 status.update events; notification, filters_changed (data: undefined),
  // announcement, announcement.reaction, announcement.delete, 3 deletes (bare-number payloads)
  // and conversation are skipped. The ":thump" heartbeat is not an event.
  EXPECT_EQ(parsed.posts.size(), 8u);
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"unsupported_event", 9}}));

  // A reply with "language": null; mention HTML reduced to its text.
  const Post& reply = parsed.posts[0];
  EXPECT_EQ(reply.id, "108914327388663283");
  EXPECT_EQ(reply.kind, PostKind::kReply);
  EXPECT_EQ(reply.parent_id, "108914298452377720");
  EXPECT_EQ(reply.text, "@disarray glad i was able to help");
  EXPECT_EQ(reply.lang, "");
  EXPECT_EQ(reply.author.handle, "freon@letsalllovela.in");
  EXPECT_EQ(reply.author.followers, 37);
  EXPECT_EQ(reply.created_at_ms, 1661900746839);
  EXPECT_EQ(reply.origin.line, 3);

  // status.update (an edit) is emitted again with the edited text.
  const Post& edited = parsed.posts[6];
  EXPECT_EQ(edited.id, "108914430312582020");
  EXPECT_EQ(edited.text, "#test but edited");
  EXPECT_EQ(edited.created_at_ms, 1661902332006);
  EXPECT_EQ(edited.author.handle, "trwnh");
  EXPECT_EQ(edited.author.followers, 2520);

  const Post* music = parsed.Find("109348684737626801");
  ASSERT_NE(music, nullptr);
  EXPECT_EQ(music->text,
            "#musicTuesday \n\nHere's a solo #piano track of mine called Gravity Assist\n\n"
            "#neoclassical (#jazz ish)\n\n"
            "https://cstudios.bandcamp.com/track/celestia-gravity-assist-no-19-var-2");
  EXPECT_EQ(music->url, "https://ruby.social/@chrismo/109348684454557541");
}

TEST(MastodonAdapterTest, CurrentStatusEntityExample) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/mastodon/mastodon-docs_Status_entity_example.json");
  auto parsed = ParseFile(path);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_TRUE(parsed.rejections.empty());
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.id, "103270115826048975");
  EXPECT_EQ(p.origin.index, -1);
  EXPECT_EQ(p.text,
            "\"I lost my inheritance with one wrong digit on my sort code\"\n\n"
            "https://www.theguardian.com/money/2019/dec/07/"
            "i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code");
  EXPECT_EQ(p.author.id, "1");
  EXPECT_EQ(p.author.handle, "Gargron");
  EXPECT_EQ(p.author.name, "Eugen");
  EXPECT_EQ(p.author.followers, 322930);
  EXPECT_EQ(p.created_at_ms, 1575776913901);
  EXPECT_EQ(p.lang, "en");
  EXPECT_EQ(p.engagement.likes, 11);
  EXPECT_EQ(p.engagement.reposts, 6);
  EXPECT_EQ(p.engagement.replies, 5);
  EXPECT_EQ(p.engagement.quotes, 2);
  EXPECT_EQ(p.links, std::vector<std::string>{
                         "https://www.theguardian.com/money/2019/dec/07/"
                         "i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"});
}

TEST(MastodonAdapterTest, ReblogTakesTextFromTheReblog) {
  auto parsed = ParseText(
      R"({"id":"200","created_at":"2022-08-30T23:05:46.839Z","in_reply_to_id":null,)"
      R"("spoiler_text":"","language":null,)"
      R"("uri":"https://m.example/users/b/statuses/200/activity",)"
      R"("url":null,"content":"","account":{"id":"2","acct":"booster","display_name":"B",)"
      R"("followers_count":9},"reblog":{"id":"100","created_at":"2022-08-30T20:00:00Z",)"
      R"("spoiler_text":"cw &amp; more","language":"de",)"
      R"("content":"<p>Hallo &amp; <b>Welt</b></p>",)"
      R"("account":{"id":"1","acct":"orig@else.where"},"card":{"url":"https://example.org/"}}})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.id, "200");
  EXPECT_EQ(p.kind, PostKind::kRepost);
  EXPECT_EQ(p.parent_id, "100");
  EXPECT_EQ(p.text, "Hallo & Welt");
  EXPECT_EQ(p.title, "cw &amp; more");  // spoiler_text is plain text, not HTML
  EXPECT_EQ(p.lang, "de");
  EXPECT_EQ(p.author.handle, "booster");
  EXPECT_EQ(p.author.followers, 9);
  EXPECT_EQ(p.created_at_ms, 1661900746839);
  EXPECT_EQ(p.url, "https://m.example/users/b/statuses/200/activity");  // uri when url is null
  EXPECT_EQ(p.links, std::vector<std::string>{"https://example.org/"});
}

TEST(MastodonAdapterTest, SseHeartbeatsUndefinedDataAndBareNumberDeletes) {
  auto parsed = ParseText(
      ":thump\n\n"
      "event: filters_changed\ndata: undefined\n\n"
      "event: delete\ndata: 107214471804101576\n\n"
      ":thump\n\n"
      "event: update\n"
      R"(data: {"id":"1","created_at":"2022-11-15T16:06:48.410Z","content":"<p>hi</p>",)"
      R"("spoiler_text":"CW","account":{"id":"5","acct":"a"}})"
      "\n\n");
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].text, "hi");
  EXPECT_EQ(parsed.posts[0].title, "CW");
  EXPECT_EQ(parsed.posts[0].lang, "");  // language absent
  EXPECT_EQ(parsed.posts[0].origin.line, 11);
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"unsupported_event", 2}}));
}

TEST(MastodonAdapterTest, QuoteAndEmptyContent) {
  auto parsed =
      ParseText(R"([{"id":"3","created_at":"2025-10-01T00:00:00Z","content":"<p>see this</p>",)"
                R"("account":{"id":"5","acct":"a"},"quote":{"state":"accepted",)"
                R"("quoted_status":{"id":"2","content":"<p>original</p>"}}},)"
                R"({"id":"4","created_at":"2025-10-01T00:00:00Z","content":"","spoiler_text":"",)"
                R"("account":{"id":"5","acct":"a"}}])");
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].kind, PostKind::kQuote);
  EXPECT_EQ(parsed.posts[0].parent_id, "2");
  EXPECT_EQ(parsed.posts[0].text, "see this");
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].reason, RejectReason::kMissingText);
  EXPECT_EQ(parsed.rejections[0].origin.index, 1);
}

TEST(MastodonAdapterTest, EmptyUrlKeepsTheUriAndANullStatusIsRejectedAlone) {
  auto parsed =
      ParseText(R"([{"id":"11","uri":"https://example.social/users/a/statuses/11","url":"",)"
                R"("created_at":"2023-01-01T00:00:00.000Z","content":"<p>Sch&ouml;n</p>",)"
                R"("account":{"id":"1","acct":"a"}},null])",
                Format::kMastodon);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].url, "https://example.social/users/a/statuses/11");
  EXPECT_EQ(parsed.posts[0].text, "Schön");
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"not_a_post", 1}}));
}

// GET /api/v2/search: the statuses are posts; the accounts and hashtags found are not. Detected
// as Mastodon (an X v1 search result also has "statuses"), whatever comes first.
TEST(MastodonAdapterTest, SearchResultsYieldTheirStatuses) {
  const std::string account =
      R"({"id":"7","username":"nimbusfan","acct":"nimbusfan","display_name":"N",)"
      R"("note":"<p>I fly a lot</p>","url":"https://example.social/@nimbusfan",)"
      R"("followers_count":12,"fields":[{"name":"site","value":"x"}]})";
  const std::string status1 =
      R"({"id":"113000000000000001","created_at":"2026-11-20T08:15:02.000Z",)"
      R"("language":"en","content":"<p>Nimbus Air lost my bag again</p>",)"
      R"("url":"https://example.social/@a/113000000000000001",)"
      R"("account":{"id":"1","acct":"a","followers_count":3}})";
  const std::string status2 =
      R"({"id":"113000000000000002","created_at":"2026-11-20T08:16:00.000Z",)"
      R"("content":"<p>Nimbus Air crew were lovely</p>","account":{"id":"2","acct":"b"}})";
  const std::string result = R"({"accounts":[)" + account + R"(],"statuses":[)" + status1 + "," +
                             status2 + R"(],"hashtags":[{"name":"nimbusair"}]})";
  EXPECT_EQ(DetectJsonFormat(result), Format::kMastodon);
  for (const std::string& text :
       {result, R"({"statuses":[)" + status1 + "," + status2 + R"(],"accounts":[]})"}) {
    auto parsed = ParseText(text);
    ASSERT_EQ(parsed.posts.size(), 2u) << text;
    EXPECT_TRUE(parsed.rejections.empty());
    EXPECT_EQ(parsed.posts[0].source, Source::kMastodon);
    EXPECT_EQ(parsed.posts[0].id, "113000000000000001");
    EXPECT_EQ(parsed.posts[0].text, "Nimbus Air lost my bag again");
    EXPECT_EQ(parsed.posts[0].author.handle, "a");
    EXPECT_EQ(parsed.posts[0].origin.index, 0);
    EXPECT_EQ(parsed.posts[1].text, "Nimbus Air crew were lovely");
    EXPECT_EQ(parsed.posts[1].origin.index, 1);
  }
  // Nothing found: no post, and no rejection for the empty list; without statuses at all, the
  // record is not a post.
  auto empty = ParseText(R"({"accounts":[],"statuses":[],"hashtags":[]})", Format::kMastodon);
  EXPECT_TRUE(empty.posts.empty());
  EXPECT_TRUE(empty.rejections.empty());
  auto accounts_only = ParseText(R"({"accounts":[)" + account + "]}", Format::kMastodon);
  EXPECT_TRUE(accounts_only.posts.empty());
  EXPECT_EQ(accounts_only.ReasonCounts(), (std::map<std::string, int>{{"not_a_post", 1}}));
  // An X v1 search result is still X v1.
  EXPECT_EQ(DetectJsonFormat(R"({"statuses":[{"id_str":"1","text":"hi","user":{"id_str":"2"}}],)"
                             R"("search_metadata":{}})"),
            Format::kXV1);
}

}  // namespace
}  // namespace earshot::ingest
