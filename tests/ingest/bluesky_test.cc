#include <gtest/gtest.h>

#include "tests/testing/fixtures.h"

namespace earshot::ingest {
namespace {

using ::earshot::testing::ParseFile;
using ::earshot::testing::ParseText;

TEST(BlueskyAdapterTest, ProductionCaptureKeepsOnlyPostCreates) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/bluesky/jetstream_corpus_expected_v1.jsonl");
  auto parsed = ParseFile(path);
  // 17 post creates, one of them a text-less link card (rejected as missing text); 135 other
  // events (likes, reposts, follows, blocks, deletes, updates, identity, account).
  EXPECT_EQ(parsed.posts.size(), 16u);
  EXPECT_EQ(parsed.ReasonCounts(),
            (std::map<std::string, int>{{"missing_text", 1}, {"unsupported_event", 135}}));
  int likes = 0;
  for (const auto& r : parsed.rejections) {
    likes += r.detail == "jetstream commit create app.bsky.feed.like";
  }
  EXPECT_EQ(likes, 105);
  int replies = 0;
  for (const auto& p : parsed.posts) {
    EXPECT_EQ(p.source, Source::kBluesky);
    replies += p.kind == PostKind::kReply;
  }
  EXPECT_EQ(replies, 7);

  // Facet link and external embed uri are the same link, kept once.
  const Post* yt =
      parsed.Find("at://did:plc:dclwtltrt2ggsryagfzk7dp4/app.bsky.feed.post/3mptbyoeyc22k");
  ASSERT_NE(yt, nullptr);
  EXPECT_EQ(yt->kind, PostKind::kPost);
  EXPECT_EQ(yt->text, "www.youtube.com/watch?v=V5lD...");
  EXPECT_EQ(yt->author.id, "did:plc:dclwtltrt2ggsryagfzk7dp4");
  EXPECT_EQ(yt->created_at_ms, 1783175886240);
  EXPECT_EQ(yt->lang, "en");
  EXPECT_EQ(yt->links, std::vector<std::string>{"https://www.youtube.com/watch?v=V5lDo-jw8mA"});
  EXPECT_EQ(yt->url,
            "https://bsky.app/profile/did:plc:dclwtltrt2ggsryagfzk7dp4/post/3mptbyoeyc22k");
  EXPECT_EQ(yt->origin.line, 2);

  // A reply in a self-thread: parent and root are different posts.
  const Post* reply =
      parsed.Find("at://did:plc:u4lmvw4wwzaql3z5kcf3r7h4/app.bsky.feed.post/3mptbyoumc22i");
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(reply->kind, PostKind::kReply);
  EXPECT_EQ(reply->parent_id,
            "at://did:plc:u4lmvw4wwzaql3z5kcf3r7h4/app.bsky.feed.post/3mptbyou7ls2i");
  EXPECT_EQ(reply->root_id,
            "at://did:plc:u4lmvw4wwzaql3z5kcf3r7h4/app.bsky.feed.post/3mptbyospqk2i");
  EXPECT_EQ(reply->lang, "tr");

  // No langs: lang stays empty. "+00:00" offsets parse.
  const Post* czech =
      parsed.Find("at://did:plc:fe7cz462lvsuhadx6z35orni/app.bsky.feed.post/3mptbypt22l26");
  ASSERT_NE(czech, nullptr);
  EXPECT_EQ(czech->lang, "");
  EXPECT_EQ(czech->links, std::vector<std::string>{"https://denikn.cz/2113523"});
  const Post* ufo =
      parsed.Find("at://did:plc:ybqkf2mtfbwx3qhga63mttja/app.bsky.feed.post/3mptbyoigog2b");
  ASSERT_NE(ufo, nullptr);
  EXPECT_EQ(ufo->created_at_ms, 1783175882000);
  EXPECT_EQ(ufo->lang, "en-US");  // the first of ["en-US","en"]
}

TEST(BlueskyAdapterTest, HandPickedGoldenHasOnePostAndNineSkips) {
  EARSHOT_REQUIRE_SHARED(path, "fixtures/bluesky/jetstream_subscribe_golden_v1.jsonl");
  auto parsed = ParseFile(path);
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"unsupported_event", 9}}));
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.id, "at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223");
  EXPECT_EQ(p.text, "Try RSV for a good time !!");
  EXPECT_EQ(p.kind, PostKind::kReply);
  EXPECT_EQ(p.parent_id, "at://did:plc:j76trmiofvaxxpvx2vnb2vwf/app.bsky.feed.post/3mmojbrjwbs26");
  EXPECT_EQ(p.created_at_ms, 1779719008757);
  std::vector<std::string> details;
  for (const auto& r : parsed.rejections) details.push_back(r.detail);
  EXPECT_EQ(details, (std::vector<std::string>{
                         "jetstream commit create app.bsky.feed.like",
                         "jetstream commit create app.bsky.feed.repost",
                         "jetstream commit create app.bsky.graph.follow",
                         "jetstream commit update app.bsky.actor.profile",
                         "jetstream commit delete org.hypercerts.claim.activity",
                         "jetstream commit update place.stream.broadcast.origin",
                         "jetstream identity",
                         "jetstream account",
                         "jetstream commit create app.bsky.graph.block",
                     }));
}

