// Integration tests of `earshot run` on the embedded broker: no record lost across a SIGKILL and
// restart, an offset reset past retention, instances joining and leaving, rebalances of paused
// partitions and timed-out revokes, and broker faults.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/service_fixture.h"

namespace earshot::testing {
namespace {

TEST_F(ServiceTest, NoLossAcrossSigkillAndRestart) {
  std::string path = WriteConfig();
  auto config = Load(path);
  constexpr int kRecords = 40000, kChunks = 20;
  auto records = Generate(kRecords, 11, 0.005);
  Expected expected = ExpectedOutputs(*config, records);
  // Records keep arriving while the first process runs and it is killed while they still do,
  // so the kill lands mid-stream by construction (not by timing).
  constexpr int kChunk = kRecords / kChunks;
  auto chunk = [&](int c) {
    auto first = records.begin() + c * kChunk;
    return std::vector<app::GeneratedRecord>(first, first + kChunk);
  };
  for (int c = 0; c < 5; ++c) ASSERT_TRUE(ProduceAll(bootstrap_, chunk(c)));
  std::atomic<int> produced{5 * kChunk};
  std::atomic<bool> produced_all{false};
  auto spawn = [&] {
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 2);
      execl(EARSHOT_BINARY, EARSHOT_BINARY, "run", "-c", path.c_str(), nullptr);
      _exit(127);
    }
    return pid;
  };
  pid_t first = spawn();
  ASSERT_GT(first, 0);
  bool progressed = WaitFor([&] { return Committed() > 2000; }, 60);
  std::thread producer([&] {
    for (int c = 5; c < kChunks; ++c) {
      EXPECT_TRUE(ProduceAll(bootstrap_, chunk(c)));
      produced.fetch_add(kChunk);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    produced_all.store(true);
  });
  WaitFor([&] { return produced.load() >= 10 * kChunk; }, 60);
  kill(first, SIGKILL);
  int produced_at_kill = produced.load();
  int status = 0;
  waitpid(first, &status, 0);
  if (!progressed || produced_at_kill >= kRecords) producer.join();
  ASSERT_TRUE(progressed) << "no progress before the kill";
  ASSERT_LT(produced_at_kill, kRecords) << "the producer finished before the kill";
  int64_t at_kill = Committed();
  pid_t second = spawn();
  ASSERT_GT(second, 0);
  if (producer.joinable()) producer.join();
  EXPECT_LE(at_kill, produced_at_kill) << "nothing is committed before it is produced";
  EXPECT_TRUE(WaitFor([&] { return produced_all.load() && Committed() == InputEnd(); }, 120))
      << "committed " << Committed() << " of " << InputEnd();
  EXPECT_EQ(InputEnd(), kRecords);
  kill(second, SIGTERM);
  waitpid(second, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  Pairs got = EnrichedPairs(ReadTopic(bootstrap_, "earshot.enriched"));
  EXPECT_EQ(Unique(got), Unique(expected.pairs)) << "every expected output at least once";
  int64_t duplicates = static_cast<int64_t>(got.size() - expected.pairs.size());
  EXPECT_GE(duplicates, 0);
  EXPECT_LE(duplicates, static_cast<int64_t>(expected.pairs.size()) / 2) << "bounded duplicates";
  std::fprintf(stderr, "sigkill: committed %lld at kill; %lld duplicate outputs of %zu\n",
               static_cast<long long>(at_kill), static_cast<long long>(duplicates),
               expected.pairs.size());
}

// The one loss earshot cannot prevent: records the broker dropped (retention) before it read
// them. It must count them, so that consumed + skipped covers every record in the partition.
TEST_F(ServiceTest, CountsRecordsLostToRetentionOnAnOffsetReset) {
  auto config = Load(WriteConfig());
  auto rules = Rules(*config);
  constexpr int kFirst = 10, kBig = 70;
  std::vector<app::GeneratedRecord> first, big;
  for (int i = 0; i < kFirst; ++i) first.push_back({"raw.x", "one-partition", "{\"broken"});
  // 7 MiB more in the same partition: the mock keeps about 5 MiB a partition, so the committed
  // offset (10) is gone when the next instance asks for it.
  for (int i = 0; i < kBig; ++i)
    big.push_back({"raw.x", "one-partition", std::string(100000, 'x')});

  auto a = StartService(config, rules, bootstrap_);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(ProduceAll(bootstrap_, first));
  ASSERT_TRUE(WaitFor([&] { return Committed() == kFirst; }, 60)) << Committed();
  EXPECT_EQ(a->Stop(), 0);
  ASSERT_TRUE(ProduceAll(bootstrap_, big));

  auto b = StartService(config, rules, bootstrap_);
  ASSERT_NE(b, nullptr);
  auto metric = [&](std::string_view name) {
    std::string body;
    if (HttpGet(b->service->admin_port(), "/metrics", &body) != 200) return 0.0;
    const std::string line = "\n" + std::string(name) + "{topic=\"raw.x\"} ";
    const size_t at = body.find(line);
    return at == std::string::npos ? 0.0 : std::atof(body.c_str() + at + line.size());
  };
  auto consumed = [&] { return b->service->stats().consumed.load(); };
  auto skipped = [&] { return metric("earshot_kafka_consumer_records_skipped_total"); };
  EXPECT_TRUE(WaitFor([&] { return consumed() + skipped() >= kBig; }, 60))
      << "consumed " << consumed() << ", skipped " << skipped();
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 30));
  EXPECT_GE(metric("earshot_kafka_consumer_offset_resets_total"), 1.0);
  EXPECT_GT(skipped(), 0.0);
  EXPECT_LT(consumed(), kBig) << "the broker dropped some: they cannot all have been read";
  EXPECT_EQ(consumed() + static_cast<int64_t>(skipped()), kBig) << "each record counted once";
  EXPECT_EQ(b->Stop(), 0);
}

