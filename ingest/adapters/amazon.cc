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
#include <charconv>
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

// The fields that only matter once the whole object has been read: views into the document.
struct ReviewScratch {
  std::string_view asin, parent_asin;
  std::string_view time_raw;     // unixReviewTime or timestamp, digits as written
  std::string_view review_time;  // 2018 "06 17, 2018", the fallback when unixReviewTime is absent
  bool epoch_in_seconds = true;
};

// Copies review text, turning <br> tags into newlines and decoding HTML entities. The text
// between two line breaks is decoded on its own: a character reference never spans a line
// break (its body would hold the '\n'), so this is the same as decoding the text with the breaks
// already replaced.
void SetReviewText(std::string_view raw, std::string& out) {
  out.clear();
  size_t segment = 0;  // start of the text not yet appended
  size_t search = raw.find('<');
  if (search == std::string_view::npos) {
    if (MayNeedUnescape(raw)) {
      AppendHtmlUnescaped(raw, out);
    } else {
      out.assign(raw);
    }
    return;
  }
  while (true) {
    size_t lt = raw.find("<br", search);
    if (lt == std::string_view::npos) break;
    size_t gt = raw.find('>', lt);
    std::string_view tag = raw.substr(lt, gt == std::string_view::npos ? 0 : gt - lt + 1);
    // Only "<br>", "<br/>" and "<br />"; anything else ("<brand>") is text.
    if (tag == "<br>" || tag == "<br/>" || tag == "<br />") {
      AppendHtmlUnescaped(raw.substr(segment, lt - segment), out);
      out.push_back('\n');
      segment = search = gt + 1;
    } else {
      search = lt + 3;
    }
  }
  AppendHtmlUnescaped(raw.substr(segment), out);
}

void SetUnescaped(std::string_view raw, std::string& out) {
  out.clear();
  if (MayNeedUnescape(raw)) {
    AppendHtmlUnescaped(raw, out);
  } else {
    out.assign(raw);
  }
}

// The keys of both layouts. Classify() looks at the length first: a review has a dozen keys, a
// few of which ("verified", "style", "image") match none.
enum class Key : uint8_t {
  kOther,
  kReviewer,        // reviewerID, user_id
  kAsin,            // asin
  kParentAsin,      // parent_asin
  kReviewerName,    // reviewerName
  kRating,          // overall, rating
  kText,            // reviewText, text
  kTitle,           // summary, title
  kUnixReviewTime,  // unixReviewTime (seconds)
  kTimestamp,       // timestamp (milliseconds)
  kReviewTime,      // reviewTime ("06 17, 2018")
  kVotes,           // vote, helpful_vote
};

Key Classify(std::string_view key) {
  switch (key.size()) {
    case 4:
      if (key == "asin") return Key::kAsin;
      if (key == "text") return Key::kText;
      if (key == "vote") return Key::kVotes;
      break;
    case 5:
      if (key == "title") return Key::kTitle;
      break;
    case 6:
      if (key == "rating") return Key::kRating;
      break;
    case 7:
      if (key == "overall") return Key::kRating;
      if (key == "summary") return Key::kTitle;
      if (key == "user_id") return Key::kReviewer;
      break;
    case 9:
      if (key == "timestamp") return Key::kTimestamp;
      break;
    case 10:
      if (key == "reviewerID") return Key::kReviewer;
      if (key == "reviewText") return Key::kText;
      if (key == "reviewTime") return Key::kReviewTime;
      break;
    case 11:
      if (key == "parent_asin") return Key::kParentAsin;
      break;
    case 12:
      if (key == "reviewerName") return Key::kReviewerName;
      if (key == "helpful_vote") return Key::kVotes;
      break;
    case 14:
      if (key == "unixReviewTime") return Key::kUnixReviewTime;
      break;
    default:
      break;
  }
  return Key::kOther;
}

error_code ParseReview(od::object review, RecordContext& ctx, int32_t index) {
  Post& post = ctx.NewPost(index);
  post.source = Source::kAmazon;
  post.kind = PostKind::kReview;
  ReviewScratch scratch;
  for (auto field_result : review) {
    if (auto e = field_result.error()) return e;
    od::field&& field = std::move(field_result).value_unsafe();
    switch (Classify(RawKey(field))) {
      case Key::kReviewer:
        json::GetId(field.value(), post.author.id);
        break;
      case Key::kAsin:
        json::GetIdView(field.value(), scratch.asin);
        break;
      case Key::kParentAsin:
        json::GetIdView(field.value(), scratch.parent_asin);
        break;
      case Key::kReviewerName:
        SetUnescaped(json::StringOr(field.value()), post.author.name);
        break;
      case Key::kRating:
        post.rating = json::GetDouble(field.value());
        break;
      case Key::kText:
        SetReviewText(json::StringOr(field.value()), post.text);
        break;
      case Key::kTitle:
        SetUnescaped(json::StringOr(field.value()), post.title);
        break;
      case Key::kUnixReviewTime:
        json::GetIdView(field.value(), scratch.time_raw);
        scratch.epoch_in_seconds = true;
        break;
      case Key::kTimestamp:
        json::GetIdView(field.value(), scratch.time_raw);
        scratch.epoch_in_seconds = false;
        break;
      case Key::kReviewTime:
        json::GetStringView(field.value(), scratch.review_time);
        break;
      case Key::kVotes:
        post.engagement.likes = json::GetCount(field.value());
        break;
      case Key::kOther:
        break;
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
  char derived_time[24];  // seconds of the reviewTime date, as std::to_string writes them
  if (post.created_at_ms <= 0) {
    if (auto t = ParseAmazonReviewTime(scratch.review_time)) {
      post.created_at_ms = *t;
      char* end = std::to_chars(derived_time, derived_time + sizeof(derived_time), *t / 1000).ptr;
      time_for_id = std::string_view(derived_time, static_cast<size_t>(end - derived_time));
    }
  }
  if (!post.author.id.empty() && !scratch.asin.empty() && !time_for_id.empty()) {
    AssignConcat(post.id, post.author.id, ":", scratch.asin, ":", time_for_id, ":");
    AppendContentDigest(post.title, post.text, post.id);
  }
  post.community.assign(scratch.parent_asin.empty() ? scratch.asin : scratch.parent_asin);
  if (!scratch.asin.empty()) AssignConcat(post.url, "https://www.amazon.com/dp/", scratch.asin);
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
