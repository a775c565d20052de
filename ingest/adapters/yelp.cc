// Yelp Open Dataset `review.json`: one review object per line
// ({"review_id","user_id","business_id","stars","useful","funny","cool","text","date"}), or a
// JSON array of such objects. `date` is naive local time ("2018-07-07 22:09:11"); with no zone
// to go by it is read as UTC. `\/` escapes and multi-line text are plain JSON and need nothing.
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
  post.source = Source::kYelp;
  post.kind = PostKind::kReview;
  for (auto field_result : review) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    std::string_view key = RawKey(field);
    if (key == "review_id") {
      json::GetId(field.value(), post.id);
    } else if (key == "user_id") {
      json::GetId(field.value(), post.author.id);
    } else if (key == "business_id") {
      json::GetId(field.value(), post.community);
    } else if (key == "stars") {
      post.rating = json::GetDouble(field.value());
    } else if (key == "useful") {
      post.engagement.likes = json::GetCount(field.value());
    } else if (key == "text") {
      json::GetString(field.value(), post.text);
    } else if (key == "date") {
      if (auto t = ParseIsoTime(json::StringOr(field.value()))) post.created_at_ms = *t;
    }
  }
  if (!post.community.empty()) {
    // The business page with this review highlighted (Yelp's own review permalinks).
    if (post.id.empty()) {
      AssignConcat(post.url, "https://www.yelp.com/biz/", post.community);
    } else {
      AssignConcat(post.url, "https://www.yelp.com/biz/", post.community, "?hrid=", post.id);
    }
  }
  FinishPost(ctx);
  return SUCCESS;
}

}  // namespace

error_code ParseYelp(od::document& doc, RecordContext& ctx) {
  return ForEachRecordObject(doc, ctx, "yelp", [&](od::object review, int32_t index) {
    return ParseReview(review, ctx, index);
  });
}

}  // namespace earshot::ingest
