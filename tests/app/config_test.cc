#include "app/config.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace earshot::app {
namespace {

std::vector<std::string> Errors(const std::string& yaml) {
  std::vector<std::string> out;
  for (const auto& e : LoadConfigFromString(yaml, "test.yaml").errors) out.push_back(e.ToString());
  return out;
}

TEST(ConfigTest, LoadsAValidConfig) {
  auto result = LoadConfigFromString(R"(
inputs:
  - name: x
    topic: raw.x
    format: x_v2
  - name: dump
    file: /tmp/dump.json
kafka:
  bootstrap: localhost:9092
  properties:
    fetch.wait.max.ms: 100
limits:
  max_record_bytes: 4096
brands:
  - id: acme
    name: Acme
    query: acme OR @acme
    exclude: '"acme anvil"'
    tags: [retail]
)",
                                     "ok.yaml");
  ASSERT_TRUE(result.ok()) << result.errors[0].ToString();
  const Config& c = *result.config;
  ASSERT_EQ(c.inputs.size(), 2u);
  EXPECT_EQ(c.inputs[0].format, ingest::Format::kXV2);
  EXPECT_EQ(c.inputs[1].format, ingest::Format::kAuto);
  EXPECT_EQ(c.inputs[1].file, "/tmp/dump.json");
  EXPECT_EQ(c.kafka.bootstrap, "localhost:9092");
  EXPECT_EQ(c.kafka.properties.at("fetch.wait.max.ms"), "100");
  EXPECT_EQ(c.max_record_bytes, 4096u);
  ASSERT_EQ(c.brands.size(), 1u);
  EXPECT_EQ(c.brands[0].query, "acme OR @acme");
  EXPECT_EQ(c.brands[0].exclude, "\"acme anvil\"");
  EXPECT_EQ(c.brands[0].query_location.line, 17);  // the raw string opens with a newline
  EXPECT_EQ(c.brands[0].tags, std::vector<std::string>{"retail"});
}

