// The options of decode_dicom_image as enums, and the only string -> enum
// parsers (shared by the TensorFlow kernel and the Python module).
#ifndef TFDICOM_CC_CORE_OPTIONS_H_
#define TFDICOM_CC_CORE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cc/core/status.h"

namespace tfdicom {

// What to do when a file cannot be decoded as asked.
enum class OnError {
  kStrict,  // fail with the cause
  kSkip,    // return an empty tensor of the promised rank, and log why
  kLossy,   // clip values that do not fit; colour -> luminance
};

// How stored values map onto the output type.
enum class Scale {
  kPreserve,  // keep values; out-of-range values are an error or clipped
  kAuto,      // linear stretch of the declared input range onto the output
};

// Which level of the DICOM value pipeline comes out.
enum class Values {
  kStored,    // the pixel values as the file stores them
  kModality,  // after Rescale Slope/Intercept or the Modality LUT
  kDisplay,   // after modality, the first VOI window/LUT, MONOCHROME1 inversion
};

// Output element types. The order is part of no interface.
enum class DType {
  kUint8, kUint16, kUint32, kUint64,
  kInt8, kInt16, kInt32, kInt64,
  kFloat16, kBFloat16, kFloat32, kFloat64,
};

// 1 GiB of output by default; a header that declares more is refused
// before anything is allocated.
inline constexpr uint64_t kDefaultMaxOutputBytes = uint64_t{1} << 30;

struct DecodeOptions {
  bool color_dim = false;
  OnError on_error = OnError::kSkip;
  Scale scale = Scale::kPreserve;
  DType dtype = DType::kUint16;
  Values values = Values::kStored;
  uint64_t max_output_bytes = kDefaultMaxOutputBytes;
};

Status ParseOnError(std::string_view text, OnError* out);
Status ParseScale(std::string_view text, Scale* out);
Status ParseValues(std::string_view text, Values* out);
// Accepts NumPy/TensorFlow names: "uint8", ..., "float16", "bfloat16", ...
Status ParseDType(std::string_view text, DType* out);

const char* DTypeName(DType dtype);
size_t DTypeSize(DType dtype);
bool IsFloat(DType dtype);
bool IsSigned(DType dtype);
// The finite range of an integer dtype (for floats: the largest finite value).
double DTypeMin(DType dtype);
double DTypeMax(DType dtype);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_OPTIONS_H_
