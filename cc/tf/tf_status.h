// core Status -> absl::Status: the one place where the core's errors take
// TensorFlow's form.
#ifndef TFDICOM_CC_TF_TF_STATUS_H_
#define TFDICOM_CC_TF_TF_STATUS_H_

#include "absl/status/status.h"
#include "cc/core/status.h"

namespace tfdicom {

// The contract promises InvalidArgument for every failure caused by the
// input (the message names the cause and keeps the core's finer code as a
// word: DataLoss, OutOfRange, ...); a bug in tfdicom stays Internal.
inline absl::Status ToAbslStatus(const Status& status) {
  switch (status.code()) {
    case Code::kOk: return absl::OkStatus();
    case Code::kInternal: return absl::InternalError(status.message());
    default: return absl::InvalidArgumentError(status.message());
  }
}

}  // namespace tfdicom

#endif  // TFDICOM_CC_TF_TF_STATUS_H_
