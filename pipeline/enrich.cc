#include "pipeline/enrich.h"

#include <charconv>
#include <chrono>

#include "ingest/text.h"

namespace earshot::pipeline {
namespace {

// `v` with `digits` decimals, as printf's %.Nf (correctly rounded), without printf's locale and
// format-string work on the hot path.
// REQUIRES: digits <= 16 (the buffer holds any double: 309 integer digits, sign, point).
void AppendFixed(double v, int digits, std::string& out) {
  char buf[352];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v + 0.0, std::chars_format::fixed, digits);
  out.append(buf, ec == std::errc() ? end : buf);
}

void AppendSpans(const std::vector<match::Span>& spans, std::string& out) {
  out.push_back('[');
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i) out.push_back(',');
    out.push_back('[');
    out.append(std::to_string(spans[i].begin));
    out.push_back(',');
    out.append(std::to_string(spans[i].end));
    out.push_back(']');
  }
  out.push_back(']');
}

void AppendHit(const match::RuleSet& rules, const match::BrandHit& hit, bool with_name,
               std::string& out) {
  const match::BrandRule& rule = rules.brands()[hit.brand].rule;
  out.append("{\"id\":");
  ingest::AppendJsonString(rule.id, out);
  if (with_name) {
    out.append(",\"name\":");
    ingest::AppendJsonString(rule.name, out);
    if (!rule.competitors.empty()) {
      out.append(",\"competitors\":");
      ingest::AppendJsonString(rule.competitors, out);
    }
    if (!rule.tags.empty()) {
      out.append(",\"tags\":[");
      for (size_t i = 0; i < rule.tags.size(); ++i) {
        if (i) out.push_back(',');
        ingest::AppendJsonString(rule.tags[i], out);
      }
      out.push_back(']');
    }
  }
  out.append(",\"spans\":");
  AppendSpans(hit.spans, out);
  if (!hit.title_spans.empty()) {
    out.append(",\"title_spans\":");
    AppendSpans(hit.title_spans, out);
  }
  out.push_back('}');
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kEnriched: return "enriched";
    case Outcome::kFiltered: return "filtered";
    case Outcome::kDeadLetter: return "dead_lettered";
  }
  return "unknown";
}

bool IsDeadLetterReason(ingest::RejectReason reason) {
  switch (reason) {
    case ingest::RejectReason::kMalformedJson:
    case ingest::RejectReason::kNotAPost:
    case ingest::RejectReason::kMissingId:
    case ingest::RejectReason::kBadTimestamp:
    case ingest::RejectReason::kTooLarge:
    case ingest::RejectReason::kBadEncoding: return true;
    case ingest::RejectReason::kMissingText:
    case ingest::RejectReason::kUnsupportedEvent:
    case ingest::RejectReason::kStreamError:
    case ingest::RejectReason::kDeleted: return false;
  }
  return true;
}

Enricher::Enricher(ingest::ParserOptions parser_options,
                   std::shared_ptr<const match::RuleSet> rules,
                   std::shared_ptr<const sentiment::SentimentSnapshot> sentiment,
                   std::shared_ptr<const complaints::ComplaintSnapshot> complaint_snapshot,
                   EnrichOptions options)
    : options_(options), parser_(std::move(parser_options)), matcher_(std::move(rules)) {
  if (sentiment) analyzer_ = std::make_unique<sentiment::SentimentAnalyzer>(std::move(sentiment));
  if (complaint_snapshot && analyzer_) {
    classifier_ =
        std::make_unique<complaints::ComplaintClassifier>(std::move(complaint_snapshot));
  }
}

void AppendSentimentJson(const sentiment::SentimentResult& r, std::string& out) {
  out.append("{\"label\":\"");
  out.append(sentiment::LabelName(r.label));
  out.append("\",\"compound\":");
  AppendFixed(r.compound, 4, out);
  out.append(",\"pos\":");
  AppendFixed(r.pos, 3, out);
  out.append(",\"neu\":");
  AppendFixed(r.neu, 3, out);
  out.append(",\"neg\":");
  AppendFixed(r.neg, 3, out);
  out.append(",\"engine\":\"");
  out.append(sentiment::EngineName(r.engine));
  out.push_back('"');
  if (!r.lang.empty()) {
    out.append(",\"lang\":");
    ingest::AppendJsonString(r.lang, out);
  }
  if (r.label == sentiment::Label::kUnsupported) {
    out.append(",\"reason\":");
    ingest::AppendJsonString(r.unsupported_reason, out);
  }
  out.push_back('}');
}

std::string_view Enricher::QueueFor(const ingest::Post& post, const match::BrandHit& hit) const {
  const std::string& brand_id = matcher_.rules().brands()[hit.brand].rule.id;
  std::string_view lang = post.lang.empty() && scored_ != nullptr ? scored_->lang
                                                                  : std::string_view(post.lang);
  return classifier_->Route(complaint_, brand_id, lang, post.source);
}

