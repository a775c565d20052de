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

}  // namespace
}  // namespace earshot::app
