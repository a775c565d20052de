// earshot generate's --kafka-property: KEY=VALUE pairs over the generator's producer defaults;
// a malformed pair or a value librdkafka refuses stops it before anything is produced.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace earshot::app
