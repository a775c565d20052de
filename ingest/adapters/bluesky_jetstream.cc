// Bluesky Jetstream events (one JSON object per WebSocket message; also accepted as a top-level
// array of events). Only commit events that create an app.bsky.feed.post record are posts; every
// other event (likes, reposts, follows, blocks, profile updates, deletes, identity and account
// events, other lexicons) is rejected as an unsupported event naming its kind, operation and
// collection.
//
// The post id is the record's AT URI ("at://<did>/app.bsky.feed.post/<rkey>"); parent_id and
// root_id are AT URIs too. Jetstream carries no handle and no reach: author.id is the DID.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/adapter.h"
#include "ingest/json_fields.h"
#include "ingest/text.h"
#include "ingest/time_parse.h"

namespace earshot::ingest {
namespace {

using json::RawKey;
using simdjson::error_code;
using simdjson::SUCCESS;

constexpr std::string_view kPostCollection = "app.bsky.feed.post";

void AddLink(std::string_view url, std::vector<std::string>& links) {
  if (url.empty()) return;
  for (const std::string& l : links) {
    if (l == url) return;
  }
  links.emplace_back(url);
}

// Reads {"uri": ...} (a strongRef) into `out`.
error_code ReadRefUri(od::object ref, std::string& out) {
  for (auto field_result : ref) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    if (RawKey(field) == "uri") json::GetString(field.value(), out);
  }
  return SUCCESS;
}

error_code ReadRefUri(od::object ref, std::string_view& out) {
  for (auto field_result : ref) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    if (RawKey(field) == "uri") json::GetStringView(field.value(), out);
  }
  return SUCCESS;
}

error_code ParseReply(od::object reply, Post& post) {
  for (auto field_result : reply) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key != "parent" && key != "root") continue;
    od::object ref;
    if (field.value().get_object().get(ref) != SUCCESS) continue;
    if (auto e = ReadRefUri(ref, key == "parent" ? post.parent_id : post.root_id)) return e;
  }
  return SUCCESS;
}

// What the record's embed contributes: a quoted record's URI and an external link. Views into
// the document.
struct Embed {
  std::string_view type;
  std::string_view quoted_uri;
};

// app.bsky.embed.record: {"record": {"uri": ...}}; app.bsky.embed.recordWithMedia:
// {"record": {"record": {"uri": ...}}, "media": ...}; app.bsky.embed.external: {"external":
// {"uri": ...}}.
error_code ParseEmbed(od::object embed, Post& post, Embed& out) {
  for (auto field_result : embed) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "$type") {
      json::GetStringView(field.value(), out.type);
    } else if (key == "record") {
      od::object record;
      if (field.value().get_object().get(record) != SUCCESS) continue;
      for (auto rf_result : record) {
        if (auto e = rf_result.error()) return e;
        od::field&& rf = std::move(rf_result).value_unsafe();
        std::string_view rkey = RawKey(rf);
        if (rkey == "uri") {
          json::GetStringView(rf.value(), out.quoted_uri);
        } else if (rkey == "record") {
          od::object inner;
          if (rf.value().get_object().get(inner) != SUCCESS) continue;
          if (auto e = ReadRefUri(inner, out.quoted_uri)) return e;
        }
      }
    } else if (key == "external") {
      od::object external;
      if (field.value().get_object().get(external) != SUCCESS) continue;
      for (auto ef_result : external) {
        if (auto e = ef_result.error()) return e;
        od::field&& ef = std::move(ef_result).value_unsafe();
        if (RawKey(ef) == "uri") AddLink(json::StringOr(ef.value()), post.links);
      }
    }
  }
  return SUCCESS;
}

// facets[].features[] of $type app.bsky.richtext.facet#link carry the full link URI.
error_code ParseFacets(od::array facets, Post& post) {
  for (auto facet_result : facets) {
    od::object facet;
    if (auto e = std::move(facet_result).get_object().get(facet)) return e;
    for (auto ff_result : facet) {
      if (auto e = ff_result.error()) return e;
      od::field&& ff = std::move(ff_result).value_unsafe();
      if (RawKey(ff) != "features") continue;
      od::array features;
      if (ff.value().get_array().get(features) != SUCCESS) continue;
      for (auto feature_result : features) {
        od::object feature;
        if (auto e = std::move(feature_result).get_object().get(feature)) return e;
        // get_string() views point into the parser's string buffer and stay valid while the
        // document does.
        std::string_view type, uri;
        for (auto f_result : feature) {
          if (auto e = f_result.error()) return e;
          od::field&& f = std::move(f_result).value_unsafe();
          std::string_view fkey = RawKey(f);
          if (fkey == "$type") {
            type = json::StringOr(f.value());
          } else if (fkey == "uri") {
            uri = json::StringOr(f.value());
          }
        }
        if (type == "app.bsky.richtext.facet#link") AddLink(uri, post.links);
      }
    }
  }
  return SUCCESS;
}