TEST_F(ServiceTest, NoLossWhenASecondInstanceJoinsAndLeaves) {
  auto config = Load(WriteConfig());
  auto records = Generate(20000, 13, 0.005);
  Expected expected = ExpectedOutputs(*config, records);
  auto rules = Rules(*config);
  auto a = StartService(config, rules, bootstrap_);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(WaitFor([&] { return a->service->stats().assigned_partitions.load() > 0; }, 30));
  std::vector<app::GeneratedRecord> first(records.begin(), records.begin() + 10000);
  std::vector<app::GeneratedRecord> second(records.begin() + 10000, records.end());
  ASSERT_TRUE(ProduceAll(bootstrap_, first));
  auto b = StartService(config, rules, bootstrap_);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(WaitFor([&] { return b->service->stats().assigned_partitions.load() > 0; }, 30))
      << "the second instance never got partitions";
  ASSERT_TRUE(ProduceAll(bootstrap_, second));
  EXPECT_TRUE(WaitFor([&] { return b->service->stats().consumed.load() > 0; }, 30));
  EXPECT_EQ(b->Stop(), 0);  // leaves the group: a rebalance moves its partitions back
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 90))
      << "committed " << Committed() << " of " << InputEnd();
  EXPECT_EQ(a->Stop(), 0);
  int64_t consumed = a->service->stats().consumed.load() + b->service->stats().consumed.load();
  EXPECT_GE(consumed, 20000);
  EXPECT_EQ(EnrichedUnique(), Unique(expected.pairs));
}

// Backpressure and a rebalance together: the output broker is down, so records pile up in
// flight until the service pauses its partitions; a second instance joins while they are paused,
// the broker comes back, the second instance leaves. Every partition must be fetched again after
// each assignment (librdkafka keeps a paused partition paused across unassign and assign).
TEST_F(ServiceTest, PausedPartitionsAreFetchedAgainAfterARebalance) {
  auto config = Load(WriteConfig("  memory_budget_mb: 32\n"));
  auto rules = Rules(*config);
  auto records = Generate(12000, 29, 0.0);
  Expected expected = ExpectedOutputs(*config, records);
  auto a = StartWithOutputsDown(config, rules, records);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(WaitFor([&] { return PausedPartitions(a->service->admin_port()) > 0; }, 60))
      << "no partition was paused while nothing could be delivered";
  const int64_t consumed_while_blocked = a->service->stats().consumed.load();
  EXPECT_LT(consumed_while_blocked, static_cast<int64_t>(records.size()));
  // The second instance's join revokes the first one's partitions while they are paused. The
  // broker comes back while the first instance drains in its revoke callback (the embedded
  // broker completes a rebalance after session.timeout.ms - 1 s, so a member still draining
  // then is dropped from the group instead).
  auto b = StartService(config, rules, bootstrap_);
  ASSERT_NE(b, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  broker_->SetBrokerDown(kOutputBroker, false);
  EXPECT_TRUE(WaitFor([&] { return b->service->stats().assigned_partitions.load() > 0; }, 60))
      << "the second instance never got partitions";
  EXPECT_TRUE(WaitFor([&] { return b->service->stats().consumed.load() > 0; }, 60));
  EXPECT_EQ(b->Stop(), 0);
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 120))
      << "committed " << Committed() << " of " << InputEnd();
  EXPECT_EQ(a->Stop(), 0);
  EXPECT_EQ(EnrichedUnique(), Unique(expected.pairs));
}

