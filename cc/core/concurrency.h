// How many image decodes this process is running right now, so that a
// decoder can spread one frame over spare cores when it is alone (one big
// JPEG 2000 image) and stay on its own core when the caller already runs
// decodes in parallel (tf.data with num_parallel_calls, Python threads).
#ifndef TFDICOM_CC_CORE_CONCURRENCY_H_
#define TFDICOM_CC_CORE_CONCURRENCY_H_

namespace tfdicom {

// Counts one decode for as long as it lives: DecodeImage holds one.
class ActiveDecode {
 public:
  ActiveDecode();
  ~ActiveDecode();
  ActiveDecode(const ActiveDecode&) = delete;
  ActiveDecode& operator=(const ActiveDecode&) = delete;
};

// The decodes running now, the caller's own included (at least 1).
int ActiveDecodes();

// The threads one decode may use: the CPUs this process may run on, shared
// out among the active decodes, at least 1.
int DecodeThreadBudget();

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_CONCURRENCY_H_
