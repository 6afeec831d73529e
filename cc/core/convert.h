// The only stored-sample -> output-dtype conversion. One plan per image,
// chosen from the header and the options; one loop per (input, output) type
// pair that never looks at options per pixel.
#ifndef TFDICOM_CC_CORE_CONVERT_H_
#define TFDICOM_CC_CORE_CONVERT_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "cc/core/options.h"
#include "cc/core/status.h"

namespace tfdicom {

// The in-memory type of one sample before conversion (native byte order).
enum class SampleType { kUint8, kInt8, kUint16, kInt16, kUint32, kInt32, kFloat32, kFloat64 };

size_t SampleTypeSize(SampleType type);
const char* SampleTypeName(SampleType type);

// The range of values the header declares for the input of a conversion.
struct ValueRange {
  double min = 0.0;
  double max = 0.0;
  bool bounded = true;  // false for float pixel data: no declared range
};

// How stored bits become a value: (sample << left_shift) >> right_shift in
// the sample's own width, arithmetic for signed samples. This masks the bits
// outside BitsStored/HighBit and sign-extends signed values.
struct BitExtraction {
  int left_shift = 0;
  int right_shift = 0;
};

// Returns the shifts for a sample of `bits_allocated` bits whose value
// occupies `bits_stored` bits ending at `high_bit`.
BitExtraction MakeBitExtraction(int bits_allocated, int bits_stored, int high_bit);

// How one frame's stored samples become values: a lookup table indexed by
// (sample - table_first), clamped to its ends, or sample * gain + offset;
// then clamped to [lo, hi].
struct ValueTransform {
  double gain = 1.0;
  double offset = 0.0;
  std::shared_ptr<const std::vector<double>> table;
  int64_t table_first = 0;
  double lo = -HUGE_VAL;
  double hi = HUGE_VAL;

  bool is_identity() const {
    return !table && gain == 1.0 && offset == 0.0 && lo == -HUGE_VAL && hi == HUGE_VAL;
  }
};

// out = saturate(round(clamp(value(sample) * gain + offset, lo, hi))), or a
// gather from a table of final values; identity plans skip the arithmetic and
// are exact for every integer pair.
struct ConversionPlan {
  enum class Mode { kIdentity, kLinear, kTable };
  SampleType input = SampleType::kUint16;
  DType output = DType::kUint16;
  BitExtraction bits;
  Mode mode = Mode::kIdentity;
  double gain = 1.0;
  double offset = 0.0;
  double lo = -HUGE_VAL;
  double hi = HUGE_VAL;
  std::shared_ptr<const std::vector<double>> table;  // final values (kTable)
  int64_t table_first = 0;
};

// Plans the conversion of one frame whose values are `values(sample)` and
// lie in the declared `range`, to `options.dtype`. scale='auto' stretches
// `range` onto the output range (integers: [dtype min, dtype max]; floats:
// [0, 1]). scale='preserve' keeps values; a range that does not fit the
// dtype is OutOfRange unless on_error is 'lossy', which clips.
Status PlanConversion(SampleType input, BitExtraction bits, ValueRange range,
                      const ValueTransform& values, const DecodeOptions& options,
                      ConversionPlan* plan);

// Whether `plan` copies samples unchanged (same type, every bit the value):
// a reader may then deliver them straight into the output.
bool IsPlainCopy(const ConversionPlan& plan);

// Converts `count` samples from `input` to `output` following `plan`.
void ConvertSamples(const void* input, size_t count, const ConversionPlan& plan,
                    void* output);

// Converts `count` samples of plan.input at `data` into plan.output in
// place; the output sample must be as wide as the input one (a small buffer
// takes each chunk of input first, so the loops never see aliasing).
void ConvertSamplesInPlace(void* data, size_t count, const ConversionPlan& plan);

// IEEE half and bfloat16 bit patterns, rounded to nearest even.
uint16_t FloatToHalf(float value);
uint16_t FloatToBFloat16(float value);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_CONVERT_H_
