// What the header says about an image: geometry, sample format, colour.
#ifndef TFDICOM_CC_CORE_IMAGE_INFO_H_
#define TFDICOM_CC_CORE_IMAGE_INFO_H_

#include <cstdint>
#include <optional>
#include <string>

#include "cc/core/status.h"

class DcmItem;

namespace tfdicom {

enum class Photometric {
  kMonochrome1, kMonochrome2, kRgb, kYbrFull, kYbrFull422, kYbrIct, kYbrRct,
  kPaletteColor, kOther,
};

// How one stored sample is laid out.
enum class SampleFormat {
  kInteger,  // (7FE0,0010) Pixel Data
  kFloat32,  // (7FE0,0008) Float Pixel Data
  kFloat64,  // (7FE0,0009) Double Float Pixel Data
};

struct ImageInfo {
  uint32_t frames = 0;
  uint32_t rows = 0;
  uint32_t columns = 0;
  uint32_t samples_per_pixel = 0;
  uint32_t bits_allocated = 0;
  uint32_t bits_stored = 0;
  uint32_t high_bit = 0;
  bool is_signed = false;          // (0028,0103) PixelRepresentation == 1
  bool planar = false;             // (0028,0006) PlanarConfiguration == 1
  Photometric photometric = Photometric::kOther;
  std::string photometric_name;    // as the file writes it
  SampleFormat sample_format = SampleFormat::kInteger;
  std::string transfer_syntax_uid;

  uint64_t pixels_per_frame() const { return uint64_t{rows} * columns; }
  uint64_t samples_per_frame() const { return pixels_per_frame() * samples_per_pixel; }
  // Samples of one uncompressed frame as stored: YBR_FULL_422 keeps two luma
  // and one pair of chroma samples for every two pixels (PS3.3 C.7.6.3.1.2).
  uint64_t native_samples_per_frame() const {
    return photometric == Photometric::kYbrFull422 && samples_per_pixel == 3
               ? pixels_per_frame() * 2
               : samples_per_frame();
  }
  bool is_color() const { return samples_per_pixel == 3 || photometric == Photometric::kPaletteColor; }
};

// The image attributes as a file has them, before defaults and checks;
// absent (or empty) attributes are nullopt.
struct ImageAttributes {
  std::optional<uint16_t> rows, columns, samples_per_pixel, pixel_representation,
      planar_configuration, bits_allocated, bits_stored, high_bit;
  std::optional<std::string> photometric;       // first value, padding removed
  std::optional<std::string> number_of_frames;  // first value, padding removed
};

bool operator==(const ImageAttributes& a, const ImageAttributes& b);

// The attributes of `item` (a data set DCMTK parsed).
ImageAttributes ReadImageAttributes(DcmItem& item);

// Applies defaults to `attributes` and checks them: the one place that
// decides what an image's header means, whoever read it. `pixel_tag` is
// the pixel element present ((7FE0,0010), (7FE0,0008) or (7FE0,0009)).
// Fails with InvalidArgument naming the attribute that is missing or
// inconsistent.
Status MakeImageInfo(const ImageAttributes& attributes, uint32_t pixel_tag, ImageInfo* info);

// ReadImageAttributes, then MakeImageInfo.
Status ReadImageInfo(DcmItem& item, uint32_t pixel_tag, ImageInfo* info);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_IMAGE_INFO_H_
