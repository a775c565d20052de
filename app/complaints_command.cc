// earshot train complaints / earshot eval complaints: the complaint model's trainer and its
// evaluation (cross-validation holding out whole domains, baselines, category accuracy).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "app/commands.h"
#include "app/config.h"
#include "pipeline/complaints/eval.h"
#include "pipeline/sentiment/lexicon.h"

namespace earshot::app {

namespace pc = pipeline::complaints;
namespace ps = pipeline::sentiment;

std::shared_ptr<const pc::ComplaintSnapshot> LoadComplaints(const Config* config,
                                                            const std::string& model_override,
                                                            bool* disabled) {
  pc::ComplaintOptions options = pc::DefaultComplaintOptions();
  if (disabled) *disabled = false;
  if (config && config->complaints.present) {
    const ComplaintsConfig& c = config->complaints;
    if (!c.enabled) {
      if (disabled) *disabled = true;
      return nullptr;
    }
    if (c.model == "none") options.model_path.clear();
    else if (!c.model.empty()) options.model_path = c.model;
    options.threshold = c.threshold;
    for (const auto& f : c.cue_files) options.cue_files.push_back(f);
    options.categories = c.categories;
    options.priority = c.priority;
    options.routes = c.routes;
    options.default_queue = c.default_queue;
  }
  if (model_override == "none") options.model_path.clear();
  else if (!model_override.empty()) options.model_path = model_override;
  auto created = pc::ComplaintSnapshot::Create(options);
  if (!created.snapshot) {
    std::fprintf(stderr, "earshot: complaints: %s\n", created.error.c_str());
    return nullptr;
  }
  return created.snapshot;
}

namespace {

pc::ComplaintTrainOptions TrainOptions(const TrainComplaintsOptions& o) {
  pc::ComplaintTrainOptions t;
  t.hash_bits = o.hash_bits;
  t.epochs = o.epochs;
  t.learning_rate = o.learning_rate;
  t.l2 = o.l2;
  t.balance_power = o.balance_power;
  t.seed = o.seed;
  return t;
}

void PrintCv(const char* title, const pc::CrossValidation& cv) {
  std::printf("%s\n  pooled: %s\n", title, pc::FormatBinary(cv.pooled).c_str());
  std::printf("  %-14s %6s %6s %9s %7s %7s %9s\n", "domain", "n", "gold+", "precision", "recall",
              "F1", "false+rate");
  for (const auto& d : cv.domains) {
    const auto& m = d.metrics;
    double fpr = m.fp + m.tn > 0 ? static_cast<double>(m.fp) / static_cast<double>(m.fp + m.tn) : 0;
    if (m.tp + m.fn == 0) {
      std::printf("  %-14s %6lld %6lld %9s %7s %7s %9.4f\n", d.domain.c_str(),
                  static_cast<long long>(m.n), 0LL, "-", "-", "-", fpr);
    } else {
      std::printf("  %-14s %6lld %6lld %9.4f %7.4f %7.4f %9.4f\n", d.domain.c_str(),
                  static_cast<long long>(m.n), static_cast<long long>(m.tp + m.fn), m.precision,
                  m.recall, m.f1, fpr);
    }
  }
}

std::string BinaryJson(const pc::BinaryMetrics& m) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"n\":%lld,\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,\"accuracy\":%.4f,"
                "\"tp\":%lld,\"fp\":%lld,\"fn\":%lld,\"tn\":%lld}",
                static_cast<long long>(m.n), m.precision, m.recall, m.f1, m.accuracy,
                static_cast<long long>(m.tp), static_cast<long long>(m.fp),
                static_cast<long long>(m.fn), static_cast<long long>(m.tn));
  return buf;
}

struct Loaded {
  pc::ComplaintData data;
  std::shared_ptr<const ps::SentimentSnapshot> sentiment;
  std::shared_ptr<const pc::ComplaintSnapshot> rules;  // no model: features and cue rules
};

