#include "pipeline/enrich.h"

#include <chrono>
#include <cstdio>

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
                   std::shared_ptr<const match::RuleSet> rules,
                   std::shared_ptr<const sentiment::SentimentSnapshot> sentiment)
    : parser_(std::move(parser_options)), matcher_(std::move(rules)) {
  if (sentiment) analyzer_ = std::make_unique<sentiment::SentimentAnalyzer>(std::move(sentiment));
}

void AppendSentimentJson(const sentiment::SentimentResult& r, std::string& out) {
  char buf[192];
  int n = std::snprintf(buf, sizeof buf,
                        "{\"label\":\"%.*s\",\"compound\":%.4f,\"pos\":%.3f,\"neu\":%.3f,"
                        "\"neg\":%.3f,\"engine\":\"%.*s\"",
                        static_cast<int>(sentiment::LabelName(r.label).size()),
                        sentiment::LabelName(r.label).data(), r.compound + 0.0, r.pos + 0.0,
                        r.neu + 0.0, r.neg + 0.0,
                        static_cast<int>(sentiment::EngineName(r.engine).size()),
                        sentiment::EngineName(r.engine).data());
  out.append(buf, static_cast<size_t>(std::max(0, std::min(n, static_cast<int>(sizeof buf) - 1))));
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

void Enricher::Encode(const ingest::Post& post, const match::MatchResult& match,
                      const match::BrandHit& hit, const sentiment::SentimentResult* sentiment,
                      int64_t now_ms, std::string& out) const {
  const match::RuleSet& rules = matcher_.rules();
  out.append("{\"schema\":\"earshot.enriched.v1\",\"brand\":");
  AppendHit(rules, hit, true, out);
  out.append(",\"brands\":[");
  for (size_t i = 0; i < match.count; ++i) {
    if (i) out.push_back(',');
    AppendHit(rules, match.hits[i], false, out);
  }
  out.push_back(']');
  if (sentiment != nullptr) {
    out.append(",\"sentiment\":");
    AppendSentimentJson(*sentiment, out);
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
    const sentiment::SentimentResult* scored = nullptr;
    if (analyzer_) {
      // One score per post, with every matched brand's mentions masked (and the title's text
      // when the post has no body, as reviews and submissions may).
      mask_.clear();
      bool use_title = post.text.empty();
      for (size_t i = 0; i < match_.count; ++i) {
        const auto& spans = use_title ? match_.hits[i].title_spans : match_.hits[i].spans;
        for (const match::Span& sp : spans) mask_.push_back({sp.begin, sp.end});
      }
      analyzer_->Score(use_title ? post.title : post.text, post.lang, mask_, sentiment_);
      scored = &sentiment_;
    }
    for (size_t i = 0; i < match_.count; ++i) {
      if (result.records.size() <= result.count) result.records.emplace_back();
      OutputRecord& rec = result.records[result.count++];
      rec.brand = match_.hits[i].brand;
      rec.key = matcher_.rules().brands()[rec.brand].rule.id;
      rec.label = scored != nullptr ? scored->label : sentiment::Label::kNeutral;
      rec.value.clear();
      Encode(post, match_, match_.hits[i], scored, now_ms, rec.value);
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
