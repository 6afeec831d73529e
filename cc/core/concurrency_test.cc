// The in-flight decode count that decides how many threads one JPEG 2000
// frame may use.
#include "cc/core/concurrency.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

namespace tfdicom {
namespace {

int Cpus() {
  cpu_set_t set;
  return sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
                                                      : std::thread::hardware_concurrency();
}

TEST(Concurrency, CountsTheDecodesInFlight) {
  EXPECT_EQ(ActiveDecodes(), 1);  // none running: the caller counts as one
  {
    const ActiveDecode first;
    EXPECT_EQ(ActiveDecodes(), 1);
    const ActiveDecode second;
    EXPECT_EQ(ActiveDecodes(), 2);
  }
  EXPECT_EQ(ActiveDecodes(), 1);
}

TEST(Concurrency, SharesTheCpusOutAmongDecodes) {
  const int cpus = Cpus();
  const ActiveDecode alone;
  EXPECT_EQ(DecodeThreadBudget(), cpus);
  const ActiveDecode second;
  EXPECT_EQ(DecodeThreadBudget(), std::max(1, cpus / 2));
  {
    const std::unique_ptr<ActiveDecode[]> many(new ActiveDecode[static_cast<size_t>(cpus) * 2]);
    EXPECT_EQ(DecodeThreadBudget(), 1);  // never less than one
  }
  EXPECT_EQ(DecodeThreadBudget(), std::max(1, cpus / 2));
}

TEST(Concurrency, CountsFromManyThreads) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < 1000; ++i) {
        const ActiveDecode counted;
        EXPECT_GE(ActiveDecodes(), 1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ActiveDecodes(), 1);
}

}  // namespace
}  // namespace tfdicom
