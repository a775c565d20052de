// Enricher: the stateless chain each worker runs inline on one raw record — parse (format
// adapter), normalize and match brands, score sentiment with the brand mentions masked, classify
// complaints (intent, category, priority, care queue) — and the encoding of its outputs: one
// enriched record per (post, matched brand), keyed by brand id (schemas/enriched_post.schema.json);
// or, for `earshot enrich`, one record per matched post.
//
// Thread-compatible: one Enricher per worker; the RuleSet, sentiment and complaint snapshots
// inside are shared and immutable. On the hot path; all buffers are reused across records.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/post_parser.h"
#include "pipeline/complaints/complaints.h"
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
// The filtered reason for a well-formed record that holds no post: an empty page of a timeline or
// of search results ("[]", {"statuses": []}).
inline constexpr std::string_view kNoPostsReason = "no_posts";

// True when records rejected for `reason` are dead-lettered (broken input) rather than filtered
// (valid input that is not a post for earshot).
[[nodiscard]] bool IsDeadLetterReason(ingest::RejectReason reason);

struct OutputRecord {
  uint32_t brand = 0;  // index into the RuleSet's brands (the first matched brand per post)
  bool matched = true;  // false: a post that matched no brand (EnrichOptions::include_unmatched)
  sentiment::Label label = sentiment::Label::kNeutral;  // when sentiment is scored
  bool complaint = false;  // when complaints are classified
  uint16_t category = 0;   // complaint category index (when complaint)
  uint8_t priority = 4;    // 1..4 (when complaint)
  std::string key;     // brand id
  std::string value;  // enriched JSON
};

struct EnrichOptions {
  bool per_post = false;           // one record per post (with every brand) instead of per brand
  bool include_unmatched = false;  // per_post only: also posts that matched no brand
};

struct EnrichResult {
  Outcome outcome = Outcome::kFiltered;
  std::string reason;  // filtered / dead-letter reason code
  std::string detail;  // dead-letter message, for people
  std::vector<OutputRecord> records;  // records[0, count) are this record's outputs
  size_t count = 0;
  size_t posts = 0;          // posts parsed from the record
  size_t matched_posts = 0;  // posts that matched at least one brand
  // The rejections of a record that also yielded posts: each a post or element the adapter
  // dropped from it (a tweet without text on an X page). The record's own outcome is above.
  std::vector<ingest::RejectReason> dropped;
};

class Enricher {
 public:
  // `sentiment` may be null: records then carry no sentiment. `complaints` may be null: records
  // then carry no intent and complaint; it needs `sentiment`.
  Enricher(ingest::ParserOptions parser_options, std::shared_ptr<const match::RuleSet> rules,
           std::shared_ptr<const sentiment::SentimentSnapshot> sentiment = nullptr,
           std::shared_ptr<const complaints::ComplaintSnapshot> complaint_snapshot = nullptr,
           EnrichOptions options = {});

  // Processes one record. `capacity` as for PostParser::Parse.
  void Process(ingest::Format format, std::string_view bytes, size_t capacity,
               const ingest::Origin& origin, EnrichResult& result);

  // Enriches already parsed posts: appends their records to result.records[result.count, ...)
  // and counts them in result (which the caller resets).
  void EnrichPosts(std::span<const ingest::Post> posts, EnrichResult& result);

  void SetRules(std::shared_ptr<const match::RuleSet> rules) { matcher_.SetRules(std::move(rules)); }

 private:
  // Appends the enriched JSON of `post`; `hit` is the record's brand (null: a per-post record).
  void Encode(const ingest::Post& post, const match::BrandHit* hit, int64_t now_ms,
              std::string& out);
  std::string_view QueueFor(const ingest::Post& post, const match::BrandHit& hit) const;

  EnrichOptions options_;
  ingest::PostParser parser_;
  match::Matcher matcher_;
  ingest::ParseOutput parsed_;
  match::MatchResult match_;
  std::unique_ptr<sentiment::SentimentAnalyzer> analyzer_;
  std::vector<sentiment::ByteSpan> mask_;
  sentiment::SentimentResult sentiment_;
  const sentiment::SentimentResult* scored_ = nullptr;  // this post's sentiment, when scored
  std::unique_ptr<complaints::ComplaintClassifier> classifier_;
  complaints::ComplaintResult complaint_;
  bool classified_ = false;  // complaint_ holds this post's result
};

// Appends {"label":...,"compound":...,"pos":...,"neu":...,"neg":...,"engine":...} (and "lang",
// plus "reason" for unsupported languages).
void AppendSentimentJson(const sentiment::SentimentResult& r, std::string& out);

}  // namespace earshot::pipeline
