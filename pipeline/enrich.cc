#include "pipeline/enrich.h"

#include <chrono>

#include "ingest/text.h"

namespace earshot::pipeline {
namespace {

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
                   std::shared_ptr<const match::RuleSet> rules)
    : parser_(std::move(parser_options)), matcher_(std::move(rules)) {}

void Enricher::Encode(const ingest::Post& post, const match::MatchResult& match,
                      const match::BrandHit& hit, int64_t now_ms, std::string& out) const {
  const match::RuleSet& rules = matcher_.rules();
  out.append("{\"schema\":\"earshot.enriched.v1\",\"brand\":");
  AppendHit(rules, hit, true, out);
  out.append(",\"brands\":[");
  for (size_t i = 0; i < match.count; ++i) {
    if (i) out.push_back(',');
    AppendHit(rules, match.hits[i], false, out);
  }
  out.append("],\"post\":");
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
  parsed_.Clear();
  parser_.Parse(format, bytes, capacity, origin, {}, parsed_);
  result.posts = parsed_.posts.size();
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (const ingest::Post& post : parsed_.posts) {
    matcher_.Match(post, match_);
    if (match_.count == 0) continue;
    ++result.matched_posts;
    for (size_t i = 0; i < match_.count; ++i) {
      if (result.records.size() <= result.count) result.records.emplace_back();
      OutputRecord& rec = result.records[result.count++];
      rec.brand = match_.hits[i].brand;
      rec.key = matcher_.rules().brands()[rec.brand].rule.id;
      rec.value.clear();
      Encode(post, match_, match_.hits[i], now_ms, rec.value);
    }
  }
  if (result.count > 0) {
    result.outcome = Outcome::kEnriched;
    return;
  }
  if (!parsed_.posts.empty()) {
    result.outcome = Outcome::kFiltered;
    result.reason = kNoBrandReason;
    return;
  }
  // No posts: the first rejection decides. A record with no rejection either cannot happen
  // (every adapter posts or rejects); treat it as broken to be safe.
  if (parsed_.rejections.empty()) {
    result.outcome = Outcome::kDeadLetter;
    result.reason = "not_a_post";
    result.detail = "record produced neither a post nor a reason";
    return;
  }
  const ingest::Rejection& first = parsed_.rejections.front();
  result.reason = ingest::RejectReasonName(first.reason);
  result.detail = first.detail;
  result.outcome = IsDeadLetterReason(first.reason) ? Outcome::kDeadLetter : Outcome::kFiltered;
}

}  // namespace earshot::pipeline
