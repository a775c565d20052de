// The complaint stage: each cue family, intents, the taxonomy and config extensions, every
// priority factor, routing rules, the language gate, the model file and the JSON it writes.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <fstream>
#include <string>

#include "pipeline/complaints/complaints.h"
#include "tests/testing/fixtures.h"

namespace earshot::pipeline::complaints {
namespace {

std::shared_ptr<const sentiment::SentimentSnapshot> Sentiment() {
  static auto snapshot = [] {
    auto created = sentiment::SentimentSnapshot::Create(
        sentiment::DefaultSentimentOptions(EARSHOT_SOURCE_DIR));
    EXPECT_TRUE(created.snapshot) << created.error << " (scripts/setup.sh fetches the lexicon)";
    return created.snapshot;
  }();
  return snapshot;
}

std::shared_ptr<const ComplaintSnapshot> Snapshot(const ComplaintOptions& options) {
  auto created = ComplaintSnapshot::Create(options);
  EXPECT_TRUE(created.snapshot) << created.error;
  return created.snapshot;
}

ComplaintOptions Defaults() { return DefaultComplaintOptions(EARSHOT_SOURCE_DIR); }

class Triage {
 public:
  explicit Triage(ComplaintOptions options = Defaults())
      : analyzer_(Sentiment()), classifier_(Snapshot(options)) {}

  ComplaintResult Run(const std::string& text, PostSignals signals = {},
                      const std::string& lang = "en") {
    analyzer_.Score(text, lang, {}, sentiment_);
    ComplaintResult r;
    classifier_.Classify(analyzer_, sentiment_, signals, r);
    return r;
  }
  std::string Category(const ComplaintResult& r) const {
    return classifier_.snapshot().categories()[r.category].id;
  }
  std::string_view Route(const ComplaintResult& r, std::string_view brand, std::string_view lang,
                         ingest::Source source = ingest::Source::kX) const {
    return classifier_.Route(r, brand, lang, source);
  }
  const ComplaintClassifier& classifier() const { return classifier_; }
  const sentiment::SentimentResult& sentiment() const { return sentiment_; }

