// What every tfdicom kernel does first: take its contents input as one
// DICOM file's bytes, refusing any other shape by name.
#ifndef TFDICOM_CC_TF_KERNEL_UTIL_H_
#define TFDICOM_CC_TF_KERNEL_UTIL_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/tensor.h"
#include "tensorflow/core/framework/tensor_shape.h"

namespace tfdicom {

// Points `*bytes` at input 0, which must be a scalar string; `op` names the
// op in the error ("decode_dicom_data: contents must be a scalar ...").
inline absl::Status ScalarContents(tensorflow::OpKernelContext* ctx, const char* op,
                                   std::string_view* bytes) {
  const tensorflow::Tensor& contents = ctx->input(0);
  if (!tensorflow::TensorShapeUtils::IsScalar(contents.shape())) {
    return absl::InvalidArgumentError(std::string(op) +
                                      ": contents must be a scalar string, got shape " +
                                      contents.shape().DebugString());
  }
  const tensorflow::tstring& value = contents.scalar<tensorflow::tstring>()();
  *bytes = std::string_view(value.data(), value.size());
  return absl::OkStatus();
}

}  // namespace tfdicom

#endif  // TFDICOM_CC_TF_KERNEL_UTIL_H_
