// Evaluation of sentiment labels and scores against gold data: the readers for the data sets
// earshot is measured on and the metrics. Control plane (offline tools and tests), not hot path.
//
// Formats:
//   vader-gold  id<TAB>mean human rating (-4..4)<TAB>text  (Hutto & Gilbert 2014 ground truth);
//               the class is the sign of the mean (0 is neutral).
//   semeval     id<TAB>positive|negative|neutral<TAB>text  (SemEval 2013-2016 task 4A); \uXXXX
//               escapes and HTML entities are decoded, stray CSV quotes removed.
//   tweeteval   FILE is *_text.txt; the labels (0 negative, 1 neutral, 2 positive) are read from
//               the *_labels.txt beside it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace earshot::pipeline::sentiment {

enum class DataFormat : uint8_t { kVaderGold, kSemEval, kTweetEval };
[[nodiscard]] std::optional<DataFormat> DataFormatFromName(std::string_view name);

struct GoldItem {
  std::string id;
  std::string text;
  int label = 1;                 // 0 negative, 1 neutral, 2 positive
  std::optional<double> score;   // continuous gold (vader-gold)
};

struct Dataset {
  std::vector<GoldItem> items;
  std::string error;  // "path:line: message"
};

[[nodiscard]] Dataset ReadDataset(const std::string& path, DataFormat format);

// Decodes \uXXXX escapes (with surrogate pairs) and &amp; &lt; &gt; &quot; &#39; in place.
[[nodiscard]] std::string DecodeSemEvalText(std::string_view text);

// Another tool's scores for a data set, to measure it with the same metrics: one line per text,
// in the data set's order, the score first; anything after a TAB on the line (the text, as the
// peers in ../shared/peers print it) is ignored. Errors are "path:line: message"; a count that
// differs from `expected` is an error too.
struct Scores {
  std::vector<double> values;
  std::string error;
};
[[nodiscard]] Scores ReadScores(const std::string& path, size_t expected);

// 2 positive (score >= positive_threshold), 0 negative (<= negative_threshold), else 1 neutral.
[[nodiscard]] int LabelFromScore(double score, double positive_threshold,
                                 double negative_threshold);

struct ClassMetrics {
  double precision = 0, recall = 0, f1 = 0;
  int64_t support = 0;    // gold count
  int64_t predicted = 0;  // predicted count
};

struct Metrics {
  int64_t n = 0;
  double accuracy = 0;
  double macro_f1 = 0;
  double macro_recall = 0;
  double macro_precision = 0;
  double weighted_f1 = 0;  // P/R/F1 averaged weighted by class support (VADER paper's figure)
  double weighted_precision = 0;
  double weighted_recall = 0;
  double f1_pn = 0;  // mean F1 of positive and negative (SemEval's F1^PN)
  std::array<ClassMetrics, 3> per_class;
  std::array<std::array<int64_t, 3>, 3> confusion{};  // [gold][predicted]
  std::optional<double> pearson;  // when continuous gold and scores are given
};

// `gold` and `predicted` are labels 0..2; `gold_scores` and `scores` may be empty.
[[nodiscard]] Metrics ComputeMetrics(const std::vector<int>& gold, const std::vector<int>& predicted,
                                     const std::vector<double>& gold_scores = {},
                                     const std::vector<double>& scores = {});

[[nodiscard]] double Pearson(const std::vector<double>& x, const std::vector<double>& y);

// A readable multi-line report and a one-line JSON object.
[[nodiscard]] std::string FormatMetrics(const Metrics& m);
[[nodiscard]] std::string MetricsJson(const Metrics& m);

}  // namespace earshot::pipeline::sentiment