bool Load(const std::string& command, const std::string& data_path, const Config* config,
          Loaded& out) {
  out.data = pc::ReadComplaintData(data_path);
  if (!out.data.error.empty()) {
    std::fprintf(stderr, "earshot %s: %s\n", command.c_str(), out.data.error.c_str());
    return false;
  }
  out.sentiment = LoadSentiment(config, "", false);
  if (!out.sentiment) return false;
  out.rules = LoadComplaints(config, "none");
  return out.rules != nullptr;
}

}  // namespace

int RunTrainComplaints(const TrainComplaintsOptions& options) {
  Loaded loaded;
  if (!Load("train complaints", options.data, nullptr, loaded)) return kExitUsage;
  const auto& items = loaded.data.items;
  size_t positives = 0;
  for (const auto& i : items) positives += i.complaint;
  std::printf("data %s sha256=%s items=%zu complaints=%zu\n", options.data.c_str(),
              ps::Sha256File(options.data).c_str(), items.size(), positives);
  std::printf("options: hash_bits=%u epochs=%d learning_rate=%g l2=%g balance_power=%g seed=%llu "
              "threshold=%g\n",
              options.hash_bits, options.epochs, options.learning_rate, options.l2,
              options.balance_power, static_cast<unsigned long long>(options.seed),
              options.threshold);
  ps::SentimentAnalyzer analyzer(loaded.sentiment);
  pc::ComplaintClassifier classifier(loaded.rules);
  pc::Featurized f = pc::Featurize(items, analyzer, classifier, options.hash_bits);
  const pc::ComplaintTrainOptions train = TrainOptions(options);
  if (!options.no_cv) {
    pc::CrossValidation cv =
        pc::DomainHeldOut(items, f.examples, train, options.threshold, false, &f.overrides);
    PrintCv("cross-validation, each industry domain held out in turn (trained on the other "
            "industries; background domains dealt over the folds):",
            cv);
    pc::CrossValidation strict =
        pc::DomainHeldOut(items, f.examples, train, options.threshold, true, &f.overrides);
    std::printf("strict (background domains held out as folds too): %s\n",
                pc::FormatBinary(strict.pooled).c_str());
  }
  auto model = pc::TrainComplaintModel(f.examples, train);
  std::string error = model->Save(options.out);
  if (!error.empty()) {
    std::fprintf(stderr, "earshot train complaints: %s\n", error.c_str());
    return kExitRuntime;
  }
  std::printf("model trained on all %zu items written to %s (sha256=%s)\n", items.size(),
              options.out.c_str(), ps::Sha256File(options.out).c_str());
  return kExitOk;
}

