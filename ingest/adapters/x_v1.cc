// X API v1.1: single statuses (streaming lines), search responses ({"statuses": [...],
// "search_metadata": ...}), top-level arrays of statuses (timelines), and streaming control
// messages ({"delete": ...}, {"limit": ...}, {"warning": ...}), which are skipped as unsupported
// events.
//
// Text: extended_tweet.full_text beats full_text beats text (whatever order the keys come in), so a
// truncated streaming status yields its full text. A retweet becomes a repost whose text is
// "RT @<original handle>: " followed by the original's full text, since the retweet's own text is
// cut at 140 characters. Ids are read from id_str (never through a double).
#include <string>
#include <string_view>
#include <vector>

#include "ingest/adapter.h"
#include "ingest/adapters/x_common.h"
#include "ingest/json_fields.h"
#include "ingest/time_parse.h"

namespace earshot::ingest {
namespace {

using json::RawKey;
using simdjson::error_code;
using simdjson::SUCCESS;

// A retweeted status holds at most a quoted status; nothing nests deeper in real data.
constexpr int kMaxDepth = 2;

// Per-status state that decides between alternatives once every key has been seen.
struct StatusScratch {
  int text_rank = 0;  // 1 text, 2 full_text, 3 extended_tweet.full_text
  bool have_id_str = false;
  bool have_timestamp_ms = false;
  bool have_extended_links = false;
  bool have_reply = false;
  bool have_quote = false;
  std::string quote_id;
  std::vector<std::string> links;           // entities.urls
  std::vector<std::string> extended_links;  // extended_tweet.entities.urls
};

void AddLink(std::string_view url, std::vector<std::string>& links) {
  if (url.empty()) return;
  for (const std::string& l : links) {
    if (l == url) return;
  }
  links.emplace_back(url);
}

void SetTextRanked(std::string_view raw, int rank, Post& post, StatusScratch& scratch) {
  if (rank < scratch.text_rank) return;
  scratch.text_rank = rank;
  x::SetText(raw, post);
}

error_code ParseEntities(od::object entities, std::vector<std::string>& links) {
  for (auto field_result : entities) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    if (RawKey(field) != "urls") continue;
    od::array urls;
    if (field.value().get_array().get(urls) != SUCCESS) continue;
    for (auto url_result : urls) {
      od::object url;
      if (auto e = std::move(url_result).get_object().get(url)) return e;
      for (auto uf_result : url) {
        if (auto e = uf_result.error()) return e;
        od::field&& uf = std::move(uf_result).value_unsafe();
        if (RawKey(uf) == "expanded_url") AddLink(json::StringOr(uf.value()), links);
      }
    }
  }
  return SUCCESS;
}

error_code ParseExtendedTweet(od::object ext, Post& post, StatusScratch& scratch) {
  for (auto field_result : ext) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "full_text") {
      std::string_view s;
      if (field.value().get_string().get(s) == SUCCESS) SetTextRanked(s, 3, post, scratch);
    } else if (key == "entities") {
      od::object entities;
      if (field.value().get_object().get(entities) != SUCCESS) continue;
      scratch.have_extended_links = true;
      if (auto e = ParseEntities(entities, scratch.extended_links)) return e;
    }
  }
  return SUCCESS;
}

error_code ParseUser(od::object user, Author& author) {
  bool have_id_str = false;
  for (auto field_result : user) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "id_str") {
      have_id_str = json::GetId(field.value(), author.id);
    } else if (key == "id") {
      if (!have_id_str) json::GetId(field.value(), author.id);
    } else if (key == "screen_name") {
      json::GetString(field.value(), author.handle);
    } else if (key == "name") {
      json::GetString(field.value(), author.name);
    } else if (key == "followers_count") {
      author.followers = json::GetCount(field.value());
    }
  }
  return SUCCESS;
}

error_code ParseStatus(od::object status, Post& post, int depth);

// Handles one key of a status object. Unknown keys are skipped by the caller's iteration.
error_code ParseStatusField(od::field& field, std::string_view key, Post& post,
                            StatusScratch& scratch, Post& retweeted, bool& is_retweet, int depth) {
  if (key == "id_str") {
    scratch.have_id_str = json::GetId(field.value(), post.id);
  } else if (key == "id") {
    if (!scratch.have_id_str) json::GetId(field.value(), post.id);
  } else if (key == "text") {
    std::string_view s;
    if (field.value().get_string().get(s) == SUCCESS) SetTextRanked(s, 1, post, scratch);
  } else if (key == "full_text") {
    std::string_view s;
    if (field.value().get_string().get(s) == SUCCESS) SetTextRanked(s, 2, post, scratch);
  } else if (key == "extended_tweet") {
    od::object ext;
    if (field.value().get_object().get(ext) == SUCCESS) {
      if (auto e = ParseExtendedTweet(ext, post, scratch)) return e;
    }
  } else if (key == "created_at") {
    if (!scratch.have_timestamp_ms) {
      if (auto t = ParseTwitterTime(json::StringOr(field.value()))) post.created_at_ms = *t;
    }
  } else if (key == "timestamp_ms") {
    // Streaming adds the creation time in milliseconds, as a string.
    std::optional<int64_t> t;
    std::string_view s;
    if (field.value().get_string().get(s) == SUCCESS) {
      t = ParseEpochText(s);
    } else if (auto d = json::GetDouble(field.value())) {
      t = EpochToMillis(*d);
    }
    if (t) {
      post.created_at_ms = *t;
      scratch.have_timestamp_ms = true;
    }
  } else if (key == "user") {
    od::object user;
    if (field.value().get_object().get(user) == SUCCESS) {
      if (auto e = ParseUser(user, post.author)) return e;
    }
  } else if (key == "lang") {
    x::SetLang(json::StringOr(field.value()), post);
  } else if (key == "in_reply_to_status_id_str") {
    if (json::GetId(field.value(), post.parent_id) && !post.parent_id.empty()) {
      scratch.have_reply = true;
    }
  } else if (key == "in_reply_to_status_id") {
    if (!scratch.have_reply && json::GetId(field.value(), post.parent_id) &&
        !post.parent_id.empty()) {
      scratch.have_reply = true;
    }
  } else if (key == "quoted_status_id_str") {
    if (json::GetId(field.value(), scratch.quote_id) && !scratch.quote_id.empty()) {
      scratch.have_quote = true;
    }
  } else if (key == "is_quote_status") {
    bool quote = false;
    if (field.value().get_bool().get(quote) == SUCCESS && quote) scratch.have_quote = true;
  } else if (key == "retweeted_status") {
    od::object original;
    if (depth < kMaxDepth && field.value().get_object().get(original) == SUCCESS) {
      is_retweet = true;
      if (auto e = ParseStatus(original, retweeted, depth + 1)) return e;
    }
  } else if (key == "entities") {
    od::object entities;
    if (field.value().get_object().get(entities) == SUCCESS) {
      if (auto e = ParseEntities(entities, scratch.links)) return e;
    }
  } else if (key == "favorite_count") {
    post.engagement.likes = json::GetCount(field.value());
  } else if (key == "retweet_count") {
    post.engagement.reposts = json::GetCount(field.value());
  } else if (key == "reply_count") {
    post.engagement.replies = json::GetCount(field.value());
  } else if (key == "quote_count") {
    post.engagement.quotes = json::GetCount(field.value());
  }
  return SUCCESS;
}