TEST(ConfigTest, UnknownKeyHasPositionAndSuggestion) {
  auto errors = Errors("inputs:\n  - name: x\n    topik: raw.x\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "test.yaml:3:5: unknown key 'topik' in inputs[0]; did you mean 'topic'?");
  EXPECT_EQ(errors[1], "test.yaml:2:5: inputs[0] needs exactly one of 'topic' (Kafka) and 'file'");
}

// Found by fuzz_config: "topic: |" (an empty block scalar) made an input with no topic.
TEST(ConfigTest, EmptyTopicOrFileIsAnError) {
  auto errors = Errors("inputs:\n  - name: a\n    topic: \"\"\n  - name: b\n    file: |\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "test.yaml:3:12: 'topic' in inputs[0] must not be empty");
  EXPECT_EQ(errors[1].substr(0, 51), "test.yaml:5:11: 'file' in inputs[1] must not be emp");
}

TEST(ConfigTest, UnknownTopLevelKeySuggests) {
  auto errors = Errors("inputs: []\nbrand:\n  - id: a\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "test.yaml:2:1: unknown key 'brand' in the config; did you mean 'brands'?");
}

TEST(ConfigTest, NoSuggestionForDistantKeys) {
  auto errors = Errors("inputs: []\nzzzzzzzz: 1\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "test.yaml:2:1: unknown key 'zzzzzzzz' in the config");
}

TEST(ConfigTest, TypeErrorsAreReported) {
  auto errors = Errors(
      "inputs:\n  - name: [a, b]\n    file: f\nlimits:\n  max_record_bytes: lots\nbrands: {}\n");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "test.yaml:2:11: 'name' in inputs[0] must be a string, found a list");
  EXPECT_EQ(errors[1], "test.yaml:5:21: 'max_record_bytes' in limits must be an integer");
  EXPECT_EQ(errors[2], "test.yaml:6:9: 'brands' must be a list, found a mapping");
}

TEST(ConfigTest, RangeAndFormatErrors) {
  auto errors = Errors(
      "inputs:\n  - name: a\n    file: f\n    format: tweets\nlimits:\n  max_record_bytes: 10\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("test.yaml:4:13: unknown format 'tweets'; expected one of auto"),
            std::string::npos);
  EXPECT_EQ(errors[1],
            "test.yaml:6:21: 'max_record_bytes' in limits must be between 1024 and 1073741824, "
            "found 10");
}

TEST(ConfigTest, DuplicateKeysAreErrors) {
  // yaml-cpp keeps a repeated key and reads its first value: the second would be ignored.
  auto errors = Errors(
      "inputs: [{name: a, file: f}]\nlimits:\n  max_record_bytes: 4096\nlimits:\n"
      "  max_record_bytes: 100\nbrands:\n  - id: b\n    query: foo\n    query: bar\n"
      "kafka:\n  consumer:\n    fetch.wait.max.ms: 5\n    fetch.wait.max.ms: 50\n");
  ASSERT_EQ(errors.size(), 3u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], "test.yaml:4:1: duplicate key 'limits' in the config (first at line 2)");
  EXPECT_EQ(errors[1],
            "test.yaml:13:5: duplicate kafka property 'fetch.wait.max.ms' in "
            "'consumer'");
  EXPECT_EQ(errors[2], "test.yaml:9:5: duplicate key 'query' in brands[0] (first at line 8)");
}

TEST(ConfigTest, TopicsThatWouldBreakTheFlowAreErrors) {
  // An input on an output topic reads earshot's own records back; one topic twice is read with
  // one of its formats only; an empty or shared output topic has nowhere sensible to go.
  auto errors = Errors(
      "inputs:\n  - name: a\n    topic: raw\n    format: x_v2\n  - name: b\n    topic: raw\n"
      "    format: reddit\n  - name: c\n    topic: earshot.enriched\n");
  ASSERT_EQ(errors.size(), 2u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], "test.yaml:6:12: topic 'raw' is already the topic of inputs[0]");
  EXPECT_EQ(errors[1],
            "test.yaml:8:5: input topic 'earshot.enriched' is one of earshot's output topics "
            "(topics.enriched, topics.dead_letter, topics.alerts): it would read its own records");
  errors = Errors("inputs: [{name: a, topic: t}]\ntopics:\n  enriched: x\n  dead_letter: ''\n");
  ASSERT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], "test.yaml:4:16: 'dead_letter' in topics must not be empty");
  errors = Errors("inputs: [{name: a, topic: t}]\ntopics: {enriched: x, dead_letter: x}\n");
  ASSERT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  EXPECT_NE(errors[0].find("topics 'enriched' and 'dead_letter' must differ"), std::string::npos);
}

TEST(ConfigTest, KafkaPropertiesAreCheckedByName) {
  auto errors = Errors(
      "inputs: [{name: a, topic: t}]\nkafka:\n  properties:\n    no.such.property: 1\n"
      "  producer:\n    compression.type: zip\n    linger.ms: 5\n");
  ASSERT_EQ(errors.size(), 2u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0].rfind("test.yaml:4:5: kafka property 'no.such.property' in 'properties': "
                            "No such configuration property",
                            0),
            0u)
      << errors[0];
  EXPECT_EQ(errors[1].rfind("test.yaml:6:5: kafka property 'compression.type' in 'producer': ", 0),
            0u)
      << errors[1];
}

TEST(ConfigTest, AutomaticCommitsCannotBeTurnedOn) {
  auto errors = Errors(
      "inputs: [{name: a, topic: t}]\nkafka:\n  consumer:\n    enable.auto.commit: true\n"
      "  properties:\n    enable.auto.offset.store: 'true'\n");
  ASSERT_EQ(errors.size(), 2u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0].rfind("test.yaml:6:31: 'enable.auto.offset.store' cannot be turned on", 0),
            0u)
      << errors[0];
  EXPECT_EQ(errors[1].rfind("test.yaml:4:25: 'enable.auto.commit' cannot be turned on", 0), 0u)
      << errors[1];
  for (const char* off : {"false", "False", "0"}) {
    EXPECT_TRUE(Errors(std::string("inputs: [{name: a, topic: t}]\nkafka:\n  consumer:\n"
                                   "    enable.auto.commit: ") +
                       off + "\n")
                    .empty())
        << off;
  }
}

