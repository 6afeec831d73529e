#include "cc/core/color.h"

#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>

namespace tfdicom {
namespace {

template <typename In>
int64_t ExtractIndex(In raw, const BitExtraction& bits) {
  using U = std::make_unsigned_t<In>;
  const U shifted = static_cast<U>(static_cast<U>(raw) << bits.left_shift);
  if constexpr (std::is_signed_v<In>) {
    return static_cast<In>(shifted) >> bits.right_shift;
  } else {
    return shifted >> bits.right_shift;
  }
}

template <typename In, typename Out>
void PaletteLoop(const In* in, uint64_t pixels, const BitExtraction& bits,
                 const Palette& palette, Out* out) {
  for (uint64_t p = 0; p < pixels; ++p) {
    const int64_t index = ExtractIndex(in[p], bits);
    for (int c = 0; c < 3; ++c) out[3 * p + c] = static_cast<Out>(palette.Lookup(c, index));
  }
}

template <typename Out>
void PaletteDispatch(const void* in, SampleType type, uint64_t pixels, const BitExtraction& bits,
                     const Palette& palette, Out* out) {
  switch (type) {
    case SampleType::kUint8: return PaletteLoop(static_cast<const uint8_t*>(in), pixels, bits, palette, out);
    case SampleType::kInt8: return PaletteLoop(static_cast<const int8_t*>(in), pixels, bits, palette, out);
    case SampleType::kUint16: return PaletteLoop(static_cast<const uint16_t*>(in), pixels, bits, palette, out);
    case SampleType::kInt16: return PaletteLoop(static_cast<const int16_t*>(in), pixels, bits, palette, out);
    default: return;  // Check() refuses other index types
  }
}

// Y0 Y1 Cb Cr per two pixels -> Y Cb Cr per pixel.
void Expand422(const uint8_t* in, uint64_t pixels, uint8_t* out) {
  for (uint64_t p = 0; p + 1 < pixels; p += 2) {
    const uint8_t* s = in + 2 * p;
    uint8_t* d = out + 3 * p;
    d[0] = s[0]; d[1] = s[2]; d[2] = s[3];
    d[3] = s[1]; d[4] = s[2]; d[5] = s[3];
  }
}

}  // namespace

ColorConverter::ColorConverter(const ImageInfo& info, Photometric photometric, bool planar,
                               SampleType sample_type, BitExtraction bits,
                               const Palette* palette)
    : info_(info), photometric_(photometric), planar_(planar), sample_type_(sample_type),
      bits_(bits), palette_(photometric == Photometric::kPaletteColor ? palette : nullptr) {
  // Uncompressed YBR_FULL_422 is always Y Y Cb Cr by pixel pair (PS3.3
  // C.7.6.3.1.2, PS3.5 8.2.1): (0028,0006) cannot make it planar.
  if (photometric_ == Photometric::kYbrFull422) planar_ = false;
}

Status ColorConverter::Check() const {
  if (photometric_ == Photometric::kPaletteColor) {
    if (info_.samples_per_pixel != 1 || palette_ == nullptr ||
        SampleTypeSize(sample_type_) > 2 || sample_type_ == SampleType::kFloat32) {
      return Unimplemented("PALETTE COLOR needs one 8- or 16-bit index per pixel (found " +
                           std::to_string(info_.samples_per_pixel) + " samples of " +
                           std::to_string(info_.bits_allocated) + " bits)");
    }
    return OkStatus();
  }
  if (info_.samples_per_pixel == 1) return OkStatus();
  switch (photometric_) {
    case Photometric::kRgb:
      return OkStatus();
    case Photometric::kYbrFull422:
      if (info_.columns % 2 != 0) {
        // Pixel pairs share their chroma within a row.
        return InvalidArgument("YBR_FULL_422 with an odd (0028,0011) Columns=" +
                               std::to_string(info_.columns));
      }
      [[fallthrough]];
    case Photometric::kYbrFull:
      if (SampleTypeSize(sample_type_) == 1) return OkStatus();
      return Unimplemented(info_.photometric_name + " with " +
                           std::to_string(info_.bits_allocated) + "-bit samples is not supported");
    default:
      return Unimplemented("(0028,0004) PhotometricInterpretation=" + info_.photometric_name +
                           " with 3 samples is not supported for " + info_.transfer_syntax_uid);
  }
}

SampleType ColorConverter::output_type() const {
  if (palette_ == nullptr) return sample_type_;
  return palette_->bits == 8 ? SampleType::kUint8 : SampleType::kUint16;
}

void ColorConverter::ApplyPalette(const void* indices) {
  const uint64_t pixels = info_.pixels_per_frame();
  if (palette_->bits == 8) {
    scratch_.resize(pixels * 3);
    PaletteDispatch(indices, sample_type_, pixels, bits_, *palette_, scratch_.data());
  } else {
    scratch_.resize(pixels * 3 * 2);
    PaletteDispatch(indices, sample_type_, pixels, bits_, *palette_,
                    reinterpret_cast<uint16_t*>(scratch_.data()));
  }
}

bool ColorConverter::passes_through() const {
  if (palette_ != nullptr) return false;
  if (info_.samples_per_pixel == 1) return true;
  const bool ybr = photometric_ == Photometric::kYbrFull || photometric_ == Photometric::kYbrFull422;
  return !planar_ && !ybr;
}

Status ColorConverter::ToRgb(const void** samples) {
  if (passes_through()) return OkStatus();
  if (palette_ != nullptr) {
    ApplyPalette(*samples);
    *samples = scratch_.data();
    return OkStatus();
  }
  if (info_.samples_per_pixel == 1) return OkStatus();
  const uint64_t pixels = info_.pixels_per_frame();
  const size_t size = SampleTypeSize(sample_type_);
  const bool ybr = photometric_ == Photometric::kYbrFull || photometric_ == Photometric::kYbrFull422;
  if (!planar_ && !ybr) return OkStatus();

  scratch_.resize(pixels * 3 * size);
  const auto* in = static_cast<const uint8_t*>(*samples);
  if (photometric_ == Photometric::kYbrFull422 && !planar_) {
    Expand422(in, pixels, scratch_.data());
  } else if (planar_) {
    const uint64_t plane = pixels * size;
    for (uint64_t p = 0; p < pixels; ++p) {
      for (int c = 0; c < 3; ++c) {
        std::memcpy(&scratch_[(p * 3 + c) * size], in + c * plane + p * size, size);
      }
    }
  } else {
    std::memcpy(scratch_.data(), in, scratch_.size());
  }
  if (ybr) YbrFullToRgb8(scratch_.data(), pixels);
  *samples = scratch_.data();
  return OkStatus();
}

void RgbToLuminance(double* rgb, uint64_t pixels) {
  for (uint64_t p = 0; p < pixels; ++p) {
    const double* v = rgb + 3 * p;
    rgb[p] = 0.299 * v[0] + 0.587 * v[1] + 0.114 * v[2];
  }
}

void YbrFullToRgb8(uint8_t* samples, uint64_t pixels) {
  // The matrix pydicom uses, in float32.
  const float cr_r = 1.402f;
  const float cb_g = static_cast<float>(-0.114 * 1.772 / 0.587);
  const float cr_g = static_cast<float>(-0.299 * 1.402 / 0.587);
  const float cb_b = 1.772f;
  for (uint64_t p = 0; p < pixels; ++p) {
    uint8_t* v = samples + 3 * p;
    const float y = v[0];
    const float cb = static_cast<float>(v[1]) - 128.0f;
    const float cr = static_cast<float>(v[2]) - 128.0f;
    const float rgb[3] = {y + cr_r * cr, y + cb_g * cb + cr_g * cr, y + cb_b * cb};
    for (int c = 0; c < 3; ++c) {
      float value = std::floor(rgb[c] + 0.5f);
      value = value < 0.0f ? 0.0f : (value > 255.0f ? 255.0f : value);
      v[c] = static_cast<uint8_t>(value);
    }
  }
}

}  // namespace tfdicom
