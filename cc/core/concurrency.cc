#include "cc/core/concurrency.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace tfdicom {
namespace {

std::atomic<int> active{0};

// The CPUs the scheduler lets this process use (taskset, cgroup cpusets),
// which can be fewer than the machine has; read once.
int UsableCpus() {
  static const int cpus = [] {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) {
      return CPU_COUNT(&set);
    }
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }();
  return cpus;
}

}  // namespace

ActiveDecode::ActiveDecode() { active.fetch_add(1, std::memory_order_relaxed); }
ActiveDecode::~ActiveDecode() { active.fetch_sub(1, std::memory_order_relaxed); }

int ActiveDecodes() { return std::max(1, active.load(std::memory_order_relaxed)); }

int DecodeThreadBudget() { return std::max(1, UsableCpus() / ActiveDecodes()); }

}  // namespace tfdicom
