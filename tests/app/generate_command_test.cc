// earshot generate's --kafka-property: KEY=VALUE pairs over the generator's producer defaults;
// a malformed pair or a value librdkafka refuses stops it before anything is produced. --pool:
// records made up front and sent in turn.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "app/commands.h"

namespace earshot::app {
namespace {

GenerateOptions ToKafka(std::vector<std::string> properties) {
  GenerateOptions options;
  options.to = "kafka";
  options.bootstrap = "127.0.0.1:1";  // never reached: every case fails before producing
  options.count = 1;
  options.kafka_properties = std::move(properties);
  return options;
}

TEST(GenerateCommandTest, RejectsMalformedKafkaProperties) {
  EXPECT_EQ(RunGenerate(ToKafka({"linger.ms"})), kExitUsage);
  EXPECT_EQ(RunGenerate(ToKafka({"=5"})), kExitUsage);
  EXPECT_EQ(RunGenerate(ToKafka({"linger.ms=5", "no-equals-sign"})), kExitUsage);
}

TEST(GenerateCommandTest, PassesKafkaPropertiesToLibrdkafka) {
  // librdkafka itself refuses these, naming them: they reached it.
  for (const std::string property : {"linger.ms", "no.such.property"}) {
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(RunGenerate(ToKafka({property + "=not-a-number"})), kExitRuntime);
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find(property), std::string::npos) << err;
  }
}

// The records `options` writes to stdout, one per line.
std::vector<std::string> StdoutRecords(GenerateOptions options) {
  options.to = "stdout";
  options.duration_s = 0;
  options.rate = 1e9;
  options.brands_file.clear();
  ::testing::internal::CaptureStdout();
  const int rc = RunGenerate(options);
  std::istringstream out(::testing::internal::GetCapturedStdout());
  EXPECT_EQ(rc, kExitOk);
  std::vector<std::string> lines;
  for (std::string line; std::getline(out, line);) lines.push_back(line);
  return lines;
}

TEST(GenerateCommandTest, PoolSendsItsRecordsInTurn) {
  GenerateOptions options;
  options.count = 11;
  options.seed = 3;
  const std::vector<std::string> live = StdoutRecords(options);
  options.pool = 4;
  const std::vector<std::string> pooled = StdoutRecords(options);
  ASSERT_EQ(live.size(), 11u);
  ASSERT_EQ(pooled.size(), 11u);
  // Timestamps come from the wall clock, so two runs compare with their digits masked.
  auto shape = [](std::string s) {
    for (char& c : s) c = (c >= '0' && c <= '9') ? '#' : c;
    return s;
  };
  for (size_t i = 0; i < pooled.size(); ++i) {
    // Sent in turn, byte for byte.
    EXPECT_EQ(pooled[i], pooled[i % 4]) << i;
    // The pool holds the first records the generator makes, so it keeps the generator's mix.
    EXPECT_EQ(shape(pooled[i]), shape(live[i % 4])) << i;
  }
  EXPECT_NE(shape(live[4]), shape(live[0]));
}

TEST(GenerateCommandTest, PoolNeedsTheSteadyScenario) {
  GenerateOptions options;
  options.count = 1;
  options.pool = 2;
  options.scenario = "complaint-storm";
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(RunGenerate(options), kExitUsage);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("--pool"), std::string::npos);
  options.scenario = "steady";
  options.pool = -1;
  EXPECT_EQ(RunGenerate(options), kExitUsage);
}

}  // namespace
}  // namespace earshot::app
