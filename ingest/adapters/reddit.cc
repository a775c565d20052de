// Reddit: dump NDJSON comments and submissions (Pushshift / Arctic Shift, one object per line), API
// things ({"kind": "t1" | "t3", "data": {...}}), Listings ({"kind": "Listing", "data":
// {"children": [...]}}) and top-level arrays of any of these (a comments page is an array of two
// Listings, comments nesting their replies as Listings). Each post of a container gets its running
// element index, in document order.
//
// Ids: Reddit "fullnames" carry a type prefix ("t1_" comment, "t3_" submission). Every id in a Post
// is the bare base36 id with the prefix stripped: id, parent_id (the comment or submission replied
// to) and root_id (the submission, from link_id). author.id keeps the "t2_" fullname as Reddit
// writes it in author_fullname.
//
// Comments whose body is "[deleted]" or "[removed]" are rejected as deleted. A submission whose
// selftext was deleted keeps its title (text empty, title set); without a title it is deleted too.
// Bodies stay Markdown; HTML entities (&amp; &gt;) are decoded. A "[deleted]" author is left empty.
#include <optional>
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

// Listings nest inside arrays (comment pages) and, through "replies", inside comments (three
// levels per reply depth). The bound keeps hostile nesting from recursing without limit.
constexpr int kMaxDepth = 64;

enum class ThingKind : uint8_t { kUnknown, kComment, kSubmission, kListing, kOther };

ThingKind KindFromName(std::string_view kind) {
  if (kind == "t1") return ThingKind::kComment;
  if (kind == "t3") return ThingKind::kSubmission;
  if (kind == "Listing") return ThingKind::kListing;
  return ThingKind::kOther;
}

std::string_view StripPrefix(std::string_view id) {
  if (id.size() > 3 && id[0] == 't' && id[1] >= '1' && id[1] <= '9' && id[2] == '_') {
    id.remove_prefix(3);
  }
  return id;
}

bool IsDeletedText(std::string_view s) { return s == "[deleted]" || s == "[removed]"; }

void SetUnescaped(std::string_view raw, std::string& out) {
  out.clear();
  if (MayNeedUnescape(raw)) {
    AppendHtmlUnescaped(raw, out);
  } else {
    out.assign(raw);
  }
}

// What one comment or submission object held, before its kind is settled.
struct Thing {
  Post post;
  bool has_body = false, body_deleted = false;
  bool has_selftext = false, selftext_deleted = false;
  bool has_title = false;
  bool has_link_id = false;
  std::string name;  // fullname, "t1_..." or "t3_...", tells the kind of a dump object
  std::string permalink;
  std::string external_url;
};

struct Walker {
  RecordContext& ctx;
  int32_t next_index = 0;
  bool container = false;  // true once the record proved to hold many posts
  bool too_deep = false;   // a part nested beyond kMaxDepth was left unread (reported once)

  // Called where nesting beyond kMaxDepth is skipped: the posts in it are not read, and the
  // record says so (too_large) rather than losing them silently.
  void TooDeep() {
    if (too_deep) return;
    too_deep = true;
    ctx.Reject(RejectReason::kTooLarge,
               "reddit listing nested deeper than " + std::to_string(kMaxDepth) +
                   " levels: the posts below were not read",
               container ? next_index++ : -1);
  }

  error_code ParseValue(od::value value, int depth);
  error_code ParseObject(od::object obj, int depth);
  error_code ParseChildren(od::array children, int depth);
  error_code ParseThingField(od::field& field, std::string_view key, Thing& thing);
  void Emit(Thing& thing, ThingKind kind, int32_t index);
};

