#include "cc/core/image_info.h"

#include <cstdlib>

#include "cc/core/dataset.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcitem.h"

namespace tfdicom {
namespace {

std::string Missing(const DcmTagKey& key) {
  return "missing required attribute " + DescribeTag(key.getGroup(), key.getElement());
}

Status ReadUint16(DcmItem& item, const DcmTagKey& key, uint32_t* out,
                  bool required, uint32_t fallback = 0) {
  Uint16 value = 0;
  if (item.findAndGetUint16(key, value).good()) {
    *out = value;
    return OkStatus();
  }
  if (required) return InvalidArgument(Missing(key));
  *out = fallback;
  return OkStatus();
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

}  // namespace

Status ReadImageInfo(DcmItem& item, uint32_t pixel_tag, ImageInfo* info) {
  TFDICOM_RETURN_IF_ERROR(ReadUint16(item, DCM_Rows, &info->rows, true));
  TFDICOM_RETURN_IF_ERROR(ReadUint16(item, DCM_Columns, &info->columns, true));
  TFDICOM_RETURN_IF_ERROR(
      ReadUint16(item, DCM_SamplesPerPixel, &info->samples_per_pixel, false, 1));
  uint32_t representation = 0, planar = 0;
  TFDICOM_RETURN_IF_ERROR(
      ReadUint16(item, DCM_PixelRepresentation, &representation, false, 0));
  TFDICOM_RETURN_IF_ERROR(
      ReadUint16(item, DCM_PlanarConfiguration, &planar, false, 0));
  info->is_signed = representation == 1;
  info->planar = planar == 1 && info->samples_per_pixel > 1;

  if (pixel_tag == 0x7FE00008 || pixel_tag == 0x7FE00009) {
    const bool is_double = pixel_tag == 0x7FE00009;
    info->sample_format = is_double ? SampleFormat::kFloat64 : SampleFormat::kFloat32;
    info->bits_allocated = is_double ? 64 : 32;
    info->bits_stored = info->bits_allocated;
    info->high_bit = info->bits_allocated - 1;
    info->is_signed = true;
  } else {
    info->sample_format = SampleFormat::kInteger;
    TFDICOM_RETURN_IF_ERROR(
        ReadUint16(item, DCM_BitsAllocated, &info->bits_allocated, true));
    TFDICOM_RETURN_IF_ERROR(ReadUint16(item, DCM_BitsStored, &info->bits_stored,
                                       false, info->bits_allocated));
    TFDICOM_RETURN_IF_ERROR(ReadUint16(item, DCM_HighBit, &info->high_bit, false,
                                       info->bits_stored - 1));
  }

  OFString photometric;
  if (item.findAndGetOFString(DCM_PhotometricInterpretation, photometric).good()) {
    info->photometric_name = photometric.c_str();
  } else {
    info->photometric_name = info->samples_per_pixel == 3 ? "RGB" : "MONOCHROME2";
  }
  info->photometric = ParsePhotometric(info->photometric_name);

  OFString frames;
  info->frames = 1;
  if (item.findAndGetOFString(DCM_NumberOfFrames, frames).good() && !frames.empty()) {
    char* end = nullptr;
    const long value = std::strtol(frames.c_str(), &end, 10);
    while (end != nullptr && *end == ' ') ++end;
    if (end == frames.c_str() || *end != '\0' || value < 0) {
      return InvalidArgument(DescribeTag(0x0028, 0x0008) + " is not a number: '" +
                             std::string(frames.c_str()) + "'");
    }
    info->frames = value == 0 ? 1 : static_cast<uint32_t>(value);
  }

  // Consistency checks: each names the attribute and the value found.
  if (info->rows == 0 || info->columns == 0) {
    return InvalidArgument("empty image: (0028,0010) Rows=" + std::to_string(info->rows) +
                           ", (0028,0011) Columns=" + std::to_string(info->columns));
  }
  const uint32_t ba = info->bits_allocated;
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
  if (info->samples_per_pixel != 1 && info->samples_per_pixel != 3) {
    return Unimplemented("unsupported (0028,0002) SamplesPerPixel=" +
                         std::to_string(info->samples_per_pixel) + " (expected 1 or 3)");
  }
  return OkStatus();
}

}  // namespace tfdicom
