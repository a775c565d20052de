// Realistic rule sets: the brand and handle lists of ../shared/data/brands (S&P 500, Fortune 500,
// airlines) turned into rules by tests/pipeline/rule_sets.h, each compiled alone and all together,
// and matched against texts whose brands are known; the synthetic rule sets of the benchmarks
// compile. The tests that need ../shared skip with a message when it is absent.
#include "tests/pipeline/rule_sets.h"

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "pipeline/match/matcher.h"
#include "pipeline/match/rule_set.h"
#include "tests/testing/fixtures.h"

namespace earshot::pipeline::match {
namespace {

TEST(RuleSetsTest, Utf16AndCsvHelpers) {
  std::string out;
  ASSERT_TRUE(testing::Utf16ToUtf8(std::string("\xFF\xFE"
                                               "A\0\x19\x20",
                                               6),
                                   out));
  EXPECT_EQ(out, "A\xE2\x80\x99");
  EXPECT_FALSE(testing::Utf16ToUtf8(std::string("\xFF\xFE\x00\xD8", 4), out));  // lone surrogate
  EXPECT_FALSE(testing::Utf16ToUtf8(std::string("\xFF\xFE"
                                                "A",
                                                3),
                                    out));
  auto rows = testing::ParseCsv("a,\"b, c\",\"d \"\"e\"\"\"\r\nx,y\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b, c", "d \"e\""}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(testing::StripCorporateSuffixes("Apple Inc."), "Apple");
  EXPECT_EQ(testing::StripCorporateSuffixes("Booking Holdings"), "Booking");
  EXPECT_EQ(testing::StripCorporateSuffixes("Amazon.com "), "Amazon");
  EXPECT_EQ(testing::StripCorporateSuffixes("Arthur J. Gallagher & Co."), "Arthur J. Gallagher");
  EXPECT_EQ(testing::StripCorporateSuffixes("Alphabet Inc. (Class A)"), "Alphabet");
  EXPECT_EQ(testing::StripCorporateSuffixes("The Home Depot"), "Home Depot");
  EXPECT_EQ(testing::StripCorporateSuffixes("AES Corporation"), "AES");
}

TEST(RuleSetsTest, RealisticRuleSetsCompileAndMatch) {
  EARSHOT_REQUIRE_SHARED(brands_dir, "data/brands/sp500_constituents.csv");
  (void)brands_dir;
  auto loaded = testing::LoadRealisticRules(EARSHOT_SHARED_DIR);
  ASSERT_EQ(loaded.error, "");
  EXPECT_GE(loaded.sp500_rows, 500u);
  EXPECT_EQ(loaded.fortune_rows, 500u);
  EXPECT_GE(loaded.company_brands, 700u);  // the lists overlap
  EXPECT_LE(loaded.company_brands, 1000u);
  EXPECT_GE(loaded.travel_brands, 200u);
  std::cout << "[ realistic ] " << loaded.sp500_rows << " S&P 500 rows, " << loaded.fortune_rows
            << " Fortune 500 rows -> " << loaded.company_brands << " company brands, "
            << loaded.travel_brands << " travel brands\n";

  // Every brand compiles on its own, and all of them together.
  for (const auto& rule : loaded.rules) {
    std::vector<CompileError> errors;
    auto one = RuleSet::Compile({rule}, MatchOptions{}, errors);
    EXPECT_NE(one, nullptr) << rule.id << ": " << rule.query
                            << " :: " << (errors.empty() ? "" : errors[0].message);
  }
  std::vector<CompileError> errors;
  auto rules = RuleSet::Compile(loaded.rules, MatchOptions{}, errors);
  ASSERT_NE(rules, nullptr) << errors[0].message;
  EXPECT_EQ(rules->brands().size(), loaded.rules.size());

  std::map<std::string, std::string> query_of;
  for (const auto& r : loaded.rules) query_of[r.id] = r.query + " / " + r.exclude;
  Matcher matcher(rules);
  MatchResult result;
  auto ids = [&](const std::string& text) {
    ingest::Post post;
    post.text = text;
    matcher.Match(post, result);
    std::set<std::string> out;
    for (size_t i = 0; i < result.count; ++i) {
      out.insert(rules->brands()[result.hits[i].brand].rule.id);
    }
    return out;
  };
  struct Expectation {
    std::string text;
    std::set<std::string> want;
  };
  const std::vector<Expectation> expectations = {
      {"My new iPhone from Apple is great", {"aapl"}},
      {"baking an Apple pie", {}},
      {"Exxon Mobil raises prices", {"xom"}},
      {"Went to Target, then Walmart", {"tgt", "wmt"}},
      {"our target audience", {}},
      {"$MSFT and Microsoft Teams", {"msft"}},
      {"flying @Delta today, Delta Air Lines rocks", {"dal", "iata_dl"}},
      {"the delta variant", {}},
      {"Coca-Cola and McDonald’s", {"ko", "mcd"}},
      {"a gap year in Peru", {}},
      {"@AirCanada lost my bag", {"iata_ac"}},
      {"#airfrance strike", {"iata_af"}},
      {"Alphabet and Google", {"googl"}},
      {"nothing to see here", {}},
  };
  for (const auto& e : expectations) {
    auto got = ids(e.text);
    EXPECT_EQ(got, e.want) << "text: " << e.text;
    for (const auto& id : got) {
      if (!e.want.count(id)) std::cout << "  unexpected " << id << ": " << query_of[id] << "\n";
    }
  }
}

TEST(RuleSetsTest, BenchmarkSizesCompile) {
  auto synthetic = testing::SyntheticRules(2000, 7);
  ASSERT_EQ(synthetic.size(), 2000u);
  std::vector<CompileError> errors;
  auto rules = RuleSet::Compile(synthetic, MatchOptions{}, errors);
  ASSERT_NE(rules, nullptr) << errors[0].message << " in " << synthetic[errors[0].brand].query;
}

}  // namespace
}  // namespace earshot::pipeline::match
