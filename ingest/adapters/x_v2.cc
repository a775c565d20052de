// X API v2: filtered-stream lines ({"data": {...}, "includes": ..., "matching_rules": ...}),
// search pages ({"data": [...], "includes": ..., "meta": ...}) and error-only lines
// ({"errors": [...]}, skipped as stream errors). Authors are joined from includes.users by
// author_id; a retweet's full text comes from includes.tweets.
#include <optional>
#include <string>
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

struct User {
  std::string id, username, name;
  std::optional<int64_t> followers;
};

struct IncludedTweet {
  std::string id, text;
};

struct TweetScratch {
  std::string note_text;  // note_tweet.text: the untruncated text of long posts
};

error_code ParseMetrics(od::object metrics, Post& post) {
  for (auto field_result : metrics) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "like_count") {
      post.engagement.likes = json::GetCount(field.value());
    } else if (key == "retweet_count") {
      post.engagement.reposts = json::GetCount(field.value());
    } else if (key == "reply_count") {
      post.engagement.replies = json::GetCount(field.value());
    } else if (key == "quote_count") {
      post.engagement.quotes = json::GetCount(field.value());
    }
  }
  return SUCCESS;
}

error_code ParseReferenced(od::array refs, Post& post) {
  for (auto ref_result : refs) {
    od::object ref;
    if (auto e = std::move(ref_result).get_object().get(ref)) return e;
    std::string type, id;
    for (auto field_result : ref) {
      if (auto e = field_result.error()) return e;
      od::field&& field = std::move(field_result).value_unsafe();
      std::string_view key = RawKey(field);
      if (key == "type") {
        json::GetString(field.value(), type);
      } else if (key == "id") {
        json::GetId(field.value(), id);
      }
    }
    // A post can reply and quote at once; the reply relation wins as the parent.
    if (type == "replied_to") {
      post.kind = PostKind::kReply;
      post.parent_id = id;
    } else if (type == "retweeted") {
      post.kind = PostKind::kRepost;
      post.parent_id = id;
    } else if (type == "quoted" && post.kind != PostKind::kReply) {
      post.kind = PostKind::kQuote;
      post.parent_id = id;
    }
  }
  return SUCCESS;
}

error_code ParseEntities(od::object entities, Post& post) {
  for (auto field_result : entities) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    if (RawKey(field) != "urls") continue;
    od::array urls;
    if (field.value().get_array().get(urls)) continue;
    for (auto url_result : urls) {
      od::object url;
      if (auto e = std::move(url_result).get_object().get(url)) return e;
      for (auto uf_result : url) {
        if (auto e = uf_result.error()) return e;
        od::field&& uf = std::move(uf_result).value_unsafe();
        if (RawKey(uf) == "expanded_url") {
          std::string_view s = json::StringOr(uf.value());
          if (!s.empty()) post.links.emplace_back(s);
        }
      }
    }
  }
  return SUCCESS;
}

error_code ParseTweet(od::object tweet, Post& post, TweetScratch& scratch) {
  post.source = Source::kX;
  post.kind = PostKind::kPost;
  scratch.note_text.clear();
  for (auto field_result : tweet) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "id") {
      json::GetId(field.value(), post.id);
    } else if (key == "text") {
      x::SetText(json::StringOr(field.value()), post);
    } else if (key == "author_id") {
      json::GetId(field.value(), post.author.id);
    } else if (key == "created_at") {
      if (auto t = ParseIsoTime(json::StringOr(field.value()))) post.created_at_ms = *t;
    } else if (key == "lang") {
      x::SetLang(json::StringOr(field.value()), post);
    } else if (key == "conversation_id") {
      json::GetId(field.value(), post.root_id);
    } else if (key == "referenced_tweets") {
      od::array refs;
      if (field.value().get_array().get(refs) == SUCCESS) {
        if (auto e = ParseReferenced(refs, post)) return e;
      }
    } else if (key == "public_metrics") {
      od::object metrics;
      if (field.value().get_object().get(metrics) == SUCCESS) {
        if (auto e = ParseMetrics(metrics, post)) return e;
      }
    } else if (key == "note_tweet") {
      od::object note;
      if (field.value().get_object().get(note) == SUCCESS) {
        for (auto nf_result : note) {
          if (auto e = nf_result.error()) return e;
          od::field&& nf = std::move(nf_result).value_unsafe();
          if (RawKey(nf) == "text") json::GetString(nf.value(), scratch.note_text);
        }
      }
    } else if (key == "entities") {
      od::object entities;
      if (field.value().get_object().get(entities) == SUCCESS) {
        if (auto e = ParseEntities(entities, post)) return e;
      }
    }
  }
  if (!scratch.note_text.empty()) x::SetText(scratch.note_text, post);
  if (post.root_id == post.id) post.root_id.clear();
  return SUCCESS;
}

error_code ParseUser(od::object obj, User& user) {
  for (auto field_result : obj) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "id") {
      json::GetId(field.value(), user.id);
    } else if (key == "username") {
      json::GetString(field.value(), user.username);
    } else if (key == "name") {
      json::GetString(field.value(), user.name);
    } else if (key == "public_metrics") {
      od::object metrics;
      if (field.value().get_object().get(metrics) != SUCCESS) continue;
      for (auto mf_result : metrics) {
        if (auto e = mf_result.error()) return e;
        od::field&& mf = std::move(mf_result).value_unsafe();
        if (RawKey(mf) == "followers_count") user.followers = json::GetCount(mf.value());
      }
    }
  }
  return SUCCESS;
}

