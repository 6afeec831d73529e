// Colour: turns one frame of colour samples into interleaved RGB (planar
// data interleaved, YBR_FULL and YBR_FULL_422 converted, PALETTE COLOR
// mapped through its LUTs), and RGB into luminance. Monochrome frames pass
// through untouched.
#ifndef TFDICOM_CC_CORE_COLOR_H_
#define TFDICOM_CC_CORE_COLOR_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cc/core/convert.h"
#include "cc/core/image_info.h"
#include "cc/core/palette.h"
#include "cc/core/status.h"

namespace tfdicom {

class ColorConverter {
 public:
  // `photometric` and `planar` describe the samples as the reader delivers
  // them; `palette` is required for PALETTE COLOR (and may be null else).
  ColorConverter(const ImageInfo& info, Photometric photometric, bool planar,
                 SampleType sample_type, BitExtraction bits, const Palette* palette);

  // Checks that this colour model can be turned into RGB.
  Status Check() const;

  // Replaces `*samples` by interleaved RGB samples (in a buffer owned by
  // this object) where the frame needs it.
  Status ToRgb(const void** samples);

  // Whether ToRgb leaves the samples as they are (grey, or RGB by pixel).
  bool passes_through() const;

  // The sample type after ToRgb: the palette's entry type for PALETTE
  // COLOR, else the input's.
  SampleType output_type() const;
  // Whether ToRgb already applied the bit extraction (palette indices).
  bool extracted_bits() const { return palette_ != nullptr; }

 private:
  void ApplyPalette(const void* indices);

  ImageInfo info_;
  Photometric photometric_;
  bool planar_;
  SampleType sample_type_;
  BitExtraction bits_;
  const Palette* palette_;
  std::vector<uint8_t> scratch_;
};

// In place: the first `pixels` values of `rgb` become ITU-R BT.601 luminance
// 0.299 R + 0.587 G + 0.114 B of the interleaved RGB triplets.
void RgbToLuminance(double* rgb, uint64_t pixels);

// YBR_FULL -> RGB for 8-bit samples, exactly as pydicom rounds
// (PS3.3 C.7.6.3.1.2; float32 arithmetic, round half up, clip to 0..255).
void YbrFullToRgb8(uint8_t* samples, uint64_t pixels);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_COLOR_H_
