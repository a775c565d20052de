// App Store customer-reviews RSS, JSON flavour
// (https://itunes.apple.com/<cc>/rss/customerreviews/id=<app>/json):
//   {"feed": {"entry": [ {...}, ... ], "id": {"label": ".../id=<app>/..."}, ...}}
// Every value is wrapped as {"label": ...} (with "attributes" beside it), ratings are strings
// ("im:rating": {"label": "4"}), `updated` is ISO 8601 with an offset. `entry` is an object when
// the page holds a single review. Older feeds start with an entry describing the app itself (no
// im:rating); it is skipped as not a post. `content` may be one object or a list of a text and an
// html rendering; the text one is taken. A root array may hold several feeds.
#include <charconv>
#include <string>

#include "ingest/adapter.h"
#include "ingest/json_fields.h"
#include "ingest/text.h"
#include "ingest/time_parse.h"

namespace earshot::ingest {
namespace {

using json::RawKey;
using simdjson::error_code;
using simdjson::SUCCESS;

// One {"label": ..., "attributes": {...}} wrapper, with the attributes the feed uses. Views into
// the document (strings in simdjson's string buffer, numbers as written).
struct Labeled {
  std::string_view label;
  std::string_view type;   // attributes.type of `content`: "text" or "html"
  std::string_view im_id;  // attributes.im:id of the app entry's `id`
  bool present = false;
};

// Reads a wrapper. Anything that is not an object (a bare string in a hand-made feed) is taken as
// the label itself.
error_code ReadLabeled(od::value value, Labeled& out) {
  out.present = true;
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  if (type != od::json_type::object) {
    json::GetIdView(value, out.label);
    return SUCCESS;
  }
  od::object obj;
  if (auto e = value.get_object().get(obj)) return e;
  for (auto field_result : obj) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "label") {
      json::GetIdView(field.value(), out.label);
    } else if (key == "attributes") {
      od::object attrs;
      if (field.value().get_object().get(attrs) != SUCCESS) continue;
      for (auto af_result : attrs) {
        if (auto e = af_result.error()) return e;
        od::field&& af = std::move(af_result).value_unsafe();
        std::string_view akey = RawKey(af);
        if (akey == "type") {
          json::GetStringView(af.value(), out.type);
        } else if (akey == "im:id") {
          json::GetIdView(af.value(), out.im_id);
        }
      }
    }
  }
  return SUCCESS;
}

// `content`: one wrapper, or a list of renderings of which the plain-text one wins.
error_code ReadContent(od::value value, Post& post) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  Labeled text, html;
  if (type == od::json_type::array) {
    od::array items;
    if (auto e = value.get_array().get(items)) return e;
    for (auto item_result : items) {
      od::value item;
      if (auto e = std::move(item_result).get(item)) return e;
      Labeled l;
      if (auto e = ReadLabeled(item, l)) return e;
      if (l.type == "html") {
        if (html.label.empty()) html = l;
      } else if (text.label.empty()) {
        text = l;
      }
    }
  } else {
    Labeled l;
    if (auto e = ReadLabeled(value, l)) return e;
    if (l.type == "html") {
      html = l;
    } else {
      text = l;
    }
  }
  post.text.clear();
  if (!text.label.empty()) {
    post.text.assign(text.label);
  } else if (!html.label.empty()) {
    AppendHtmlAsText(html.label, post.text);
  }
  return SUCCESS;
}

// "https://itunes.apple.com/us/reviews/id524855897" -> "524855897".
std::string_view TrailingNumericId(std::string_view uri) {
  size_t pos = uri.rfind("/id");
  if (pos == std::string_view::npos) return {};
  std::string_view digits = uri.substr(pos + 3);
  size_t end = digits.find_first_not_of("0123456789");
  digits = digits.substr(0, end);
  return digits;
}

// ".../customerreviews/id=284815942/sortBy=..." or "...?id=284815942&..." -> "284815942".
std::string_view AppIdFromUrl(std::string_view url) {
  size_t pos = url.find("id=");
  while (pos != std::string_view::npos) {
    if (pos == 0 || url[pos - 1] == '/' || url[pos - 1] == '?' || url[pos - 1] == '&') {
      std::string_view digits = url.substr(pos + 3);
      digits = digits.substr(0, digits.find_first_not_of("0123456789"));
      if (!digits.empty()) return digits;
    }
    pos = url.find("id=", pos + 3);
  }
  return {};
}

struct FeedState {
  int32_t next_index = 0;
  std::string app_id;  // from the feed's id or the app entry; filled into every review's community
};

error_code ParseAuthor(od::value value, Post& post) {
  od::object author;
  if (value.get_object().get(author) != SUCCESS) return SUCCESS;
  for (auto field_result : author) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "name") {
      Labeled name;
      if (auto e = ReadLabeled(field.value(), name)) return e;
      post.author.handle.assign(name.label);
      post.author.name.assign(name.label);
    } else if (key == "uri") {
      Labeled uri;
      if (auto e = ReadLabeled(field.value(), uri)) return e;
      post.author.id.assign(TrailingNumericId(uri.label));
    }
  }
  return SUCCESS;
}

