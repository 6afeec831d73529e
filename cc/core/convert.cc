#include "cc/core/convert.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>

namespace tfdicom {
namespace {

// Output element types that are not C++ arithmetic types.
struct Half { uint16_t bits; };
struct BFloat16 { uint16_t bits; };

template <typename Out>
constexpr bool kIsIntegerOut = std::is_integral_v<Out>;

// The clamp bounds of an integer output type as doubles that convert back
// without overflow (2^63 and 2^64 themselves do not fit).
template <typename Out>
constexpr double kLowest = std::is_signed_v<Out>
                               ? static_cast<double>(std::numeric_limits<Out>::min())
                               : 0.0;
template <typename Out>
constexpr double kHighest =
    sizeof(Out) < 8 ? static_cast<double>(std::numeric_limits<Out>::max())
    : std::is_signed_v<Out> ? 9223372036854774784.0
                            : 18446744073709549568.0;

// Stores a real value: integers are rounded to nearest and saturated (NaN
// becomes the lowest value); floats are converted with IEEE rounding.
template <typename Out>
inline Out StoreReal(double value) {
  if constexpr (kIsIntegerOut<Out>) {
    if (!(value >= kLowest<Out>)) value = kLowest<Out>;
    if (value > kHighest<Out>) value = kHighest<Out>;
    return static_cast<Out>(std::nearbyint(value));
  } else if constexpr (std::is_same_v<Out, Half>) {
    return Half{FloatToHalf(static_cast<float>(value))};
  } else if constexpr (std::is_same_v<Out, BFloat16>) {
    return BFloat16{FloatToBFloat16(static_cast<float>(value))};
  } else {
    return static_cast<Out>(value);
  }
}

// Stores an integer exactly, saturating where the output type is narrower.
template <typename Out, typename In>
inline Out StoreInteger(In value) {
  if constexpr (!kIsIntegerOut<Out>) {
    return StoreReal<Out>(static_cast<double>(value));
  } else {
    constexpr bool kFits =
        std::numeric_limits<In>::min() >= 0
            ? static_cast<uint64_t>(std::numeric_limits<In>::max()) <=
                  static_cast<uint64_t>(std::numeric_limits<Out>::max())
            : std::is_signed_v<Out> && sizeof(Out) >= sizeof(In);
    if constexpr (kFits) {
      return static_cast<Out>(value);
    } else {
      const int64_t wide = value;  // In is at most 32 bits wide
      constexpr int64_t kLo = std::is_signed_v<Out>
                                  ? static_cast<int64_t>(std::numeric_limits<Out>::min())
                                  : 0;
      constexpr int64_t kHi =
          sizeof(Out) >= 8 ? std::numeric_limits<int64_t>::max()
                           : static_cast<int64_t>(std::numeric_limits<Out>::max());
      return static_cast<Out>(wide < kLo ? kLo : (wide > kHi ? kHi : wide));
    }
  }
}

// Masks and sign-extends stored integer samples: (sample << left) >> right
// in the sample's width, done as a shift right, a mask and (signed) a sign
// extension by xor/subtract, all in the sample's own width so that loops
// vectorise without widening to int. right >= left: HighBit + 1 >= BitsStored.
template <typename In>
class Extractor {
 public:
  using U = std::make_unsigned_t<In>;
  explicit Extractor(const BitExtraction& bits)
      : shift_(bits.right_shift - bits.left_shift),
        mask_(bits.right_shift == 0 ? static_cast<U>(~U{0})
                                    : static_cast<U>((U{1} << (kWidth - bits.right_shift)) - 1)),
        sign_(std::is_signed_v<In> ? static_cast<U>(U{1} << (kWidth - bits.right_shift - 1))
                                   : U{0}) {}

  bool is_noop() const { return shift_ == 0 && mask_ == static_cast<U>(~U{0}); }
  // No shift (HighBit = BitsStored - 1, the usual case): Masked() applies.
  bool mask_only() const { return shift_ == 0; }

  In operator()(In sample) const {
    return Masked(static_cast<In>(static_cast<U>(sample) >> shift_));
  }
  In Masked(In sample) const {
    U u = static_cast<U>(static_cast<U>(sample) & mask_);
    if constexpr (std::is_signed_v<In>) u = static_cast<U>(static_cast<U>(u ^ sign_) - sign_);
    return static_cast<In>(u);
  }

