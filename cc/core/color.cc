#include "cc/core/color.h"

#include <cmath>
#include <cstring>
#include <string>

namespace tfdicom {

ColorConverter::ColorConverter(const ImageInfo& info, Photometric photometric,
                               bool planar, size_t sample_size)
    : info_(info), photometric_(photometric), planar_(planar), sample_size_(sample_size) {}

Status ColorConverter::ToRgb(const void** samples) {
  if (info_.samples_per_pixel == 1) {
    if (photometric_ == Photometric::kPaletteColor) {
      return Unimplemented("(0028,0004) PhotometricInterpretation=PALETTE COLOR is not supported yet");
    }
    return OkStatus();
  }
  const uint64_t pixels = info_.pixels_per_frame();
  const bool convert_ybr = photometric_ == Photometric::kYbrFull;
  if (photometric_ != Photometric::kRgb && !convert_ybr) {
    return Unimplemented("(0028,0004) PhotometricInterpretation=" + info_.photometric_name +
                         " is not supported for this transfer syntax");
  }
  if (convert_ybr && sample_size_ != 1) {
    return Unimplemented("YBR_FULL with " + std::to_string(info_.bits_allocated) +
                         "-bit samples is not supported");
  }
  if (!planar_ && !convert_ybr) return OkStatus();

  scratch_.resize(pixels * 3 * sample_size_);
  const auto* in = static_cast<const uint8_t*>(*samples);
  if (planar_) {
    const uint64_t plane = pixels * sample_size_;
    for (uint64_t p = 0; p < pixels; ++p) {
      for (int c = 0; c < 3; ++c) {
        std::memcpy(&scratch_[(p * 3 + c) * sample_size_], in + c * plane + p * sample_size_,
                    sample_size_);
      }
    }
  } else {
    std::memcpy(scratch_.data(), in, scratch_.size());
  }
  if (convert_ybr) YbrFullToRgb8(scratch_.data(), pixels);
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