error_code ParseEntry(od::object entry, RecordContext& ctx, FeedState& state) {
  int32_t index = state.next_index++;
  Post& post = ctx.NewPost(index);
  post.source = Source::kAppStore;
  post.kind = PostKind::kReview;
  bool has_rating = false;        // the key, parseable or not: its absence marks the app entry
  std::string_view app_entry_id;  // attributes.im:id: only the app-metadata entry has it
  for (auto field_result : entry) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "id") {
      Labeled id;
      if (auto e = ReadLabeled(field.value(), id)) return e;
      post.id.assign(id.label);
      app_entry_id = id.im_id;
    } else if (key == "title") {
      Labeled title;
      if (auto e = ReadLabeled(field.value(), title)) return e;
      post.title.assign(title.label);
    } else if (key == "content") {
      if (auto e = ReadContent(field.value(), post)) return e;
    } else if (key == "author") {
      if (auto e = ParseAuthor(field.value(), post)) return e;
    } else if (key == "updated") {
      Labeled updated;
      if (auto e = ReadLabeled(field.value(), updated)) return e;
      if (auto t = ParseIsoTime(updated.label)) post.created_at_ms = *t;
    } else if (key == "im:rating") {
      has_rating = true;
      Labeled rating;
      if (auto e = ReadLabeled(field.value(), rating)) return e;
      double r;
      const char* end = rating.label.data() + rating.label.size();
      auto [ptr, ec] = std::from_chars(rating.label.data(), end, r);
      if (ec == std::errc() && ptr == end) post.rating = r;
    } else if (key == "im:voteSum") {
      Labeled votes;
      if (auto e = ReadLabeled(field.value(), votes)) return e;
      post.engagement.likes = json::ParseCount(votes.label);
    }
  }
  if (!has_rating) {
    if (!app_entry_id.empty()) state.app_id.assign(app_entry_id);
    ctx.DropLastPost();
    std::string& detail = ctx.Reject(RejectReason::kNotAPost,
                                     "app store feed entry without im:rating (app metadata", index);
    if (!app_entry_id.empty()) detail.append(" for app ").append(app_entry_id);
    detail.append(")");
    return SUCCESS;
  }
  FinishPost(ctx);
  return SUCCESS;
}

error_code ParseEntries(od::value value, RecordContext& ctx, FeedState& state) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  if (type == od::json_type::object) {
    od::object entry;
    if (auto e = value.get_object().get(entry)) return e;
    return ParseEntry(entry, ctx, state);
  }
  if (type != od::json_type::array) return SUCCESS;
  od::array entries;
  if (auto e = value.get_array().get(entries)) return e;
  for (auto entry_result : entries) {
    od::value item;
    if (auto e = std::move(entry_result).get(item)) return e;
    od::json_type item_type;
    if (auto e = item.type().get(item_type)) return e;
    if (item_type != od::json_type::object) {
      ctx.Reject(RejectReason::kNotAPost, "app store feed entry is not an object",
                 state.next_index++);
      continue;
    }
    od::object entry;
    if (auto e = item.get_object().get(entry)) return e;
    if (auto e = ParseEntry(entry, ctx, state)) return e;
  }
  return SUCCESS;
}

// Each feed is one app's: its reviews get that app's id, known only after its entries when the
// feed's id comes last.
void LabelFeedPosts(RecordContext& ctx, size_t first_post, const std::string& app_id) {
  if (app_id.empty()) return;
  for (size_t i = first_post; i < ctx.out.posts.size(); ++i) {
    Post& post = ctx.out.posts[i];
    post.community.assign(app_id);
    AssignConcat(post.url, "https://apps.apple.com/app/id", app_id);
  }
}

error_code ParseFeed(od::object feed, RecordContext& ctx, FeedState& state) {
  const size_t first_post = ctx.out.posts.size();
  state.app_id.clear();  // a record may hold several apps' feeds
  for (auto field_result : feed) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "entry") {
      if (auto e = ParseEntries(field.value(), ctx, state)) return e;
    } else if (key == "id" && state.app_id.empty()) {
      Labeled id;
      if (auto e = ReadLabeled(field.value(), id)) return e;
      state.app_id.assign(AppIdFromUrl(id.label));
    }
  }
  LabelFeedPosts(ctx, first_post, state.app_id);
  return SUCCESS;
}

// One element of the record: {"feed": {...}}.
error_code ParseObject(od::object obj, RecordContext& ctx, FeedState& state) {
  bool saw_feed = false;
  for (auto field_result : obj) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    if (RawKey(field) != "feed") continue;
    saw_feed = true;
    od::object feed;
    if (field.value().get_object().get(feed) != SUCCESS) {
      ctx.Reject(RejectReason::kNotAPost, "app store rss 'feed' is not an object");
      continue;
    }
    if (auto e = ParseFeed(feed, ctx, state)) return e;
  }
  if (!saw_feed) ctx.Reject(RejectReason::kNotAPost, "app store rss record without 'feed'");
  return SUCCESS;
}

}  // namespace

error_code ParseAppStoreRss(od::document& doc, RecordContext& ctx) {
  FeedState state;
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type == od::json_type::object) {
    od::object obj;
    if (auto e = doc.get_object().get(obj)) return e;
    if (auto e = ParseObject(obj, ctx, state)) return e;
  } else if (type == od::json_type::array) {
    od::array items;
    if (auto e = doc.get_array().get(items)) return e;
    for (auto item_result : items) {
      od::value item;
      if (auto e = std::move(item_result).get(item)) return e;
      od::json_type item_type;
      if (auto e = item.type().get(item_type)) return e;
      if (item_type != od::json_type::object) {
        ctx.Reject(RejectReason::kNotAPost, "app store rss array element is not an object",
                   state.next_index++);
        continue;
      }
      od::object obj;
      if (auto e = item.get_object().get(obj)) return e;
      if (auto e = ParseObject(obj, ctx, state)) return e;
    }
  } else {
    ctx.Reject(RejectReason::kNotAPost, "app store rss record is neither an object nor an array");
    return SUCCESS;
  }
  return SUCCESS;
}

}  // namespace earshot::ingest
