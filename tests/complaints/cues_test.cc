// The cue table: file format, errors with file and line, and window lookups.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "pipeline/complaints/cues.h"

namespace earshot::pipeline::complaints {
namespace {

const std::vector<std::string> kCats = {"billing", "delivery", "other"};

uint64_t Window(std::initializer_list<std::string_view> words) {
  uint64_t h = kCueSeed;
  for (auto w : words) h = CombineCueHash(h, CueWordHash(w));
  return h;
}

std::string Build(const std::string& text, CueTable& table) {
  return CueTable::Build({{"cues.tsv", text}}, kCats, table);
}

TEST(CueTable, FamiliesCategoriesAndAlternatives) {
  CueTable t;
  ASSERT_EQ(Build("# comment\n\nrefund|money back\tmoney category:billing\n"
                  "still waiting\twaiting\n",
                  t),
            "");
  EXPECT_EQ(t.size(), 3u);
  const CueEntry* e = t.Find(Window({"refund"}));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->families, 1u << kMoney);
  EXPECT_EQ(e->categories, 1u << 0);
  EXPECT_EQ(e->words, 1);
  e = t.Find(Window({"money", "back"}));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->words, 2);
  EXPECT_EQ(t.Find(Window({"still", "waiting"}))->families, 1u << kWaiting);
  // "money" starts a cue but is not one: its entry only records the longest cue after it.
  ASSERT_NE(t.Find(Window({"money"})), nullptr);
  EXPECT_EQ(t.Find(Window({"money"}))->words, 0);
  EXPECT_EQ(t.Find(Window({"money"}))->longest, 2);
  EXPECT_EQ(t.Find(Window({"refund"}))->longest, 1);
  EXPECT_EQ(t.Find(Window({"back"})), nullptr);
  EXPECT_EQ(t.Find(Window({"waiting", "still"})), nullptr);
}

TEST(CueTable, ApostrophesAndCaseDoNotMatter) {
  CueTable t;
  ASSERT_EQ(Build("can't connect\tfailure\n", t), "");
  EXPECT_NE(t.Find(Window({"cant", "connect"})), nullptr);
  EXPECT_NE(t.Find(Window({"can\xE2\x80\x99t", "connect"})), nullptr);  // U+2019
  EXPECT_NE(t.Find(Window({"CAN'T", "Connect"})), nullptr);
}

TEST(CueTable, RepeatedPhraseKeepsBothTagSets) {
  CueTable t;
  ASSERT_EQ(Build("fee\tmoney\nfee\tcategory:billing category:delivery\n", t), "");
  const CueEntry* e = t.Find(Window({"fee"}));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->families, 1u << kMoney);
  EXPECT_EQ(e->categories, 3u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(CueTable, ErrorsCarryFileAndLine) {
  CueTable t;
  EXPECT_EQ(Build("ok\tmoney\nno tab here\n", t),
            "cues.tsv:2: expected 'phrase<TAB>tags', found 'no tab here'");
  EXPECT_NE(Build("refund\tcash\n", t).find("cues.tsv:1: unknown tag 'cash'"), std::string::npos);
  EXPECT_EQ(Build("\n\nrefund\tcategory:nope\n", t), "cues.tsv:3: unknown category 'nope'");
  EXPECT_EQ(Build("a b c d e\tmoney\n", t), "cues.tsv:1: phrase 'a b c d e' has more than 4 words");
  EXPECT_NE(Build("50% off\tmoney\n", t).find("cues.tsv:1: phrase '50% off' holds '%'"),
            std::string::npos);
  EXPECT_EQ(Build("refund\t \n", t), "cues.tsv:1: expected 'phrase<TAB>tags', found 'refund'");
  EXPECT_EQ(Build("refund|\tmoney\n", t), "cues.tsv:1: empty phrase");
  EXPECT_EQ(CueTable::Build({{"/nonexistent/cues.tsv", ""}}, kCats, t),
            "/nonexistent/cues.tsv: cannot open the cue file");
}

TEST(CueTable, TheShippedFileLoads) {
  CueTable t;
  std::vector<std::string> cats = {"safety", "account_security", "billing_refunds",
                                   "delays_cancellations", "delivery_shipping",
                                   "outage_app_website", "product_quality", "customer_service",
                                   "pricing", "other"};
  ASSERT_EQ(CueTable::Build({{EARSHOT_SOURCE_DIR "/pipeline/complaints/data/cues.tsv", ""}}, cats, t),
            "");
  EXPECT_GT(t.size(), 500u);
  for (int f = 0; f < kFamilyCount; ++f) EXPECT_EQ(FamilyFromName(FamilyName(f)), f);
  EXPECT_EQ(FamilyFromName("nope"), -1);
}

}  // namespace
}  // namespace earshot::pipeline::complaints
