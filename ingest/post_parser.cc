#include "ingest/post_parser.h"

#include <cstring>
#include <string>

#include "ingest/text.h"
#include "ingest/time_parse.h"

namespace earshot::ingest {
namespace {

// Whether the record's rejections from index `from` on include a post missing a field a broken
// string would hide.
bool MissedAField(const ParseOutput& out, size_t from) {
  for (size_t i = from; i < out.rejections.size(); ++i) {
    const RejectReason r = out.rejections[i].reason;
    if (r == RejectReason::kMissingId || r == RejectReason::kMissingText ||
        r == RejectReason::kBadTimestamp) {
      return true;
    }
  }
  return false;
}

// True when `s` holds only ASCII white space (TrimAscii(s).empty(), but reading from the front
// only: the back of a record is a cache line simdjson has not loaded yet, and touching it first
// was ~5% of the samples in a Yelp adapter profile).
bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f') return false;
  }
  return true;
}

}  // namespace

AdapterFn AdapterFor(Format format) {
  switch (format) {
    case Format::kXV2: return ParseXV2;
    case Format::kXV1: return ParseXV1;
    case Format::kReddit: return ParseReddit;
    case Format::kBluesky: return ParseBlueskyJetstream;
    case Format::kMastodon: return ParseMastodon;
    case Format::kYelp: return ParseYelp;
    case Format::kAmazon: return ParseAmazon;
    case Format::kAppStoreRss: return ParseAppStoreRss;
    case Format::kAppScraper: return ParseAppScraper;
    case Format::kGeneric: return ParseGeneric;
    case Format::kAuto:
    case Format::kTwcsCsv: break;
  }
  return nullptr;
}

bool ValidatePost(const Post& post, RecordContext& ctx) {
  int32_t index = post.origin.index;
  if (post.id.empty()) {
    ctx.Reject(RejectReason::kMissingId, "post has no id", index);
    return false;
  }
  if (IsBlank(post.text) && IsBlank(post.title)) {
    ctx.Reject(RejectReason::kMissingText, "post ", index).append(post.id).append(" has no text");
    return false;
  }
  if (post.created_at_ms <= 0) {
    ctx.Reject(RejectReason::kBadTimestamp, "post ", index)
        .append(post.id)
        .append(" has no parseable creation time");
    return false;
  }
  if (post.created_at_ms >= kMaxTimeMs) {  // an epoch number past the year 9999
    ctx.Reject(RejectReason::kBadTimestamp, "post ", index)
        .append(post.id)
        .append(" has a creation time after the year 9999");
    return false;
  }
  return true;
}

bool FinishPost(RecordContext& ctx) {
  Post& post = ctx.out.posts.back();
  // A rating off every source's scale (0 to 10, schemas/post.schema.json), or not a number at
  // all ("stars": "nan", 1e300), is a broken field, not a broken post: keep the post without it.
  if (post.rating && !(*post.rating >= 0 && *post.rating <= 10)) post.rating.reset();
  if (ValidatePost(post, ctx)) return true;
  ctx.DropLastPost();
  return false;
}

PostParser::PostParser(ParserOptions options)
    : options_(std::move(options)), generic_plan_(CompileGenericPlan(options_.generic)) {}

void PostParser::Parse(Format format, std::string_view record, size_t capacity,
                       const Origin& origin, std::string_view event, ParseOutput& out) {
  if (record.size() > options_.max_record_bytes) {
    out.rejections.push_back({RejectReason::kTooLarge,
                              "record of " + std::to_string(record.size()) +
                                  " bytes exceeds max_record_bytes " +
                                  std::to_string(options_.max_record_bytes),
                              origin});
    return;
  }
  ParseJson(format, record, capacity, origin, event, out);
}

void PostParser::ParseJson(Format format, std::string_view record, size_t capacity,
                           const Origin& origin, std::string_view event, ParseOutput& out) {
  RecordContext ctx{origin, out, event, &options_.generic, generic_plan_.get()};
  if (IsBlank(record)) {
    ctx.Reject(RejectReason::kMalformedJson, "empty record");
    return;
  }
  if (format == Format::kAuto) {
    auto detected = DetectJsonFormat(record);
    if (!detected) {
      // Off the hot path: tell broken JSON from well-formed JSON of an unknown shape.
      simdjson::dom::element ignored;
      simdjson::error_code error = validator_.parse(record.data(), record.size()).get(ignored);
      if (error != simdjson::SUCCESS) {
        ctx.Reject(error == simdjson::UTF8_ERROR ? RejectReason::kBadEncoding
                                                 : RejectReason::kMalformedJson,
                   simdjson::error_message(error));
      } else {
        ctx.Reject(RejectReason::kNotAPost, "no adapter recognises this record");
      }
      return;
    }
    format = *detected;
  }
  AdapterFn adapter = AdapterFor(format);
  if (adapter == nullptr) {
    ctx.Reject(RejectReason::kNotAPost,
               "format " + std::string(FormatName(format)) + " is not a JSON format");
    return;
  }
  const char* data = record.data();
  if (capacity < record.size() + simdjson::SIMDJSON_PADDING) {
    if (scratch_.size() < record.size()) {
      scratch_ = simdjson::padded_string(std::max(record.size(), scratch_.size() * 2));
    }
    std::memcpy(scratch_.data(), record.data(), record.size());
    data = scratch_.data();
    capacity = scratch_.size() + simdjson::SIMDJSON_PADDING;
  }
  size_t posts_before = out.posts.size();
  size_t rejections_before = out.rejections.size();
  ctx.parser = &parser_;
  ctx.record = std::string_view(data, record.size());
  ctx.record_capacity = capacity;
  simdjson::ondemand::document doc;
  simdjson::error_code error = parser_.iterate(data, record.size(), capacity).get(doc);
  if (error == simdjson::SUCCESS) error = adapter(doc, ctx);
  if (error == simdjson::SUCCESS && MissedAField(out, rejections_before)) {
    // On-Demand reads a string whose escapes do not decode ("\q", a lone UTF-16 surrogate) as
    // absent, so such a text would be filtered as missing_text rather than dead-lettered. A
    // record with a post missing its id, text or time is validated whole (off the hot path:
    // valid feeds seldom have such posts).
    // Only string errors count: the DOM parser also refuses valid JSON On-Demand never reads
    // (integers beyond 64 bits), and such a record keeps its outcome.
    simdjson::dom::element ignored;
    const simdjson::error_code full = validator_.parse(data, record.size(), false).get(ignored);
    if (full == simdjson::STRING_ERROR || full == simdjson::UTF8_ERROR) error = full;
  }
  if (error != simdjson::SUCCESS) {
    // The record is bad as a whole: nothing it produced is kept.
    out.TruncatePosts(posts_before);
    out.TruncateRejections(rejections_before);
    if (error == simdjson::STRING_ERROR) {
      ctx.Reject(RejectReason::kMalformedJson,
                 "a string's escapes do not decode (an invalid escape or a lone UTF-16 surrogate)");
    } else {
      ctx.Reject(
          error == simdjson::UTF8_ERROR ? RejectReason::kBadEncoding : RejectReason::kMalformedJson,
          simdjson::error_message(error));
    }
  }
}

}  // namespace earshot::ingest
