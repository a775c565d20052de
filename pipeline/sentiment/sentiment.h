// Sentiment scoring for posts: the engine choice (lexicon, model, ensemble), the label thresholds,
// the language gate and masking, behind one object per worker.
//
// SentimentSnapshot is immutable (lexicon, model, options) and shared across workers; Create()
// is control plane and returns errors with file and line. SentimentAnalyzer owns per-thread
// scratch: thread-compatible, on the hot path, allocation-free after warm-up.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/sentiment/language.h"
#include "pipeline/sentiment/lexicon.h"
#include "pipeline/sentiment/lexicon_scorer.h"
#include "pipeline/sentiment/model.h"

namespace earshot::pipeline::sentiment {

enum class Engine : uint8_t { kLexicon, kModel, kEnsemble };
enum class Label : uint8_t { kNegative, kNeutral, kPositive, kUnsupported };

[[nodiscard]] std::string_view EngineName(Engine e);
[[nodiscard]] std::optional<Engine> EngineFromName(std::string_view name);
[[nodiscard]] std::string_view LabelName(Label l);

struct SentimentOptions {
  // The ensemble measured best on validation (2016devtest) and on held-out data (SemEval 2016
  // test, TweetEval validation): pipeline/sentiment/model/README.md.
  Engine engine = Engine::kEnsemble;
  // Lexicon engine labels: compound >= positive_threshold is positive, <= negative_threshold
  // negative. The model and ensemble label by the most probable class.
  double positive_threshold = 0.05;
  double negative_threshold = -0.05;
  double ensemble_lexicon_weight = 0.1;  // ensemble: (1 - w) * model + w * lexicon
  std::vector<LexiconSource> lexicons;
  std::vector<LexiconOverride> overrides;
  std::string model_path;  // required for the model and ensemble engines
  bool language_gate = true;
};

// The default data files: VADER's lexicon and emoji-emotion from data/vendor (fetched and checked
// by scripts/setup.sh), earshot's CX lexicon and model from pipeline/sentiment/. `root` is the
// source tree (EARSHOT_DATA_ROOT overrides it at run time).
[[nodiscard]] SentimentOptions DefaultSentimentOptions(const std::string& root = {});
[[nodiscard]] std::string DefaultDataRoot();
inline constexpr std::string_view kVaderLexiconSha256 =
    "ffb6117bfccf798a34e91d72f50604329946e6fd763668092618d5c5b340a298";

class SentimentSnapshot {
 public:
  struct CreateResult {
    std::shared_ptr<const SentimentSnapshot> snapshot;
    std::string error;
    std::vector<std::string> notes;
  };
  [[nodiscard]] static CreateResult Create(const SentimentOptions& options);

  const SentimentOptions& options() const { return options_; }
  const std::shared_ptr<const Lexicon>& lexicon() const { return lexicon_; }
  const std::shared_ptr<const SentimentModel>& model() const { return model_; }

 private:
  SentimentOptions options_;
  std::shared_ptr<const Lexicon> lexicon_;
  std::shared_ptr<const SentimentModel> model_;
};

struct SentimentResult {
  Label label = Label::kNeutral;
  double compound = 0;
  double pos = 0, neu = 1, neg = 0;
  Engine engine = Engine::kLexicon;
  std::string_view unsupported_reason;  // static text when label is kUnsupported
  std::string_view lang;                // static text: the language code decided on
};

class SentimentAnalyzer {
 public:
  explicit SentimentAnalyzer(std::shared_ptr<const SentimentSnapshot> snapshot);

  // Scores `text` (brand spans in `mask` removed; @mentions always removed). `lang` is the
  // post's language tag or empty.
  void Score(std::string_view text, std::string_view lang, std::span<const ByteSpan> mask,
             SentimentResult& out);
  void Score(std::string_view text, SentimentResult& out) { Score(text, {}, {}, out); }

  // Same as Score with an explicit engine (evaluation).
  void ScoreWith(Engine engine, std::string_view text, std::string_view lang,
                 std::span<const ByteSpan> mask, SentimentResult& out);

  // The lexicon outputs and model features of the last text scored.
  const LexiconScores& lexicon_scores() const { return lexicon_scores_; }
  LexiconScorer& scorer() { return scorer_; }
  const LexiconScorer& scorer() const { return scorer_; }

 private:
  std::shared_ptr<const SentimentSnapshot> snapshot_;
  LexiconScorer scorer_;
  FeatureExtractor extractor_;
  FeatureVector features_;
  LexiconScores lexicon_scores_;
};

}  // namespace earshot::pipeline::sentiment
