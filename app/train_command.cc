// earshot train sentiment: trains the logistic-regression model on SemEval 2013-2016 (task A).
//
// Splits (fixed): training = every SemEval file except 2016devtest and 2016test; validation (epoch
// choice, ensemble weight) = 2016devtest; held out = SemEval 2016 test and TweetEval validation.
// Every tweet whose text also occurs in a held-out or validation set is removed from training,
// and training duplicates are dropped. With --refit the model written is trained again on
// training + validation (less any validation tweet also held out) for the chosen epoch count.
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>

#include "app/commands.h"
#include "pipeline/sentiment/eval.h"
#include "pipeline/sentiment/sentiment.h"

namespace earshot::app {

namespace ps = pipeline::sentiment;

namespace {

// The key two copies of one tweet share: lower-cased ASCII letters and digits only, without
// URLs and @mentions with their possessive 's (TweetEval's copies of SemEval tweets have links
// and some characters stripped and every mention replaced by "@user").
std::string TextKey(const std::string& text) {
  std::string key;
  std::string_view t(text);
  for (size_t i = 0; i < t.size(); ++i) {
    std::string_view rest = t.substr(i);
    if (rest.starts_with("http://") || rest.starts_with("https://") || rest.starts_with("www.")) {
      while (i + 1 < t.size() && t[i + 1] != ' ' && t[i + 1] != '\t') ++i;
      continue;
    }
    unsigned char u = static_cast<unsigned char>(t[i]);
    if (u == '@') {
      while (i + 1 < t.size() && (std::isalnum(static_cast<unsigned char>(t[i + 1])) ||
                                  t[i + 1] == '_')) {
        ++i;
      }
      // A possessive goes with the mention: TweetEval writes "@CIFC’s" as "@user".
      std::string_view after = t.substr(i + 1);
      for (std::string_view s : {"'s", "\xE2\x80\x99s"}) {
        if (after.starts_with(s)) i += s.size();
      }
      continue;
    }
    if (u >= 'A' && u <= 'Z') key.push_back(static_cast<char>(u - 'A' + 'a'));
    else if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9')) key.push_back(static_cast<char>(u));
  }
  return key;
}

struct Scored {
  std::vector<ps::TrainingExample> examples;
  std::vector<double> compound;
};

Scored Featurize(const std::vector<ps::GoldItem>& items, ps::LexiconScorer& scorer,
                 ps::FeatureExtractor& extractor) {
  Scored out;
  ps::LexiconScores s;
  for (const auto& item : items) {
    scorer.Score(item.text, s);
    ps::TrainingExample e;
    extractor.Extract(scorer, s, e.features);
    e.label = item.label;
    out.examples.push_back(std::move(e));
    out.compound.push_back(s.compound);
  }
  return out;
}

// Class probabilities of every example.
std::vector<std::array<float, ps::kClasses>> Probabilities(const ps::SentimentModel& model,
                                                           const Scored& data) {
  std::vector<std::array<float, ps::kClasses>> out(data.examples.size());
  for (size_t i = 0; i < data.examples.size(); ++i) model.Predict(data.examples[i].features, out[i]);
  return out;
}

// Metrics of the ensemble (1 - w) * model + w * lexicon with the model's log-odds shifted by
// `shift` (per class), the way the analyzer combines them.
ps::Metrics Evaluate(const std::vector<std::array<float, ps::kClasses>>& probs, const Scored& data,
                     double lexicon_weight, const std::array<double, ps::kClasses>& shift) {
  std::vector<int> gold, predicted;
  for (size_t i = 0; i < probs.size(); ++i) {
    double p[ps::kClasses], sum = 0;
    for (int k = 0; k < ps::kClasses; ++k) sum += p[k] = probs[i][k] * std::exp(shift[k]);
    double c = data.compound[i];
    double lex[ps::kClasses] = {std::max(-c, 0.0), 1 - std::abs(c), std::max(c, 0.0)};
    double best = -1;
    int label = 1;
    for (int k = 0; k < ps::kClasses; ++k) {
      double v = (1 - lexicon_weight) * p[k] / sum + lexicon_weight * lex[k];
      if (v > best) {
        best = v;
        label = k;
      }
    }
    gold.push_back(data.examples[i].label);
    predicted.push_back(label);
  }
  return ps::ComputeMetrics(gold, predicted);
}

// The class shift (negative and positive against neutral) that maximizes validation macro-F1.
std::array<double, ps::kClasses> TuneShift(
    const std::vector<std::array<float, ps::kClasses>>& probs, const Scored& data,
    double lexicon_weight, ps::Metrics& best_metrics) {
  std::array<double, ps::kClasses> best{0, 0, 0};
  best_metrics = Evaluate(probs, data, lexicon_weight, best);
  for (int a = -20; a <= 20; ++a) {
    for (int b = -20; b <= 20; ++b) {
      std::array<double, ps::kClasses> shift{a * 0.05, 0, b * 0.05};
      ps::Metrics m = Evaluate(probs, data, lexicon_weight, shift);
      if (m.macro_f1 > best_metrics.macro_f1 + 1e-9) {
        best_metrics = m;
        best = shift;
      }
    }
  }
  return best;
}

}  // namespace

int RunTrainSentiment(const TrainSentimentOptions& options) {
  const std::string semeval = options.data_dir + "/semeval2013-2016/";
  const char* kTrain[] = {"twitter-2013train-A.txt", "twitter-2013dev-A.txt",
                          "twitter-2013test-A.txt",  "twitter-2014test-A.txt",
                          "twitter-2014sarcasm-A.txt", "twitter-2015train-A.txt",
                          "twitter-2015test-A.txt",  "twitter-2016train-A.txt",
                          "twitter-2016dev-A.txt"};
  auto read = [&](const std::string& path, ps::DataFormat f, std::vector<ps::GoldItem>& out) {
    ps::Dataset d = ps::ReadDataset(path, f);
    if (!d.error.empty()) {
      std::fprintf(stderr, "earshot train sentiment: %s\n", d.error.c_str());
      return false;
    }
    std::printf("data %s sha256=%s items=%zu\n", path.c_str(), ps::Sha256File(path).c_str(),
                d.items.size());
    out.insert(out.end(), d.items.begin(), d.items.end());
    return true;
  };
  std::vector<ps::GoldItem> train_raw, validation, test2016, tweeteval;
  for (const char* f : kTrain) {
    if (!read(semeval + f, ps::DataFormat::kSemEval, train_raw)) return kExitRuntime;
  }
  if (!read(semeval + "twitter-2016devtest-A.txt", ps::DataFormat::kSemEval, validation) ||
      !read(semeval + "twitter-2016test-A.txt", ps::DataFormat::kSemEval, test2016) ||
      !read(options.data_dir + "/tweeteval/val_text.txt", ps::DataFormat::kTweetEval, tweeteval)) {
    return kExitRuntime;
  }
  std::set<std::string> held_keys, held_ids;
  for (const auto* set : {&validation, &test2016, &tweeteval}) {
    for (const auto& item : *set) held_keys.insert(TextKey(item.text));
  }
  for (const auto& item : test2016) held_ids.insert(item.id);
  for (const auto& item : validation) held_ids.insert(item.id);
  std::vector<ps::GoldItem> train;
  std::set<std::string> seen;
  size_t removed_held = 0, removed_dup = 0;
  for (auto& item : train_raw) {
    std::string key = TextKey(item.text);
    if (held_keys.count(key) || held_ids.count(item.id)) {
      ++removed_held;
      continue;
    }
    if (!seen.insert(key).second) {
      ++removed_dup;
      continue;
    }
    train.push_back(std::move(item));
  }
  std::printf("split: train=%zu (removed %zu also in validation/held-out, %zu duplicates) "
              "validation=2016devtest:%zu held_out=2016test:%zu+tweeteval_val:%zu\n",
              train.size(), removed_held, removed_dup, validation.size(), test2016.size(),
              tweeteval.size());
  // --refit trains on training + validation: the validation tweets that are not also held out
  // (TweetEval's validation tweets come from the SemEval files) and not already taken.
  std::vector<ps::GoldItem> refit_extra;
  if (options.refit) {
    std::set<std::string> test_keys;
    for (const auto* set : {&test2016, &tweeteval}) {
      for (const auto& item : *set) test_keys.insert(TextKey(item.text));
    }
    std::set<std::string> test_ids;
    for (const auto& item : test2016) test_ids.insert(item.id);
    size_t dropped = 0;
    for (const auto& item : validation) {
      std::string key = TextKey(item.text);
      if (test_keys.count(key) || test_ids.count(item.id) || !seen.insert(key).second) {
        ++dropped;
        continue;
      }
      refit_extra.push_back(item);
    }
    std::printf("refit: train=%zu + validation=%zu (dropped %zu validation tweets also held out "
                "or duplicated)\n", train.size(), refit_extra.size(), dropped);
  }

  ps::SentimentOptions lexicon_options = ps::DefaultSentimentOptions();
  lexicon_options.engine = ps::Engine::kLexicon;
  auto created = ps::SentimentSnapshot::Create(lexicon_options);
  if (!created.snapshot) {
    std::fprintf(stderr, "earshot train sentiment: %s\n", created.error.c_str());
    return kExitUsage;
  }
  ps::LexiconScorer scorer(created.snapshot->lexicon());
  ps::TrainOptions train_options;
  train_options.hash_bits = options.hash_bits;
  train_options.feature_flags = options.feature_flags;
  train_options.epochs = options.epochs;
  train_options.learning_rate = options.learning_rate;
  train_options.l2 = options.l2;
  train_options.seed = options.seed;
  train_options.average_every = options.average_every;
  train_options.balance_power = options.balance_power;
  ps::FeatureExtractor extractor(train_options.hash_bits, train_options.feature_flags);
  Scored train_set = Featurize(train, scorer, extractor);
  Scored validation_set = Featurize(validation, scorer, extractor);
  size_t total_features = 0;
  for (const auto& e : train_set.examples) total_features += e.features.sparse.size();
  std::printf("sparse features per training text: %.1f\n",
              static_cast<double>(total_features) / std::max<size_t>(1, train_set.examples.size()));
  std::printf("options: hash_bits=%u features=%u epochs=%d learning_rate=%g l2=%g seed=%llu "
              "average_every=%d balance_power=%g tune_shift=%d\n",
              options.hash_bits, options.feature_flags, options.epochs, options.learning_rate,
              options.l2, static_cast<unsigned long long>(options.seed), options.average_every,
              options.balance_power, options.tune_shift ? 1 : 0);

  int best_epoch = 0;
  double best_f1 = -1;
  std::unique_ptr<ps::SentimentModel> best;
  const std::array<double, ps::kClasses> no_shift{0, 0, 0};
  auto model = ps::TrainModel(train_set.examples, train_options,
                              [&](int epoch, const ps::SentimentModel& m) {
                                ps::Metrics v = Evaluate(Probabilities(m, validation_set),
                                                         validation_set, 0, no_shift);
                                ps::Metrics t = Evaluate(Probabilities(m, train_set),
                                                         train_set, 0, no_shift);
                                std::printf("epoch %d validation macro_f1=%.4f macro_recall=%.4f"
                                            " (fit on training data: %.4f)\n",
                                            epoch, v.macro_f1, v.macro_recall, t.macro_f1);
                                std::fflush(stdout);
                                if (v.macro_f1 > best_f1) {
                                  best_f1 = v.macro_f1;
                                  best_epoch = epoch;
                                  best = std::make_unique<ps::SentimentModel>(m);
                                }
                              });
  std::printf("chosen epoch %d (validation macro_f1=%.4f)\n", best_epoch, best_f1);
  auto probs = Probabilities(*best, validation_set);
  ps::Metrics tuned;
  std::array<double, ps::kClasses> shift{0, 0, 0};
  if (options.tune_shift) shift = TuneShift(probs, validation_set, 0, tuned);
  else tuned = Evaluate(probs, validation_set, 0, shift);
  std::printf("class shift (validation): negative %+.2f positive %+.2f -> macro_f1=%.4f "
              "macro_recall=%.4f\n", shift[0], shift[2], tuned.macro_f1, tuned.macro_recall);
  for (int k = 0; k < ps::kClasses; ++k) best->weights()[static_cast<size_t>(k)] += static_cast<float>(shift[k]);
  best->Quantize();
  probs = Probabilities(*best, validation_set);
  for (double w : {0.0, 0.1, 0.2, 0.3, 0.4, 0.5}) {
    ps::Metrics v = Evaluate(probs, validation_set, w, no_shift);
    std::printf("validation ensemble lexicon_weight=%.1f macro_f1=%.4f macro_recall=%.4f\n", w,
                v.macro_f1, v.macro_recall);
  }
  if (options.refit) {
    // Same options, the chosen number of epochs, more data. The validation figures above (epoch,
    // shift, ensemble weight) are the training-only model's: this one has seen those tweets.
    Scored extra = Featurize(refit_extra, scorer, extractor);
    std::vector<ps::TrainingExample> all = train_set.examples;
    all.insert(all.end(), extra.examples.begin(), extra.examples.end());
    ps::TrainOptions refit_options = train_options;
    refit_options.epochs = best_epoch;
    best = ps::TrainModel(all, refit_options);
    for (int k = 0; k < ps::kClasses; ++k) best->weights()[static_cast<size_t>(k)] += static_cast<float>(shift[k]);
    best->Quantize();
    std::printf("refit on %zu texts for %d epochs (validation is training data from here on)\n",
                all.size(), best_epoch);
  }
  std::string error = best->Save(options.out);
  if (!error.empty()) {
    std::fprintf(stderr, "earshot train sentiment: %s\n", error.c_str());
    return kExitRuntime;
  }
  std::printf("model written to %s (sha256=%s)\n", options.out.c_str(),
              ps::Sha256File(options.out).c_str());
  return kExitOk;
}

}  // namespace earshot::app
