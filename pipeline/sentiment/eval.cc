#include "pipeline/sentiment/eval.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include "ingest/text.h"

namespace earshot::pipeline::sentiment {
namespace {

constexpr const char* kClassNames[3] = {"negative", "neutral", "positive"};


bool Hex4(std::string_view s, size_t i, uint32_t& v) {
  if (i + 4 > s.size()) return false;
  v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    char c = s[k];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
    else return false;
  }
  return true;
}

std::vector<std::string> ReadLines(const std::string& path, bool& ok) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

double SafeDiv(double a, double b) { return b == 0 ? 0 : a / b; }

}  // namespace

std::optional<DataFormat> DataFormatFromName(std::string_view name) {
  if (name == "vader-gold") return DataFormat::kVaderGold;
  if (name == "semeval") return DataFormat::kSemEval;
  if (name == "tweeteval") return DataFormat::kTweetEval;
  return std::nullopt;
}

std::string DecodeSemEvalText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    uint32_t cp = 0;
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'u' && Hex4(s, i + 2, cp)) {
      i += 5;
      uint32_t low = 0;
      if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < s.size() + 0 && s[i + 1] == '\\' &&
          s[i + 2] == 'u' && Hex4(s, i + 3, low) && low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        i += 6;
      }
      ingest::AppendUtf8(cp, out);
      continue;
    }
    if (s[i] == '&') {
      static constexpr std::pair<std::string_view, char> kEntities[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
      bool done = false;
      for (auto [name, c] : kEntities) {
        if (s.substr(i, name.size()) == name) {
          out.push_back(c);
          i += name.size() - 1;
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

Dataset ReadDataset(const std::string& path, DataFormat format) {
  Dataset d;
  bool ok = false;
  std::vector<std::string> lines = ReadLines(path, ok);
  if (!ok) {
    d.error = path + ": cannot open data file";
    return d;
  }
  if (format == DataFormat::kTweetEval) {
    std::string labels_path = path;
    size_t at = labels_path.rfind("_text");
    if (at == std::string::npos) {
      d.error = path + ": a tweeteval file is named *_text.txt (labels in *_labels.txt)";
      return d;
    }
    labels_path.replace(at, 5, "_labels");
    std::vector<std::string> labels = ReadLines(labels_path, ok);
    if (!ok) {
      d.error = labels_path + ": cannot open labels file";
      return d;
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    while (!labels.empty() && labels.back().empty()) labels.pop_back();
    if (labels.size() != lines.size()) {
      d.error = labels_path + ": " + std::to_string(labels.size()) + " labels for " +
                std::to_string(lines.size()) + " texts";
      return d;
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& l = labels[i];
      if (l != "0" && l != "1" && l != "2") {
        d.error = labels_path + ":" + std::to_string(i + 1) + ": label '" + l + "' is not 0, 1 or 2";
        return d;
      }
      // TweetEval keeps SemEval's \uXXXX escapes and HTML entities: decode them the same way.
      std::string text = DecodeSemEvalText(lines[i]);
      while (!text.empty() && text.back() == ' ') text.pop_back();
      d.items.push_back({std::to_string(i + 1), std::move(text), l[0] - '0', std::nullopt});
    }
    return d;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.empty()) continue;
    auto where = [&] { return path + ":" + std::to_string(i + 1) + ": "; };
    size_t t1 = line.find('\t');
    size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string::npos && format == DataFormat::kSemEval && !d.items.empty()) {
      // A quoted tweet that spans lines (the 2016 test file has a few): a continuation.
      std::string_view rest(line);
      while (!rest.empty() && (rest.back() == '\t' || rest.back() == ' ')) rest.remove_suffix(1);
      if (!rest.empty() && rest.back() == '"') rest.remove_suffix(1);
      d.items.back().text += " " + DecodeSemEvalText(rest);
      continue;
    }
    if (t2 == std::string::npos) {
      d.error = where() + "expected three tab-separated fields";
      return d;
    }
    GoldItem item;
    item.id = line.substr(0, t1);
    std::string_view field(line.data() + t1 + 1, t2 - t1 - 1);
    std::string_view text(line.data() + t2 + 1, line.size() - t2 - 1);
    if (format == DataFormat::kVaderGold) {
      double v = 0;
      auto [p, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
      if (ec != std::errc() || p != field.data() + field.size()) {
        d.error = where() + "'" + std::string(field) + "' is not a number";
        return d;
      }
      item.score = v;
      item.label = v > 0 ? 2 : v < 0 ? 0 : 1;
      item.text = std::string(text);
    } else {
      if (field == "negative") item.label = 0;
      else if (field == "neutral") item.label = 1;
      else if (field == "positive") item.label = 2;
      else {
        d.error = where() + "label '" + std::string(field) + "' is not positive/negative/neutral";
        return d;
      }
      while (!text.empty() && (text.back() == '\t' || text.back() == ' ')) text.remove_suffix(1);
      if (!text.empty() && text.front() == '"') text.remove_prefix(1);
      if (!text.empty() && text.back() == '"') text.remove_suffix(1);
      item.text = DecodeSemEvalText(text);
    }
    d.items.push_back(std::move(item));
  }
  return d;
}

Scores ReadScores(const std::string& path, size_t expected) {
  Scores out;
  bool ok = false;
  std::vector<std::string> lines = ReadLines(path, ok);
  if (!ok) {
    out.error = path + ": cannot open scores file";
    return out;
  }
  out.values.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view field(lines[i]);
    field = field.substr(0, field.find('\t'));
    while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
    while (!field.empty() && field.back() == ' ') field.remove_suffix(1);
    double v = 0;
    auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
    if (field.empty() || ec != std::errc() || end != field.data() + field.size() ||
        !std::isfinite(v)) {
      out.error = path + ":" + std::to_string(i + 1) + ": not a number: '" +
                  std::string(field.substr(0, 40)) + "'";
      out.values.clear();
      return out;
    }
    out.values.push_back(v);
  }
  if (out.values.size() != expected) {
    out.error = path + ": " + std::to_string(out.values.size()) + " scores for " +
                std::to_string(expected) + " texts (one line per text, in order)";
    out.values.clear();
  }
  return out;
}

int LabelFromScore(double score, double positive_threshold, double negative_threshold) {
  if (score >= positive_threshold) return 2;
  if (score <= negative_threshold) return 0;
  return 1;
}

double Pearson(const std::vector<double>& x, const std::vector<double>& y) {
  size_t n = std::min(x.size(), y.size());
  if (n < 2) return 0;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return SafeDiv(sxy, std::sqrt(sxx * syy));
}

Metrics ComputeMetrics(const std::vector<int>& gold, const std::vector<int>& predicted,
                       const std::vector<double>& gold_scores, const std::vector<double>& scores) {
  Metrics m;
  m.n = static_cast<int64_t>(std::min(gold.size(), predicted.size()));
  int64_t correct = 0;
  for (int64_t i = 0; i < m.n; ++i) {
    int g = gold[static_cast<size_t>(i)], p = predicted[static_cast<size_t>(i)];
    if (g < 0 || g > 2 || p < 0 || p > 2) continue;
    ++m.confusion[static_cast<size_t>(g)][static_cast<size_t>(p)];
    correct += g == p;
  }
  m.accuracy = SafeDiv(static_cast<double>(correct), static_cast<double>(m.n));
  for (size_t c = 0; c < 3; ++c) {
    ClassMetrics& k = m.per_class[c];
    int64_t tp = m.confusion[c][c];
    for (size_t o = 0; o < 3; ++o) {
      k.support += m.confusion[c][o];
      k.predicted += m.confusion[o][c];
    }
    k.precision = SafeDiv(static_cast<double>(tp), static_cast<double>(k.predicted));
    k.recall = SafeDiv(static_cast<double>(tp), static_cast<double>(k.support));
    k.f1 = SafeDiv(2 * k.precision * k.recall, k.precision + k.recall);
    m.macro_f1 += k.f1 / 3;
    m.macro_recall += k.recall / 3;
    m.macro_precision += k.precision / 3;
    double w = SafeDiv(static_cast<double>(k.support), static_cast<double>(m.n));
    m.weighted_f1 += w * k.f1;
    m.weighted_precision += w * k.precision;
    m.weighted_recall += w * k.recall;
  }
  m.f1_pn = (m.per_class[0].f1 + m.per_class[2].f1) / 2;
  if (!gold_scores.empty() && gold_scores.size() == scores.size()) {
    m.pearson = Pearson(gold_scores, scores);
  }
  return m;
}

std::string FormatMetrics(const Metrics& m) {
  char buf[256];
  std::string out;
  std::snprintf(buf, sizeof buf, "n=%lld accuracy=%.4f macro_f1=%.4f macro_recall=%.4f f1_pn=%.4f\n",
                static_cast<long long>(m.n), m.accuracy, m.macro_f1, m.macro_recall, m.f1_pn);
  out += buf;
  if (m.pearson) {
    std::snprintf(buf, sizeof buf, "pearson_r=%.4f\n", *m.pearson);
    out += buf;
  }
  std::snprintf(buf, sizeof buf,
                "weighted (by support): precision=%.4f recall=%.4f f1=%.4f\n",
                m.weighted_precision, m.weighted_recall, m.weighted_f1);
  out += buf;
  out += "class      precision recall  f1      support\n";
  for (size_t c = 0; c < 3; ++c) {
    const ClassMetrics& k = m.per_class[c];
    std::snprintf(buf, sizeof buf, "%-10s %.4f    %.4f  %.4f  %lld\n", kClassNames[c], k.precision,
                  k.recall, k.f1, static_cast<long long>(k.support));
    out += buf;
  }
  out += "confusion (rows gold, columns predicted: negative neutral positive)\n";
  for (size_t g = 0; g < 3; ++g) {
    std::snprintf(buf, sizeof buf, "%-10s %7lld %7lld %7lld\n", kClassNames[g],
                  static_cast<long long>(m.confusion[g][0]),
                  static_cast<long long>(m.confusion[g][1]),
                  static_cast<long long>(m.confusion[g][2]));
    out += buf;
  }
  return out;
}

std::string MetricsJson(const Metrics& m) {
  char buf[512];
  std::string out;
  std::snprintf(buf, sizeof buf,
                "{\"n\":%lld,\"accuracy\":%.6f,\"macro_f1\":%.6f,\"macro_recall\":%.6f,"
                "\"f1_pn\":%.6f,\"weighted_f1\":%.6f,\"weighted_precision\":%.6f,"
                "\"weighted_recall\":%.6f",
                static_cast<long long>(m.n), m.accuracy, m.macro_f1, m.macro_recall, m.f1_pn,
                m.weighted_f1, m.weighted_precision, m.weighted_recall);
  out += buf;
  if (m.pearson) {
    std::snprintf(buf, sizeof buf, ",\"pearson_r\":%.6f", *m.pearson);
    out += buf;
  }
  out += ",\"classes\":{";
  for (size_t c = 0; c < 3; ++c) {
    const ClassMetrics& k = m.per_class[c];
    std::snprintf(buf, sizeof buf,
                  "%s\"%s\":{\"precision\":%.6f,\"recall\":%.6f,\"f1\":%.6f,\"support\":%lld}",
                  c ? "," : "", kClassNames[c], k.precision, k.recall, k.f1,
                  static_cast<long long>(k.support));
    out += buf;
  }
  out += "},\"confusion\":[";
  for (size_t g = 0; g < 3; ++g) {
    std::snprintf(buf, sizeof buf, "%s[%lld,%lld,%lld]", g ? "," : "",
                  static_cast<long long>(m.confusion[g][0]),
                  static_cast<long long>(m.confusion[g][1]),
                  static_cast<long long>(m.confusion[g][2]));
    out += buf;
  }
  out += "]}";
  return out;
}

}  // namespace earshot::pipeline::sentiment
