#include "pipeline/complaints/complaints.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "ingest/text.h"

namespace earshot::pipeline::complaints {
namespace {

// Salts that keep the feature kinds apart in the hashed space.
constexpr uint64_t kUnigramSalt = 0x51AF5EEDull;
constexpr uint64_t kBigramSalt = 0xB16A4A11ull;
constexpr uint64_t kFamilySalt = 0xFA4111E5ull;
constexpr uint64_t kLabelSalt = 0x1ABE15ull;
constexpr uint64_t kCategorySalt = 0xCA7E6021ull;

inline uint32_t Bucket(uint64_t h, uint64_t salt, uint32_t mask) {
  h ^= salt * 0x9E3779B97F4A7C15ull;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 29;
  return static_cast<uint32_t>(h) & mask;
}

// The families that say something went wrong (for the rules-only score and the reasons).
constexpr uint32_t kProblemFamilies =
    (1u << kMoney) | (1u << kWaiting) | (1u << kFailure) | (1u << kTravel) | (1u << kService) |
    (1u << kChurn) | (1u << kLegal) | (1u << kPress) | (1u << kSafety);

constexpr uint32_t kPronounFamilies = (1u << kFirstPerson) | (1u << kSecondPerson);

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view PrimaryLanguage(std::string_view tag) {
  size_t dash = tag.find_first_of("-_");
  return dash == std::string_view::npos ? tag : tag.substr(0, dash);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

int StepPoints(const std::vector<Step>& steps, double value, bool at_most) {
  for (const Step& s : steps) {
    if (at_most ? value <= s.threshold : value >= s.threshold) return s.points;
  }
  return 0;
}

}  // namespace

bool SafetyOverride(uint32_t families, const sentiment::SentimentResult& sentiment) {
  return (families & ((1u << kSafety) | (1u << kLegal))) != 0 &&
         sentiment.label == sentiment::Label::kNegative;
}

bool HasMention(std::string_view text) {
  for (size_t i = text.find('@'); i != std::string_view::npos; i = text.find('@', i + 1)) {
    if (i > 0) {
      unsigned char prev = static_cast<unsigned char>(text[i - 1]);
      if ((prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z') ||
          (prev >= '0' && prev <= '9') || prev == '_' || prev == '.') {
        continue;  // an e-mail address
      }
    }
    if (i + 1 < text.size()) {
      unsigned char next = static_cast<unsigned char>(text[i + 1]);
      if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
          (next >= '0' && next <= '9') || next == '_') {
        return true;
      }
    }
  }
  return false;
}

std::string_view IntentName(Intent intent) {
  switch (intent) {
    case kIntentComplaint: return "complaint";
    case kIntentQuestion: return "question";
    case kIntentPraise: return "praise";
    case kIntentOther: return "other";
  }
  return "other";
}

std::optional<Intent> IntentFromName(std::string_view name) {
  for (Intent i : {kIntentComplaint, kIntentQuestion, kIntentPraise, kIntentOther}) {
    if (IntentName(i) == name) return i;
  }
  return std::nullopt;
}

std::vector<Category> DefaultCategories() {
  return {
      {"safety", "Safety"},
      {"account_security", "Account and security"},
      {"billing_refunds", "Billing and refunds"},
      {"delays_cancellations", "Delays and cancellations (travel)"},
      {"delivery_shipping", "Delivery and shipping"},
      {"outage_app_website", "Outage, app and website"},
      {"product_quality", "Product quality and defects"},
      {"customer_service", "Customer service"},
      {"pricing", "Pricing"},
      {"other", "Other"},
  };
}

ComplaintOptions DefaultComplaintOptions(const std::string& root) {
  std::string base = root.empty() ? sentiment::DefaultDataRoot() : root;
  ComplaintOptions o;
  o.cue_files.push_back(base + "/pipeline/complaints/data/cues.tsv");
  o.model_path = base + "/pipeline/complaints/model/complaints.model";
  return o;
}

ComplaintSnapshot::CreateResult ComplaintSnapshot::Create(const ComplaintOptions& options) {
  CreateResult result;
  auto snapshot = std::make_shared<ComplaintSnapshot>();
  snapshot->options_ = options;
  // Taxonomy: the defaults, then config extensions (new ids go before "other").
  std::vector<Category> categories = DefaultCategories();
  for (const CategoryExtension& ext : options.categories) {
    auto it = std::find_if(categories.begin(), categories.end(),
                           [&](const Category& c) { return c.id == ext.id; });
    if (it == categories.end()) {
      categories.insert(categories.end() - 1, {ext.id, ext.name.empty() ? ext.id : ext.name});
    } else if (!ext.name.empty()) {
      it->name = ext.name;
    }
  }
  if (categories.size() > kMaxCategories) {
    result.error = "too many complaint categories (" + std::to_string(categories.size()) +
                   "; at most " + std::to_string(kMaxCategories) + ")";
    return result;
  }
  std::vector<std::string> ids;
  for (const auto& c : categories) ids.push_back(c.id);
  std::vector<CueTable::Source> sources;
  for (const auto& f : options.cue_files) sources.push_back({f, {}});
  result.error = CueTable::Build(sources, ids, snapshot->cues_);
  if (!result.error.empty()) return result;
  for (const CategoryExtension& ext : options.categories) {
    size_t index = static_cast<size_t>(std::find(ids.begin(), ids.end(), ext.id) - ids.begin());
    for (const auto& cue : ext.cues) {
      std::string error = snapshot->cues_.Add(Lower(cue), 0, uint32_t{1} << index);
      if (!error.empty()) {
        result.error = ext.where + ": category '" + ext.id + "': " + error;
        return result;
      }
    }
  }
  snapshot->categories_ = std::move(categories);
  if (!options.model_path.empty()) {
    auto loaded = ComplaintModel::Load(options.model_path);
    if (!loaded.model) {
      result.error = loaded.error;
      return result;
    }
    snapshot->model_ = std::move(loaded.model);
  }
  // Routing rules: names to indices.
  for (const RouteRuleSpec& spec : options.routes) {
    RouteRule rule;
    rule.where = spec.where;
    rule.queue = spec.queue;
    rule.brands = spec.brands;
    for (const auto& l : spec.langs) rule.langs.push_back(Lower(l));
    auto fail = [&](const std::string& what) {
      result.error = spec.where + ": " + what;
      return result;
    };
    for (const auto& c : spec.categories) {
      auto it = std::find(ids.begin(), ids.end(), c);
      if (it == ids.end()) return fail("unknown category '" + c + "' in a routing rule");
      rule.categories.push_back(static_cast<uint16_t>(it - ids.begin()));
    }
    for (const auto& p : spec.priorities) {
      if (p.size() != 2 || (p[0] != 'P' && p[0] != 'p') || p[1] < '1' || p[1] > '4') {
        return fail("unknown priority '" + p + "' in a routing rule; expected P1, P2, P3 or P4");
      }
      rule.priorities.push_back(static_cast<uint8_t>(p[1] - '0'));
    }
    for (const auto& s : spec.sources) {
      auto source = ingest::SourceFromName(s);
      if (!source) return fail("unknown source '" + s + "' in a routing rule");
      rule.sources.push_back(*source);
    }
    for (const auto& i : spec.intents) {
      auto intent = IntentFromName(i);
      if (!intent) {
        return fail("unknown intent '" + i +
                    "' in a routing rule; expected complaint, question, praise or other");
      }
      rule.intents |= *intent;
    }
    if (rule.queue.empty()) return fail("a routing rule needs a 'queue'");
    snapshot->routes_.push_back(std::move(rule));
  }
  result.snapshot = std::move(snapshot);
  return result;
}

ComplaintClassifier::ComplaintClassifier(std::shared_ptr<const ComplaintSnapshot> snapshot)
    : snapshot_(std::move(snapshot)) {
  word_hashes_.reserve(256);
  features_.sparse.reserve(1024);
}

void ComplaintClassifier::ScanCues(const sentiment::SentimentAnalyzer& analyzer) {
  const sentiment::LexiconScorer& scorer = analyzer.scorer();
  auto tokens = scorer.tokens();
  word_hashes_.clear();
  has_digits_ = false;
  for (const auto& t : tokens) {
    std::string_view w = scorer.TokenText(t);
    for (char c : w) has_digits_ |= (c >= '0' && c <= '9');
    word_hashes_.push_back(CueWordHash(w));
  }
  family_counts_.fill(0);
  category_votes_.fill(0);
  question_start_ = false;
  const CueTable& cues = snapshot_->cues();
  const size_t n = word_hashes_.size();
  // Longest match at each position; a shorter cue inside a longer one that already matched does
  // not count again ("let down" is not "down"), but an overlapping cue that reaches further does.
  size_t covered_until = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t h = kCueSeed;
    const CueEntry* best = nullptr;
    size_t best_end = 0;
    h = CombineCueHash(h, word_hashes_[i]);
    const CueEntry* first = cues.Find(h == 0 ? 1 : h);
    if (first == nullptr) continue;  // neither a cue nor the start of one
    // Pronouns are counted on every word, inside phrases too ("my order").
    for (uint32_t f = first->families & kPronounFamilies; f != 0; f &= f - 1) {
      ++family_counts_[__builtin_ctz(f)];
    }
    if (first->words != 0) {
      best = first;
      best_end = i + 1;
    }
    for (size_t k = 1; k < first->longest && i + k < n; ++k) {
      h = CombineCueHash(h, word_hashes_[i + k]);
      const CueEntry* e = cues.Find(h == 0 ? 1 : h);
      if (e == nullptr || e->words == 0) continue;
      best = e;
      best_end = i + k + 1;
    }
    if (best == nullptr || best_end <= covered_until) continue;
    covered_until = best_end;
    for (uint32_t f = best->families & ~kPronounFamilies; f != 0; f &= f - 1) {
      ++family_counts_[__builtin_ctz(f)];
    }
    for (uint32_t c = best->categories; c != 0; c &= c - 1) {
      category_votes_[__builtin_ctz(c)] += best->words;
    }
    if (i == 0 && (best->families & (1u << kQuestion))) question_start_ = true;
  }
}

void ComplaintClassifier::Extract(const sentiment::SentimentAnalyzer& analyzer,
                                  const sentiment::SentimentResult& sentiment,
                                  const PostSignals& signals, uint32_t hash_bits,
                                  ComplaintFeatures& out) {
  ScanCues(analyzer);
  const uint32_t mask = (uint32_t{1} << hash_bits) - 1;
  out.sparse.clear();
  const size_t n = word_hashes_.size();
  for (size_t i = 0; i < n; ++i) {
    out.sparse.push_back(Bucket(word_hashes_[i], kUnigramSalt, mask));
    if (i + 1 < n) {
      out.sparse.push_back(
          Bucket(CombineCueHash(word_hashes_[i], word_hashes_[i + 1]), kBigramSalt, mask));
    }
  }
  for (int f = 0; f < kFamilyCount; ++f) {
    if (family_counts_[f] > 0) out.sparse.push_back(Bucket(static_cast<uint64_t>(f), kFamilySalt, mask));
  }
  out.sparse.push_back(Bucket(static_cast<uint64_t>(sentiment.label), kLabelSalt, mask));
  int votes = 0, voted = 0;
  const size_t categories = snapshot_->categories().size();
  for (size_t c = 0; c + 1 < categories; ++c) {
    if (category_votes_[c] == 0) continue;
    votes += category_votes_[c];
    ++voted;
    out.sparse.push_back(Bucket(c, kCategorySalt, mask));
  }
  out.sparse_value = 1.f / std::sqrt(static_cast<float>(out.sparse.size()));
  auto& d = out.dense;
  for (int f = 0; f < kFamilyCount; ++f) {
    d[f] = static_cast<float>(std::min(family_counts_[f], 3)) / 3.f;
  }
  const sentiment::LexiconScores& lex = analyzer.lexicon_scores();
  d[15] = static_cast<float>(sentiment.compound);
  d[16] = static_cast<float>(sentiment.neg);
  d[17] = static_cast<float>(sentiment.pos);
  d[18] = sentiment.label == sentiment::Label::kNegative ? 1.f : 0.f;
  d[19] = static_cast<float>(lex.compound);
  d[20] = lex.questions > 0 ? 1.f : 0.f;
  d[21] = lex.exclamations > 0 ? 1.f : 0.f;
  d[22] = signals.direct_address ? 1.f : 0.f;
  d[23] = has_digits_ ? 1.f : 0.f;
  d[24] = std::log1p(static_cast<float>(n)) / 4.f;
  d[25] = lex.caps_words > 0 ? 1.f : 0.f;
  d[26] = question_start_ ? 1.f : 0.f;
  d[27] = lex.negated > 0 ? 1.f : 0.f;
  d[28] = static_cast<float>(std::min(votes, 6)) / 6.f;
  d[29] = voted > 0 ? 1.f : 0.f;
  d[30] = signals.direct_address && family_counts_[kSecondPerson] > 0 ? 1.f : 0.f;
  d[31] = d[18] * d[29];  // negative and about something a brand sells or runs
}

void ComplaintClassifier::Classify(const sentiment::SentimentAnalyzer& analyzer,
                                   const sentiment::SentimentResult& sentiment,
                                   const PostSignals& signals, ComplaintResult& out) {
  const ComplaintSnapshot& snap = *snapshot_;
  const ComplaintOptions& o = snap.options();
  out = ComplaintResult{};
  out.category = snap.other_category();
  if (sentiment.label == sentiment::Label::kUnsupported) {
    out.supported = false;
    return;
  }
  const ComplaintModel* model = snap.model();
  if (model != nullptr) {
    Extract(analyzer, sentiment, signals, model->hash_bits(), features_);
    out.probability = model->Predict(features_);
  } else {
    // Rules only: problem cues, weighted up by negative sentiment and first-person experience.
    ScanCues(analyzer);
    int problems = 0;
    for (int f = 0; f < kFamilyCount; ++f) {
      if ((kProblemFamilies >> f) & 1u) problems += family_counts_[f];
    }
    double z = -2.0 + 1.2 * std::min(problems, 3) +
               (sentiment.label == sentiment::Label::kNegative ? 1.2 : 0.0) +
               (family_counts_[kFirstPerson] > 0 ? 0.4 : 0.0) -
               1.5 * (family_counts_[kPraise] + family_counts_[kThanks] > 0 &&
                      sentiment.label == sentiment::Label::kPositive);
    out.probability = static_cast<float>(1.0 / (1.0 + std::exp(-z)));
  }
  for (int f = 0; f < kFamilyCount; ++f) {
    if (family_counts_[f] > 0) out.families |= 1u << f;
  }
  out.is_complaint = out.probability >= o.threshold;
  if (!out.is_complaint && SafetyOverride(out.families, sentiment)) {
    out.is_complaint = true;
    out.overridden = true;
  }
  const sentiment::LexiconScores& lex = analyzer.lexicon_scores();
  if (out.is_complaint) out.intents |= kIntentComplaint;
  if (lex.questions > 0 || question_start_) out.intents |= kIntentQuestion;
  if (!out.is_complaint && sentiment.label == sentiment::Label::kPositive &&
      ((out.families & ((1u << kPraise) | (1u << kThanks))) != 0 || sentiment.compound >= 0.5)) {
    out.intents |= kIntentPraise;
  }
  if (out.intents == 0) out.intents = kIntentOther;
  if ((out.intents & (kIntentComplaint | kIntentQuestion)) == 0) return;

  out.category = BestCategory();

  // Priority: points from each factor.
  const PriorityOptions& p = o.priority;
  int points = out.is_complaint ? p.complaint_base : 0;
  if (signals.followers) {
    out.followers_points =
        static_cast<int16_t>(StepPoints(p.followers, static_cast<double>(*signals.followers), false));
  }
  out.engagement_points =
      static_cast<int16_t>(StepPoints(p.engagement, static_cast<double>(signals.engagement), false));
  if (out.is_complaint) {
    out.sentiment_points = static_cast<int16_t>(StepPoints(p.sentiment, sentiment.compound, true));
  }
  points += out.followers_points + out.engagement_points + out.sentiment_points;
  if (out.followers_points > 0) out.factors |= kFactorFollowers;
  if (out.engagement_points > 0) out.factors |= kFactorEngagement;
  if (out.sentiment_points > 0) out.factors |= kFactorSentiment;
  auto urgency = [&](CueFamily family, int value, Factor factor) {
    if (value > 0 && family_counts_[family] > 0) {
      points += value;
      out.factors |= factor;
    }
  };
  urgency(kSafety, p.safety, kFactorSafety);
  urgency(kLegal, p.legal, kFactorLegal);
  urgency(kPress, p.press, kFactorPress);
  urgency(kChurn, p.churn, kFactorChurn);
  out.priority = points >= p.p1 ? 1 : points >= p.p2 ? 2 : points >= p.p3 ? 3 : 4;
}

uint16_t ComplaintClassifier::BestCategory() const {
  // The most votes; ties go to the earlier (more specific) category; none: "other".
  int best = 0;
  uint16_t category = snapshot_->other_category();
  const size_t categories = snapshot_->categories().size();
  for (size_t c = 0; c + 1 < categories; ++c) {
    if (category_votes_[c] > best) {
      best = category_votes_[c];
      category = static_cast<uint16_t>(c);
    }
  }
  return category;
}

uint16_t ComplaintClassifier::Categorize(const sentiment::SentimentAnalyzer& analyzer) {
  ScanCues(analyzer);
  return BestCategory();
}

std::string_view ComplaintClassifier::Route(const ComplaintResult& r, std::string_view brand_id,
                                            std::string_view lang, ingest::Source source) const {
  const bool routable = (r.intents & (kIntentComplaint | kIntentQuestion)) != 0;
  const std::string_view primary = PrimaryLanguage(lang);
  for (const RouteRule& rule : snapshot_->routes()) {
    if (rule.intents == 0 ? !routable : (rule.intents & r.intents) == 0) continue;
    if (!rule.brands.empty() &&
        std::find(rule.brands.begin(), rule.brands.end(), brand_id) == rule.brands.end()) {
      continue;
    }
    if (!rule.categories.empty() &&
        std::find(rule.categories.begin(), rule.categories.end(), r.category) ==
            rule.categories.end()) {
      continue;
    }
    if (!rule.priorities.empty() &&
        std::find(rule.priorities.begin(), rule.priorities.end(), r.priority) ==
            rule.priorities.end()) {
      continue;
    }
    if (!rule.langs.empty() &&
        std::none_of(rule.langs.begin(), rule.langs.end(),
                     [&](const std::string& l) { return EqualsIgnoreCase(l, primary); })) {
      continue;
    }
    if (!rule.sources.empty() &&
        std::find(rule.sources.begin(), rule.sources.end(), source) == rule.sources.end()) {
      continue;
    }
    return rule.queue;
  }
  return routable ? std::string_view(snapshot_->options().default_queue) : std::string_view();
}

void AppendComplaintJson(const ComplaintSnapshot& snapshot, const ComplaintResult& r,
                         std::string_view queue, std::string& out) {
  out.append("\"intent\":[");
  bool first = true;
  for (Intent i : {kIntentComplaint, kIntentQuestion, kIntentPraise, kIntentOther}) {
    if ((r.intents & i) == 0) continue;
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out.append(IntentName(i));
    out.push_back('"');
  }
  out.append("],\"complaint\":{\"is_complaint\":");
  out.append(r.is_complaint ? "true" : "false");
  // Three decimals without printf (on the hot path).
  const int thousandths = std::clamp(static_cast<int>(std::lround(r.probability * 1000.f)), 0, 1000);
  char digits[6] = {static_cast<char>('0' + thousandths / 1000), '.',
                    static_cast<char>('0' + thousandths / 100 % 10),
                    static_cast<char>('0' + thousandths / 10 % 10),
                    static_cast<char>('0' + thousandths % 10), 0};
  out.append(",\"probability\":");
  out.append(digits, 5);
  const bool triaged = (r.intents & (kIntentComplaint | kIntentQuestion)) != 0;
  out.append(",\"category\":");
  if (triaged) {
    const Category& c = snapshot.categories()[r.category];
    ingest::AppendJsonString(c.id, out);
    out.append(",\"category_name\":");
    ingest::AppendJsonString(c.name, out);
  } else {
    out.append("null");
  }
  out.append(",\"priority\":\"P");
  out.push_back(static_cast<char>('0' + r.priority));
  out.append("\",\"queue\":");
  if (queue.empty()) {
    out.append("null");
  } else {
    ingest::AppendJsonString(queue, out);
  }
  out.append(",\"reasons\":[");
  first = true;
  auto reason = [&](std::string_view prefix, std::string_view what) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out.append(prefix);
    out.append(what);
    out.push_back('"');
  };
  if (!r.supported) {
    reason("", "language_unsupported");
  } else {
    for (int f = 0; f < kFamilyCount; ++f) {
      if (((kProblemFamilies >> f) & 1u) && ((r.families >> f) & 1u)) reason("cue:", FamilyName(f));
    }
    if (r.is_complaint && ((r.families >> kFirstPerson) & 1u)) reason("", "first_person");
    if (r.overridden) {
      reason("", "rule:safety_or_legal");
    } else if (r.is_complaint) {
      reason(snapshot.model() != nullptr ? "model:" : "rules:",
             r.probability >= 0.8f ? "confident" : "likely");
    }
  }
  out.append("],\"priority_factors\":[");
  first = true;
  auto factor = [&](std::string_view name, int points) {
    if (points <= 0) return;
    if (!first) out.push_back(',');
    first = false;
    out.append("{\"factor\":\"");
    out.append(name);
    out.append("\",\"points\":");
    out.append(std::to_string(points));
    out.push_back('}');
  };
  if (triaged) {
    const PriorityOptions& p = snapshot.options().priority;
    if (r.is_complaint) factor("complaint", p.complaint_base);
    factor("followers", r.followers_points);
    factor("engagement", r.engagement_points);
    factor("sentiment", r.sentiment_points);
    if (r.factors & kFactorSafety) factor("safety", p.safety);
    if (r.factors & kFactorLegal) factor("legal_threat", p.legal);
    if (r.factors & kFactorPress) factor("press_threat", p.press);
    if (r.factors & kFactorChurn) factor("churn_threat", p.churn);
  }
  out.append("]}");
}

}  // namespace earshot::pipeline::complaints
