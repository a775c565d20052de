#include "ingest/post.h"

#include <array>
#include <charconv>
#include <cmath>

#include "ingest/text.h"
#include "ingest/time_parse.h"

namespace earshot::ingest {
namespace {

constexpr std::array<std::string_view, 9> kSourceNames = {
    "x", "reddit", "bluesky", "mastodon", "yelp", "amazon", "app_store", "google_play", "generic"};
constexpr std::array<std::string_view, 6> kKindNames = {"post",    "reply",   "repost",
                                                        "quote",   "comment", "review"};

void AppendInt(int64_t v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// A JSON number, or null for NaN and infinities (which JSON cannot write). Magnitudes of 1e15
// and more are written with an exponent: the shortest form of 1.8e20 is 21 digits without one,
// and parsers that read integers into 64 bits (simdjson among them) reject such a literal.
void AppendDouble(double v, std::string& out) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  char buf[32];
  auto format = std::fabs(v) >= 1e15 ? std::chars_format::scientific : std::chars_format::general;
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, format);
  out.append(buf, end);
}

// Appends ,"key":"value" when value is not empty.
void StringField(std::string_view key, std::string_view value, std::string& out) {
  if (value.empty()) return;
  out.append(",\"").append(key).append("\":");
  AppendJsonString(value, out);
}

void IntField(std::string_view key, const std::optional<int64_t>& value, std::string& out,
              bool& first) {
  if (!value) return;
  if (!first) out.push_back(',');
  first = false;
  out.push_back('"');
  out.append(key).append("\":");
  AppendInt(*value, out);
}

}  // namespace

std::string_view SourceName(Source source) { return kSourceNames[static_cast<size_t>(source)]; }
std::string_view PostKindName(PostKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

std::optional<Source> SourceFromName(std::string_view name) {
  for (size_t i = 0; i < kSourceNames.size(); ++i) {
    if (kSourceNames[i] == name) return static_cast<Source>(i);
  }
  return std::nullopt;
}

std::optional<PostKind> PostKindFromName(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<PostKind>(i);
  }
  return std::nullopt;
}

void AppendPostJson(const Post& post, std::string& out) {
  out.append("{\"id\":");
  AppendJsonString(post.id, out);
  out.append(",\"source\":\"").append(SourceName(post.source));
  out.append("\",\"kind\":\"").append(PostKindName(post.kind)).append("\",\"text\":");
  AppendJsonString(post.text, out);
  StringField("title", post.title, out);
  out.append(",\"author\":{");
  bool first_author = true;
  auto author_field = [&](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    if (!first_author) out.push_back(',');
    first_author = false;
    out.push_back('"');
    out.append(key).append("\":");
    AppendJsonString(value, out);
  };
  author_field("id", post.author.id);
  author_field("handle", post.author.handle);
  author_field("name", post.author.name);
  IntField("followers", post.author.followers, out, first_author);
  out.append("},\"created_at\":\"");
  char iso[24];
  FormatIsoMillis(post.created_at_ms, iso);
  out.append(iso, sizeof iso).append("\",\"created_at_ms\":");
  AppendInt(post.created_at_ms, out);
  out.append(",\"lang\":");
  AppendJsonString(post.lang, out);
  if (post.rating) {
    out.append(",\"rating\":");
    AppendDouble(*post.rating, out);
  }
  StringField("url", post.url, out);
  StringField("parent_id", post.parent_id, out);
  StringField("root_id", post.root_id, out);
  StringField("community", post.community, out);
  if (!post.links.empty()) {
    out.append(",\"links\":[");
    for (size_t i = 0; i < post.links.size(); ++i) {
      if (i) out.push_back(',');
      AppendJsonString(post.links[i], out);
    }
    out.push_back(']');
  }
  out.append(",\"engagement\":{");
  bool first = true;
  IntField("likes", post.engagement.likes, out, first);
  IntField("reposts", post.engagement.reposts, out, first);
  IntField("replies", post.engagement.replies, out, first);
  IntField("quotes", post.engagement.quotes, out, first);
  IntField("score", post.engagement.score, out, first);
  out.append("},\"origin\":{\"topic\":");
  AppendJsonString(post.origin.topic, out);
  if (post.origin.partition >= 0) {
    out.append(",\"partition\":");
    AppendInt(post.origin.partition, out);
    out.append(",\"offset\":");
    AppendInt(post.origin.offset, out);
  }
  if (post.origin.line > 0) {
    out.append(",\"line\":");
    AppendInt(post.origin.line, out);
  }
  if (post.origin.index >= 0) {
    out.append(",\"index\":");
    AppendInt(post.origin.index, out);
  }
  out.append("}}");
}

}  // namespace earshot::ingest