error_code ParseIncludes(od::object includes, std::vector<User>& users,
                         std::vector<IncludedTweet>& tweets) {
  for (auto field_result : includes) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key != "users" && key != "tweets") continue;
    od::array items;
    if (field.value().get_array().get(items) != SUCCESS) continue;
    for (auto item_result : items) {
      od::object item;
      if (auto e = std::move(item_result).get_object().get(item)) return e;
      if (key == "users") {
        if (auto e = ParseUser(item, users.emplace_back())) return e;
        continue;
      }
      IncludedTweet& t = tweets.emplace_back();
      std::string note;
      for (auto tf_result : item) {
        if (auto e = tf_result.error()) return e;
        od::field&& tf = std::move(tf_result).value_unsafe();
        std::string_view tkey = RawKey(tf);
        if (tkey == "id") {
          json::GetId(tf.value(), t.id);
        } else if (tkey == "text") {
          json::GetString(tf.value(), t.text);
        } else if (tkey == "note_tweet") {
          od::object n;
          if (tf.value().get_object().get(n) != SUCCESS) continue;
          for (auto nf_result : n) {
            if (auto e = nf_result.error()) return e;
            od::field&& nf = std::move(nf_result).value_unsafe();
            if (RawKey(nf) == "text") json::GetString(nf.value(), note);
          }
        }
      }
      if (!note.empty()) t.text = std::move(note);
    }
  }
  return SUCCESS;
}

}  // namespace

error_code ParseXV2(od::document& doc, RecordContext& ctx) {
  od::object root;
  if (auto e = doc.get_object().get(root)) return e;
  size_t first_post = ctx.out.posts.size();
  const size_t first_rejection = ctx.out.rejections.size();
  std::vector<User> users;
  std::vector<IncludedTweet> included;
  std::string error_title;
  bool saw_data = false;
  TweetScratch scratch;
  for (auto field_result : root) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "data") {
      saw_data = true;
      od::json_type type;
      if (auto e = field.value().type().get(type)) return e;
      if (type == od::json_type::object) {
        od::object tweet;
        if (auto e = field.value().get_object().get(tweet)) return e;
        if (auto e = ParseTweet(tweet, ctx.NewPost(), scratch)) return e;
      } else if (type == od::json_type::array) {
        od::array tweets;
        if (auto e = field.value().get_array().get(tweets)) return e;
        if (auto e =
                ForEachObjectIn(tweets, ctx, "x v2 data", [&](od::object& tweet, int32_t index) {
                  return ParseTweet(tweet, ctx.NewPost(index), scratch);
                })) {
          return e;
        }
      }
    } else if (key == "includes") {
      od::object includes;
      if (field.value().get_object().get(includes) == SUCCESS) {
        if (auto e = ParseIncludes(includes, users, included)) return e;
      }
    } else if (key == "errors") {
      od::array errors;
      if (field.value().get_array().get(errors) != SUCCESS) continue;
      for (auto err_result : errors) {
        od::object err;
        if (auto e = std::move(err_result).get_object().get(err)) return e;
        for (auto ef_result : err) {
          if (auto e = ef_result.error()) return e;
          od::field&& ef = std::move(ef_result).value_unsafe();
          std::string_view ekey = RawKey(ef);
          if ((ekey == "title" || ekey == "detail") && error_title.empty()) {
            json::GetString(ef.value(), error_title);
          }
        }
      }
    }
  }
  // No tweet came out of `data` (absent, null, empty, or only elements rejected above): the
  // record is a stream error when it says so, else not a post. Either way it is counted.
  if (ctx.out.posts.size() == first_post && ctx.out.rejections.size() == first_rejection) {
    if (!error_title.empty()) {
      ctx.Reject(RejectReason::kStreamError, "x stream error: " + error_title);
    } else {
      ctx.Reject(RejectReason::kNotAPost,
                 saw_data ? "x v2 record whose data holds no tweet" : "x v2 record without data");
    }
    return SUCCESS;
  }
  // Join authors and retweet texts, then validate, keeping the valid posts in order.
  std::vector<Post>& posts = ctx.out.posts;
  size_t kept = first_post;
  for (size_t i = first_post; i < posts.size(); ++i) {
    Post& post = posts[i];
    for (const User& user : users) {
      if (user.id == post.author.id) {
        post.author.handle = user.username;
        post.author.name = user.name;
        post.author.followers = user.followers;
        break;
      }
    }
    if (post.kind == PostKind::kRepost) {
      for (const IncludedTweet& t : included) {
        if (t.id != post.parent_id) continue;
        // Keep the "RT @user: " prefix and replace the truncated remainder by the full text.
        size_t colon = post.text.find(": ");
        bool has_prefix = post.text.rfind("RT @", 0) == 0 && colon != std::string::npos;
        post.text.resize(has_prefix ? colon + 2 : 0);
        AppendHtmlUnescaped(t.text, post.text);
        break;
      }
    }
    x::SetUrl(post);
    if (post.created_at_ms <= 0) post.created_at_ms = x::SnowflakeTimeMs(post.id);
    if (!ValidatePost(post, ctx)) continue;
    if (kept != i) posts[kept] = std::move(post);
    ++kept;
  }
  posts.resize(kept);
  return SUCCESS;
}

}  // namespace earshot::ingest
