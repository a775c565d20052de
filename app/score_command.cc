// earshot score: one text per line on stdin, one JSON line of sentiment out per text.
#include <cstdio>
#include <iostream>
#include <string>

#include "app/brands.h"
#include "app/commands.h"
#include "app/config.h"
#include "ingest/text.h"
#include "pipeline/match/matcher.h"
#include "pipeline/sentiment/sentiment.h"

namespace earshot::app {

namespace ps = pipeline::sentiment;

std::shared_ptr<const ps::SentimentSnapshot> LoadSentiment(const Config* config,
                                                           const std::string& engine_override,
                                                           bool language_gate,
                                                           const std::string& model_override,
                                                           double ensemble_weight_override) {
  ps::SentimentOptions options = ps::DefaultSentimentOptions();
  if (config && config->sentiment.present) {
    const SentimentConfig& s = config->sentiment;
    if (!s.engine.empty()) options.engine = *ps::EngineFromName(s.engine);
    options.positive_threshold = s.positive_threshold;
    options.negative_threshold = s.negative_threshold;
    options.ensemble_lexicon_weight = s.ensemble_lexicon_weight;
    options.language_gate = s.language_gate;
    if (!s.model.empty()) options.model_path = s.model;
    if (!s.replace_default_lexicons) {
      for (const auto& l : s.lexicons) options.lexicons.push_back(l);
    } else {
      options.lexicons = s.lexicons;
    }
    options.overrides = s.overrides;
  }
  if (!engine_override.empty()) {
    auto e = ps::EngineFromName(engine_override);
    if (!e) {
      std::fprintf(stderr, "earshot: unknown sentiment engine '%s' (lexicon, model, ensemble)\n",
                   engine_override.c_str());
      return nullptr;
    }
    options.engine = *e;
  }
  if (!language_gate) options.language_gate = false;
  if (!model_override.empty()) options.model_path = model_override;
  if (ensemble_weight_override >= 0) options.ensemble_lexicon_weight = ensemble_weight_override;
  auto created = ps::SentimentSnapshot::Create(options);
  for (const auto& note : created.notes) std::fprintf(stderr, "earshot: note: %s\n", note.c_str());
  if (!created.snapshot) {
    std::fprintf(stderr, "earshot: sentiment: %s\n", created.error.c_str());
    return nullptr;
  }
  return created.snapshot;
}

void AppendSentimentJson(const ps::SentimentResult& r, std::string& out) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "{\"label\":\"%s\",\"compound\":%.4f,\"pos\":%.3f,\"neu\":%.3f,\"neg\":%.3f,"
                "\"engine\":\"%s\"",
                std::string(ps::LabelName(r.label)).c_str(), r.compound + 0.0, r.pos + 0.0, r.neu + 0.0,
                r.neg + 0.0,
                std::string(ps::EngineName(r.engine)).c_str());
  out += buf;
  if (r.label == ps::Label::kUnsupported) {
    // The language comes from --lang or the text: escaped like any string.
    std::string reason = "unsupported language '";
    reason.append(r.lang).append("' (").append(r.unsupported_reason).append(")");
    out += ",\"reason\":";
    ingest::AppendJsonString(reason, out);
  }
  out += "}\n";
}

int RunScore(const ScoreOptions& options) {
  std::shared_ptr<const Config> config;
  std::shared_ptr<const pipeline::match::RuleSet> rules;
  if (!options.config.empty()) {
    LoadedBrands loaded = LoadConfigAndBrands(options.config);
    if (!loaded.ok()) return kExitUsage;
    rules = loaded.rules;
    config = loaded.config;
  }
  auto snapshot = LoadSentiment(config.get(), options.engine, !options.no_language_gate);
  if (!snapshot) return kExitUsage;
  ps::SentimentAnalyzer analyzer(snapshot);
  std::unique_ptr<pipeline::match::Matcher> matcher;
  if (rules) matcher = std::make_unique<pipeline::match::Matcher>(rules);
  pipeline::match::MatchResult matched;
  std::vector<ps::ByteSpan> mask;
  ingest::Post post;
  ps::SentimentResult result;
  std::string line, out;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    mask.clear();
    if (matcher) {
      post.text = line;
      matcher->Match(post, matched);
      for (size_t i = 0; i < matched.count; ++i) {
        for (const auto& s : matched.hits[i].spans) mask.push_back({s.begin, s.end});
      }
    }
    analyzer.Score(line, options.lang, mask, result);
    out.clear();
    AppendSentimentJson(result, out);
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  if (std::fflush(stdout) != 0) return kExitRuntime;
  return kExitOk;
}

}  // namespace earshot::app
