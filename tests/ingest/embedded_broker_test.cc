// ParseTopicSpec: the NAME[:PARTITIONS] syntax of `earshot broker --topics`.
#include <gtest/gtest.h>

#include <string>

#include "ingest/embedded_broker.h"

namespace earshot::ingest {
namespace {

TEST(TopicSpecTest, NameAloneTakesTheDefaultPartitionCount) {
  TopicSpec spec;
  std::string error;
  ASSERT_TRUE(ParseTopicSpec("bench.raw", 48, spec, error)) << error;
  EXPECT_EQ(spec.name, "bench.raw");
  EXPECT_EQ(spec.partitions, 48);
}

TEST(TopicSpecTest, ACountAfterTheLastColonOverridesTheDefault) {
  TopicSpec spec;
  std::string error;
  ASSERT_TRUE(ParseTopicSpec("bench.live:8", 48, spec, error)) << error;
  EXPECT_EQ(spec.name, "bench.live");
  EXPECT_EQ(spec.partitions, 8);
  ASSERT_TRUE(ParseTopicSpec("a:b:3", 48, spec, error)) << error;
  EXPECT_EQ(spec.name, "a:b");
  EXPECT_EQ(spec.partitions, 3);
}

TEST(TopicSpecTest, BadSpecsAreErrorsNamingTheSpec) {
  for (const char* bad : {"", ":4", "t:", "t:0", "t:-2", "t:4x", "t:99999999999"}) {
    TopicSpec spec;
    std::string error;
    EXPECT_FALSE(ParseTopicSpec(bad, 6, spec, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  TopicSpec spec;
  std::string error;
  ASSERT_FALSE(ParseTopicSpec("t:0", 6, spec, error));
  EXPECT_NE(error.find("'t:0'"), std::string::npos) << error;
}

}  // namespace
}  // namespace earshot::ingest