int RunEvalComplaints(const EvalComplaintsOptions& options) {
  std::shared_ptr<const Config> config;
  if (!options.config.empty()) {
    ConfigResult r = LoadConfig(options.config);
    if (!r.ok()) {
      for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
      return kExitUsage;
    }
    config = r.config;
  }
  Loaded loaded;
  if (!Load("eval complaints", options.data, config.get(), loaded)) return kExitUsage;
  const auto& items = loaded.data.items;
  const uint32_t hash_bits = options.train.hash_bits;
  ps::SentimentAnalyzer analyzer(loaded.sentiment);
  pc::ComplaintClassifier rules_classifier(loaded.rules);
  pc::Featurized f = pc::Featurize(items, analyzer, rules_classifier, hash_bits);
  const double threshold =
      config && config->complaints.present ? config->complaints.threshold : options.train.threshold;

  // earshot: cross-validated, or a fixed model.
  pc::CrossValidation earshot;
  std::string how;
  if (options.model.empty()) {
    earshot = pc::DomainHeldOut(items, f.examples, TrainOptions(options.train), threshold,
                                options.strict_domains, &f.overrides);
    how = options.strict_domains
              ? "earshot complaint model, every domain held out in turn, background ones too"
              : "earshot complaint model, each industry domain held out in turn (trained on the "
                "other industries); background domains without complaints dealt over the folds";
  } else {
    auto model = pc::ComplaintModel::Load(options.model);
    if (!model.model) {
      std::fprintf(stderr, "earshot eval complaints: %s\n", model.error.c_str());
      return kExitUsage;
    }
    if (model.model->hash_bits() != hash_bits) {
      f = pc::Featurize(items, analyzer, rules_classifier, model.model->hash_bits());
    }
    std::vector<bool> predicted;
    std::vector<float> probabilities;
    for (size_t i = 0; i < f.examples.size(); ++i) {
      probabilities.push_back(model.model->Predict(f.examples[i].features));
      predicted.push_back(probabilities.back() >= threshold || f.overrides[i]);
    }
    earshot = pc::Report(items, predicted);
    earshot.probabilities = std::move(probabilities);
    how = "earshot complaint model " + options.model + " (fixed; scores on its training data "
          "are not held-out figures)";
  }
  // Baselines on the same items.
  std::vector<bool> negative, lexicon_negative, cue_rules;
  ps::SentimentResult s;
  for (size_t i = 0; i < items.size(); ++i) {
    negative.push_back(f.sentiment[i].label == ps::Label::kNegative);
    analyzer.ScoreWith(ps::Engine::kLexicon, items[i].text, "en", {}, s);
    lexicon_negative.push_back(s.compound <= -0.05);
    cue_rules.push_back(f.rules[i].is_complaint);
  }
  pc::CrossValidation b_neg = pc::Report(items, negative);
  pc::CrossValidation b_lex = pc::Report(items, lexicon_negative);
  pc::CrossValidation b_cue = pc::Report(items, cue_rules);

  // Intents over the data (the complaint decision from `earshot`).
  std::map<std::string, int64_t> intents;
  for (size_t i = 0; i < items.size(); ++i) {
    const bool complaint = earshot.probabilities.empty()
                               ? f.rules[i].is_complaint
                               : earshot.probabilities[i] >= threshold || f.overrides[i];
    bool question = (f.rules[i].intents & pc::kIntentQuestion) != 0;
    bool praise = (f.rules[i].intents & pc::kIntentPraise) != 0 && !complaint;
    if (complaint) ++intents["complaint"];
    if (question) ++intents["question"];
    if (complaint && question) ++intents["complaint+question"];
    if (praise) ++intents["praise"];
    if (!complaint && !question && !praise) ++intents["other"];
  }

  // Categories on the labelled sample.
  struct CategoryCount {
    int64_t gold = 0, predicted = 0, correct = 0;
  };
  std::map<std::string, CategoryCount> per_category;
  int64_t category_n = 0, category_correct = 0;
  // The cue lexicon was revised looking only at the even-numbered entries (0, 2, ...: "dev");
  // the odd-numbered ones are held out.
  int64_t half_n[2] = {0, 0}, half_correct[2] = {0, 0};
  if (!options.categories.empty()) {
    pc::CategoryGold gold = pc::ReadCategoryGold(options.categories);
    if (!gold.error.empty()) {
      std::fprintf(stderr, "earshot eval complaints: %s\n", gold.error.c_str());
      return kExitUsage;
    }
    const auto& cats = loaded.rules->categories();
    for (size_t i = 0; i < items.size(); ++i) {
      auto it = gold.category_by_id.find(items[i].id);
      if (it == gold.category_by_id.end()) continue;
      analyzer.Score(items[i].text, "en", {}, s);
      const std::string& predicted = cats[rules_classifier.Categorize(analyzer)].id;
      ++category_n;
      const int half = gold.position_by_id[items[i].id] % 2;
      ++half_n[half];
      half_correct[half] += predicted == it->second;
      ++per_category[it->second].gold;
      ++per_category[predicted].predicted;
      if (predicted == it->second) {
        ++category_correct;
        ++per_category[predicted].correct;
      }
      if (options.dump) {
        std::printf("category\t%s\t%s\t%s\t%s\n", items[i].id.c_str(), it->second.c_str(),
                    predicted.c_str(), items[i].text.c_str());
      }
    }
    if (category_n == 0) {
      std::fprintf(stderr, "earshot eval complaints: no item of %s is in %s\n",
                   options.categories.c_str(), options.data.c_str());
      return kExitUsage;
    }
  }
  if (options.dump) {
    for (size_t i = 0; i < items.size(); ++i) {
      std::printf("item\t%s\t%d\t%.3f\t%s\t%s\n", items[i].domain.c_str(), items[i].complaint ? 1 : 0,
                  earshot.probabilities.empty() ? 0.0 : static_cast<double>(earshot.probabilities[i]),
                  items[i].id.c_str(), items[i].text.c_str());
    }
  }
  const double category_accuracy =
      category_n > 0 ? static_cast<double>(category_correct) / static_cast<double>(category_n) : 0;
  if (options.json) {
    std::string out = "{\"items\":" + std::to_string(items.size()) +
                      ",\"complaint\":" + BinaryJson(earshot.pooled) + ",\"domains\":{";
    for (size_t i = 0; i < earshot.domains.size(); ++i) {
      if (i) out += ",";
      out += "\"" + earshot.domains[i].domain + "\":" + BinaryJson(earshot.domains[i].metrics);
    }
    out += "},\"baselines\":{\"sentiment_negative\":" + BinaryJson(b_neg.pooled) +
           ",\"lexicon_negative\":" + BinaryJson(b_lex.pooled) +
           ",\"cue_rules\":" + BinaryJson(b_cue.pooled) + "}";
    if (category_n > 0) {
      char buf[192];
      std::snprintf(buf, sizeof buf,
                    ",\"category\":{\"n\":%lld,\"accuracy\":%.4f,\"dev_accuracy\":%.4f,"
                    "\"held_out_accuracy\":%.4f}",
                    static_cast<long long>(category_n), category_accuracy,
                    half_n[0] ? static_cast<double>(half_correct[0]) / static_cast<double>(half_n[0]) : 0.0,
                    half_n[1] ? static_cast<double>(half_correct[1]) / static_cast<double>(half_n[1]) : 0.0);
      out += buf;
    }
    out += "}\n";
    std::fputs(out.c_str(), stdout);
    return kExitOk;
  }
  size_t positives = 0;
  for (const auto& i : items) positives += i.complaint;
  std::printf("data %s: %zu items, %zu complaints, sha256=%s\n", options.data.c_str(),
              items.size(), positives, ps::Sha256File(options.data).c_str());
  PrintCv(("== " + how + ":").c_str(), earshot);
  std::printf("== baselines on the same items (no training):\n");
  std::printf("  earshot sentiment negative as complaint:      %s\n",
              pc::FormatBinary(b_neg.pooled).c_str());
  std::printf("  lexicon engine compound <= -0.05 (VADER-like): %s\n",
              pc::FormatBinary(b_lex.pooled).c_str());
  std::printf("  complaint cue rules only (no model):          %s\n",
              pc::FormatBinary(b_cue.pooled).c_str());
  std::printf("== intents (multi-label):");
  for (const auto& [k, v] : intents) std::printf(" %s=%lld", k.c_str(), static_cast<long long>(v));
  std::printf("\n");
  if (category_n > 0) {
    std::printf("== category on %s: %lld complaints, accuracy %.4f (dev half, which the cue "
                "lexicon was revised on: %.4f of %lld; held-out half: %.4f of %lld)\n",
                options.categories.c_str(), static_cast<long long>(category_n), category_accuracy,
                half_n[0] ? static_cast<double>(half_correct[0]) / static_cast<double>(half_n[0]) : 0.0,
                static_cast<long long>(half_n[0]),
                half_n[1] ? static_cast<double>(half_correct[1]) / static_cast<double>(half_n[1]) : 0.0,
                static_cast<long long>(half_n[1]));
    std::printf("  %-22s %5s %9s %9s %7s\n", "category", "gold", "predicted", "precision", "recall");
    for (const auto& [id, c] : per_category) {
      std::printf("  %-22s %5lld %9lld %9.3f %7.3f\n", id.c_str(), static_cast<long long>(c.gold),
                  static_cast<long long>(c.predicted),
                  c.predicted ? static_cast<double>(c.correct) / static_cast<double>(c.predicted) : 0.0,
                  c.gold ? static_cast<double>(c.correct) / static_cast<double>(c.gold) : 0.0);
    }
  }
  return kExitOk;
}

}  // namespace earshot::app