TEST(ConfigTest, TheCooperativeRebalanceProtocolIsRefused) {
  auto errors = Errors(
      "inputs: [{name: a, topic: t}]\nkafka:\n  consumer:\n"
      "    partition.assignment.strategy: range,cooperative-sticky\n");
  ASSERT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0].rfind("test.yaml:4:36: 'partition.assignment.strategy': the cooperative "
                            "protocol is not supported",
                            0),
            0u)
      << errors[0];
  EXPECT_TRUE(Errors("inputs: [{name: a, topic: t}]\nkafka:\n  consumer:\n"
                     "    partition.assignment.strategy: roundrobin\n")
                  .empty());
}

TEST(ConfigTest, BrandRules) {
  auto errors = Errors(
      "inputs: []\nbrands:\n  - id: Acme\n    query: a\n  - id: b\n    query: x\n  - id: b\n"
      "    query: y\n  - id: c\n");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0],
            "test.yaml:3:9: brand id 'Acme' may hold only lowercase letters, digits, '_' and '-'");
  EXPECT_EQ(errors[1], "test.yaml:7:9: duplicate brand id 'b'");
  EXPECT_EQ(errors[2], "test.yaml:9:5: brands[3] is missing required key 'query'");
}

TEST(ConfigTest, GenericFormatNeedsAMappingOfPointers) {
  auto errors = Errors(
      "inputs:\n  - name: a\n    topic: t\n    format: generic\n  - name: b\n    topic: u\n"
      "    format: generic\n    mapping:\n      id: post/id\n      txt: /t\n");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "test.yaml:2:5: inputs[0] has format 'generic' but no 'mapping'");
  EXPECT_EQ(errors[1],
            "test.yaml:10:7: unknown key 'txt' in inputs[1].mapping; did you mean 'text'?");
  EXPECT_EQ(errors[2], "test.yaml:9:11: 'id' must be a JSON pointer starting with '/'");
}

TEST(ConfigTest, YamlSyntaxErrorHasPosition) {
  auto errors = Errors("inputs:\n  - name: a\n    file: [unclosed\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("test.yaml:", 0), 0u);
  EXPECT_NE(errors[0].find(":4:"), std::string::npos) << errors[0];
}

TEST(ConfigTest, EmptyAndMissingFiles) {
  EXPECT_EQ(Errors(""), std::vector<std::string>{"test.yaml:1:1: the config is empty"});
  auto missing = LoadConfig("/nonexistent/earshot.yaml");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].message, "cannot open the config file");
}

TEST(ConfigTest, ExampleConfigsLoad) {
  for (const char* name : {"examples/earshot.yaml", "examples/kafka-inputs.yaml"}) {
    auto path = std::filesystem::path(EARSHOT_SOURCE_DIR) / name;
    auto result = LoadConfig(path.string());
    EXPECT_TRUE(result.ok()) << name << ": " << (result.ok() ? "" : result.errors[0].ToString());
  }
}

TEST(SuggestKeyTest, PicksTheNearestKnownKey) {
  EXPECT_EQ(SuggestKey("bootstap", {"bootstrap", "group_id"}), "bootstrap");
  EXPECT_EQ(SuggestKey("groupid", {"bootstrap", "group_id"}), "group_id");
  EXPECT_EQ(SuggestKey("nothing", {"bootstrap", "group_id"}), "");
}

