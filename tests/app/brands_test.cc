#include "app/brands.h"

#include <gtest/gtest.h>

namespace earshot::app {
namespace {

std::vector<std::string> BrandErrors(const std::string& yaml) {
  auto loaded = LoadConfigFromString(yaml, "b.yaml");
  EXPECT_TRUE(loaded.ok()) << loaded.errors[0].ToString();
  std::vector<ConfigError> errors;
  auto rules = CompileBrands(*loaded.config, errors);
  EXPECT_EQ(rules == nullptr, !errors.empty());
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.ToString());
  return out;
}

TEST(CompileBrandsTest, QueryErrorsPointIntoTheYaml) {
  auto errors = BrandErrors(
      "inputs: []\n"
      "brands:\n"
      "  - id: plain\n"
      "    query: apple AND\n"
      "  - id: quoted\n"
      "    query: 'apple NEAR b'\n"
      "  - id: excl\n"
      "    query: apple\n"
      "    exclude: \"(pie\"\n");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0],
            "b.yaml:4:21: brand 'plain' query: expected a term, phrase, field filter or '(' after "
            "AND, found the end of the query");
  EXPECT_EQ(errors[1],
            "b.yaml:6:19: brand 'quoted' query: NEAR needs a distance: write NEAR/n (or NEAR/nf "
            "for in order)");
  EXPECT_EQ(errors[2],
            "b.yaml:9:19: brand 'excl' exclude: expected ')' to close the '(' at offset 0");
}

// Positions are found by reading the scalar back from the YAML: escapes, '' and folded lines.
TEST(CompileBrandsTest, QueryErrorsPointIntoEscapedAndFoldedScalars) {
  auto errors = BrandErrors(
      "inputs: []\n"
      "brands:\n"
      "  - id: escaped\n"
      "    query: \"\\\"nimbus air\\\" \\u00e9t\\u00e9 NEAR x\"\n"
      "  - id: single\n"
      "    query: 'it''s OR AND'\n"
      "  - id: plain\n"
      "    query: apple OR\n"
      "      pear NEAR b\n"
      "  - id: folded\n"
      "    query: >\n"
      "      apple OR\n"
      "      (pear\n"
      "  - id: literal\n"
      "    query: |\n"
      "      apple\n"
      "      NEAR\n"
      "  - id: joined\n"
      "    query: \"apple \\\n"
      "      OR NOT\"\n");
  ASSERT_EQ(errors.size(), 6u);
  // "\"nimbus air\" été NEAR x": NEAR is byte 19 of the value and column 42 of line 4,
  // after two \" and two \u00e9 (6 columns for 2 bytes each).
  EXPECT_EQ(errors[0].substr(0, 50), "b.yaml:4:42: brand 'escaped' query: NEAR needs a d");
  EXPECT_EQ(errors[1].substr(0, 35), "b.yaml:6:22: brand 'single' query: ");  // at AND
  EXPECT_EQ(errors[2].substr(0, 34), "b.yaml:9:12: brand 'plain' query: ");
  // The end of the query: after "(pear", not on the next line.
  EXPECT_EQ(errors[3],
            "b.yaml:13:12: brand 'folded' query: expected ')' to close the '(' at offset 9");
  EXPECT_EQ(errors[4].substr(0, 37), "b.yaml:17:7: brand 'literal' query: N");
  EXPECT_EQ(errors[5].substr(0, 36), "b.yaml:20:13: brand 'joined' query: ");
}

// Cases found in review: an empty line inside a folded scalar is one '\n' (not a space and a
// '\n'), a block whose first line is empty, yaml-cpp decoding "\_" to one byte, CRLF files.
TEST(CompileBrandsTest, QueryErrorsPointIntoBlockScalarsWithEmptyLines) {
  auto errors = BrandErrors(
      "inputs: []\n"
      "brands:\n"
      "  - id: folded\n"
      "    query: >\n"
      "      apple OR\n"
      "\n"
      "      NEAR\n"
      "  - id: literal\n"
      "    query: |\n"
      "\n"
      "      apple\n"
      "      NEAR\n"
      "  - id: nbsp\n"
      "    query: \"a\\_ NEAR\"\n");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].rfind("b.yaml:7:7: brand 'folded' query: NEAR needs", 0), 0u) << errors[0];
  EXPECT_EQ(errors[1].rfind("b.yaml:12:7: brand 'literal' query: NEAR needs", 0), 0u) << errors[1];
  EXPECT_EQ(errors[2].rfind("b.yaml:14:17: brand 'nbsp' query: NEAR needs", 0), 0u) << errors[2];
  auto crlf = BrandErrors(
      "inputs: []\r\nbrands:\r\n  - id: a\r\n    query: apple OR\r\n"
      "      pear NEAR b\r\n");
  ASSERT_EQ(crlf.size(), 1u);
  EXPECT_EQ(crlf[0].substr(0, 30), "b.yaml:5:12: brand 'a' query: ");
}

TEST(CompileBrandsTest, MatchingLimitsComeFromConfig) {
  auto loaded = LoadConfigFromString(
      "inputs: []\nmatching:\n  max_mem_bytes: 16777216\n  patterns_per_set: 1\n"
      "brands:\n  - id: a\n    query: x OR y\n",
      "m.yaml");
  ASSERT_TRUE(loaded.ok());
  std::vector<ConfigError> errors;
  EXPECT_EQ(CompileBrands(*loaded.config, errors), nullptr);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].ToString(),
            "m.yaml:3:3: matching.max_mem_bytes allows only 8 MiB for each of 2 pattern sets; at "
            "least 16 MiB each is needed");
}

TEST(CompileBrandsTest, ExampleBrandsCompile) {
  auto loaded = LoadConfig(std::string(EARSHOT_SOURCE_DIR) + "/examples/earshot.yaml");
  ASSERT_TRUE(loaded.ok());
  std::vector<ConfigError> errors;
  auto rules = CompileBrands(*loaded.config, errors);
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(rules->brands().size(), 3u);
}

}  // namespace
}  // namespace earshot::app
