// Tests for the generic JSON adapter: fields read through a GenericMapping of JSON pointers.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "ingest/post_parser.h"
#include "ingest/record_reader.h"
#include "tests/testing/fixtures.h"

namespace earshot::ingest {
namespace {

using ::earshot::testing::Parsed;
using Counts = std::map<std::string, int>;

Parsed ParseWith(const GenericMapping& mapping, const std::string& text) {
  ParserOptions options;
  options.generic = mapping;
  PostParser parser(options);
  simdjson::padded_string buffer(text);
  Parsed parsed;
  ParseInput(parser, std::string_view(buffer.data(), buffer.size()), Format::kGeneric, "text",
             [&](ParseOutput& out) {
               for (auto& p : out.posts) parsed.posts.push_back(std::move(p));
               for (auto& r : out.rejections) parsed.rejections.push_back(std::move(r));
             });
  return parsed;
}

// A forum export with everything nested.
GenericMapping ForumMapping() {
  GenericMapping m;
  m.source = Source::kGeneric;
  m.kind = PostKind::kComment;
  m.id = "/meta/id";
  m.text = "/body/plain";
  m.title = "/body/subject";
  m.created_at = "/meta/ts";
  m.author_id = "/user/id";
  m.author_handle = "/user/login";
  m.author_name = "/user/profile/display";
  m.author_followers = "/user/stats/followers";
  m.lang = "/body/lang";
  m.url = "/links/0/href";
  m.rating = "/score";
  m.parent_id = "/meta/in_reply_to";
  m.community = "/forum";
  m.likes = "/reactions/up";
  m.reposts = "/reactions/shares";
  m.replies = "/reactions/replies";
  return m;
}

TEST(GenericAdapterTest, NestedPointersFillEveryField) {
  auto parsed = ParseWith(ForumMapping(), R"({
    "forum": 77,
    "reactions": {"replies": 3, "up": "1,234", "shares": 2.0},
    "score": "4.5",
    "links": [{"href": "https://forum.example/t/1"}, {"href": "https://other"}],
    "body": {"lang": "en", "plain": "hello \u00e9 world", "subject": "Hi"},
    "user": {"profile": {"display": "Ann Example"}, "login": "@ann", "id": 42,
             "stats": {"followers": 10}},
    "meta": {"ts": "2021-04-01T15:52:31.000Z", "id": 18446744073709551615}
  })");
  ASSERT_EQ(parsed.posts.size(), 1u);
  ASSERT_TRUE(parsed.rejections.empty());
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.id, "18446744073709551615");  // exact, never through a double
  EXPECT_EQ(p.source, Source::kGeneric);
  EXPECT_EQ(p.kind, PostKind::kComment);  // the mapping's kind: no parent
  EXPECT_EQ(p.text, "hello \u00e9 world");
  EXPECT_EQ(p.title, "Hi");
  EXPECT_EQ(p.created_at_ms, 1617292351000);
  EXPECT_EQ(p.author.id, "42");
  EXPECT_EQ(p.author.handle, "ann");
  EXPECT_EQ(p.author.name, "Ann Example");
  EXPECT_EQ(p.author.followers, 10);
  EXPECT_EQ(p.lang, "en");
  EXPECT_EQ(p.url, "https://forum.example/t/1");
  EXPECT_EQ(p.rating, 4.5);
  EXPECT_EQ(p.community, "77");
  EXPECT_EQ(p.engagement.likes, 1234);
  EXPECT_EQ(p.engagement.reposts, 2);
  EXPECT_EQ(p.engagement.replies, 3);
  EXPECT_EQ(p.parent_id, "");
}

TEST(GenericAdapterTest, ParentMakesAReplyAndNumericEpochsAreRead) {
  GenericMapping m = ForumMapping();
  auto parsed = ParseWith(
      m,
      "{\"meta\":{\"id\":\"a\",\"ts\":1617292351,\"in_reply_to\":9},\"body\":{\"plain\":\"s\"}}\n"
      "{\"meta\":{\"id\":\"b\",\"ts\":1617292351123},\"body\":{\"plain\":\"ms\"}}\n"
      "{\"meta\":{\"id\":\"c\",\"ts\":1617292351.5},\"body\":{\"plain\":\"frac\"}}\n"
      "{\"meta\":{\"id\":\"d\",\"ts\":\"1617292351\"},\"body\":{\"plain\":\"text epoch\"}}\n");
  ASSERT_EQ(parsed.posts.size(), 4u);
  EXPECT_TRUE(parsed.rejections.empty());
  EXPECT_EQ(parsed.posts[0].kind, PostKind::kReply);
  EXPECT_EQ(parsed.posts[0].parent_id, "9");
  EXPECT_EQ(parsed.posts[0].created_at_ms, 1617292351000);
  EXPECT_EQ(parsed.posts[1].kind, PostKind::kComment);
  EXPECT_EQ(parsed.posts[1].created_at_ms, 1617292351123);
  EXPECT_EQ(parsed.posts[2].created_at_ms, 1617292351500);
  EXPECT_EQ(parsed.posts[3].created_at_ms, 1617292351000);
}