error_code Walker::ParseThingField(od::field& field, std::string_view key, Thing& thing) {
  Post& post = thing.post;
  if (key == "id") {
    json::GetId(field.value(), post.id);
  } else if (key == "name") {
    json::GetString(field.value(), thing.name);
  } else if (key == "body") {
    std::string_view s;
    if (field.value().get_string().get(s) != SUCCESS) return SUCCESS;
    thing.has_body = true;
    thing.body_deleted = IsDeletedText(s);
    if (!thing.body_deleted) SetUnescaped(s, post.text);
  } else if (key == "selftext") {
    std::string_view s;
    if (field.value().get_string().get(s) != SUCCESS) return SUCCESS;
    thing.has_selftext = true;
    thing.selftext_deleted = IsDeletedText(s);
    if (!thing.selftext_deleted) SetUnescaped(s, post.text);
  } else if (key == "title") {
    std::string_view s;
    if (field.value().get_string().get(s) != SUCCESS) return SUCCESS;
    thing.has_title = !s.empty();
    SetUnescaped(s, post.title);
  } else if (key == "author") {
    std::string_view s;
    if (field.value().get_string().get(s) == SUCCESS && s != "[deleted]") {
      post.author.handle.assign(s);
    }
  } else if (key == "author_fullname") {
    json::GetString(field.value(), post.author.id);
  } else if (key == "created_utc") {
    // An int, a float or a string, depending on the dump's era.
    od::json_type type;
    if (field.value().type().get(type) != SUCCESS) return SUCCESS;
    if (type == od::json_type::string) {
      if (auto t = ParseEpochText(json::StringOr(field.value()))) post.created_at_ms = *t;
    } else if (type == od::json_type::number) {
      int64_t i;
      if (field.value().get_int64().get(i) == SUCCESS) {
        if (auto t = EpochIntToMillis(i)) post.created_at_ms = *t;
      } else if (auto d = json::GetDouble(field.value())) {
        if (auto t = EpochToMillis(*d)) post.created_at_ms = *t;
      }
    }
  } else if (key == "subreddit") {
    json::GetString(field.value(), post.community);
  } else if (key == "link_id") {
    std::string_view s;
    if (field.value().get_string().get(s) == SUCCESS) {
      post.root_id.assign(StripPrefix(s));
      thing.has_link_id = true;
    }
  } else if (key == "parent_id") {
    std::string_view s;
    if (field.value().get_string().get(s) == SUCCESS) post.parent_id.assign(StripPrefix(s));
  } else if (key == "score") {
    post.engagement.score = json::GetScore(field.value());
  } else if (key == "num_comments") {
    post.engagement.replies = json::GetCount(field.value());
  } else if (key == "permalink") {
    json::GetString(field.value(), thing.permalink);
  } else if (key == "url") {
    json::GetString(field.value(), thing.external_url);
  }
  return SUCCESS;
}

void Walker::Emit(Thing& thing, ThingKind kind, int32_t index) {
  if (kind == ThingKind::kUnknown) {
    std::string_view prefix = std::string_view(thing.name).substr(0, 3);
    if (prefix == "t1_") {
      kind = ThingKind::kComment;
    } else if (prefix == "t3_") {
      kind = ThingKind::kSubmission;
    } else if (thing.has_body || thing.has_link_id) {
      kind = ThingKind::kComment;
    } else if (thing.has_title || thing.has_selftext) {
      kind = ThingKind::kSubmission;
    } else {
      ctx.Reject(RejectReason::kNotAPost, "reddit object is neither a comment nor a submission",
                 index);
      return;
    }
  }
  Post& post = thing.post;
  post.source = Source::kReddit;
  if (post.id.empty() && !thing.name.empty()) post.id.assign(StripPrefix(thing.name));
  if (kind == ThingKind::kComment) {
    if (thing.body_deleted) {
      ctx.Reject(RejectReason::kDeleted, "reddit comment " + post.id + " was deleted", index);
      return;
    }
    post.kind = PostKind::kComment;
    post.title.clear();
  } else {
    if (thing.selftext_deleted && !thing.has_title) {
      ctx.Reject(RejectReason::kDeleted, "reddit submission " + post.id + " was deleted", index);
      return;
    }
    post.kind = PostKind::kPost;
    post.parent_id.clear();
    post.root_id.clear();
  }
  // Written in place (a reused Post keeps its url's capacity).
  if (!thing.permalink.empty()) {
    post.url.assign("https://www.reddit.com").append(thing.permalink);
  } else if (kind == ThingKind::kSubmission && !post.id.empty()) {
    post.url.assign("https://www.reddit.com/comments/").append(post.id).append("/");
  } else if (kind == ThingKind::kComment && !post.id.empty() && !post.root_id.empty()) {
    post.url.assign("https://www.reddit.com/comments/")
        .append(post.root_id)
        .append("/_/")
        .append(post.id)
        .append("/");
  }
  // A link submission's url points away from Reddit; a self post's url is its own permalink,
  // and a crosspost's the relative path of the post it shares ("/r/pics/comments/..."): neither
  // is a link of the post.
  if (kind == ThingKind::kSubmission && !thing.external_url.empty() &&
      thing.external_url[0] != '/' && thing.external_url != post.url &&
      thing.external_url.find("reddit.com/r/") == std::string::npos) {
    post.links.push_back(std::move(thing.external_url));
  }
  Post& slot = ctx.NewPost(index);
  Origin origin = std::move(slot.origin);
  slot = std::move(post);
  slot.origin = std::move(origin);
  FinishPost(ctx);
}

