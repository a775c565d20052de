// App-review scraper output: a JSON array of review objects (or one object per line) from
//   google-play-scraper (Python): reviewId, userName, userImage, content, score, thumbsUpCount,
//     reviewCreatedVersion, at ("2024-11-18 17:22:44", naive), replyContent, repliedAt,
//     appVersion                                                     -> source google_play
//   app-store-scraper (Python): date ("2024-11-17 11:38:06", naive), review, rating, isEdited,
//     title, userName, developerResponse                             -> source app_store
// Naive timestamps are read as UTC. The App Store records carry no id, so one is built from what
// identifies a review: "<userName>:<date as written>:<hash of title and text>". The developer's
// reply is not part of the review and is ignored. Text is UTF-8 as decoded by the JSON parser
// (the fixtures mix English, Cantonese and Urdu).
#include <cstdint>
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

error_code ParseReview(od::object review, RecordContext& ctx, int32_t index) {
  Post& post = ctx.NewPost(index);
  post.kind = PostKind::kReview;
  std::string_view user_name, date;  // views into the document
  bool google_play = false;
  for (auto field_result : review) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "reviewId") {
      google_play = true;
      json::GetId(field.value(), post.id);
    } else if (key == "userName") {
      json::GetStringView(field.value(), user_name);
    } else if (key == "content" || key == "review") {
      json::GetString(field.value(), post.text);
    } else if (key == "title") {
      json::GetString(field.value(), post.title);
    } else if (key == "score" || key == "rating") {
      post.rating = json::GetDouble(field.value());
    } else if (key == "thumbsUpCount") {
      google_play = true;
      post.engagement.likes = json::GetCount(field.value());
    } else if (key == "at") {
      google_play = true;
      json::GetStringView(field.value(), date);
    } else if (key == "date") {
      json::GetStringView(field.value(), date);
    }
  }
  if (auto t = ParseIsoTime(date)) post.created_at_ms = *t;
  if (google_play) {
    // Google Play display names are not unique handles.
    post.source = Source::kGooglePlay;
    post.author.name.assign(user_name);
  } else {
    post.source = Source::kAppStore;
    if (!user_name.empty() && !date.empty()) {
      AssignConcat(post.id, user_name, ":", date, ":");
      AppendContentDigest(post.title, post.text, post.id);
    }
    post.author.handle.assign(user_name);  // App Store nicknames are unique per store
    post.author.name.assign(user_name);
  }
  FinishPost(ctx);
  return SUCCESS;
}

}  // namespace

error_code ParseAppScraper(od::document& doc, RecordContext& ctx) {
  return ForEachRecordObject(doc, ctx, "app scraper", [&](od::object review, int32_t index) {
    return ParseReview(review, ctx, index);
  });
}

}  // namespace earshot::ingest
