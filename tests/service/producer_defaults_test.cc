// DefaultOutputCompression: no compression when every bootstrap host is on this machine.
#include "app/producer_defaults.h"

#include <gtest/gtest.h>

namespace earshot::app {
namespace {

TEST(ProducerDefaultsTest, LoopbackBootstrapListsAreRecognized) {
  EXPECT_TRUE(AllLoopback("127.0.0.1:9092"));
  EXPECT_TRUE(AllLoopback("127.0.0.1:40001,127.0.0.1:40002,127.0.0.1:40003"));
  EXPECT_TRUE(AllLoopback("localhost:9092, 127.1.2.3:9093"));
  EXPECT_TRUE(AllLoopback("[::1]:9092"));
  EXPECT_TRUE(AllLoopback("PLAINTEXT://localhost:9092"));
  EXPECT_TRUE(AllLoopback("localhost"));  // librdkafka's default port
}

TEST(ProducerDefaultsTest, AnyRemoteHostMakesTheListRemote) {
  EXPECT_FALSE(AllLoopback(""));
  EXPECT_FALSE(AllLoopback(","));
  EXPECT_FALSE(AllLoopback("kafka-0.kafka:9092"));
  EXPECT_FALSE(AllLoopback("127.0.0.1:9092,10.0.0.5:9092"));
  EXPECT_FALSE(AllLoopback("127.example.com:9092"));  // a name, not 127.0.0.0/8
  EXPECT_FALSE(AllLoopback("[2001:db8::1]:9092"));
  EXPECT_FALSE(AllLoopback("SSL://broker.example.com:9093,localhost:9092"));
  EXPECT_FALSE(AllLoopback("[::1:9092"));  // unterminated bracket
}

TEST(ProducerDefaultsTest, CompressionFollowsTheBrokersPlace) {
  EXPECT_EQ(DefaultOutputCompression("127.0.0.1:40001,127.0.0.1:40002"), "none");
  EXPECT_EQ(DefaultOutputCompression("kafka-0.kafka:9092,kafka-1.kafka:9092"), "lz4");
  EXPECT_EQ(DefaultOutputCompression("localhost:9092,kafka-1.kafka:9092"), "lz4");
}

}  // namespace
}  // namespace earshot::app
