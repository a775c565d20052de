#include "pipeline/complaints/eval.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "ingest/twcs_csv.h"

namespace earshot::pipeline::complaints {
ComplaintData ReadComplaintData(const std::string& path) {
  ComplaintData out;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.error = path + ": cannot open the data file";
    return out;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string data = buffer.str();
  size_t pos = 0;
  int64_t line = 1;
  bool malformed = false;  // an unterminated quote: the field runs to the end, as before
  std::vector<std::string> fields;
  while (true) {
    int64_t start = line;
    if (!ingest::ReadCsvRecord(data, pos, fields, line, malformed)) break;
    if (fields.size() == 1 && fields[0].empty()) continue;
    auto fail = [&](const std::string& what) {
      out.error = path + ":" + std::to_string(start) + ": " + what;
      out.items.clear();
    };
    if (fields.size() != 4) {
      fail("expected 4 fields (tweet_id,text,label,domain), found " + std::to_string(fields.size()));
      return out;
    }
    if (fields[2] != "0" && fields[2] != "1") {
      fail("label must be 0 or 1, found '" + fields[2] + "'");
      return out;
    }
    if (fields[3].empty()) {
      fail("empty domain");
      return out;
    }
    out.items.push_back({fields[0], fields[1], fields[3], fields[2] == "1"});
  }
  if (out.items.empty()) out.error = path + ": no records";
  return out;
}

CategoryGold ReadCategoryGold(const std::string& path) {
  CategoryGold out;
  std::ifstream in(path);
  if (!in) {
    out.error = path + ": cannot open the category file";
    return out;
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    size_t a = line.find('\t');
    size_t b = a == std::string::npos ? a : line.find('\t', a + 1);
    if (b == std::string::npos) {
      out.error = path + ":" + std::to_string(number) + ": expected id<TAB>domain<TAB>category";
      return out;
    }
    std::string category = line.substr(b + 1);
    while (!category.empty() && (category.back() == '\r' || category.back() == ' ')) {
      category.pop_back();
    }
    std::string id = line.substr(0, a);
    out.position_by_id[id] = static_cast<int>(out.category_by_id.size());
    out.category_by_id[id] = category;
  }
  return out;
}

BinaryMetrics ComputeBinary(const std::vector<bool>& gold, const std::vector<bool>& predicted) {
  BinaryMetrics m;
  for (size_t i = 0; i < gold.size() && i < predicted.size(); ++i) {
    ++m.n;
    if (gold[i] && predicted[i]) ++m.tp;
    else if (!gold[i] && predicted[i]) ++m.fp;
    else if (gold[i]) ++m.fn;
    else ++m.tn;
  }
  m.precision = m.tp + m.fp > 0 ? static_cast<double>(m.tp) / static_cast<double>(m.tp + m.fp) : 0;
  m.recall = m.tp + m.fn > 0 ? static_cast<double>(m.tp) / static_cast<double>(m.tp + m.fn) : 0;
  m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0;
  m.accuracy = m.n > 0 ? static_cast<double>(m.tp + m.tn) / static_cast<double>(m.n) : 0;
  return m;
}

Featurized Featurize(const std::vector<ComplaintItem>& items,
                     sentiment::SentimentAnalyzer& analyzer, ComplaintClassifier& classifier,
                     uint32_t hash_bits) {
  Featurized out;
  out.examples.reserve(items.size());
  for (const ComplaintItem& item : items) {
    sentiment::SentimentResult s;
    // The data set is English; the language gate is not what is measured here.
    analyzer.Score(item.text, "en", {}, s);
    PostSignals signals;
    signals.direct_address = HasMention(item.text);
    ComplaintExample e;
    classifier.Extract(analyzer, s, signals, hash_bits, e.features);
    e.complaint = item.complaint;
    ComplaintResult r;
    classifier.Classify(analyzer, s, signals, r);
    out.overrides.push_back(SafetyOverride(r.families, s));
    out.examples.push_back(std::move(e));
    out.sentiment.push_back(s);
    out.rules.push_back(r);
  }
  return out;
}

CrossValidation Report(const std::vector<ComplaintItem>& items, const std::vector<bool>& predicted) {
  CrossValidation cv;
  std::vector<bool> gold;
  for (const auto& item : items) gold.push_back(item.complaint);
  cv.pooled = ComputeBinary(gold, predicted);
  std::set<std::string> domains;
  for (const auto& item : items) domains.insert(item.domain);
  for (const std::string& d : domains) {
    std::vector<bool> g, p;
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].domain != d) continue;
      g.push_back(gold[i]);
      p.push_back(predicted[i]);
    }
    cv.domains.push_back({d, ComputeBinary(g, p)});
  }
  return cv;
}

CrossValidation DomainHeldOut(const std::vector<ComplaintItem>& items,
                              const std::vector<ComplaintExample>& examples,
                              const ComplaintTrainOptions& options, double threshold,
                              bool strict, const std::vector<bool>* overrides) {
  std::map<std::string, int64_t> positives;
  for (const auto& item : items) positives[item.domain] += item.complaint;
  std::vector<std::string> folds;
  for (const auto& [domain, n] : positives) {
    if (n > 0 || strict) folds.push_back(domain);
  }
  if (folds.empty()) {
    for (const auto& [domain, n] : positives) folds.push_back(domain);
  }
  // The fold of each item: its domain's, or (background) round-robin by position.
  std::vector<size_t> fold(items.size());
  std::map<std::string, size_t> background_seen;
  for (size_t i = 0; i < items.size(); ++i) {
    auto it = std::find(folds.begin(), folds.end(), items[i].domain);
    if (it != folds.end()) {
      fold[i] = static_cast<size_t>(it - folds.begin());
    } else {
      fold[i] = background_seen[items[i].domain]++ % folds.size();
    }
  }
  std::vector<float> probabilities(items.size(), 0.f);
  for (size_t f = 0; f < folds.size(); ++f) {
    std::vector<ComplaintExample> train;
    for (size_t i = 0; i < items.size(); ++i) {
      if (fold[i] != f) train.push_back(examples[i]);
    }
    auto model = TrainComplaintModel(train, options);
    model->Quantize();
    for (size_t i = 0; i < items.size(); ++i) {
      if (fold[i] == f) probabilities[i] = model->Predict(examples[i].features);
    }
  }
  std::vector<bool> predicted;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    bool overridden = overrides != nullptr && i < overrides->size() && (*overrides)[i];
    predicted.push_back(probabilities[i] >= threshold || overridden);
  }
  CrossValidation cv = Report(items, predicted);
  cv.probabilities = std::move(probabilities);
  return cv;
}

std::string FormatBinary(const BinaryMetrics& m) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "n=%lld  precision=%.4f  recall=%.4f  F1=%.4f  accuracy=%.4f  (tp=%lld fp=%lld "
                "fn=%lld tn=%lld)",
                static_cast<long long>(m.n), m.precision, m.recall, m.f1, m.accuracy,
                static_cast<long long>(m.tp), static_cast<long long>(m.fp),
                static_cast<long long>(m.fn), static_cast<long long>(m.tn));
  return buf;
}

}  // namespace earshot::pipeline::complaints
