// Enricher: the stateless chain each worker runs inline on one raw record — parse (format
// adapter), normalize and match brands, score sentiment with the brand mentions masked — and the
// encoding of its outputs: one enriched record per (post, matched brand), keyed by brand id
// (schemas/enriched_post.schema.json).
//
// The complaint stage plugs in here when it lands. Thread-compatible: one Enricher per
// worker; the RuleSet snapshot inside is shared and immutable. On the hot path; all buffers are
// reused across records.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/post_parser.h"
#include "pipeline/match/matcher.h"
#include "pipeline/sentiment/sentiment.h"

namespace earshot::pipeline {

enum class Outcome : uint8_t {
  kEnriched,    // at least one post matched a brand
  kFiltered,    // nothing to enrich, for a counted reason (no brand, unsupported event, ...)
  kDeadLetter,  // the record is broken: it goes to the dead-letter topic with the reason
};

[[nodiscard]] std::string_view OutcomeName(Outcome outcome);

// The filtered reason for posts that matched no brand.
inline constexpr std::string_view kNoBrandReason = "no_brand";

// True when records rejected for `reason` are dead-lettered (broken input) rather than filtered
// (valid input that is not a post for earshot).
[[nodiscard]] bool IsDeadLetterReason(ingest::RejectReason reason);

struct OutputRecord {
  uint32_t brand = 0;  // index into the RuleSet's brands
  sentiment::Label label = sentiment::Label::kNeutral;  // when sentiment is scored
  std::string key;     // brand id
  std::string value;  // enriched JSON
};

struct EnrichResult {
  Outcome outcome = Outcome::kFiltered;
  std::string reason;  // filtered / dead-letter reason code
  std::string detail;  // dead-letter message, for people
  std::vector<OutputRecord> records;  // records[0, count) are this record's outputs
  size_t count = 0;
  size_t posts = 0;          // posts parsed from the record
  size_t matched_posts = 0;  // posts that matched at least one brand
};

class Enricher {
 public:
  // `sentiment` may be null: records then carry no sentiment.
  Enricher(ingest::ParserOptions parser_options, std::shared_ptr<const match::RuleSet> rules,
           std::shared_ptr<const sentiment::SentimentSnapshot> sentiment = nullptr);

  // Processes one record. `capacity` as for PostParser::Parse.
  void Process(ingest::Format format, std::string_view bytes, size_t capacity,
               const ingest::Origin& origin, EnrichResult& result);

  // Appends the enriched JSON of `post` for brand hit `hit` of `match` (exposed for `enrich`).
  void Encode(const ingest::Post& post, const match::MatchResult& match,
              const match::BrandHit& hit, const sentiment::SentimentResult* sentiment,
              int64_t now_ms, std::string& out) const;

  void SetRules(std::shared_ptr<const match::RuleSet> rules) { matcher_.SetRules(std::move(rules)); }

 private:
  ingest::PostParser parser_;
  match::Matcher matcher_;
  ingest::ParseOutput parsed_;
  match::MatchResult match_;
  std::unique_ptr<sentiment::SentimentAnalyzer> analyzer_;
  std::vector<sentiment::ByteSpan> mask_;
  sentiment::SentimentResult sentiment_;
};

// Appends {"label":...,"compound":...,"pos":...,"neu":...,"neg":...,"engine":...} (and "lang",
// plus "reason" for unsupported languages).
void AppendSentimentJson(const sentiment::SentimentResult& r, std::string& out);

}  // namespace earshot::pipeline
