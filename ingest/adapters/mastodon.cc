// Mastodon: REST Status entities, arrays of them (timelines), search results (GET /api/v2/search:
// {"accounts": [...], "statuses": [...], "hashtags": [...]}, the way a brand's mentions are polled
// on an instance; only the statuses are posts), and the payloads of streaming
// "update" / "status.update" events (the SSE framing and every other event are handled by the
// record reader; ctx.event names the event). A status.update is an edit: it is emitted again with
// the same id and the edited text.
//
// content is HTML and becomes plain text (tags stripped, entities decoded, link and mention text
// kept); spoiler_text (the content warning) becomes the title. A reblog is a repost whose text,
// title, language and links come from the reblogged status, since a reblog's own content is empty.
// Ids are read exactly whatever their JSON type (the 2017 schema writes numbers).
#include <string>
#include <string_view>

#include "ingest/adapter.h"
#include "ingest/json_fields.h"
#include "ingest/text.h"
#include "ingest/time_parse.h"

namespace earshot::ingest {
namespace {

using json::RawKey;
using simdjson::error_code;
using simdjson::SUCCESS;

error_code ParseAccount(od::object account, Author& author) {
  for (auto field_result : account) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "id") {
      json::GetId(field.value(), author.id);
    } else if (key == "acct") {
      json::GetString(field.value(), author.handle);
    } else if (key == "display_name") {
      json::GetString(field.value(), author.name);
    } else if (key == "followers_count") {
      author.followers = json::GetCount(field.value());
    }
  }
  return SUCCESS;
}

// Mastodon 4.5 quotes: {"state": "accepted", "quoted_status": {...}} or, shallow,
// {"state": ..., "quoted_status_id": "..."}.
error_code ParseQuote(od::object quote, std::string& quoted_id) {
  for (auto field_result : quote) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "quoted_status_id") {
      json::GetId(field.value(), quoted_id);
    } else if (key == "quoted_status") {
      od::object status;
      if (field.value().get_object().get(status) != SUCCESS) continue;
      for (auto sf_result : status) {
        if (auto e = sf_result.error()) return e;
        od::field&& sf = std::move(sf_result).value_unsafe();
        if (RawKey(sf) == "id") json::GetId(sf.value(), quoted_id);
      }
    }
  }
  return SUCCESS;
}

error_code ParseStatus(od::object status, Post& post, bool allow_reblog) {
  post.source = Source::kMastodon;
  post.kind = PostKind::kPost;
  bool has_url = false;
  bool has_reblog = false;
  Post reblog;
  std::string quoted_id;
  for (auto field_result : status) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "id") {
      json::GetId(field.value(), post.id);
    } else if (key == "content") {
      std::string_view html;
      if (field.value().get_string().get(html) == SUCCESS) {
        post.text.clear();
        AppendHtmlAsText(html, post.text);
      }
    } else if (key == "spoiler_text") {
      json::GetString(field.value(), post.title);
    } else if (key == "created_at") {
      if (auto t = ParseIsoTime(json::StringOr(field.value()))) post.created_at_ms = *t;
    } else if (key == "language") {
      json::GetString(field.value(), post.lang);  // null or absent leaves it empty
    } else if (key == "in_reply_to_id") {
      json::GetId(field.value(), post.parent_id);
    } else if (key == "account") {
      od::object account;
      if (field.value().get_object().get(account) == SUCCESS) {
        if (auto e = ParseAccount(account, post.author)) return e;
      }
    } else if (key == "url") {
      // An empty or null url leaves the uri, when it came first, in place.
      std::string url;
      if (json::GetString(field.value(), url) && !url.empty()) {
        post.url = std::move(url);
        has_url = true;
      }
    } else if (key == "uri") {
      if (!has_url) json::GetString(field.value(), post.url);
    } else if (key == "reblog") {
      od::object original;
      if (!allow_reblog || field.value().get_object().get(original) != SUCCESS) continue;
      has_reblog = true;
      if (auto e = ParseStatus(original, reblog, false)) return e;
    } else if (key == "quote") {
      od::object quote;
      if (field.value().get_object().get(quote) == SUCCESS) {
        if (auto e = ParseQuote(quote, quoted_id)) return e;
      }
    } else if (key == "card") {
      od::object card;
      if (field.value().get_object().get(card) != SUCCESS) continue;
      for (auto cf_result : card) {
        if (auto e = cf_result.error()) return e;
        od::field&& cf = std::move(cf_result).value_unsafe();
        if (RawKey(cf) != "url") continue;
        std::string_view url = json::StringOr(cf.value());
        if (!url.empty()) post.links.emplace_back(url);
      }
    } else if (key == "favourites_count") {
      post.engagement.likes = json::GetCount(field.value());
    } else if (key == "reblogs_count") {
      post.engagement.reposts = json::GetCount(field.value());
    } else if (key == "replies_count") {
      post.engagement.replies = json::GetCount(field.value());
    } else if (key == "quotes_count") {
      post.engagement.quotes = json::GetCount(field.value());
    }
  }
  if (has_reblog) {
    post.kind = PostKind::kRepost;
    post.parent_id = std::move(reblog.id);
    post.text = std::move(reblog.text);
    if (post.title.empty()) post.title = std::move(reblog.title);
    if (post.lang.empty()) post.lang = std::move(reblog.lang);
    if (post.links.empty()) post.links = std::move(reblog.links);
  } else if (!post.parent_id.empty()) {
    post.kind = PostKind::kReply;  // a reply that also quotes keeps the reply as its parent
  } else if (!quoted_id.empty()) {
    post.kind = PostKind::kQuote;
    post.parent_id = std::move(quoted_id);
  }
  return SUCCESS;
}

}  // namespace

error_code ParseMastodon(od::document& doc, RecordContext& ctx) {
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type == od::json_type::array) {
    return ForEachArrayObject(doc, ctx, "mastodon status", [&](od::object& status, int32_t index) {
      if (auto e = ParseStatus(status, ctx.NewPost(index), true)) return e;
      FinishPost(ctx);
      return SUCCESS;
    });
  }
  od::object root;
  if (auto e = doc.get_object().get(root)) return e;
  // A search result opens with one of its three lists (Mastodon writes accounts first); a status
  // never has those keys. The first key is read, and the object rewound to parse it as what it is.
  bool search = false;
  for (auto field_result : root) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    search = key == "accounts" || key == "statuses" || key == "hashtags";
    break;
  }
  bool not_empty = false;
  if (auto e = root.reset().get(not_empty)) return e;
  if (!search) {
    if (auto e = ParseStatus(root, ctx.NewPost(), true)) return e;
    FinishPost(ctx);
    return SUCCESS;
  }
  bool saw_statuses = false;
  for (auto field_result : root) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    if (RawKey(field) != "statuses") continue;
    od::array statuses;
    if (field.value().get_array().get(statuses) != SUCCESS) continue;
    saw_statuses = true;
    if (auto e = ForEachObjectIn(statuses, ctx, "mastodon status",
                                 [&](od::object& status, int32_t index) {
                                   if (auto e = ParseStatus(status, ctx.NewPost(index), true)) {
                                     return e;
                                   }
                                   FinishPost(ctx);
                                   return SUCCESS;
                                 })) {
      return e;
    }
  }
  if (!saw_statuses) ctx.Reject(RejectReason::kNotAPost, "mastodon search result without statuses");
  return SUCCESS;
}

}  // namespace earshot::ingest
