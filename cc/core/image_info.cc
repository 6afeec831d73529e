#include "cc/core/image_info.h"

#include <cstdint>
#include <string>

#include "cc/core/dataset.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcitem.h"

namespace tfdicom {
namespace {

std::string Missing(uint16_t element) {
  return "missing required attribute " + DescribeTag(0x0028, element);
}

std::optional<uint16_t> FindUint16(DcmItem& item, const DcmTagKey& key) {
  Uint16 value = 0;
  if (item.findAndGetUint16(key, value).good()) return value;
  return std::nullopt;
}

std::optional<std::string> FindString(DcmItem& item, const DcmTagKey& key) {
  OFString value;
  if (item.findAndGetOFString(key, value).good() && !value.empty()) return std::string(value.c_str());
  return std::nullopt;
}

Photometric ParsePhotometric(const std::string& name) {
  if (name == "MONOCHROME1") return Photometric::kMonochrome1;
  if (name == "MONOCHROME2") return Photometric::kMonochrome2;
  if (name == "RGB") return Photometric::kRgb;
  if (name == "YBR_FULL") return Photometric::kYbrFull;
  if (name == "YBR_FULL_422") return Photometric::kYbrFull422;
  if (name == "YBR_ICT") return Photometric::kYbrIct;
  if (name == "YBR_RCT") return Photometric::kYbrRct;
  if (name == "PALETTE COLOR") return Photometric::kPaletteColor;
  return Photometric::kOther;
}

// The largest (0028,0008) NumberOfFrames: IS holds a signed 32-bit integer.
constexpr int64_t kMaxFrames = 2147483647;

// Parses an IS value of NumberOfFrames (padding already removed): an
// optional sign and decimal digits, 1 to 2^31 - 1. 0 means one frame, as
// pydicom reads it.
Status ParseNumberOfFrames(const std::string& text, uint32_t* frames) {
  const std::string what = DescribeTag(0x0028, 0x0008);
  size_t i = 0, end = text.size();
  while (i < end && text[i] == ' ') ++i;  // IS: leading and trailing spaces are padding
  while (end > i && text[end - 1] == ' ') --end;
  bool negative = false;
  if (i < end && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  if (i == end) return InvalidArgument(what + " is not a number: '" + text + "'");
  int64_t value = 0;
  for (; i < end; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return InvalidArgument(what + " is not a number: '" + text + "'");
    if (value <= kMaxFrames) value = value * 10 + (c - '0');  // stops growing past the limit
  }
  if (negative && value != 0) {
    return InvalidArgument(what + "=" + text + " is negative (expected 1 to " +
                           std::to_string(kMaxFrames) + ")");
  }
  if (value > kMaxFrames) {
    return InvalidArgument(what + "=" + text + " is out of range (expected 1 to " +
                           std::to_string(kMaxFrames) + ")");
  }
  *frames = value == 0 ? 1 : static_cast<uint32_t>(value);
  return OkStatus();
}

}  // namespace

bool operator==(const ImageAttributes& a, const ImageAttributes& b) {
  return a.rows == b.rows && a.columns == b.columns &&
         a.samples_per_pixel == b.samples_per_pixel &&
         a.pixel_representation == b.pixel_representation &&
         a.planar_configuration == b.planar_configuration &&
         a.bits_allocated == b.bits_allocated && a.bits_stored == b.bits_stored &&
         a.high_bit == b.high_bit && a.photometric == b.photometric &&
         a.number_of_frames == b.number_of_frames;
}

ImageAttributes ReadImageAttributes(DcmItem& item) {
  ImageAttributes a;
  a.rows = FindUint16(item, DCM_Rows);
  a.columns = FindUint16(item, DCM_Columns);
  a.samples_per_pixel = FindUint16(item, DCM_SamplesPerPixel);
  a.pixel_representation = FindUint16(item, DCM_PixelRepresentation);
  a.planar_configuration = FindUint16(item, DCM_PlanarConfiguration);
  a.bits_allocated = FindUint16(item, DCM_BitsAllocated);
  a.bits_stored = FindUint16(item, DCM_BitsStored);
  a.high_bit = FindUint16(item, DCM_HighBit);
  a.photometric = FindString(item, DCM_PhotometricInterpretation);
  a.number_of_frames = FindString(item, DCM_NumberOfFrames);
  return a;
}

Status ReadImageInfo(DcmItem& item, uint32_t pixel_tag, ImageInfo* info) {
  return MakeImageInfo(ReadImageAttributes(item), pixel_tag, info);
}

Status MakeImageInfo(const ImageAttributes& a, uint32_t pixel_tag, ImageInfo* info) {
  if (!a.rows) return InvalidArgument(Missing(0x0010));
  if (!a.columns) return InvalidArgument(Missing(0x0011));
  info->rows = *a.rows;
  info->columns = *a.columns;
  info->samples_per_pixel = a.samples_per_pixel.value_or(1);
  info->is_signed = a.pixel_representation.value_or(0) == 1;
  info->planar = a.planar_configuration.value_or(0) == 1 && info->samples_per_pixel > 1;

  if (pixel_tag == 0x7FE00008 || pixel_tag == 0x7FE00009) {
    const bool is_double = pixel_tag == 0x7FE00009;
    info->sample_format = is_double ? SampleFormat::kFloat64 : SampleFormat::kFloat32;
    info->bits_allocated = is_double ? 64 : 32;
    info->bits_stored = info->bits_allocated;
    info->high_bit = info->bits_allocated - 1;
    info->is_signed = true;
  } else {
    info->sample_format = SampleFormat::kInteger;
    if (!a.bits_allocated) return InvalidArgument(Missing(0x0100));
    info->bits_allocated = *a.bits_allocated;
    info->bits_stored = a.bits_stored.value_or(info->bits_allocated);
    info->high_bit = a.high_bit.value_or(info->bits_stored - 1);
  }

  info->photometric_name =
      a.photometric ? *a.photometric : (info->samples_per_pixel == 3 ? "RGB" : "MONOCHROME2");
  info->photometric = ParsePhotometric(info->photometric_name);

  info->frames = 1;
  if (a.number_of_frames) {
    TFDICOM_RETURN_IF_ERROR(ParseNumberOfFrames(*a.number_of_frames, &info->frames));
  }

  // Consistency checks: each names the attribute and the value found.
  if (info->rows == 0 || info->columns == 0) {
    return InvalidArgument("empty image: (0028,0010) Rows=" + std::to_string(info->rows) +
                           ", (0028,0011) Columns=" + std::to_string(info->columns));
  }
  const uint32_t ba = info->bits_allocated;
  if (ba == 0 || (ba != 1 && ba % 8 != 0)) {  // PS3.5 8.1.1: 1 or a multiple of 8
    return InvalidArgument("invalid (0028,0100) BitsAllocated=" + std::to_string(ba) +
                           " (expected 1 or a multiple of 8)");
  }
  if (ba != 1 && ba != 8 && ba != 16 && ba != 32 && ba != 64) {
    return Unimplemented("unsupported (0028,0100) BitsAllocated=" + std::to_string(ba) +
                         " (expected 1, 8, 16, 32 or 64)");
  }
  if (info->bits_stored == 0 || info->bits_stored > ba ||
      info->high_bit >= ba || info->high_bit + 1 < info->bits_stored) {
    return InvalidArgument(
        "inconsistent bit layout: (0028,0100) BitsAllocated=" + std::to_string(ba) +
        ", (0028,0101) BitsStored=" + std::to_string(info->bits_stored) +
        ", (0028,0102) HighBit=" + std::to_string(info->high_bit));
  }
  if (info->sample_format == SampleFormat::kInteger && a.pixel_representation.value_or(0) > 1) {
    return InvalidArgument("invalid (0028,0103) PixelRepresentation=" +
                           std::to_string(*a.pixel_representation) + " (expected 0 or 1)");
  }
  const uint32_t spp = info->samples_per_pixel;
  if (spp == 0 || spp == 2 || spp > 4) {
    return InvalidArgument("invalid (0028,0002) SamplesPerPixel=" + std::to_string(spp) +
                           " (expected 1, 3 or 4)");
  }
  if (spp > 1 && a.planar_configuration.value_or(0) > 1) {
    return InvalidArgument("invalid (0028,0006) PlanarConfiguration=" +
                           std::to_string(*a.planar_configuration) + " (expected 0 or 1)");
  }
  if (info->samples_per_pixel != 1 && info->samples_per_pixel != 3) {
    return Unimplemented("unsupported (0028,0002) SamplesPerPixel=" +
                         std::to_string(info->samples_per_pixel) + " (expected 1 or 3)");
  }
  return OkStatus();
}

}  // namespace tfdicom