 private:
  static constexpr int kWidth = 8 * sizeof(In);
  int shift_;
  U mask_;
  U sign_;
};

template <typename In, typename Out>
void IdentityLoop(const In* in, size_t n, const BitExtraction& bits, Out* out) {
  if constexpr (std::is_integral_v<In>) {
    const Extractor<In> extract(bits);
    if (extract.is_noop()) {  // every stored bit is the value
      if constexpr (std::is_same_v<In, Out>) {
        std::memcpy(out, in, n * sizeof(In));
      } else {
        for (size_t i = 0; i < n; ++i) out[i] = StoreInteger<Out>(in[i]);
      }
      return;
    }
    if (extract.mask_only()) {  // a separate loop: a variable shift would widen to int
      for (size_t i = 0; i < n; ++i) out[i] = StoreInteger<Out>(extract.Masked(in[i]));
      return;
    }
    for (size_t i = 0; i < n; ++i) out[i] = StoreInteger<Out>(extract(in[i]));
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = StoreReal<Out>(static_cast<double>(in[i]));
  }
}

inline double Clamp(double v, double lo, double hi) { return v < lo ? lo : (v > hi ? hi : v); }

template <typename In, typename Out>
void LinearLoop(const In* in, size_t n, const ConversionPlan& plan, Out* out) {
  const double gain = plan.gain, offset = plan.offset, lo = plan.lo, hi = plan.hi;
  if constexpr (std::is_integral_v<In>) {
    const Extractor<In> extract(plan.bits);
    for (size_t i = 0; i < n; ++i) {
      const double v = static_cast<double>(extract(in[i])) * gain + offset;
      out[i] = StoreReal<Out>(Clamp(v, lo, hi));
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      out[i] = StoreReal<Out>(Clamp(static_cast<double>(in[i]) * gain + offset, lo, hi));
    }
  }
}

template <typename In, typename Out>
void TableLoop(const In* in, size_t n, const ConversionPlan& plan, Out* out) {
  if constexpr (std::is_integral_v<In>) {
    const Extractor<In> extract(plan.bits);
    const double* table = plan.table->data();
    const int64_t first = plan.table_first;
    const int64_t last = static_cast<int64_t>(plan.table->size()) - 1;
    for (size_t i = 0; i < n; ++i) {
      int64_t index = static_cast<int64_t>(extract(in[i])) - first;
      index = index < 0 ? 0 : (index > last ? last : index);
      out[i] = StoreReal<Out>(table[index]);
    }
  }
}

template <typename In, typename Out>
void Run(const void* input, size_t n, const ConversionPlan& plan, void* output) {
  const In* in = static_cast<const In*>(input);
  Out* out = static_cast<Out*>(output);
  switch (plan.mode) {
    case ConversionPlan::Mode::kIdentity: return IdentityLoop(in, n, plan.bits, out);
    case ConversionPlan::Mode::kLinear: return LinearLoop(in, n, plan, out);
    case ConversionPlan::Mode::kTable: return TableLoop(in, n, plan, out);
  }
}

template <typename In>
void DispatchOutput(const void* in, size_t n, const ConversionPlan& plan, void* out) {
  switch (plan.output) {
    case DType::kUint8: return Run<In, uint8_t>(in, n, plan, out);
    case DType::kUint16: return Run<In, uint16_t>(in, n, plan, out);
    case DType::kUint32: return Run<In, uint32_t>(in, n, plan, out);
    case DType::kUint64: return Run<In, uint64_t>(in, n, plan, out);
    case DType::kInt8: return Run<In, int8_t>(in, n, plan, out);
    case DType::kInt16: return Run<In, int16_t>(in, n, plan, out);
    case DType::kInt32: return Run<In, int32_t>(in, n, plan, out);
    case DType::kInt64: return Run<In, int64_t>(in, n, plan, out);
    case DType::kFloat16: return Run<In, Half>(in, n, plan, out);
    case DType::kBFloat16: return Run<In, BFloat16>(in, n, plan, out);
    case DType::kFloat32: return Run<In, float>(in, n, plan, out);
    case DType::kFloat64: return Run<In, double>(in, n, plan, out);
  }
}

std::string FormatNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == std::floor(value) && std::fabs(value) < 1e18) {
    return std::to_string(static_cast<long long>(value));
  }
  if (std::fabs(value) >= 1e-4 && std::fabs(value) < 1e18) return std::to_string(value);
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", value);  // 4e-297, not 0.000000
  return text;
}

}  // namespace

