// Complaints and care triage: intent (complaint, question, praise, other), category, priority
// P1-P4 with the factors that raised it, and the care queue a post is routed to.
//
// Runs after the sentiment stage on the same text: it reads the sentiment analyzer's tokens (brand
// mentions and @mentions already masked) and result, so it adds a cue-table pass and one dot
// product per post. ComplaintSnapshot is immutable (cue table, taxonomy, model, options) and
// shared across workers; Create() is control plane and returns errors with file and line.
// ComplaintClassifier holds per-thread scratch: thread-compatible, on the hot path,
// allocation-free after warm-up. pipeline/complaints/README.md documents the taxonomy, the cue
// families, the priority factors and routing.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/post.h"
#include "pipeline/complaints/cues.h"
#include "pipeline/complaints/model.h"
#include "pipeline/sentiment/sentiment.h"

namespace earshot::pipeline::complaints {

enum Intent : uint8_t {
  kIntentComplaint = 1,
  kIntentQuestion = 2,
  kIntentPraise = 4,
  kIntentOther = 8,
};
[[nodiscard]] std::string_view IntentName(Intent intent);
[[nodiscard]] std::optional<Intent> IntentFromName(std::string_view name);

// The built-in taxonomy, in tie-break order (most specific and most urgent first); "other" is
// always last and is what a complaint with no category cue gets.
struct Category {
  std::string id;
  std::string name;
};
[[nodiscard]] std::vector<Category> DefaultCategories();

// A config extension: a new category (with its cues), or more cues for an existing one.
struct CategoryExtension {
  std::string id;
  std::string name;  // empty: keep the existing name (or use the id)
  std::vector<std::string> cues;
  std::string where;  // "file:line:col" for errors
};

// One threshold rule of a priority factor: value >= at_least (or <= at_most) gives `points`.
struct Step {
  double threshold = 0;
  int points = 0;
};

struct PriorityOptions {
  std::vector<Step> followers = {{100000, 3}, {10000, 2}, {1000, 1}};   // >= ; first that holds
  std::vector<Step> engagement = {{1000, 2}, {100, 1}};  // likes + reposts + replies + quotes
  std::vector<Step> sentiment = {{-0.75, 2}, {-0.4, 1}};  // compound <= ; first that holds
  int safety = 4, legal = 2, press = 2, churn = 1;        // urgency cue families
  int complaint_base = 1;  // every complaint starts with this many points
  // Points needed for P1, P2, P3 (below p3: P4).
  int p1 = 6, p2 = 4, p3 = 1;
};

struct RouteRule {
  std::vector<std::string> brands;       // brand ids; empty: any
  std::vector<uint16_t> categories;      // category indices; empty: any
  std::vector<uint8_t> priorities;       // 1..4; empty: any
  std::vector<std::string> langs;        // primary language subtags ("en"); empty: any
  std::vector<ingest::Source> sources;   // empty: any
  uint8_t intents = 0;                   // Intent bits; 0: complaint or question
  std::string queue;
  std::string where;  // "file:line:col"
};

struct RouteRuleSpec {  // routing rules as written in config (names, resolved by Create)
  std::vector<std::string> brands, categories, priorities, langs, sources, intents;
  std::string queue;
  std::string where;
};

struct ComplaintOptions {
  bool enabled = true;
  std::string model_path;              // empty: cue rules only (no learned model)
  std::vector<std::string> cue_files;  // the default cue file and any extra ones
  std::vector<CategoryExtension> categories;
  double threshold = 0.5;  // model probability at or above which a post is a complaint
  PriorityOptions priority;
  std::vector<RouteRuleSpec> routes;
  std::string default_queue = "care";
};

// The default data files (pipeline/complaints/data/cues.tsv and model/complaints.model) under
// the source tree `root` (EARSHOT_DATA_ROOT overrides it at run time).
[[nodiscard]] ComplaintOptions DefaultComplaintOptions(const std::string& root = {});

class ComplaintSnapshot {
 public:
  struct CreateResult {
    std::shared_ptr<const ComplaintSnapshot> snapshot;
    std::string error;
  };
  [[nodiscard]] static CreateResult Create(const ComplaintOptions& options);

