// DecodeDicomJson kernel: DICOM bytes -> one DICOM JSON string.
#include <string>

#include "cc/core/dicom_json.h"
#include "cc/tf/kernel_util.h"
#include "cc/tf/tf_status.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/tensor.h"
#include "tensorflow/core/framework/tensor_shape.h"
#include "tensorflow/core/platform/denormal.h"

namespace tfdicom {
namespace {

using ::tensorflow::OpKernel;
using ::tensorflow::OpKernelConstruction;
using ::tensorflow::OpKernelContext;
using ::tensorflow::Tensor;
using ::tensorflow::tstring;

class DecodeDicomJsonOp : public OpKernel {
 public:
  explicit DecodeDicomJsonOp(OpKernelConstruction* ctx) : OpKernel(ctx) {}

  void Compute(OpKernelContext* ctx) override {
    std::string_view bytes;
    OP_REQUIRES_OK(ctx, ScalarContents(ctx, "decode_dicom_json", &bytes));
    // TensorFlow runs kernels with denormals flushed to zero; the core
    // prints FL and FD values exactly, denormals included.
    tensorflow::port::ScopedDontFlushDenormal dont_flush_denormals;
    std::string json;
    OP_REQUIRES_OK(ctx, ToAbslStatus(DecodeJson(bytes,
                                                &json)));
    Tensor* output = nullptr;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, tensorflow::TensorShape({}), &output));
    output->scalar<tstring>()() = std::move(json);
  }
};

REGISTER_KERNEL_BUILDER(Name("TFDicom>DecodeDicomJson").Device(tensorflow::DEVICE_CPU),
                        DecodeDicomJsonOp);

}  // namespace
}  // namespace tfdicom
