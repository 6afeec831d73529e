// DecodeDicomData kernel: tags (integers or strings) -> core tag paths ->
// one string per tag, in the shape of `tags`.
#include <cstdint>
#include <string>
#include <vector>

#include "cc/core/decode_data.h"
#include "cc/core/tag_path.h"
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

absl::Status ToTagPath(uint32_t tag, int64_t /*index*/, TagPath* path) {
  *path = TagPathOf(tag);
  return absl::OkStatus();
}

// int32 and int64 tags must lie in [0, 2^32): a negative or larger number
// is not (group << 16) | element of any tag.
absl::Status ToTagPath(int64_t tag, int64_t index, TagPath* path) {
  if (tag < 0 || tag > 0xFFFFFFFFll) {
    return absl::InvalidArgumentError(
        "decode_dicom_data: tags[" + std::to_string(index) + "] = " + std::to_string(tag) +
        " is not a tag: a tag is (group << 16) | element, in [0, 0xFFFFFFFF]");
  }
  *path = TagPathOf(static_cast<uint32_t>(tag));
  return absl::OkStatus();
}

absl::Status ToTagPath(int32_t tag, int64_t index, TagPath* path) {
  return ToTagPath(static_cast<int64_t>(tag), index, path);
}

absl::Status ToTagPath(const tstring& tag, int64_t index, TagPath* path) {
  const Status status = ParseTagPath(std::string_view(tag.data(), tag.size()), path);
  return ToAbslStatus(status.WithContext("decode_dicom_data: tags[" + std::to_string(index) +
                                         "] = '" + std::string(tag.data(), tag.size()) + "'"));
}

template <typename T>
class DecodeDicomDataOp : public OpKernel {
 public:
  explicit DecodeDicomDataOp(OpKernelConstruction* ctx) : OpKernel(ctx) {}

  void Compute(OpKernelContext* ctx) override {
    std::string_view bytes;
    OP_REQUIRES_OK(ctx, ScalarContents(ctx, "decode_dicom_data", &bytes));
    const Tensor& tags = ctx->input(1);
    const auto flat_tags = tags.flat<T>();
    std::vector<TagPath> paths(flat_tags.size());
    for (int64_t i = 0; i < flat_tags.size(); ++i) {
      OP_REQUIRES_OK(ctx, ToTagPath(flat_tags(i), i, &paths[i]));
    }
    // TensorFlow runs kernels with denormals flushed to zero; the core
    // prints FL and FD values exactly, denormals included.
    tensorflow::port::ScopedDontFlushDenormal dont_flush_denormals;
    std::vector<std::string> values;
    OP_REQUIRES_OK(ctx, ToAbslStatus(DecodeData(bytes,
                                                paths, &values)));
    Tensor* output = nullptr;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, tags.shape(), &output));
    auto flat_output = output->flat<tstring>();
    for (int64_t i = 0; i < flat_output.size(); ++i) flat_output(i) = std::move(values[i]);
  }
};

#define TFDICOM_REGISTER_DECODE_DATA(T)                                    \
  REGISTER_KERNEL_BUILDER(Name("TFDicom>DecodeDicomData")                  \
                              .Device(tensorflow::DEVICE_CPU)              \
                              .TypeConstraint<T>("T"),                     \
                          DecodeDicomDataOp<T>)

TFDICOM_REGISTER_DECODE_DATA(uint32_t);
TFDICOM_REGISTER_DECODE_DATA(int64_t);
TFDICOM_REGISTER_DECODE_DATA(int32_t);
TFDICOM_REGISTER_DECODE_DATA(tstring);

#undef TFDICOM_REGISTER_DECODE_DATA

}  // namespace
}  // namespace tfdicom