size_t SampleTypeSize(SampleType type) {
  switch (type) {
    case SampleType::kUint8: case SampleType::kInt8: return 1;
    case SampleType::kUint16: case SampleType::kInt16: return 2;
    case SampleType::kUint32: case SampleType::kInt32: case SampleType::kFloat32: return 4;
    case SampleType::kFloat64: return 8;
  }
  return 0;
}

const char* SampleTypeName(SampleType type) {
  switch (type) {
    case SampleType::kUint8: return "uint8";
    case SampleType::kInt8: return "int8";
    case SampleType::kUint16: return "uint16";
    case SampleType::kInt16: return "int16";
    case SampleType::kUint32: return "uint32";
    case SampleType::kInt32: return "int32";
    case SampleType::kFloat32: return "float32";
    case SampleType::kFloat64: return "float64";
  }
  return "unknown";
}

void ConvertSamplesInPlace(void* data, size_t count, const ConversionPlan& plan) {
  const size_t width = SampleTypeSize(plan.input);
  constexpr size_t kChunkBytes = 16 << 10;  // stays in L1/L2
  alignas(64) uint8_t chunk[kChunkBytes];
  const size_t per_chunk = kChunkBytes / width;
  auto* bytes = static_cast<uint8_t*>(data);
  for (size_t i = 0; i < count; i += per_chunk) {
    const size_t n = std::min(per_chunk, count - i);
    std::memcpy(chunk, bytes + i * width, n * width);
    ConvertSamples(chunk, n, plan, bytes + i * width);
  }
}

bool IsPlainCopy(const ConversionPlan& plan) {
  if (plan.mode != ConversionPlan::Mode::kIdentity || plan.bits.left_shift != 0 ||
      plan.bits.right_shift != 0) {
    return false;
  }
  switch (plan.input) {
    case SampleType::kUint8: return plan.output == DType::kUint8;
    case SampleType::kInt8: return plan.output == DType::kInt8;
    case SampleType::kUint16: return plan.output == DType::kUint16;
    case SampleType::kInt16: return plan.output == DType::kInt16;
    case SampleType::kUint32: return plan.output == DType::kUint32;
    case SampleType::kInt32: return plan.output == DType::kInt32;
    case SampleType::kFloat32: return plan.output == DType::kFloat32;
    case SampleType::kFloat64: return plan.output == DType::kFloat64;
  }
  return false;
}

BitExtraction MakeBitExtraction(int bits_allocated, int bits_stored, int high_bit) {
  const int width = bits_allocated <= 8 ? 8 : bits_allocated;
  BitExtraction bits;
  bits.left_shift = width - 1 - high_bit;
  bits.right_shift = width - bits_stored;
  return bits;
}