// A revoke whose drain times out (the output broker is down) leaves work running; when the
// instance gets those partitions back, that work must not finish the new assignment's records.
TEST_F(ServiceTest, WorkLeftByATimedOutRevokeStaysApartFromTheNextAssignment) {
  auto config = Load(WriteConfig("  memory_budget_mb: 32\n", 1 << 20, 1500));
  auto rules = Rules(*config);
  auto records = Generate(8000, 31, 0.0);
  Expected expected = ExpectedOutputs(*config, records);
  auto a = StartWithOutputsDown(config, rules, records);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(WaitFor([&] { return a->service->stats().consumed.load() > 0; }, 30));
  // The join revokes everything from the first instance, whose 1.5 s drain cannot finish;
  // it gets half of the partitions back.
  auto b = StartService(config, rules, bootstrap_);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(WaitFor([&] { return b->service->stats().assigned_partitions.load() > 0; }, 60));
  EXPECT_TRUE(WaitFor([&] { return a->service->stats().assigned_partitions.load() > 0; }, 30));
  const auto& stats = a->service->stats();
  const int64_t reassigned = stats.reassigned_unfinished.load();
  EXPECT_GT(reassigned, 0);
  broker_->SetBrokerDown(kOutputBroker, false);
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 120))
      << "committed " << Committed() << " of " << InputEnd();

  // Again, with the old work finished: the output broker down, more records, and the second
  // instance leaving, so that the first is revoked with work unfinished once more. The slots
  // that kept the first round's work are idle now and are reused before any slot is added: the
  // count of slots, 16 bits of every delivery token, does not grow with each such round.
  const int admin = a->service->admin_port();
  EXPECT_TRUE(WaitFor(
      [&] {
        std::string body;  // read, not taken as 0 when /metrics cannot be read
        return HttpGet(admin, "/metrics", &body) == 200 &&
               body.find("\nearshot_records_in_flight{kind=\"current\"} 0\n") != std::string::npos;
      },
      60))
      << "the first round's work did not finish";
  const int64_t slots = stats.partition_slots.load();
  broker_->SetBrokerDown(kOutputBroker, true);
  auto more = Generate(4000, 32, 0.0);
  Expected expected_more = ExpectedOutputs(*config, more);
  const int64_t consumed = stats.consumed.load();
  ASSERT_TRUE(ProduceAll(bootstrap_, more));
  ASSERT_TRUE(WaitFor([&] { return stats.consumed.load() > consumed; }, 30));
  b->Stop();  // may report an unclean drain: it took over partitions with work outstanding
  // Every partition back on the first instance: the rebalance and its replacements are done.
  const int partitions = static_cast<int>(kInputs.size()) * kPartitions;
  EXPECT_TRUE(WaitFor([&] { return stats.assigned_partitions.load() == partitions; }, 60));
  EXPECT_GT(stats.reassigned_unfinished.load(), reassigned);
  const int64_t replaced_again = stats.reassigned_unfinished.load() - reassigned;
  EXPECT_EQ(stats.partition_slots.load(), slots + std::max<int64_t>(0, replaced_again - reassigned))
      << reassigned << " slots retired in the first round, " << replaced_again << " in the second";
  broker_->SetBrokerDown(kOutputBroker, false);
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 120))
      << "committed " << Committed() << " of " << InputEnd();
  EXPECT_EQ(a->Stop(), 0);
  Pairs all = expected.pairs;
  all.insert(expected_more.pairs.begin(), expected_more.pairs.end());
  EXPECT_EQ(EnrichedUnique(), Unique(all));
}

