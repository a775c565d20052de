// The canonical post: what every format adapter produces and every later stage reads.
//
// A Post is a plain value. It owns all of its strings (no views into parser buffers), so it can
// be moved across threads and outlive the record it came from. Fields that a source does not
// carry stay empty (strings) or unset (optionals); an adapter never invents a value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace earshot::ingest {

enum class Source : uint8_t {
  kX,
  kReddit,
  kBluesky,
  kMastodon,
  kYelp,
  kAmazon,
  kAppStore,
  kGooglePlay,
  kGeneric,
};

enum class PostKind : uint8_t { kPost, kReply, kRepost, kQuote, kComment, kReview };

[[nodiscard]] std::string_view SourceName(Source source);
[[nodiscard]] std::string_view PostKindName(PostKind kind);
[[nodiscard]] std::optional<Source> SourceFromName(std::string_view name);
[[nodiscard]] std::optional<PostKind> PostKindFromName(std::string_view name);

struct Author {
  std::string id;
  std::string handle;  // screen name / username / acct, without a leading '@'
  std::string name;    // display name
  std::optional<int64_t> followers;
};

// Engagement counts as the source reports them at capture time.
struct Engagement {
  std::optional<int64_t> likes;    // favourites, likes, thumbs-up, "useful" votes
  std::optional<int64_t> reposts;  // retweets, reblogs
  std::optional<int64_t> replies;
  std::optional<int64_t> quotes;
  std::optional<int64_t> score;  // Reddit score
};

// Where the record came from: a Kafka position or a file position.
struct Origin {
  std::string topic;       // Kafka topic, or the file path ("-" for stdin)
  int32_t partition = -1;  // Kafka partition; -1 for files
  int64_t offset = -1;     // Kafka offset; -1 for files
  int64_t line = 0;        // 1-based line where the record starts in a file; 0 for Kafka
  int32_t index = -1;      // 0-based element index when the record holds many posts
};

struct Post {
  std::string id;  // exact, as a string (ids above 2^53 are never read through a double)
  Source source = Source::kGeneric;
  PostKind kind = PostKind::kPost;
  std::string text;   // full text: entities decoded, HTML stripped where the source is HTML
  std::string title;  // submissions and reviews
  Author author;
  int64_t created_at_ms = 0;  // UTC, milliseconds since the epoch
  std::string lang;           // BCP-47, or empty when unknown
  std::optional<double> rating;
  std::string url;
  std::string parent_id;  // the post replied to, reposted or quoted
  std::string root_id;    // conversation / thread root
  std::string community;  // subreddit, app id, business id, product id
  std::vector<std::string> links;  // expanded URLs of links in the post
  Engagement engagement;
  Origin origin;

  // Returns every field to its default value (as in a default-constructed Post) while keeping the
  // strings' and the links' capacity, so a reused Post costs no allocation. A field added above
  // must be reset here too (tests/ingest/core_test.cc checks this against Post{}).
  void Reset() {
    id.clear();
    source = Source::kGeneric;
    kind = PostKind::kPost;
    text.clear();
    title.clear();
    author.id.clear();
    author.handle.clear();
    author.name.clear();
    author.followers.reset();
    created_at_ms = 0;
    lang.clear();
    rating.reset();
    url.clear();
    parent_id.clear();
    root_id.clear();
    community.clear();
    links.clear();
    engagement = Engagement{};
    origin.topic.clear();
    origin.partition = -1;
    origin.offset = -1;
    origin.line = 0;
    origin.index = -1;
  }
};

// Writes `post` as one line of JSON (schemas/post.schema.json), without a trailing newline.
void AppendPostJson(const Post& post, std::string& out);

}  // namespace earshot::ingest