namespace {

// Composes the frame's value transform with the output mapping
// out = value * gain + offset (gain >= 0).
void Compose(const ValueTransform& values, double gain, double offset, ConversionPlan* plan) {
  plan->lo = values.lo * gain + offset;
  plan->hi = values.hi * gain + offset;
  if (std::isnan(plan->lo)) plan->lo = -HUGE_VAL;  // -inf * 0
  if (std::isnan(plan->hi)) plan->hi = HUGE_VAL;
  if (values.table) {
    auto table = std::make_shared<std::vector<double>>(*values.table);
    for (double& v : *table) v = Clamp(v * gain + offset, plan->lo, plan->hi);
    plan->mode = ConversionPlan::Mode::kTable;
    plan->table = std::move(table);
    plan->table_first = values.table_first;
    return;
  }
  plan->mode = ConversionPlan::Mode::kLinear;
  plan->gain = values.gain * gain;
  plan->offset = values.offset * gain + offset;
}

// scale='auto' when out_span / span overflows (a declared range narrower
// than about 1e-290): the same stretch, ((v - min) / span) * out_span +
// out_lo, computed in an order that stays finite.
void ComposeNarrow(const ValueTransform& values, double min, double span, double out_lo,
                   double out_span, ConversionPlan* plan) {
  const auto map = [&](double v) { return ((v - min) / span) * out_span + out_lo; };
  plan->lo = map(values.lo);
  plan->hi = map(values.hi);
  if (values.table) {
    auto table = std::make_shared<std::vector<double>>(*values.table);
    for (double& v : *table) v = Clamp(map(v), plan->lo, plan->hi);
    plan->mode = ConversionPlan::Mode::kTable;
    plan->table = std::move(table);
    plan->table_first = values.table_first;
    return;
  }
  plan->mode = ConversionPlan::Mode::kLinear;
  plan->gain = (values.gain / span) * out_span;
  plan->offset = ((values.offset - min) / span) * out_span + out_lo;
}

// The last resort of scale='auto' for 8- and 16-bit samples: a table over
// every value a sample can take, each computed as the value transform
// (clamped to its bounds) and then mapped by `map`, one at a time, so that
// no intermediate product overflows (a window's huge offset times the
// stretch's huge gain). False for wider or float samples.
bool TablePlan(SampleType input, const ValueTransform& values,
               const std::function<double(double)>& map, ConversionPlan* plan) {
  int64_t first = 0, size = 0;
  switch (input) {
    case SampleType::kUint8: first = 0; size = 256; break;
    case SampleType::kInt8: first = -128; size = 256; break;
    case SampleType::kUint16: first = 0; size = 65536; break;
    case SampleType::kInt16: first = -32768; size = 65536; break;
    default: return false;
  }
  auto table = std::make_shared<std::vector<double>>(static_cast<size_t>(size));
  for (int64_t i = 0; i < size; ++i) {
    const int64_t sample = first + i;
    double v;
    if (values.table) {
      int64_t index = sample - values.table_first;
      const int64_t last = static_cast<int64_t>(values.table->size()) - 1;
      index = index < 0 ? 0 : (index > last ? last : index);
      v = (*values.table)[static_cast<size_t>(index)];
    } else {
      v = Clamp(static_cast<double>(sample) * values.gain + values.offset, values.lo, values.hi);
    }
    (*table)[static_cast<size_t>(i)] = map(v);
  }
  plan->mode = ConversionPlan::Mode::kTable;
  plan->table = std::move(table);
  plan->table_first = first;
  plan->lo = -HUGE_VAL;
  plan->hi = HUGE_VAL;
  return true;
}

// A plan computes no NaN from a finite sample when its gain and offset are
// finite and its table holds no NaN.
bool IsFinitePlan(const ConversionPlan& plan) {
  if (plan.mode == ConversionPlan::Mode::kTable) {
    for (double v : *plan.table) {
      if (std::isnan(v)) return false;
    }
    return true;
  }
  return std::isfinite(plan.gain) && std::isfinite(plan.offset) && !std::isnan(plan.lo) &&
         !std::isnan(plan.hi);
}

}  // namespace