TEST(GenericAdapterTest, MissingIdTextOrTimeIsRejected) {
  auto parsed =
      ParseWith(ForumMapping(),
                "{\"meta\":{\"ts\":1617292351},\"body\":{\"plain\":\"no id\"}}\n"
                "{\"meta\":{\"id\":null,\"ts\":1617292351},\"body\":{\"plain\":\"null id\"}}\n"
                "{\"meta\":\"flat\",\"body\":{\"plain\":\"meta is not an object\"}}\n"
                "{\"meta\":{\"id\":\"x\",\"ts\":1617292351},\"body\":{}}\n"
                "{\"meta\":{\"id\":\"y\",\"ts\":\"yesterday\"},\"body\":{\"plain\":\"t\"}}\n");
  EXPECT_TRUE(parsed.posts.empty());
  EXPECT_EQ(parsed.ReasonCounts(),
            (Counts{{"bad_timestamp", 1}, {"missing_id", 3}, {"missing_text", 1}}));
}

TEST(GenericAdapterTest, RootArrayUsesPointersRelativeToEachElement) {
  GenericMapping m;
  m.source = Source::kReddit;
  m.kind = PostKind::kPost;
  m.id = "/id";
  m.text = "/text";
  m.created_at = "/when";
  m.author_handle = "/who/name";
  m.author_name = "/who/name";  // one value for two fields: read once
  m.likes = "/n";
  // Keys in a different order in every element; lookups must not depend on it.
  auto parsed = ParseWith(m, R"([
    {"id": "1", "text": "first", "when": "2020-01-01T00:00:00Z", "who": {"name": "a"}, "n": 1},
    {"who": {"name": "b"}, "when": 1577836800, "text": "second", "id": 2, "n": "5"},
    {"n": 3, "text": "no id", "when": 1577836800},
    7,
    {"when": "2020-01-01", "id": "4", "extra": {"deep": [1, 2, {"x": "y"}]}, "text": "fourth"}
  ])");
  ASSERT_EQ(parsed.posts.size(), 3u);
  EXPECT_EQ(parsed.posts[0].id, "1");
  EXPECT_EQ(parsed.posts[0].source, Source::kReddit);
  EXPECT_EQ(parsed.posts[0].author.handle, "a");
  EXPECT_EQ(parsed.posts[0].engagement.likes, 1);
  EXPECT_EQ(parsed.posts[0].origin.index, 0);
  EXPECT_EQ(parsed.posts[1].id, "2");
  EXPECT_EQ(parsed.posts[1].text, "second");
  EXPECT_EQ(parsed.posts[1].author.handle, "b");
  EXPECT_EQ(parsed.posts[1].author.name, "b");
  EXPECT_EQ(parsed.posts[1].engagement.likes, 5);
  EXPECT_EQ(parsed.posts[1].created_at_ms, 1577836800000);
  EXPECT_EQ(parsed.posts[1].origin.index, 1);
  EXPECT_EQ(parsed.posts[2].id, "4");
  EXPECT_EQ(parsed.posts[2].text, "fourth");
  EXPECT_EQ(parsed.posts[2].origin.index, 4);
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"missing_id", 1}, {"not_a_post", 1}}));
}

