#include "pipeline/sentiment/sentiment.h"

#include <algorithm>
#include <cstdlib>

#ifndef EARSHOT_SOURCE_ROOT
#define EARSHOT_SOURCE_ROOT "."
#endif

namespace earshot::pipeline::sentiment {

std::string_view EngineName(Engine e) {
  switch (e) {
    case Engine::kLexicon: return "lexicon";
    case Engine::kModel: return "model";
    case Engine::kEnsemble: return "ensemble";
  }
  return "lexicon";
}

std::optional<Engine> EngineFromName(std::string_view name) {
  if (name == "lexicon") return Engine::kLexicon;
  if (name == "model") return Engine::kModel;
  if (name == "ensemble") return Engine::kEnsemble;
  return std::nullopt;
}

std::string_view LabelName(Label l) {
  switch (l) {
    case Label::kNegative: return "negative";
    case Label::kNeutral: return "neutral";
    case Label::kPositive: return "positive";
    case Label::kUnsupported: return "unsupported";
  }
  return "neutral";
}

std::string DefaultDataRoot() {
  if (const char* env = std::getenv("EARSHOT_DATA_ROOT"); env && *env) return env;
  return EARSHOT_SOURCE_ROOT;
}

SentimentOptions DefaultSentimentOptions(const std::string& root_in) {
  std::string root = root_in.empty() ? DefaultDataRoot() : root_in;
  SentimentOptions o;
  o.lexicons = {
      {root + "/data/vendor/vader-sentiment-1.1.3/package/vader_lexicon.txt",
       LexiconFormat::kVader, std::string(kVaderLexiconSha256), 1.0, true},
      {root + "/data/vendor/emoji-emotion-3.0.1/emoji_emotion.tsv", LexiconFormat::kEarshot, "",
       0.8, false},
      {root + "/pipeline/sentiment/data/cx_lexicon.tsv", LexiconFormat::kEarshot, "", 1.0, true},
  };
  o.model_path = root + "/pipeline/sentiment/model/sentiment.model";
  return o;
}

SentimentSnapshot::CreateResult SentimentSnapshot::Create(const SentimentOptions& options) {
  CreateResult result;
  auto loaded = Lexicon::Load(options.lexicons, options.overrides);
  result.notes = loaded.notes;
  if (!loaded.lexicon) {
    result.error = loaded.error;
    return result;
  }
  auto snapshot = std::make_shared<SentimentSnapshot>();
  snapshot->options_ = options;
  snapshot->lexicon_ = std::move(loaded.lexicon);
  if (options.engine != Engine::kLexicon) {
    if (options.model_path.empty()) {
      result.error = "the " + std::string(EngineName(options.engine)) +
                     " engine needs a model file (sentiment.model)";
      return result;
    }
    auto model = SentimentModel::Load(options.model_path);
    if (!model.model) {
      result.error = model.error;
      return result;
    }
    snapshot->model_ = std::move(model.model);
  }
  result.snapshot = std::move(snapshot);
  return result;
}

SentimentAnalyzer::SentimentAnalyzer(std::shared_ptr<const SentimentSnapshot> snapshot)
    : snapshot_(std::move(snapshot)),
      scorer_(snapshot_->lexicon()),
      extractor_(snapshot_->model() ? snapshot_->model()->hash_bits() : 8,
                 snapshot_->model() ? snapshot_->model()->feature_flags() : 0) {
  features_.sparse.reserve(4096);
  if (const auto& model = snapshot_->model()) {
    extractor_.set_prefetch_table(model->sparse_table(), model->sparse_stride());
  }
}

void SentimentAnalyzer::Score(std::string_view text, std::string_view lang,
                              std::span<const ByteSpan> mask, SentimentResult& out) {
  ScoreWith(snapshot_->options().engine, text, lang, mask, out);
}

void SentimentAnalyzer::ScoreWith(Engine engine, std::string_view text, std::string_view lang,
                                  std::span<const ByteSpan> mask, SentimentResult& out) {
  const SentimentOptions& o = snapshot_->options();
  out = SentimentResult{};
  out.engine = engine;
  if (o.language_gate) {
    LanguageDecision d = CheckLanguage(lang, text);
    out.lang = d.code;
    if (!d.supported) {
      out.label = Label::kUnsupported;
      out.unsupported_reason = d.reason;
      out.neu = 0;
      return;
    }
  }
  scorer_.Score(text, mask, lexicon_scores_);
  const LexiconScores& s = lexicon_scores_;
  if (engine == Engine::kLexicon || !snapshot_->model()) {
    out.engine = Engine::kLexicon;
    out.compound = s.compound;
    out.pos = s.pos;
    out.neu = s.neu;
    out.neg = s.neg;
    out.label = s.compound >= o.positive_threshold   ? Label::kPositive
                : s.compound <= o.negative_threshold ? Label::kNegative
                                                     : Label::kNeutral;
    return;
  }
  extractor_.Extract(scorer_, s, features_);
  std::array<float, kClasses> p;
  snapshot_->model()->Predict(features_, p);
  if (engine == Engine::kEnsemble) {
    const double w = o.ensemble_lexicon_weight;
    double c = s.compound;
    double lex[kClasses] = {std::max(-c, 0.0), 1 - std::abs(c), std::max(c, 0.0)};
    for (int k = 0; k < kClasses; ++k) {
      p[k] = static_cast<float>((1 - w) * p[k] + w * lex[k]);
    }
  }
  out.neg = p[0];
  out.neu = p[1];
  out.pos = p[2];
  out.compound = std::clamp(static_cast<double>(p[2]) - p[0], -1.0, 1.0);
  int best = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
  out.label = best == 0 ? Label::kNegative : best == 2 ? Label::kPositive : Label::kNeutral;
}

}  // namespace earshot::pipeline::sentiment