void Enricher::Encode(const ingest::Post& post, const match::BrandHit* hit, int64_t now_ms,
                      std::string& out) {
  const match::RuleSet& rules = matcher_.rules();
  out.append("{\"schema\":\"earshot.enriched.v1\"");
  if (hit != nullptr) {
    out.append(",\"brand\":");
    AppendHit(rules, *hit, true, out);
  }
  out.append(",\"brands\":[");
  for (size_t i = 0; i < match_.count; ++i) {
    if (i) out.push_back(',');
    AppendHit(rules, match_.hits[i], hit == nullptr, out);
    if (hit == nullptr && classified_) {
      // Per-post records: every brand's care queue (routing depends on the brand).
      std::string_view queue = QueueFor(post, match_.hits[i]);
      out.pop_back();
      out.append(",\"queue\":");
      if (queue.empty()) out.append("null");
      else ingest::AppendJsonString(queue, out);
      out.push_back('}');
    }
  }
  out.push_back(']');
  if (scored_ != nullptr) {
    out.append(",\"sentiment\":");
    AppendSentimentJson(*scored_, out);
  }
  if (classified_) {
    std::string_view queue;
    if (hit != nullptr) queue = QueueFor(post, *hit);
    else if (match_.count > 0) queue = QueueFor(post, match_.hits[0]);
    out.push_back(',');
    complaints::AppendComplaintJson(classifier_->snapshot(), complaint_, queue, out);
  }
  out.append(",\"post\":");
  ingest::AppendPostJson(post, out);
  out.append(",\"enriched_at_ms\":");
  out.append(std::to_string(now_ms));
  out.push_back('}');
}

void Enricher::Process(ingest::Format format, std::string_view bytes, size_t capacity,
                       const ingest::Origin& origin, EnrichResult& result) {
  result.count = 0;
  result.posts = 0;
  result.matched_posts = 0;
  result.reason.clear();
  result.detail.clear();
  result.dropped.clear();
  parsed_.Clear();
  parser_.Parse(format, bytes, capacity, origin, {}, parsed_);
  if (!parsed_.posts.empty()) {
    for (const ingest::Rejection& r : parsed_.rejections) result.dropped.push_back(r.reason);
  }
  EnrichPosts(parsed_.posts, result);
  if (result.matched_posts > 0) {
    result.outcome = Outcome::kEnriched;
    return;
  }
  if (!parsed_.posts.empty()) {
    result.outcome = Outcome::kFiltered;
    result.reason = kNoBrandReason;
    return;
  }
  // No posts: the first rejection decides. With no rejection either, the adapter read a
  // well-formed list with nothing in it (an empty page): valid input, filtered.
  if (parsed_.rejections.empty()) {
    result.outcome = Outcome::kFiltered;
    result.reason = kNoPostsReason;
    result.detail = "the record holds no post (an empty list)";
    return;
  }
  const ingest::Rejection& first = parsed_.rejections.front();
  result.reason = ingest::RejectReasonName(first.reason);
  result.detail = first.detail;
  result.outcome = IsDeadLetterReason(first.reason) ? Outcome::kDeadLetter : Outcome::kFiltered;
}

void Enricher::EnrichPosts(std::span<const ingest::Post> posts, EnrichResult& result) {
  result.posts += posts.size();
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (const ingest::Post& post : posts) {
    matcher_.Match(post, match_);
    const bool matched = match_.count > 0;
    if (!matched && !(options_.per_post && options_.include_unmatched)) continue;
    result.matched_posts += matched;
    scored_ = nullptr;
    classified_ = false;
    if (analyzer_) {
      // One score per post, with every matched brand's mentions masked (and the title's text
      // when the post has no body, as reviews and submissions may).
      mask_.clear();
      bool use_title = post.text.empty();
      for (size_t i = 0; i < match_.count; ++i) {
        const auto& spans = use_title ? match_.hits[i].title_spans : match_.hits[i].spans;
        for (const match::Span& sp : spans) mask_.push_back({sp.begin, sp.end});
      }
      std::string_view text = use_title ? post.title : post.text;
      analyzer_->Score(text, post.lang, mask_, sentiment_);
      scored_ = &sentiment_;
      if (classifier_) {
        complaints::PostSignals signals;
        signals.followers = post.author.followers;
        const ingest::Engagement& e = post.engagement;
        signals.engagement = e.likes.value_or(0) + e.reposts.value_or(0) +
                             e.replies.value_or(0) + e.quotes.value_or(0);
        signals.direct_address = complaints::HasMention(text);
        classifier_->Classify(*analyzer_, sentiment_, signals, complaint_);
        classified_ = true;
      }
    }
    auto next = [&]() -> OutputRecord& {
      if (result.records.size() <= result.count) result.records.emplace_back();
      OutputRecord& rec = result.records[result.count++];
      rec.label = scored_ != nullptr ? scored_->label : sentiment::Label::kNeutral;
      rec.complaint = classified_ && complaint_.is_complaint;
      rec.category = complaint_.category;
      rec.priority = complaint_.priority;
      rec.value.clear();
      return rec;
    };
    if (options_.per_post) {
      OutputRecord& rec = next();
      rec.matched = matched;
      rec.brand = matched ? match_.hits[0].brand : 0;
      if (matched) rec.key = matcher_.rules().brands()[rec.brand].rule.id;
      else rec.key.clear();
      Encode(post, nullptr, now_ms, rec.value);
      continue;
    }
    for (size_t i = 0; i < match_.count; ++i) {
      OutputRecord& rec = next();
      rec.matched = true;
      rec.brand = match_.hits[i].brand;
      rec.key = matcher_.rules().brands()[rec.brand].rule.id;
      Encode(post, &match_.hits[i], now_ms, rec.value);
    }
  }
}

}  // namespace earshot::pipeline
