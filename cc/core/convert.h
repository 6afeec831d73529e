// The only stored-sample -> output-dtype conversion. One plan per image,
// chosen from the header and the options; one loop per (input, output) type
// pair that never looks at options per pixel.
#ifndef TFDICOM_CC_CORE_CONVERT_H_
#define TFDICOM_CC_CORE_CONVERT_H_

#include <cstddef>
#include <cstdint>

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

// out = saturate(round(value(sample) * gain + offset)); identity plans skip
// the arithmetic and are exact for every integer pair.
struct ConversionPlan {
  SampleType input = SampleType::kUint16;
  DType output = DType::kUint16;
  BitExtraction bits;
  bool identity = true;
  double gain = 1.0;
  double offset = 0.0;
};

// Plans the conversion of values in `range` to `options.dtype`, after an
// optional linear step `value = sample * pre_gain + pre_offset` (the modality
// rescale or a window). scale='auto' stretches `range` onto the output range
// (integers: [dtype min, dtype max]; floats: [0, 1]). scale='preserve' keeps
// values; a range that does not fit the dtype is OutOfRange unless on_error
// is 'lossy', which clips.
Status PlanConversion(SampleType input, BitExtraction bits, ValueRange range,
                      double pre_gain, double pre_offset,
                      const DecodeOptions& options, ConversionPlan* plan);

// Converts `count` samples from `input` to `output` following `plan`.
void ConvertSamples(const void* input, size_t count, const ConversionPlan& plan,
                    void* output);

// IEEE half and bfloat16 bit patterns, rounded to nearest even.
uint16_t FloatToHalf(float value);
uint16_t FloatToBFloat16(float value);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_CONVERT_H_