  const ComplaintOptions& options() const { return options_; }
  const CueTable& cues() const { return cues_; }
  const std::vector<Category>& categories() const { return categories_; }
  const ComplaintModel* model() const { return model_.get(); }
  const std::vector<RouteRule>& routes() const { return routes_; }
  uint16_t other_category() const { return static_cast<uint16_t>(categories_.size() - 1); }

 private:
  ComplaintOptions options_;
  CueTable cues_;
  std::vector<Category> categories_;
  std::shared_ptr<const ComplaintModel> model_;
  std::vector<RouteRule> routes_;
};

// Priority factors (bits of ComplaintResult::factors).
enum Factor : uint16_t {
  kFactorFollowers = 1,
  kFactorEngagement = 2,
  kFactorSentiment = 4,
  kFactorSafety = 8,
  kFactorLegal = 16,
  kFactorPress = 32,
  kFactorChurn = 64,
};

// What the enrichment stage knows about a post besides its text.
struct PostSignals {
  std::optional<int64_t> followers;
  int64_t engagement = 0;       // likes + reposts + replies + quotes
  bool direct_address = false;  // the post @-mentions someone (the brand's handle, usually)
};

struct ComplaintResult {
  bool supported = true;  // false: the language is not scored (intent and complaint are empty)
  uint8_t intents = 0;    // Intent bits
  bool is_complaint = false;
  float probability = 0;  // model probability (cue score when there is no model)
  bool overridden = false;  // a complaint by SafetyOverride, below the threshold
  uint16_t category = 0;  // index into the snapshot's categories
  uint8_t priority = 4;   // 1..4
  uint16_t factors = 0;   // Factor bits that raised the priority
  uint32_t families = 0;  // cue families found (CueFamily bits)
  // The points each factor gave (for the explanation): followers, engagement, sentiment.
  int16_t followers_points = 0, engagement_points = 0, sentiment_points = 0;
};

class ComplaintClassifier {
 public:
  explicit ComplaintClassifier(std::shared_ptr<const ComplaintSnapshot> snapshot);

  // Classifies the text `analyzer` scored last, whose result is `sentiment`.
  void Classify(const sentiment::SentimentAnalyzer& analyzer,
                const sentiment::SentimentResult& sentiment, const PostSignals& signals,
                ComplaintResult& out);

  // The model's features of the text `analyzer` scored last (training and evaluation).
  void Extract(const sentiment::SentimentAnalyzer& analyzer,
               const sentiment::SentimentResult& sentiment, const PostSignals& signals,
               uint32_t hash_bits, ComplaintFeatures& out);

  // The care queue for one (post, brand): the first routing rule that holds, else the default
  // queue; empty when the post is neither a complaint nor a question (nothing to route) and no
  // rule names its intent.
  [[nodiscard]] std::string_view Route(const ComplaintResult& result, std::string_view brand_id,
                                       std::string_view lang, ingest::Source source) const;

  // The category of the text `analyzer` scored last, whatever its intent (evaluation).
  [[nodiscard]] uint16_t Categorize(const sentiment::SentimentAnalyzer& analyzer);

  const ComplaintSnapshot& snapshot() const { return *snapshot_; }

 private:
  void ScanCues(const sentiment::SentimentAnalyzer& analyzer);
  uint16_t BestCategory() const;

  std::shared_ptr<const ComplaintSnapshot> snapshot_;
  std::vector<uint64_t> word_hashes_;
  std::array<int, kFamilyCount> family_counts_{};
  std::array<int, kMaxCategories> category_votes_{};
  bool question_start_ = false;  // a question cue starts the text
  bool has_digits_ = false;
  ComplaintFeatures features_;
};

// The rule that makes a post a complaint whatever the model says: a safety or legal cue in a
// negative post (the incidents care teams must never miss, rare in any training data).
[[nodiscard]] bool SafetyOverride(uint32_t families, const sentiment::SentimentResult& sentiment);

// True when `text` @-mentions an account (direct address, usually of the brand's handle).
[[nodiscard]] bool HasMention(std::string_view text);

// Appends "intent":[...],"complaint":{...} (without braces around both) for one record.
void AppendComplaintJson(const ComplaintSnapshot& snapshot, const ComplaintResult& r,
                         std::string_view queue, std::string& out);

}  // namespace earshot::pipeline::complaints
