// Amazon product reviews, one review object per line (or a JSON array of them), in both public
// layouts:
//   2018 (McAuley): reviewerID, asin, reviewerName, overall, reviewText, summary, unixReviewTime
//     (seconds), reviewTime ("06 17, 2018"), vote ("1,234"), verified, style, image.
//   2023 (McAuley lab): user_id, asin, parent_asin, rating, title, text, timestamp (ms),
//     helpful_vote, verified_purchase, images.
// Neither layout has a review id, so the id is built from what identifies a review:
// "<reviewer>:<asin>:<time as written>:<hash of title and text>". The hash is needed: 2018 times
// are whole days, and one reviewer may review two variants of a product on one day (the Gift Cards
// 5-core file has three such pairs). Text and names carry HTML entities ("Brett &amp;
// Family") and, in 2023, <br /> line breaks.
#include <cstdint>
#include <optional>
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

// The fields that only matter once the whole object has been read.
struct ReviewScratch {
  std::string asin, parent_asin;
  std::string time_raw;     // unixReviewTime or timestamp, digits as written
  std::string review_time;  // 2018 "06 17, 2018", the fallback when unixReviewTime is absent
  bool epoch_in_seconds = true;
};

// Copies review text, turning <br> tags into newlines and decoding HTML entities.
void SetReviewText(std::string_view raw, std::string& out) {
  out.clear();
  if (raw.find('<') == std::string_view::npos && !MayNeedUnescape(raw)) {
    out.assign(raw);
    return;
  }
  std::string with_breaks;
  with_breaks.reserve(raw.size());
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t lt = raw.find("<br", pos);
    if (lt == std::string_view::npos) {
      with_breaks.append(raw.substr(pos));
      break;
    }
    size_t gt = raw.find('>', lt);
    std::string_view tag = raw.substr(lt, gt == std::string_view::npos ? 0 : gt - lt + 1);
    // Only "<br>", "<br/>" and "<br />"; anything else ("<brand>") is text.
    if (tag == "<br>" || tag == "<br/>" || tag == "<br />") {
      with_breaks.append(raw.substr(pos, lt - pos));
      with_breaks.push_back('\n');
      pos = gt + 1;
    } else {
      with_breaks.append(raw.substr(pos, lt + 3 - pos));
      pos = lt + 3;
    }
  }
  AppendHtmlUnescaped(with_breaks, out);
}

void SetUnescaped(std::string_view raw, std::string& out) {
  out.clear();
  if (MayNeedUnescape(raw)) {
    AppendHtmlUnescaped(raw, out);
  } else {
    out.assign(raw);
  }
}

error_code ParseReview(od::object review, RecordContext& ctx, int32_t index) {
  Post& post = ctx.NewPost(index);
  post.source = Source::kAmazon;
  post.kind = PostKind::kReview;
  ReviewScratch scratch;
  for (auto field_result : review) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    std::string_view key = RawKey(field);
    if (key == "reviewerID" || key == "user_id") {
      json::GetId(field.value(), post.author.id);
    } else if (key == "asin") {
      json::GetId(field.value(), scratch.asin);
    } else if (key == "parent_asin") {
      json::GetId(field.value(), scratch.parent_asin);
    } else if (key == "reviewerName") {
      SetUnescaped(json::StringOr(field.value()), post.author.name);
    } else if (key == "overall" || key == "rating") {
      post.rating = json::GetDouble(field.value());
    } else if (key == "reviewText" || key == "text") {
      SetReviewText(json::StringOr(field.value()), post.text);
    } else if (key == "summary" || key == "title") {
      SetUnescaped(json::StringOr(field.value()), post.title);
    } else if (key == "unixReviewTime") {
      json::GetId(field.value(), scratch.time_raw);
      scratch.epoch_in_seconds = true;
    } else if (key == "timestamp") {
      json::GetId(field.value(), scratch.time_raw);
      scratch.epoch_in_seconds = false;
    } else if (key == "reviewTime") {
      json::GetString(field.value(), scratch.review_time);
    } else if (key == "vote" || key == "helpful_vote") {
      post.engagement.likes = json::GetCount(field.value());
    }
  }
  if (!scratch.time_raw.empty()) {
    // unixReviewTime is seconds and timestamp milliseconds by definition; only an unexpected
    // shape (a fraction, an exponent) falls back to telling them apart by magnitude.
    std::optional<int64_t> v = json::ParseCount(scratch.time_raw);
    if (v && *v > 0 && *v < 100'000'000'000'000LL) {
      post.created_at_ms = scratch.epoch_in_seconds ? *v * 1000 : *v;
    } else if (auto t = ParseEpochText(scratch.time_raw)) {
      post.created_at_ms = *t;
    }
  }
  std::string_view time_for_id = scratch.time_raw;
  std::string derived_time;
  if (post.created_at_ms <= 0) {
    if (auto t = ParseAmazonReviewTime(scratch.review_time)) {
      post.created_at_ms = *t;
      derived_time = std::to_string(*t / 1000);
      time_for_id = derived_time;
    }
  }
  if (!post.author.id.empty() && !scratch.asin.empty() && !time_for_id.empty()) {
    post.id = post.author.id + ":" + scratch.asin + ":" + std::string(time_for_id) + ":";
    AppendContentDigest(post.title, post.text, post.id);
  }
  post.community = scratch.parent_asin.empty() ? scratch.asin : scratch.parent_asin;
  if (!scratch.asin.empty()) post.url = "https://www.amazon.com/dp/" + scratch.asin;
  FinishPost(ctx);
  return SUCCESS;
}

}  // namespace

error_code ParseAmazon(od::document& doc, RecordContext& ctx) {
  return ForEachRecordObject(doc, ctx, "amazon", [&](od::object review, int32_t index) {
    return ParseReview(review, ctx, index);
  });
}

}  // namespace earshot::ingest