TEST(GenericAdapterTest, EscapedPointerTokensAndTopLevelFields) {
  GenericMapping m;
  m.id = "/a~1b";      // key "a/b"
  m.text = "/c~0d/0";  // key "c~d", first element
  m.created_at = "/t";
  auto parsed =
      ParseWith(m, R"({"t": "Sun Aug 31 00:29:15 +0000 2014", "c~d": ["txt"], "a/b": "k"})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].id, "k");
  EXPECT_EQ(parsed.posts[0].text, "txt");
  EXPECT_EQ(parsed.posts[0].created_at_ms, 1409444955000);
  EXPECT_EQ(parsed.posts[0].kind, PostKind::kPost);
}

TEST(GenericAdapterTest, TruncatedOrBrokenRecordIsMalformed) {
  GenericMapping m;
  m.created_at = "/t";
  // The first line is whole so the input is framed as JSON Lines. The mapped fields of the broken
  // records all come before the damage. simdjson's first pass catches the unclosed array and
  // string; the missing colon is only found by walking the whole record after the lookups.
  auto parsed = ParseWith(m,
                          "{\"id\":\"3\",\"text\":\"x\",\"t\":1617292351}\n"
                          "{\"id\":\"1\",\"text\":\"x\",\"t\":1617292351,\"tail\":[1,2\n"
                          "{\"id\":\"2\",\"text\":\"x\",\"t\":1617292351,\"tail\":\"open}\n"
                          "{\"id\":\"4\",\"text\":\"x\",\"t\":1617292351,\"tail\" 5}\n");
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_EQ(parsed.posts[0].id, "3");
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"malformed_json", 3}}));
}

TEST(GenericAdapterTest, OnePassKeepsAtPointerSemantics) {
  GenericMapping m;
  m.id = "/id";
  m.text = "/list/1";              // through an array: looked up after the pass (rewinds)
  m.title = "/obj/inner";          // nested object
  m.author_name = "/obj";          // an object: nothing
  m.author_handle = "/id/deeper";  // through a string: nothing
  m.lang = "/";                    // the key ""
  m.created_at = "/t";
  m.url = "no-leading-slash";  // not a pointer: nothing
  auto parsed = ParseWith(m, R"({"id": "first", "obj": {"x": 1, "inner": "title text"},)"
                             R"( "": "xx", "list": ["a", "second"], "t": 1617292351,)"
                             R"( "id": "duplicate", "obj": {"inner": "late"}})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  const Post& p = parsed.posts[0];
  EXPECT_EQ(p.id, "first");  // first occurrence, read before the rewind of the array lookup
  EXPECT_EQ(p.text, "second");
  EXPECT_EQ(p.title, "title text");
  EXPECT_EQ(p.author.name, "");
  EXPECT_EQ(p.author.handle, "");
  EXPECT_EQ(p.lang, "xx");
  EXPECT_EQ(p.url, "");
  EXPECT_EQ(p.created_at_ms, 1617292351000);
}

TEST(GenericAdapterTest, BrokenRecordKeepsItsReferenceOutcome) {
  GenericMapping m;
  m.created_at = "/t";
  m.title = "/meta/deep";
  // A missing comma inside "meta", after the field a pointer needs: reading one pointer at a time
  // never gets there and the root walk skips "meta" whole, so the record is a post, as it always
  // was; a bad escape in a mapped field is found when its value is read.
  auto parsed = ParseWith(m,
                          "{\"id\":\"5\",\"text\":\"x\",\"t\":1617292351}\n"
                          "{\"meta\":{\"deep\":\"d\" \"z\":1},\"id\":\"6\",\"text\":\"y\","
                          "\"t\":1617292351}\n"
                          "{\"id\":\"7\",\"text\":\"bad \\q escape\",\"t\":1617292351}\n");
  ASSERT_EQ(parsed.posts.size(), 2u);
  EXPECT_EQ(parsed.posts[1].id, "6");
  EXPECT_EQ(parsed.posts[1].title, "d");
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"malformed_json", 1}}));
}

TEST(GenericAdapterTest, ScalarRecordIsNotAPost) {
  auto parsed = ParseWith(GenericMapping{}, "42");
  EXPECT_TRUE(parsed.posts.empty());
  EXPECT_EQ(parsed.ReasonCounts(), (Counts{{"not_a_post", 1}}));
}

TEST(GenericAdapterTest, NegativeCountsAreAbsent) {
  GenericMapping mapping;
  mapping.text = "/t";
  mapping.created_at = "/at";
  mapping.likes = "/likes";
  mapping.author_followers = "/f";
  auto parsed = ParseWith(mapping, R"({"id":"1","t":"x","at":1700000000,"likes":-5,"f":-2})");
  ASSERT_EQ(parsed.posts.size(), 1u);
  EXPECT_FALSE(parsed.posts[0].engagement.likes.has_value());
  EXPECT_FALSE(parsed.posts[0].author.followers.has_value());
}

}  // namespace
}  // namespace earshot::ingest