TEST(BlueskyAdapterTest, QuoteEmbedMakesAQuoteAndTimeUsIsTheFallback) {
  auto parsed = ParseText(
      R"({"did":"did:plc:a","time_us":1725911162329308,"kind":"commit","commit":{"rev":"r",)"
      R"("operation":"create","collection":"app.bsky.feed.post","rkey":"k1","record":{)"
      R"("$type":"app.bsky.feed.post","text":"look &amp; see",)"
      R"("embed":{"$type":"app.bsky.embed.record","record":{"cid":"c",)"
      R"("uri":"at://did:plc:b/app.bsky.feed.post/q"}}},"cid":"c"}})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.kind, PostKind::kQuote);
  EXPECT_EQ(p.parent_id, "at://did:plc:b/app.bsky.feed.post/q");
  EXPECT_EQ(p.text, "look &amp; see");        // Bluesky text is plain: no entity decoding
  EXPECT_EQ(p.created_at_ms, 1725911162329);  // no createdAt: time_us, in milliseconds
  EXPECT_EQ(p.lang, "");                      // no langs
}

TEST(BlueskyAdapterTest, RecordWithMediaQuoteAndDeletesAndForeignLexicons) {
  auto parsed = ParseText(
      R"({"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"create",)"
      R"("collection":"app.bsky.feed.post","rkey":"k2","record":{"text":"q",)"
      R"("createdAt":"2024-09-09T19:46:02.102Z","langs":["pt"],)"
      R"("embed":{"$type":"app.bsky.embed.recordWithMedia","media":{},)"
      R"("record":{"record":{"uri":"at://did:plc:c/app.bsky.feed.post/z"}}}}}})"
      "\n"
      R"({"did":"did:plc:a","time_us":2,"kind":"commit","commit":{"operation":"delete",)"
      R"("collection":"app.bsky.feed.post","rkey":"k2"}})"
      "\n"
      R"({"did":"did:plc:a","time_us":3,"kind":"commit","commit":{"operation":"create",)"
      R"("collection":"fm.teal.alpha.feed.play","rkey":"k3","record":{"text":"not a post"}}})"
      "\n");
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].kind, PostKind::kQuote);
  EXPECT_EQ(parsed.posts[0].parent_id, "at://did:plc:c/app.bsky.feed.post/z");
  EXPECT_EQ(parsed.posts[0].lang, "pt");
  EXPECT_EQ(parsed.posts[0].created_at_ms, 1725911162102);
  ASSERT_EQ(parsed.rejections.size(), 2u);
  EXPECT_EQ(parsed.rejections[0].detail, "jetstream commit delete app.bsky.feed.post");
  EXPECT_EQ(parsed.rejections[1].detail, "jetstream commit create fm.teal.alpha.feed.play");
}

TEST(BlueskyAdapterTest, ArrayOfEventsIsIndexed) {
  auto parsed = ParseText(
      R"([{"did":"did:plc:a","time_us":1725911162329308,"kind":"identity","identity":{}},)"
      R"({"did":"did:plc:a","time_us":1725911162329309,"kind":"commit","commit":{)"
      R"("operation":"create","collection":"app.bsky.feed.post","rkey":"k",)"
      R"("record":{"text":"hi","createdAt":"2024-09-09T19:46:02Z"}}}])");
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].origin.index, 1);
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].origin.index, 0);
  EXPECT_EQ(parsed.rejections[0].detail, "jetstream identity");
}

TEST(BlueskyAdapterTest, ANonObjectEventIsRejectedAlone) {
  auto parsed = ParseText(
      R"([7,{"did":"did:plc:a","time_us":1700000000000000,"kind":"commit","commit":{)"
      R"("operation":"create","collection":"app.bsky.feed.post","rkey":"3k","cid":"c",)"
      R"("record":{"$type":"app.bsky.feed.post","text":"hi","createdAt":"2023-11-14T22:13:20Z"}}}])",
      Format::kBluesky);
  ASSERT_EQ(parsed.posts.size(), 1u) << ::testing::PrintToString(parsed.ReasonCounts());
  EXPECT_EQ(parsed.posts[0].text, "hi");
  EXPECT_EQ(parsed.ReasonCounts(), (std::map<std::string, int>{{"not_a_post", 1}}));
}

}  // namespace
}  // namespace earshot::ingest