TEST(ConfigTest, ComplaintsSection) {
  auto result = LoadConfigFromString(R"(
inputs: [{name: a, file: x}]
brands:
  - {id: acme, query: acme}
complaints:
  model: none
  threshold: 0.6
  cue_files: [extra.tsv]
  categories:
    - {id: loyalty, name: Loyalty, cues: [air miles, points]}
  priority:
    followers: [{at_least: 50000, points: 4}, {at_least: 500, points: 1}]
    sentiment: [{at_most: -0.9, points: 3}]
    urgency: {safety: 5}
    complaint_points: 2
    levels: {p1: 8, p2: 5, p3: 2}
  routing:
    default_queue: care
    rules:
      - {brand: acme, category: [loyalty], priority: P1, lang: en, source: x, intent: [complaint], queue: vip}
)",
                                     "/etc/earshot/c.yaml");
  ASSERT_TRUE(result.ok()) << result.errors[0].ToString();
  const ComplaintsConfig& c = result.config->complaints;
  EXPECT_TRUE(c.present);
  EXPECT_EQ(c.model, "none");
  EXPECT_DOUBLE_EQ(c.threshold, 0.6);
  ASSERT_EQ(c.cue_files.size(), 1u);
  EXPECT_EQ(c.cue_files[0], "/etc/earshot/extra.tsv");  // relative to the config's folder
  ASSERT_EQ(c.categories.size(), 1u);
  EXPECT_EQ(c.categories[0].cues, (std::vector<std::string>{"air miles", "points"}));
  EXPECT_EQ(c.categories[0].where, "/etc/earshot/c.yaml:10:7");
  ASSERT_EQ(c.priority.followers.size(), 2u);
  EXPECT_EQ(c.priority.followers[0].threshold, 50000);
  EXPECT_EQ(c.priority.followers[0].points, 4);
  EXPECT_EQ(c.priority.sentiment[0].threshold, -0.9);
  EXPECT_EQ(c.priority.safety, 5);
  EXPECT_EQ(c.priority.legal, 2);  // default kept
  EXPECT_EQ(c.priority.complaint_base, 2);
  EXPECT_EQ(c.priority.p1, 8);
  ASSERT_EQ(c.routes.size(), 1u);
  EXPECT_EQ(c.routes[0].queue, "vip");
  EXPECT_EQ(c.routes[0].priorities, std::vector<std::string>{"P1"});
  EXPECT_EQ(c.routes[0].where, "/etc/earshot/c.yaml:20:9");
}

TEST(ConfigTest, ComplaintsErrors) {
  auto errors = Errors(R"(inputs: [{name: a, file: x}]
brands: [{id: acme, query: acme}]
complaints:
  treshold: 0.5
  threshold: 2
  enabled: maybe
  categories:
    - {id: Bad-Id, cues: [x]}
    - {id: other, cues: [y]}
  priority:
    followers: [{at_least: 10, points: 1}, {at_least: 1000, points: 2}]
    engagement: [{points: 1}]
    levels: {p1: 2, p2: 3, p3: 1}
  routing:
    rules:
      - {brand: [acme, ghost], queue: q}
      - {category: safety}
)");
  std::vector<std::string> expected = {
      "test.yaml:4:3: unknown key 'treshold' in complaints; did you mean 'threshold'?",
      "test.yaml:6:12: 'enabled' in complaints must be true or false",
      "test.yaml:5:14: 'threshold' in complaints must be between 0.000000 and 1.000000",
      "test.yaml:8:12: category id 'Bad-Id' may hold only lowercase letters, digits and '_'",
      "test.yaml:9:12: category 'other' is built in and takes no cues",
      "test.yaml:11:16: 'followers' in complaints.priority must be ordered from the strongest step "
      "(largest at_least) down",
      "test.yaml:12:18: complaints.priority.engagement[0] is missing required key 'at_least'",
      "test.yaml:13:13: levels must satisfy p1 > p2 > p3 (points needed for each priority)",
      "test.yaml:16:17: unknown brand 'ghost' in complaints.routing.rules[0]",
      "test.yaml:17:9: complaints.routing.rules[1] is missing required key 'queue'",
  };
  EXPECT_EQ(errors, expected);
}