// A consumer paused for backpressure still serves its group. The output broker stays down
// while a second instance joins: the first instance, congested and paused, must take part in the
// rebalance (revoke, drain until its deadline, rejoin) and end up sharing the partitions, rather
// than stop polling until the embedded broker drops it from the group (after session.timeout.ms
// - 1 s) and the second instance takes everything.
TEST_F(ServiceTest, APausedInstanceTakesPartInARebalance) {
  auto config = Load(WriteConfig("  memory_budget_mb: 32\n", 1 << 20, 1500));
  auto rules = Rules(*config);
  auto records = Generate(12000, 37, 0.0);
  Expected expected = ExpectedOutputs(*config, records);
  auto a = StartWithOutputsDown(config, rules, records);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(WaitFor([&] { return PausedPartitions(a->service->admin_port()) > 0; }, 60))
      << "no partition was paused while nothing could be delivered";
  auto b = StartService(config, rules, bootstrap_);
  ASSERT_NE(b, nullptr);
  const int64_t total = static_cast<int64_t>(kInputs.size()) * kPartitions;
  auto shared = [&] {
    const int64_t in_a = a->service->stats().assigned_partitions.load();
    const int64_t in_b = b->service->stats().assigned_partitions.load();
    return in_a > 0 && in_b > 0 && in_a + in_b == total;
  };
  EXPECT_TRUE(WaitFor(shared, 30))
      << "first instance " << a->service->stats().assigned_partitions.load() << ", second instance "
      << b->service->stats().assigned_partitions.load() << " of " << total
      << " partitions while the first was paused";
  broker_->SetBrokerDown(kOutputBroker, false);
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 120))
      << "committed " << Committed() << " of " << InputEnd();
  b->Stop();  // may report an unclean drain: it took over partitions with work outstanding
  EXPECT_EQ(a->Stop(), 0);
  EXPECT_EQ(EnrichedUnique(), Unique(expected.pairs));
}

TEST_F(ServiceTest, NoLossThroughBrokerFaults) {
  auto config = Load(WriteConfig());
  auto records = Generate(12000, 17, 0.005);
  Expected expected = ExpectedOutputs(*config, records);
  auto running = StartService(config, Rules(*config), bootstrap_);
  ASSERT_NE(running, nullptr);
  ASSERT_TRUE(
      WaitFor([&] { return running->service->stats().assigned_partitions.load() > 0; }, 30));
  std::vector<app::GeneratedRecord> part;
  auto batch = [&](size_t from, size_t to) {
    return std::vector<app::GeneratedRecord>(records.begin() + static_cast<long>(from),
                                             records.begin() + static_cast<long>(to));
  };
  ASSERT_TRUE(ProduceAll(bootstrap_, batch(0, 4000)));
  // A broker goes down and comes back while records flow.
  broker_->SetBrokerDown(2, true);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  broker_->SetBrokerDown(2, false);
  ASSERT_TRUE(ProduceAll(bootstrap_, batch(4000, 8000)));
  // Leaders of the output partitions move; Produce requests fail with retriable errors.
  for (int p = 0; p < kPartitions; ++p)
    broker_->SetPartitionLeader("earshot.enriched", p, 1 + p % 3);
  constexpr int kProduceApi = 0, kNotLeader = 6;
  broker_->PushRequestErrors(kProduceApi, 20, kNotLeader);
  ASSERT_TRUE(ProduceAll(bootstrap_, batch(8000, 12000)));
  EXPECT_TRUE(WaitFor([&] { return Committed() == InputEnd(); }, 120))
      << "committed " << Committed() << " of " << InputEnd();
  EXPECT_EQ(running->Stop(), 0);
  EXPECT_EQ(EnrichedUnique(), Unique(expected.pairs));
  const auto& st = running->service->stats();
  EXPECT_EQ(st.enriched.load() + st.filtered.load() + st.dead_lettered.load(), st.consumed.load());
}

}  // namespace
}  // namespace earshot::testing
