// Evaluation and training data for the complaint stage: the complaints data set reader, binary
// metrics, featurization and the cross-validation that holds out whole domains. Control plane
// (offline tools and tests), not hot path.
//
// Data format (Preotiuc-Pietro et al. 2019, complaints-data.csv): CSV without header,
// `tweet_id,text,label,domain`, label 1 = complaint; text quoted as RFC 4180 when needed.
// Category gold (tests/data/complaint_categories.tsv): `tweet_id<TAB>domain<TAB>category`,
// '#' comments.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/complaints/complaints.h"

namespace earshot::pipeline::complaints {

struct ComplaintItem {
  std::string id;
  std::string text;
  std::string domain;
  bool complaint = false;
};

struct ComplaintData {
  std::vector<ComplaintItem> items;
  std::string error;  // "path:line: message"
};

[[nodiscard]] ComplaintData ReadComplaintData(const std::string& path);

struct CategoryGold {
  std::map<std::string, std::string> category_by_id;
  std::map<std::string, int> position_by_id;  // 0-based entry number in the file
  std::string error;
};
[[nodiscard]] CategoryGold ReadCategoryGold(const std::string& path);

struct BinaryMetrics {
  int64_t n = 0, tp = 0, fp = 0, fn = 0, tn = 0;
  double precision = 0, recall = 0, f1 = 0, accuracy = 0;
};
[[nodiscard]] BinaryMetrics ComputeBinary(const std::vector<bool>& gold,
                                          const std::vector<bool>& predicted);

// Scores every item's text (sentiment, then the complaint features) in order.
struct Featurized {
  std::vector<ComplaintExample> examples;
  std::vector<sentiment::SentimentResult> sentiment;
  std::vector<ComplaintResult> rules;  // the classifier's result on each item (its snapshot)
  std::vector<bool> overrides;         // SafetyOverride holds (a complaint whatever the model)
};
[[nodiscard]] Featurized Featurize(const std::vector<ComplaintItem>& items,
                                   sentiment::SentimentAnalyzer& analyzer,
                                   ComplaintClassifier& classifier, uint32_t hash_bits);

struct DomainReport {
  std::string domain;
  BinaryMetrics metrics;
};

struct CrossValidation {
  BinaryMetrics pooled;              // every item predicted by the model that did not see its domain
  std::vector<DomainReport> domains;  // per held-out domain
  std::vector<float> probabilities;  // per item
};

// Leave-one-domain-out: for each domain, trains on the others and predicts it.
//
// Domains without a single complaint (the data set's random_tweet and random_reply: random posts
// added as background negatives, not an industry) are not folds of their own unless `strict`:
// their items are dealt round-robin over the industry folds, so every item is still predicted by
// a model that never saw it, and every industry is predicted by a model that never saw that
// industry. With `strict`, every domain (background ones too) is a fold. Items whose
// `overrides` entry is set are complaints whatever the model says (SafetyOverride), as in the
// service.
[[nodiscard]] CrossValidation DomainHeldOut(const std::vector<ComplaintItem>& items,
                                            const std::vector<ComplaintExample>& examples,
                                            const ComplaintTrainOptions& options, double threshold,
                                            bool strict = false,
                                            const std::vector<bool>* overrides = nullptr);

// Per-domain and pooled metrics of given predictions.
[[nodiscard]] CrossValidation Report(const std::vector<ComplaintItem>& items,
                                     const std::vector<bool>& predicted);

[[nodiscard]] std::string FormatBinary(const BinaryMetrics& m);

}  // namespace earshot::pipeline::complaints