TEST(ConfigTest, MemoryBudget) {
  auto ok = LoadConfigFromString("inputs: [{name: a, topic: t}]\nservice: {memory_budget_mb: 512}\n",
                                 "m.yaml");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.config->service.memory_budget_mb, 512);
  EXPECT_FALSE(ok.config->service.max_inflight_set);
  EXPECT_EQ(Errors("inputs: [{name: a, topic: t}]\nservice: {memory_budget_mb: 8}\n"),
            std::vector<std::string>{
                "test.yaml:2:29: 'memory_budget_mb' in service must be between 32 and 1048576, "
                "found 8"});
}

TEST(ConfigTest, SentimentSection) {
  auto result = LoadConfigFromString(R"(inputs: [{name: a, file: x}]
sentiment:
  engine: lexicon
  thresholds: {positive: 0.1, negative: -0.2}
  ensemble_lexicon_weight: 0.3
  language_gate: false
  model: models/s.model
  lexicons:
    - {path: ours.tsv, scale: 0.5}
    - {path: /opt/vader.txt, format: vader, sha256: ffb6117bfccf798a34e91d72f50604329946e6fd763668092618d5c5b340a298}
  overrides: {united: 0, delayed: -2.5}
)",
                                     "/srv/e/c.yaml");
  ASSERT_TRUE(result.ok()) << result.errors[0].ToString();
  const SentimentConfig& s = result.config->sentiment;
  EXPECT_TRUE(s.present);
  EXPECT_EQ(s.engine, "lexicon");
  EXPECT_DOUBLE_EQ(s.positive_threshold, 0.1);
  EXPECT_DOUBLE_EQ(s.negative_threshold, -0.2);
  EXPECT_DOUBLE_EQ(s.ensemble_lexicon_weight, 0.3);
  EXPECT_FALSE(s.language_gate);
  EXPECT_EQ(s.model, "/srv/e/models/s.model");
  ASSERT_EQ(s.lexicons.size(), 2u);
  EXPECT_EQ(s.lexicons[0].path, "/srv/e/ours.tsv");
  EXPECT_DOUBLE_EQ(s.lexicons[0].scale, 0.5);
  EXPECT_EQ(s.lexicons[1].format, pipeline::sentiment::LexiconFormat::kVader);
  ASSERT_EQ(s.overrides.size(), 2u);
  EXPECT_EQ(s.overrides[1].term, "delayed");
  EXPECT_DOUBLE_EQ(s.overrides[1].valence, -2.5);

  auto errors = Errors(R"(inputs: [{name: a, file: x}]
sentiment:
  engine: magic
  thresholds: {positive: 2}
  lexicons:
    - {path: a.tsv, format: csv, sha256: abc}
  overrides: {bad: 9}
  langauge_gate: true
)");
  std::vector<std::string> expected = {
      "test.yaml:8:3: unknown key 'langauge_gate' in sentiment; did you mean 'language_gate'?",
  };
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0], expected[0]);
  std::string all;
  for (const auto& e : errors) all += e + "\n";
  EXPECT_NE(all.find("test.yaml:3:11: unknown engine 'magic'; expected lexicon, model or ensemble"),
            std::string::npos) << all;
  EXPECT_NE(all.find("test.yaml:4:26: 'positive' in sentiment.thresholds must be between"),
            std::string::npos) << all;
  EXPECT_NE(all.find("unknown lexicon format 'csv'; expected vader or earshot"), std::string::npos)
      << all;
  EXPECT_NE(all.find("'sha256' in sentiment.lexicons[0] must be 64 lowercase hex digits"),
            std::string::npos) << all;
  EXPECT_NE(all.find("test.yaml:7:20: override for 'bad' must be a number between -4 and 4"),
            std::string::npos) << all;
}

}  // namespace
}  // namespace earshot::app
