// The /proc readers behind `earshot bench`'s CPU account: stat lines whose command names hold
// spaces and parentheses, thread roles by name, and live figures for this test process.
#include "app/proc_cpu.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace earshot::app {
namespace {

TEST(ProcCpuTest, ParsesUtimePlusStime) {
  // Fields 14 and 15 (utime, stime) are 1234 and 56.
  EXPECT_EQ(ParseStatCpuTicks("4242 (earshot-w0) S 1 4242 4242 0 -1 4194368 100 0 0 0 1234 56 0 0 "
                              "20 0 9 0 100 1000000 500 18446744073709551615"),
            1290u);
  // A name with spaces and a closing parenthesis: counting starts after the last ')'.
  EXPECT_EQ(ParseStatCpuTicks("7 (a b) c)) R 1 7 7 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0"), 30u);
  EXPECT_EQ(ParseStatCpuTicks(""), std::nullopt);
  EXPECT_EQ(ParseStatCpuTicks("7 (short) R 1 7 7"), std::nullopt);  // ends before stime
  EXPECT_EQ(ParseStatCpuTicks("7 (x) R 1 7 7 0 -1 0 0 0 0 0 1x 2 0"), std::nullopt);
}

TEST(ProcCpuTest, TellsThreadRolesByName) {
  EXPECT_EQ(RoleOfThread("earshot-w0", "earshot"), ThreadRole::kWorker);
  EXPECT_EQ(RoleOfThread("earshot-w12", "earshot"), ThreadRole::kWorker);
  EXPECT_EQ(RoleOfThread("rdk:broker1", "earshot"), ThreadRole::kKafka);
  EXPECT_EQ(RoleOfThread("rdk:main", "earshot"), ThreadRole::kKafka);
  EXPECT_EQ(RoleOfThread("earshot", "earshot"), ThreadRole::kConsumer);
  EXPECT_EQ(RoleOfThread("civetweb-worker", "earshot"), ThreadRole::kOther);
  // The kernel cuts names to 15 bytes.
  EXPECT_EQ(RoleOfThread("integration_tes", "integration_tests"), ThreadRole::kConsumer);
}

TEST(ProcCpuTest, CountsABusyWorkerThreadOfThisProcess) {
  const CpuByRole before = ThreadCpu(getpid());
  std::atomic<bool> stop{false};
  std::thread busy([&] {
    pthread_setname_np(pthread_self(), "earshot-w7");
    volatile uint64_t x = 0;
    while (!stop.load(std::memory_order_relaxed)) x = x + 1;
  });
  // Spin until the kernel has charged it at least five clock ticks (bounded: 5 s).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  double worker = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    worker = ThreadCpu(getpid()).worker;
    if (worker - before.worker >= 0.05) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const CpuByRole during = ThreadCpu(getpid());
  stop = true;
  busy.join();
  EXPECT_GE(during.worker - before.worker, 0.05);
  EXPECT_GE(during.total(), during.worker);
  // The process's own figure includes the finished thread. The kernel splits each run time into
  // user and system time and truncates both to clock ticks, for the process and for each thread
  // on its own, so the two readings may differ by up to two ticks either way.
  const double tick = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  EXPECT_GE(ProcessCpu(getpid()) + 2 * tick, during.worker);
  EXPECT_EQ(ProcessCpu(-1), 0.0);
}

}  // namespace
}  // namespace earshot::app