 private:
  sentiment::SentimentAnalyzer analyzer_;
  ComplaintClassifier classifier_;
  sentiment::SentimentResult sentiment_;
};

bool Has(uint32_t families, CueFamily f) { return (families >> f) & 1u; }

TEST(Cues, EachFamilyFires) {
  Triage t;
  struct Case {
    const char* text;
    CueFamily family;
  } cases[] = {
      {"I was charged twice for one ticket", kMoney},
      {"still waiting for a reply", kWaiting},
      {"the app keeps crashing", kFailure},
      {"flight delayed by five hours", kTravel},
      {"your staff were so rude to me", kService},
      {"never again, switching to another bank", kChurn},
      {"I will be contacting my lawyer", kLegal},
      {"I'm going to the press with this", kPress},
      {"the charger caught fire in my kitchen", kSafety},
      {"please help me sort this out", kHelp},
      {"how do I change my seat", kQuestion},
      {"the new menu is amazing", kPraise},
      {"thank you so much for the quick fix", kThanks},
      {"my order", kFirstPerson},
      {"your order", kSecondPerson},
  };
  for (const auto& c : cases) {
    ComplaintResult r = t.Run(c.text);
    EXPECT_TRUE(Has(r.families, c.family)) << c.text << ": expected " << FamilyName(c.family);
  }
  // And nothing fires on a text without cues.
  EXPECT_EQ(t.Run("the weather is mild today").families, 0u);
}

TEST(Intent, ComplaintsQuestionsPraiseAndOther) {
  Triage t;
  ComplaintResult r = t.Run(
      "@Parcelly my parcel never arrived and I'm still waiting for a refund after 3 weeks. "
      "Worst service ever");
  EXPECT_TRUE(r.is_complaint) << r.probability;
  EXPECT_EQ(r.intents, kIntentComplaint);

  r = t.Run("@NimbusAir my flight was cancelled and nobody answers the phone. Why?");
  EXPECT_TRUE(r.is_complaint);
  EXPECT_EQ(r.intents, kIntentComplaint | kIntentQuestion);  // multi-label

  r = t.Run("@NimbusAir can I bring my guitar as cabin baggage?");
  EXPECT_FALSE(r.is_complaint) << r.probability;
  EXPECT_EQ(r.intents, kIntentQuestion);

  r = t.Run("Thank you @Brightbean, the new roast is amazing!");
  EXPECT_FALSE(r.is_complaint);
  EXPECT_EQ(r.intents, kIntentPraise);

  r = t.Run("Brightbean opens a new shop on Main Street next week");
  EXPECT_FALSE(r.is_complaint);
  EXPECT_EQ(r.intents, kIntentOther);
}

TEST(Intent, UnsupportedLanguageIsNotClassified) {
  Triage t;
  ComplaintResult r = t.Run("mi vuelo fue cancelado y nadie responde, quiero un reembolso", {}, "es");
  EXPECT_FALSE(r.supported);
  EXPECT_FALSE(r.is_complaint);
  EXPECT_EQ(r.intents, 0);
  EXPECT_EQ(r.priority, 4);
  EXPECT_EQ(t.Category(r), "other");
}

TEST(Category, Taxonomy) {
  Triage t;
  struct Case {
    const char* text;
    const char* category;
  } cases[] = {
      {"the heater caught fire and my son was injured", "safety"},
      {"my account was hacked and I'm locked out, someone stole my identity", "account_security"},
      {"you charged me twice and I still have no refund", "billing_refunds"},
      {"flight cancelled again, stranded at the airport", "delays_cancellations"},
      {"my parcel never arrived, the courier says delivered", "delivery_shipping"},
      {"the app keeps crashing and the website is down", "outage_app_website"},
      {"the zip broke after one wear, such poor quality", "product_quality"},
      {"on hold for an hour and then the agent hung up on me", "customer_service"},
      {"another price increase? this is such a rip off", "pricing"},
      {"@Parcelly I have been let down again, this is unacceptable, worst experience of my life",
       "other"},
  };
  for (const auto& c : cases) {
    ComplaintResult r = t.Run(c.text);
    if ((r.intents & (kIntentComplaint | kIntentQuestion)) == 0) {
      ADD_FAILURE() << c.text << ": not triaged (p=" << r.probability << ")";
      continue;
    }
    EXPECT_EQ(t.Category(r), c.category) << c.text;
  }
}

TEST(Category, ConfigExtensionsAddCategoriesAndCues) {
  ComplaintOptions o = Defaults();
  o.categories.push_back({"loyalty_program", "Loyalty programme", {"air miles", "points balance"}, "x.yaml:3:5"});
  o.categories.push_back({"pricing", "", {"too dear"}, "x.yaml:7:5"});
  Triage t(o);
  ComplaintResult r = t.Run("my air miles vanished from my points balance and nobody will help");
  EXPECT_EQ(t.Category(r), "loyalty_program");
  const auto& cats = t.classifier().snapshot().categories();
  EXPECT_EQ(cats.back().id, "other");  // new categories go before "other"
  EXPECT_EQ(cats[cats.size() - 2].name, "Loyalty programme");
  r = t.Run("the coffee is far too dear now, I'm disappointed");
  EXPECT_EQ(t.Category(r), "pricing");

  o = Defaults();
  o.categories.push_back({"bad", "", {"50% off"}, "x.yaml:9:5"});
  auto created = ComplaintSnapshot::Create(o);
  EXPECT_FALSE(created.snapshot);
  EXPECT_NE(created.error.find("x.yaml:9:5: category 'bad': phrase '50% off' holds '%'"),
            std::string::npos)
      << created.error;
}

TEST(Priority, EachFactorAndTheLevels) {
  Triage t;
  const std::string complaint = "my parcel never arrived and I still have no refund";
  ComplaintResult base = t.Run(complaint);
  ASSERT_TRUE(base.is_complaint);
  EXPECT_EQ(base.factors & (kFactorFollowers | kFactorEngagement), 0);
  const int base_priority = base.priority;
  EXPECT_GE(base_priority, 2);

  PostSignals reach;
  reach.followers = 250000;
  ComplaintResult r = t.Run(complaint, reach);
  EXPECT_EQ(r.followers_points, 3);
  EXPECT_TRUE(r.factors & kFactorFollowers);
  EXPECT_LT(r.priority, base_priority);
  reach.followers = 15000;
  EXPECT_EQ(t.Run(complaint, reach).followers_points, 2);
  reach.followers = 999;
  EXPECT_EQ(t.Run(complaint, reach).followers_points, 0);

  PostSignals engagement;
  engagement.engagement = 5000;
  r = t.Run(complaint, engagement);
  EXPECT_EQ(r.engagement_points, 2);
  EXPECT_TRUE(r.factors & kFactorEngagement);

  r = t.Run("the charger exploded and burned my hand, this is dangerous");
  EXPECT_TRUE(r.factors & kFactorSafety);
  EXPECT_LE(r.priority, 2);
  EXPECT_TRUE(t.Run("still no refund after a month, awful service. I will sue, my lawyer is ready")
                  .factors &
              kFactorLegal);
  EXPECT_TRUE(t.Run("still no refund, I am going to the press with this").factors & kFactorPress);
  EXPECT_TRUE(t.Run("still no refund. never again, switching to another bank").factors &
              kFactorChurn);
  r = t.Run("this is the worst, most disgusting, appalling service I have ever had. Still no refund!");
  EXPECT_TRUE(r.factors & kFactorSentiment);
  EXPECT_GT(r.sentiment_points, 0);

  // Levels and points come from options.
  ComplaintOptions o = Defaults();
  o.priority.complaint_base = 0;
  o.priority.sentiment = {};
  o.priority.followers = {{10, 1}};
  o.priority.p1 = 3;
  o.priority.p2 = 2;
  o.priority.p3 = 1;
  Triage custom(o);
  PostSignals few;
  few.followers = 50;
  EXPECT_EQ(custom.Run(complaint).priority, 4);
  EXPECT_EQ(custom.Run(complaint, few).priority, 3);

  // Posts that are neither complaints nor questions stay P4 whatever their reach.
  EXPECT_EQ(t.Run("Thank you @Brightbean, the new roast is amazing!", reach).priority, 4);
}

TEST(Routing, FirstMatchingRuleWins) {
  ComplaintOptions o = Defaults();
  o.default_queue = "general";
  RouteRuleSpec safety;
  safety.categories = {"safety"};
  safety.queue = "safety-team";
  RouteRuleSpec urgent;
  urgent.priorities = {"P1"};
  urgent.queue = "urgent";
  RouteRuleSpec ops;
  ops.brands = {"nimbus-air"};
  ops.categories = {"delays_cancellations"};
  ops.queue = "nimbus-ops";
  RouteRuleSpec latam;
  latam.langs = {"es", "pt"};
  latam.queue = "latam";
  RouteRuleSpec reviews;
  reviews.sources = {"yelp", "amazon"};
  reviews.queue = "reviews";
  RouteRuleSpec praise;
  praise.intents = {"praise"};
  praise.brands = {"brightbean"};
  praise.queue = "community";
  o.routes = {safety, urgent, ops, latam, reviews, praise};
  Triage t(o);

  ComplaintResult fire = t.Run("the heater caught fire and my son was injured");
  EXPECT_EQ(t.Route(fire, "any", "en"), "safety-team");
  PostSignals big;
  big.followers = 1000000;
  big.engagement = 10000;
  ComplaintResult loud = t.Run("my parcel never arrived and I still have no refund", big);
  ASSERT_EQ(loud.priority, 1);
  EXPECT_EQ(t.Route(loud, "parcelly", "en"), "urgent");
  ComplaintResult late = t.Run("flight cancelled again, stranded at the airport");
  ASSERT_NE(late.priority, 1);
  EXPECT_EQ(t.Route(late, "nimbus-air", "en"), "nimbus-ops");
  EXPECT_EQ(t.Route(late, "other-airline", "en"), "general");
  EXPECT_EQ(t.Route(late, "other-airline", "pt-BR"), "latam");  // primary subtag
  EXPECT_EQ(t.Route(late, "other-airline", "ES"), "latam");
  EXPECT_EQ(t.Route(late, "other-airline", "en", ingest::Source::kYelp), "reviews");
  ComplaintResult thanks = t.Run("Thank you @Brightbean, the new roast is amazing!");
  EXPECT_EQ(t.Route(thanks, "brightbean", "en"), "community");
  EXPECT_EQ(t.Route(thanks, "parcelly", "en"), "");  // praise is not routed by default
  ComplaintResult other = t.Run("Brightbean opens a new shop on Main Street next week");
  EXPECT_EQ(t.Route(other, "brightbean", "en"), "");
}

TEST(Routing, UnknownNamesAreErrors) {
  auto expect_error = [](RouteRuleSpec spec, const std::string& message) {
    ComplaintOptions o = DefaultComplaintOptions(EARSHOT_SOURCE_DIR);
    spec.where = "c.yaml:4:9";
    if (spec.queue.empty() && message.find("queue") == std::string::npos) spec.queue = "q";
    o.routes = {spec};
    auto created = ComplaintSnapshot::Create(o);
    EXPECT_FALSE(created.snapshot);
    EXPECT_EQ(created.error, "c.yaml:4:9: " + message);
  };
  RouteRuleSpec s;
  s.categories = {"weather"};
  expect_error(s, "unknown category 'weather' in a routing rule");
  s = {};
  s.priorities = {"P5"};
  expect_error(s, "unknown priority 'P5' in a routing rule; expected P1, P2, P3 or P4");
  s = {};
  s.sources = {"myspace"};
  expect_error(s, "unknown source 'myspace' in a routing rule");
  s = {};
  s.intents = {"rant"};
  expect_error(s, "unknown intent 'rant' in a routing rule; expected complaint, question, praise or other");
  s = {};
  expect_error(s, "a routing rule needs a 'queue'");
}

TEST(Model, RulesOnlyModeAndTheModelDisagreeSomewhere) {
  ComplaintOptions rules = Defaults();
  rules.model_path.clear();
  Triage with_rules(rules);
  Triage with_model;
  ASSERT_NE(with_model.classifier().snapshot().model(), nullptr);
  EXPECT_EQ(with_rules.classifier().snapshot().model(), nullptr);
  const char* texts[] = {"@Parcelly where is my parcel? ordered 2 weeks ago",
                         "my phone screen cracked on day one",
                         "never got a response to my email",
                         "I hate Mondays"};
  int differ = 0;
  for (const char* text : texts) {
    float a = with_rules.Run(text).probability, b = with_model.Run(text).probability;
    EXPECT_GE(a, 0.f);
    EXPECT_LE(a, 1.f);
    differ += std::abs(a - b) > 0.05f;
  }
  EXPECT_GT(differ, 0);
}

TEST(Model, SaveLoadAndBadFiles) {
  const std::string dir = ::earshot::testing::ScratchDir();
  ComplaintModel m(10);
  for (size_t i = 0; i < m.weights().size(); ++i) m.weights()[i] = static_cast<float>(i % 7) * 0.01f;
  ComplaintFeatures f;
  f.sparse = {1, 5, 900};
  f.sparse_value = 0.5f;
  f.dense[0] = 1;
  const float before = m.Predict(f);
  ASSERT_EQ(m.Save(dir + "/m.model"), "");
  auto loaded = ComplaintModel::Load(dir + "/m.model");
  ASSERT_TRUE(loaded.model) << loaded.error;
  EXPECT_NEAR(loaded.model->Predict(f), before, 1e-3);
  EXPECT_EQ(loaded.model->hash_bits(), 10u);

  std::ofstream(dir + "/bad.model") << "XXXX0000000000";
  EXPECT_NE(ComplaintModel::Load(dir + "/bad.model").error.find("expected magic ECM1"),
            std::string::npos);
  {
    std::ifstream in(dir + "/m.model", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(dir + "/short.model", std::ios::binary) << bytes.substr(0, bytes.size() - 10);
    std::ofstream(dir + "/long.model", std::ios::binary) << bytes << "x";
  }
  EXPECT_NE(ComplaintModel::Load(dir + "/short.model").error.find("truncated"), std::string::npos);
  EXPECT_NE(ComplaintModel::Load(dir + "/long.model").error.find("trailing bytes"),
            std::string::npos);
  EXPECT_NE(ComplaintModel::Load(dir + "/none.model").error.find("cannot open"), std::string::npos);
  ComplaintOptions o = Defaults();
  o.model_path = dir + "/bad.model";
  EXPECT_FALSE(ComplaintSnapshot::Create(o).snapshot);
}

TEST(Model, TrainerLearnsASeparableProblem) {
  std::vector<ComplaintExample> examples;
  for (int i = 0; i < 400; ++i) {
    ComplaintExample e;
    e.complaint = i % 3 == 0;
    e.features.sparse = {static_cast<uint32_t>(e.complaint ? 7 : 8), static_cast<uint32_t>(100 + i % 13)};
    e.features.sparse_value = 1 / std::sqrt(2.f);
    e.features.dense[3] = e.complaint ? 1.f : 0.f;
    examples.push_back(e);
  }
  ComplaintTrainOptions options;
  options.hash_bits = 10;
  auto model = TrainComplaintModel(examples, options);
  model->Quantize();
  int correct = 0;
  for (const auto& e : examples) correct += (model->Predict(e.features) >= 0.5f) == e.complaint;
  EXPECT_EQ(correct, 400);
}

TEST(Json, TheRecordPartIsValidAndExplains) {
  Triage t;
  PostSignals big;
  big.followers = 50000;
  ComplaintResult r = t.Run("still no refund after 3 weeks, I will contact my lawyer", big);
  std::string out = "{";
  AppendComplaintJson(t.classifier().snapshot(), r, "care", out);
  out += "}";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << out;
  EXPECT_EQ(doc["complaint"]["is_complaint"].get_bool().value(), true);
  EXPECT_EQ(std::string(doc["complaint"]["category"].get_string().value()), "billing_refunds");
  EXPECT_EQ(std::string(doc["complaint"]["queue"].get_string().value()), "care");
  EXPECT_EQ(std::string(doc["intent"].at(0).get_string().value()), "complaint");
  std::string factors;
  for (auto f : doc["complaint"]["priority_factors"].get_array()) {
    factors += std::string(f["factor"].get_string().value()) + ",";
  }
  EXPECT_EQ(factors.rfind("complaint,followers,", 0), 0u) << factors;
  EXPECT_NE(factors.find("legal_threat,"), std::string::npos) << factors;
  std::string reasons;
  for (auto f : doc["complaint"]["reasons"].get_array()) reasons += std::string(f.get_string().value()) + ",";
  EXPECT_NE(reasons.find("cue:money"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("cue:legal"), std::string::npos) << reasons;

  ComplaintResult other = t.Run("Brightbean opens a new shop on Main Street next week");
  out = "{";
  AppendComplaintJson(t.classifier().snapshot(), other, "", out);
  out += "}";
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << out;
  EXPECT_TRUE(doc["complaint"]["category"].is_null());
  EXPECT_TRUE(doc["complaint"]["queue"].is_null());
}

TEST(Mentions, DirectAddress) {
  EXPECT_TRUE(HasMention("@Parcelly where is it"));
  EXPECT_TRUE(HasMention("thanks @x_y"));
  EXPECT_FALSE(HasMention("mail me at jo@example.com"));
  EXPECT_FALSE(HasMention("meet @ 5"));
  EXPECT_FALSE(HasMention("no mention"));
}

}  // namespace
}  // namespace earshot::pipeline::complaints
