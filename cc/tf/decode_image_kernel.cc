// DecodeDicomImage kernel: translates tensors to the core and back.
#include <string>
#include <vector>

#include "cc/core/decode_image.h"
#include "cc/core/options.h"
#include "cc/tf/kernel_util.h"
#include "cc/tf/tf_status.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/tensor.h"
#include "tensorflow/core/framework/tensor_shape.h"
#include "tensorflow/core/platform/denormal.h"
#include "tensorflow/core/platform/logging.h"

namespace tfdicom {
namespace {

using ::tensorflow::DataType;
using ::tensorflow::OpKernel;
using ::tensorflow::OpKernelConstruction;
using ::tensorflow::OpKernelContext;
using ::tensorflow::Tensor;
using ::tensorflow::TensorShape;

absl::Status ToCoreDType(DataType type, DType* out) {
  switch (type) {
    case tensorflow::DT_UINT8: *out = DType::kUint8; break;
    case tensorflow::DT_UINT16: *out = DType::kUint16; break;
    case tensorflow::DT_UINT32: *out = DType::kUint32; break;
    case tensorflow::DT_UINT64: *out = DType::kUint64; break;
    case tensorflow::DT_INT8: *out = DType::kInt8; break;
    case tensorflow::DT_INT16: *out = DType::kInt16; break;
    case tensorflow::DT_INT32: *out = DType::kInt32; break;
    case tensorflow::DT_INT64: *out = DType::kInt64; break;
    case tensorflow::DT_HALF: *out = DType::kFloat16; break;
    case tensorflow::DT_BFLOAT16: *out = DType::kBFloat16; break;
    case tensorflow::DT_FLOAT: *out = DType::kFloat32; break;
    case tensorflow::DT_DOUBLE: *out = DType::kFloat64; break;
    default:
      return absl::InvalidArgumentError("decode_dicom_image: unsupported dtype " +
                                        tensorflow::DataTypeString(type));
  }
  return absl::OkStatus();
}

absl::Status ToTensorShape(const std::vector<int64_t>& dims, TensorShape* shape) {
  return TensorShape::BuildTensorShape(dims, shape);
}

class DecodeDicomImageOp : public OpKernel {
 public:
  explicit DecodeDicomImageOp(OpKernelConstruction* ctx) : OpKernel(ctx) {
    std::string on_error, scale, values;
    DataType dtype;
    int64_t max_output_bytes = 0;
    OP_REQUIRES_OK(ctx, ctx->GetAttr("color_dim", &options_.color_dim));
    OP_REQUIRES_OK(ctx, ctx->GetAttr("on_error", &on_error));
    OP_REQUIRES_OK(ctx, ctx->GetAttr("scale", &scale));
    OP_REQUIRES_OK(ctx, ctx->GetAttr("values", &values));
    OP_REQUIRES_OK(ctx, ctx->GetAttr("dtype", &dtype));
    OP_REQUIRES_OK(ctx, ctx->GetAttr("max_output_bytes", &max_output_bytes));
    OP_REQUIRES_OK(ctx, ToAbslStatus(ParseOnError(on_error, &options_.on_error)));
    OP_REQUIRES_OK(ctx, ToAbslStatus(ParseScale(scale, &options_.scale)));
    OP_REQUIRES_OK(ctx, ToAbslStatus(ParseValues(values, &options_.values)));
    OP_REQUIRES_OK(ctx, ToCoreDType(dtype, &options_.dtype));
    OP_REQUIRES(ctx, max_output_bytes > 0,
                absl::InvalidArgumentError("max_output_bytes must be positive, got " +
                                           std::to_string(max_output_bytes)));
    options_.max_output_bytes = static_cast<uint64_t>(max_output_bytes);
  }

  void Compute(OpKernelContext* ctx) override {
    std::string_view bytes;
    OP_REQUIRES_OK(ctx, ScalarContents(ctx, "decode_dicom_image", &bytes));

    // TensorFlow runs kernels with denormals flushed to zero; float pixel
    // data and rescaled values keep theirs, as in tfdicom.numpy.
    tensorflow::port::ScopedDontFlushDenormal dont_flush_denormals;
    // The image goes into a temporary that becomes the output only once
    // the decode succeeded: a codestream that fails after allocation still
    // leaves output 0 free for the empty result of on_error='skip'.
    Tensor image;
    absl::Status allocation;
    auto allocate = [&](const std::vector<int64_t>& dims) -> void* {
      TensorShape shape;
      allocation = ToTensorShape(dims, &shape);
      if (allocation.ok()) allocation = ctx->allocate_temp(output_type(0), shape, &image);
      return allocation.ok() ? image.data() : nullptr;
    };
    const Status status = DecodeImage(bytes, options_, allocate);
    OP_REQUIRES_OK(ctx, allocation);  // framework failures are never skipped
    if (status.ok()) {
      ctx->set_output(0, image);
      return;
    }
    if (options_.on_error == OnError::kStrict || !IsSkippable(status)) {
      ctx->SetStatus(ToAbslStatus(status));
      return;
    }
    LOG_EVERY_N_SEC(WARNING, 10) << "tfdicom skipped a file (on_error='skip'): "
                                 << status.message();
    TensorShape empty;
    OP_REQUIRES_OK(ctx, ToTensorShape(EmptyShape(options_), &empty));
    Tensor* output = nullptr;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, empty, &output));
  }

 private:
  DecodeOptions options_;
};

REGISTER_KERNEL_BUILDER(Name("TFDicom>DecodeDicomImage").Device(tensorflow::DEVICE_CPU),
                        DecodeDicomImageOp);

}  // namespace
}  // namespace tfdicom
