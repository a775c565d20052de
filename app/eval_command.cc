// earshot eval sentiment: scores a gold data set and prints the metrics (eval.h).
#include <cstdio>
#include <string>

#include "app/commands.h"
#include "app/config.h"
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
  auto snapshot = LoadSentiment(config.get(), options.engine, !options.no_language_gate,
                                options.model, options.ensemble_weight);
  if (!snapshot) return kExitUsage;
  ps::SentimentAnalyzer analyzer(snapshot);
  std::vector<int> gold, predicted;
  std::vector<double> gold_scores, scores;
  int64_t unsupported = 0;
  ps::SentimentResult r;
  for (const auto& item : data.items) {
    if (options.only_handles && !HasHandle(item.text)) continue;
    std::string text = PrepareHandles(item.text, options.handles);
    analyzer.Score(text, options.lang, {}, r);
    int label = r.label == ps::Label::kNegative ? 0 : r.label == ps::Label::kPositive ? 2 : 1;
    unsupported += r.label == ps::Label::kUnsupported;
    gold.push_back(item.label);
    predicted.push_back(label);
    if (item.score) {
      gold_scores.push_back(*item.score);
      scores.push_back(r.compound);
    }
    if (options.dump) {
      std::printf("%d\t%d\t%.4f\t%s\n", item.label, label, r.compound, text.c_str());
    }
  }
  ps::Metrics m = ps::ComputeMetrics(gold, predicted, gold_scores, scores);
  std::string engine(ps::EngineName(snapshot->options().engine));
  if (options.json) {
    std::printf("{\"data\":\"%s\",\"format\":\"%s\",\"engine\":\"%s\",\"handles\":\"%s\","
                "\"unsupported\":%lld,\"metrics\":%s}\n",
                options.data.c_str(), options.format.c_str(), engine.c_str(),
                options.handles.c_str(), static_cast<long long>(unsupported),
                ps::MetricsJson(m).c_str());
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