error_code Walker::ParseChildren(od::array children, int depth) {
  container = true;
  for (auto child_result : children) {
    od::value child;
    if (auto e = std::move(child_result).get(child)) return e;
    if (auto e = ParseValue(child, depth + 1)) return e;
  }
  return SUCCESS;
}

// An object is a dump comment or submission, a {kind, data} wrapper, or a Listing's data. Its
// fields are read once, in whatever order they come.
error_code Walker::ParseObject(od::object obj, int depth) {
  Thing thing;
  std::optional<int32_t> index;  // taken early when replies follow, to keep document order
  ThingKind wrapper_kind = ThingKind::kUnknown;
  std::string kind_name;
  bool wrapped = false;
  bool listing_data = false;
  for (auto field_result : obj) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "kind") {
      if (json::GetString(field.value(), kind_name)) wrapper_kind = KindFromName(kind_name);
    } else if (key == "data") {
      od::object data;
      if (field.value().get_object().get(data) != SUCCESS) continue;
      wrapped = true;
      if (wrapper_kind == ThingKind::kListing) {
        if (auto e = ParseObject(data, depth + 1)) return e;
        continue;
      }
      if (wrapper_kind == ThingKind::kOther) continue;  // rejected below, data unread
      // The thing's fields (or, when "kind" comes after "data", a Listing's children).
      for (auto df_result : data) {
        if (auto e = df_result.error()) return e;
        od::field&& df = std::move(df_result).value_unsafe();
        std::string_view dkey = RawKey(df);
        if (dkey == "children") {
          od::array children;
          if (df.value().get_array().get(children) != SUCCESS) continue;
          listing_data = true;
          if (depth < kMaxDepth) {
            if (auto e = ParseChildren(children, depth)) return e;
          } else {
            TooDeep();
          }
        } else if (dkey == "replies") {
          // A comment's replies: a Listing, or "" when there are none.
          od::object replies;
          if (df.value().get_object().get(replies) != SUCCESS) continue;
          if (depth >= kMaxDepth) {
            TooDeep();
            continue;
          }
          container = true;
          if (!index) index = next_index++;
          if (auto e = ParseObject(replies, depth + 1)) return e;
        } else if (auto e = ParseThingField(df, dkey, thing)) {
          return e;
        }
      }
    } else if (key == "children") {
      od::array children;
      if (field.value().get_array().get(children) != SUCCESS) continue;
      listing_data = true;
      if (depth < kMaxDepth) {
        if (auto e = ParseChildren(children, depth)) return e;
      } else {
        TooDeep();
      }
    } else if (auto e = ParseThingField(field, key, thing)) {
      return e;
    }
  }
  if (listing_data || wrapper_kind == ThingKind::kListing) return SUCCESS;
  // Taken after the children, so a container's posts are numbered in document order.
  if (!index) index = container ? next_index++ : -1;
  if (wrapper_kind == ThingKind::kOther) {
    ctx.Reject(RejectReason::kUnsupportedEvent, "reddit thing of kind '" + kind_name + "'", *index);
    return SUCCESS;
  }
  if (!wrapped && wrapper_kind != ThingKind::kUnknown) {
    ctx.Reject(RejectReason::kNotAPost, "reddit thing without data", *index);
    return SUCCESS;
  }
  Emit(thing, wrapper_kind, *index);
  return SUCCESS;
}

error_code Walker::ParseValue(od::value value, int depth) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  if (type == od::json_type::array) {
    od::array items;
    if (auto e = value.get_array().get(items)) return e;
    if (depth >= kMaxDepth) {
      TooDeep();
      return SUCCESS;
    }
    return ParseChildren(items, depth);
  }
  if (type != od::json_type::object) {
    ctx.Reject(RejectReason::kNotAPost, "reddit record element is not an object",
               container ? next_index++ : -1);
    return SUCCESS;
  }
  od::object obj;
  if (auto e = value.get_object().get(obj)) return e;
  return ParseObject(obj, depth);
}

}  // namespace

error_code ParseReddit(od::document& doc, RecordContext& ctx) {
  Walker walker{ctx};
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type == od::json_type::array) {
    od::array items;
    if (auto e = doc.get_array().get(items)) return e;
    return walker.ParseChildren(items, 0);
  }
  od::object root;
  if (auto e = doc.get_object().get(root)) return e;
  return walker.ParseObject(root, 0);
}

}  // namespace earshot::ingest