// Resolves kind, text and links once every key of the status has been seen.
void FinishStatus(Post& post, StatusScratch& scratch, Post& retweeted, bool is_retweet) {
  post.source = Source::kX;
  post.links = std::move(scratch.have_extended_links ? scratch.extended_links : scratch.links);
  if (is_retweet) {
    post.kind = PostKind::kRepost;
    post.parent_id = retweeted.id;
    if (!retweeted.text.empty() && !retweeted.author.handle.empty()) {
      post.text = "RT @" + retweeted.author.handle + ": " + retweeted.text;
      post.links = std::move(retweeted.links);
    }
  } else if (scratch.have_reply) {
    post.kind = PostKind::kReply;  // a reply that also quotes keeps the reply as its parent
  } else if (scratch.have_quote) {
    post.kind = PostKind::kQuote;
    post.parent_id = scratch.quote_id;
  } else {
    post.kind = PostKind::kPost;
    post.parent_id.clear();
  }
  x::SetUrl(post);
}

error_code ParseStatus(od::object status, Post& post, int depth) {
  StatusScratch scratch;
  Post retweeted;
  bool is_retweet = false;
  for (auto field_result : status) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (auto e = ParseStatusField(field, key, post, scratch, retweeted, is_retweet, depth)) {
      return e;
    }
  }
  FinishStatus(post, scratch, retweeted, is_retweet);
  return SUCCESS;
}

error_code ParseStatusArray(od::array statuses, RecordContext& ctx) {
  return ForEachObjectIn(statuses, ctx, "x v1 status", [&](od::object& status, int32_t index) {
    if (auto e = ParseStatus(status, ctx.NewPost(index), 0)) return e;
    FinishPost(ctx);
    return SUCCESS;
  });
}

// Streaming API messages that are not statuses; each is a single top-level key.
bool IsControlMessage(std::string_view key) {
  static constexpr std::string_view kKeys[] = {
      "delete",     "scrub_geo", "limit",         "status_withheld", "user_withheld",
      "disconnect", "warning",   "friends",       "friends_str",     "event",
      "for_user",   "control",   "direct_message"};
  for (std::string_view k : kKeys) {
    if (key == k) return true;
  }
  return false;
}

}  // namespace

error_code ParseXV1(od::document& doc, RecordContext& ctx) {
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type == od::json_type::array) {
    od::array statuses;
    if (auto e = doc.get_array().get(statuses)) return e;
    return ParseStatusArray(statuses, ctx);
  }
  od::object root;
  if (auto e = doc.get_object().get(root)) return e;
  // The root is a status, a search response or a control message; which one is known only once
  // its keys are seen, so the root status is built aside and appended at the end.
  Post post;
  StatusScratch scratch;
  Post retweeted;
  bool is_retweet = false;
  bool saw_statuses = false;
  std::string_view control;
  for (auto field_result : root) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "statuses") {
      od::array statuses;
      if (field.value().get_array().get(statuses) != SUCCESS) continue;
      saw_statuses = true;
      if (auto e = ParseStatusArray(statuses, ctx)) return e;
    } else if (control.empty() && IsControlMessage(key)) {
      control = key;  // a view into the document, used before the document goes away
    } else if (auto e = ParseStatusField(field, key, post, scratch, retweeted, is_retweet, 0)) {
      return e;
    }
  }
  if (saw_statuses) return SUCCESS;
  bool looks_like_status = !post.id.empty() || scratch.text_rank > 0;
  if (!looks_like_status) {
    if (!control.empty()) {
      ctx.Reject(RejectReason::kUnsupportedEvent,
                 "x v1 stream message '" + std::string(control) + "'");
    } else {
      ctx.Reject(RejectReason::kNotAPost, "x v1 record without a status");
    }
    return SUCCESS;
  }
  FinishStatus(post, scratch, retweeted, is_retweet);
  Post& slot = ctx.NewPost();
  Origin origin = std::move(slot.origin);
  slot = std::move(post);
  slot.origin = std::move(origin);
  FinishPost(ctx);
  return SUCCESS;
}

}  // namespace earshot::ingest
