// earshot eval sentiment: scores a gold data set and prints the metrics (eval.h). With
// --print-texts it prints the texts it would score, and with --scores it measures another tool's
// scores of those texts instead of its own engines, so peers are measured by the same code.
#include <cstdio>
#include <string>

#include "app/commands.h"
#include "app/config.h"
#include "ingest/text.h"
#include "pipeline/sentiment/eval.h"
#include "pipeline/sentiment/sentiment.h"

namespace earshot::app {

namespace ps = pipeline::sentiment;

namespace {

// "remove": @handles deleted from the text; "word": '@' dropped so the handle reads as a word
// (what a scorer without masking sees); "mask": the text as is (earshot masks @mentions).
std::string PrepareHandles(const std::string& text, const std::string& mode) {
  if (mode == "mask") return text;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    bool start = text[i] == '@' && (i == 0 || text[i - 1] == ' ') && i + 1 < text.size() &&
                 text[i + 1] != ' ';
    if (!start) {
      out.push_back(text[i]);
      continue;
    }
    if (mode == "word") continue;  // drop the '@' only
    while (i + 1 < text.size() && text[i + 1] != ' ') ++i;  // remove the whole handle
  }
  return out;
}

bool HasHandle(const std::string& text) {
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '@' && (i == 0 || text[i - 1] == ' ') && text[i + 1] != ' ') return true;
  }
  return false;
}

}  // namespace

int RunEvalSentiment(const EvalSentimentOptions& options) {
  auto format = ps::DataFormatFromName(options.format);
  if (!format) {
    std::fprintf(stderr, "earshot eval sentiment: unknown format '%s' (vader-gold, semeval, "
                 "tweeteval)\n", options.format.c_str());
    return kExitUsage;
  }
  if (options.handles != "mask" && options.handles != "remove" && options.handles != "word") {
    std::fprintf(stderr, "earshot eval sentiment: --handles is mask, remove or word\n");
    return kExitUsage;
  }
  std::shared_ptr<const Config> config;
  if (!options.config.empty()) {
    ConfigResult loaded = LoadConfig(options.config);
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
      return kExitUsage;
    }
    config = loaded.config;
  }
  ps::Dataset data = ps::ReadDataset(options.data, *format);
  if (!data.error.empty()) {
    std::fprintf(stderr, "earshot eval sentiment: %s\n", data.error.c_str());
    return kExitRuntime;
  }
  // The texts as scored, in order: a peer given these lines (line breaks and tabs inside a text
  // turned into spaces) scores the texts earshot scores.
  std::vector<const ps::GoldItem*> items;
  std::vector<std::string> texts;
  for (const auto& item : data.items) {
    if (options.only_handles && !HasHandle(item.text)) continue;
    items.push_back(&item);
    texts.push_back(PrepareHandles(item.text, options.handles));
  }
  if (options.print_texts) {
    for (std::string& t : texts) {
      for (char& c : t) {
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
      }
      if (t.empty()) t = " ";  // one line per text, also for tools that skip empty lines
      std::printf("%s\n", t.c_str());
    }
    return kExitOk;
  }
  std::vector<int> gold, predicted;
  std::vector<double> gold_scores, scores;
  int64_t unsupported = 0;
  std::string engine;
  auto record = [&](const ps::GoldItem& item, const std::string& text, int label, double compound) {
    gold.push_back(item.label);
    predicted.push_back(label);
    if (item.score) {
      gold_scores.push_back(*item.score);
      scores.push_back(compound);
    }
    if (options.dump) {
      std::printf("%d\t%d\t%.4f\t%s\n", item.label, label, compound, text.c_str());
    }
  };
  if (!options.scores.empty()) {
    if (!(options.negative_threshold < options.positive_threshold)) {
      std::fprintf(stderr,
                   "earshot eval sentiment: --negative-threshold must be below "
                   "--positive-threshold\n");
      return kExitUsage;
    }
    ps::Scores external = ps::ReadScores(options.scores, items.size());
    if (!external.error.empty()) {
      std::fprintf(stderr, "earshot eval sentiment: %s\n", external.error.c_str());
      return kExitRuntime;
    }
    for (size_t i = 0; i < items.size(); ++i) {
      double v = external.values[i];
      record(*items[i], texts[i],
             ps::LabelFromScore(v, options.positive_threshold, options.negative_threshold), v);
    }
    engine = "scores from " + options.scores;
  } else {
    auto snapshot = LoadSentiment(config.get(), options.engine, !options.no_language_gate,
                                  options.model, options.ensemble_weight);
    if (!snapshot) return kExitUsage;
    ps::SentimentAnalyzer analyzer(snapshot);
    ps::SentimentResult r;
    for (size_t i = 0; i < items.size(); ++i) {
      analyzer.Score(texts[i], options.lang, {}, r);
      int label = r.label == ps::Label::kNegative ? 0 : r.label == ps::Label::kPositive ? 2 : 1;
      unsupported += r.label == ps::Label::kUnsupported;
      record(*items[i], texts[i], label, r.compound);
    }
    engine = ps::EngineName(snapshot->options().engine);
  }
  ps::Metrics m = ps::ComputeMetrics(gold, predicted, gold_scores, scores);
  if (options.json) {
    std::string line = "{\"data\":";
    ingest::AppendJsonString(options.data, line);
    line += ",\"format\":";
    ingest::AppendJsonString(options.format, line);
    line += ",\"engine\":";
    ingest::AppendJsonString(engine, line);
    line += ",\"handles\":";
    ingest::AppendJsonString(options.handles, line);
    line += ",\"unsupported\":" + std::to_string(unsupported) + ",\"metrics\":";
    line += ps::MetricsJson(m);
    std::printf("%s}\n", line.c_str());
  } else {
    std::printf("data: %s (%s), engine: %s, handles: %s%s, unsupported (scored as neutral): "
                "%lld\n%s", options.data.c_str(), options.format.c_str(), engine.c_str(),
                options.handles.c_str(), options.only_handles ? " (posts with a handle only)" : "",
                static_cast<long long>(unsupported), ps::FormatMetrics(m).c_str());
    if (*format == ps::DataFormat::kVaderGold) {
      std::printf("VADER paper 3-class (sign of the human mean; P/R/F1 weighted by support): "
                  "precision=%.4f recall=%.4f f1=%.4f\n",
                  m.weighted_precision, m.weighted_recall, m.weighted_f1);
    }
  }
  return kExitOk;
}

}  // namespace earshot::app