error_code ParseRecord(od::object record, Post& post) {
  Embed embed;
  for (auto field_result : record) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "text") {
      json::GetString(field.value(), post.text);
    } else if (key == "createdAt") {
      if (auto t = ParseIsoTime(json::StringOr(field.value()))) post.created_at_ms = *t;
    } else if (key == "langs") {
      od::array langs;
      if (field.value().get_array().get(langs) != SUCCESS) continue;
      for (auto lang_result : langs) {
        od::value lang;
        if (auto e = std::move(lang_result).get(lang)) return e;
        if (post.lang.empty()) json::GetString(lang, post.lang);
      }
    } else if (key == "reply") {
      od::object reply;
      if (field.value().get_object().get(reply) != SUCCESS) continue;
      if (auto e = ParseReply(reply, post)) return e;
    } else if (key == "embed") {
      od::object obj;
      if (field.value().get_object().get(obj) != SUCCESS) continue;
      if (auto e = ParseEmbed(obj, post, embed)) return e;
    } else if (key == "facets") {
      od::array facets;
      if (field.value().get_array().get(facets) != SUCCESS) continue;
      if (auto e = ParseFacets(facets, post)) return e;
    }
  }
  if (!post.parent_id.empty()) {
    post.kind = PostKind::kReply;  // a reply that also quotes keeps the reply as its parent
  } else if ((embed.type == "app.bsky.embed.record" ||
              embed.type == "app.bsky.embed.recordWithMedia") &&
             !embed.quoted_uri.empty()) {
    post.kind = PostKind::kQuote;
    post.parent_id.assign(embed.quoted_uri);
  }
  return SUCCESS;
}

// Views into the document.
struct Commit {
  std::string_view operation, collection, rkey;
  bool has_record = false;
};

bool IsPostCreate(const Commit& c) {
  return c.operation == "create" && c.collection == kPostCollection;
}

// Most events are not post creates: their Post is only started once a record to read turns up.
struct EventPost {
  RecordContext& ctx;
  int32_t index;
  Post* post = nullptr;

  Post& Get() {
    if (post == nullptr) {
      post = &ctx.NewPost(index);
      post->source = Source::kBluesky;
    }
    return *post;
  }
};

error_code ParseCommit(od::object commit, Commit& out, EventPost& post) {
  for (auto field_result : commit) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "operation") {
      json::GetStringView(field.value(), out.operation);
    } else if (key == "collection") {
      json::GetStringView(field.value(), out.collection);
    } else if (key == "rkey") {
      json::GetStringView(field.value(), out.rkey);
    } else if (key == "record") {
      // Jetstream writes operation and collection first; the record of anything that is known not
      // to be a post create is skipped unread.
      bool known = !out.operation.empty() && !out.collection.empty();
      if (known && !IsPostCreate(out)) continue;
      od::object record;
      if (field.value().get_object().get(record) != SUCCESS) continue;
      out.has_record = true;
      if (auto e = ParseRecord(record, post.Get())) return e;
    }
  }
  return SUCCESS;
}

error_code ParseEvent(od::object event, RecordContext& ctx, int32_t index) {
  EventPost event_post{ctx, index};
  std::string_view did, kind;  // views into the document
  Commit commit;
  std::optional<int64_t> time_us_ms;
  for (auto field_result : event) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "did") {
      json::GetStringView(field.value(), did);
    } else if (key == "kind") {
      json::GetStringView(field.value(), kind);
    } else if (key == "time_us") {
      int64_t us;
      if (field.value().get_int64().get(us) == SUCCESS) time_us_ms = EpochIntToMillis(us);
    } else if (key == "commit") {
      od::object obj;
      if (field.value().get_object().get(obj) != SUCCESS) continue;
      if (auto e = ParseCommit(obj, commit, event_post)) return e;
    }
  }
  if (kind != "commit" || !IsPostCreate(commit) || !commit.has_record) {
    if (event_post.post != nullptr) ctx.DropLastPost();
    // "jetstream commit create app.bsky.feed.like", built in the reused rejection's detail.
    std::string& detail = ctx.Reject(RejectReason::kUnsupportedEvent, "jetstream ", index);
    detail.append(kind.empty() ? std::string_view("event") : kind);
    if (!commit.operation.empty()) detail.append(1, ' ').append(commit.operation);
    if (!commit.collection.empty()) detail.append(1, ' ').append(commit.collection);
    if (kind == "commit" && IsPostCreate(commit)) detail.append(" without a record");
    return SUCCESS;
  }
  Post& post = event_post.Get();  // has_record: already started
  if (!did.empty() && !commit.rkey.empty()) {
    AssignConcat(post.id, "at://", did, "/", kPostCollection, "/", commit.rkey);
    AssignConcat(post.url, "https://bsky.app/profile/", did, "/post/", commit.rkey);
  }
  post.author.id.assign(did);
  // createdAt is the author's claim; time_us (when Jetstream saw the event) is the fallback.
  if (post.created_at_ms <= 0 && time_us_ms) post.created_at_ms = *time_us_ms;
  FinishPost(ctx);
  return SUCCESS;
}

}  // namespace

error_code ParseBlueskyJetstream(od::document& doc, RecordContext& ctx) {
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type == od::json_type::array) {
    return ForEachArrayObject(doc, ctx, "bluesky event", [&](od::object& event, int32_t index) {
      return ParseEvent(event, ctx, index);
    });
  }
  od::object event;
  if (auto e = doc.get_object().get(event)) return e;
  return ParseEvent(event, ctx, -1);
}

}  // namespace earshot::ingest