Status PlanConversion(SampleType input, BitExtraction bits, ValueRange range,
                      const ValueTransform& values, const DecodeOptions& options,
                      ConversionPlan* plan) {
  plan->input = input;
  plan->output = options.dtype;
  plan->bits = bits;
  const DType dtype = options.dtype;
  const bool lossy = options.on_error == OnError::kLossy;
  if (values.table && (input == SampleType::kFloat32 || input == SampleType::kFloat64)) {
    return Unimplemented("lookup tables need integer pixel data");
  }

  if (options.scale == Scale::kAuto && range.bounded) {
    const double out_lo = IsFloat(dtype) ? 0.0 : DTypeMin(dtype);
    const double out_hi = IsFloat(dtype) ? 1.0 : DTypeMax(dtype);
    const double span = range.max - range.min;
    const double gain = span > 0 ? (out_hi - out_lo) / span : 0.0;
    Compose(values, gain, out_lo - range.min * gain, plan);
    if (!IsFinitePlan(*plan) && span > 0) {
      ComposeNarrow(values, range.min, span, out_lo, out_hi - out_lo, plan);
    }
    if (!IsFinitePlan(*plan)) {
      const double out_span = out_hi - out_lo, min = range.min;
      TablePlan(input, values, [&](double v) {
        return span > 0 ? ((v - min) / span) * out_span + out_lo : out_lo;
      }, plan);
    }
    if (!IsFinitePlan(*plan)) {
      return InvalidArgument("scale='auto' overflows a double (declared range=[" +
                             FormatNumber(range.min) + ", " + FormatNumber(range.max) +
                             "], dtype=" + DTypeName(dtype) + "): use scale='preserve'");
    }
    return OkStatus();
  }

  if (values.is_identity()) {
    plan->mode = ConversionPlan::Mode::kIdentity;
  } else {
    Compose(values, 1.0, 0.0, plan);
    if (!IsFinitePlan(*plan)) {
      return InvalidArgument("the value transform is not finite (gain=" +
                             FormatNumber(plan->gain) + ", offset=" +
                             FormatNumber(plan->offset) + ")");
    }
  }
  // Float types hold every integer input; integer types must hold the range.
  const bool fits = IsFloat(dtype)
                        ? true
                        : range.bounded && range.min >= DTypeMin(dtype) &&
                              range.max <= DTypeMax(dtype);
  if (fits || lossy) return OkStatus();
  const std::string declared =
      range.bounded ? "[" + FormatNumber(range.min) + ", " + FormatNumber(range.max) + "]"
                    : std::string("unbounded (float pixel data)");
  std::string remedy;
  if (range.bounded && range.min < 0) {
    remedy = "use a signed dtype such as tf.int16/tf.int32 or tf.float32, ";
  } else {
    remedy = "use a wider dtype or tf.float32, ";
  }
  return OutOfRange("value range does not fit the dtype (declared range=" + declared +
                    ", dtype=" + DTypeName(dtype) + "): " + remedy +
                    "scale='auto', or on_error='lossy' to clip");
}

void ConvertSamples(const void* in, size_t n, const ConversionPlan& plan, void* out) {
  switch (plan.input) {
    case SampleType::kUint8: return DispatchOutput<uint8_t>(in, n, plan, out);
    case SampleType::kInt8: return DispatchOutput<int8_t>(in, n, plan, out);
    case SampleType::kUint16: return DispatchOutput<uint16_t>(in, n, plan, out);
    case SampleType::kInt16: return DispatchOutput<int16_t>(in, n, plan, out);
    case SampleType::kUint32: return DispatchOutput<uint32_t>(in, n, plan, out);
    case SampleType::kInt32: return DispatchOutput<int32_t>(in, n, plan, out);
    case SampleType::kFloat32: return DispatchOutput<float>(in, n, plan, out);
    case SampleType::kFloat64: return DispatchOutput<double>(in, n, plan, out);
  }
}

uint16_t FloatToHalf(float value) {
  uint32_t f;
  std::memcpy(&f, &value, sizeof(f));
  const uint32_t sign = (f >> 16) & 0x8000u;
  const uint32_t abs = f & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u) {  // inf or NaN
    return static_cast<uint16_t>(sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u : 0u));
  }
  if (abs >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // overflow
  if (abs < 0x38800000u) {  // subnormal half or zero
    // Shift the float's significand (with its implicit bit) into place.
    const int exponent = static_cast<int>(abs >> 23);
    if (exponent < 102) return static_cast<uint16_t>(sign);  // rounds to zero
    const uint32_t mantissa = (abs & 0x7FFFFFu) | 0x800000u;
    const int shift = 126 - exponent;
    uint32_t half = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = ((abs >> 13) - (112u << 10));
  const uint32_t rest = abs & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;
  return static_cast<uint16_t>(sign | half);
}

uint16_t FloatToBFloat16(float value) {
  uint32_t f;
  std::memcpy(&f, &value, sizeof(f));
  if ((f & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((f >> 16) | 0x40u);
  const uint32_t rounding = 0x7FFFu + ((f >> 16) & 1u);
  return static_cast<uint16_t>((f + rounding) >> 16);
}

}  // namespace tfdicom
