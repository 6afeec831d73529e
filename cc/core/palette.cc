#include "cc/core/palette.h"

#include <cmath>
#include <string>

#include "cc/core/dataset.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcelem.h"
#include "dcmtk/dcmdata/dcitem.h"

namespace tfdicom {
namespace {

const DcmTagKey kDescriptors[3] = {DCM_RedPaletteColorLookupTableDescriptor,
                                   DCM_GreenPaletteColorLookupTableDescriptor,
                                   DCM_BluePaletteColorLookupTableDescriptor};
const DcmTagKey kData[3] = {DCM_RedPaletteColorLookupTableData,
                            DCM_GreenPaletteColorLookupTableData,
                            DCM_BluePaletteColorLookupTableData};
const DcmTagKey kSegmented[3] = {DCM_SegmentedRedPaletteColorLookupTableData,
                                 DCM_SegmentedGreenPaletteColorLookupTableData,
                                 DCM_SegmentedBluePaletteColorLookupTableData};

// A descriptor value is US or SS; read it either way.
bool DescriptorValue(DcmItem& item, const DcmTagKey& key, unsigned long pos, int32_t* out) {
  Uint16 u = 0;
  if (item.findAndGetUint16(key, u, pos).good()) {
    *out = u;
    return true;
  }
  Sint16 s = 0;
  if (item.findAndGetSint16(key, s, pos).good()) {
    *out = s;
    return true;
  }
  return false;
}

// The element's value as the file orders its bytes (DCMTK holds OW words in
// the machine's byte order).
Status RawBytes(DcmItem& item, const DcmTagKey& key, bool big_endian,
                std::vector<uint8_t>* bytes) {
  DcmElement* element = nullptr;
  if (item.findAndGetElement(key, element).bad() || element == nullptr) {
    return InvalidArgument("PALETTE COLOR without " + DescribeTag(key.getGroup(), key.getElement()));
  }
  const Uint32 length = element->getLength();
  Uint8* raw8 = nullptr;
  Uint16* raw16 = nullptr;
  if (element->getUint8Array(raw8).good() && raw8 != nullptr) {
    bytes->assign(raw8, raw8 + length);
  } else if (element->getUint16Array(raw16).good() && raw16 != nullptr) {
    bytes->resize(length);
    for (Uint32 i = 0; i + 1 < length; i += 2) {
      const Uint16 w = raw16[i / 2];
      (*bytes)[i + (big_endian ? 1 : 0)] = static_cast<uint8_t>(w & 0xFF);
      (*bytes)[i + (big_endian ? 0 : 1)] = static_cast<uint8_t>(w >> 8);
    }
  } else {
    return InvalidArgument("cannot read " + DescribeTag(key.getGroup(), key.getElement()));
  }
  return OkStatus();
}

std::vector<uint16_t> Words(const std::vector<uint8_t>& bytes, int width, bool big_endian) {
  std::vector<uint16_t> words(bytes.size() / width);
  for (size_t i = 0; i < words.size(); ++i) {
    if (width == 1) {
      words[i] = bytes[i];
    } else {
      const uint8_t a = bytes[2 * i], b = bytes[2 * i + 1];
      words[i] = big_endian ? static_cast<uint16_t>(a << 8 | b) : static_cast<uint16_t>(b << 8 | a);
    }
  }
  return words;
}

Status Expand(const std::vector<uint16_t>& data, size_t start, int64_t max_segments,
              int64_t last_value, int depth, std::vector<uint16_t>* lut) {
  if (depth > 8) return InvalidArgument("segmented palette: indirect segments nest too deep");
  size_t offset = start;
  int64_t segments = 0;
  while (offset + 1 < data.size() && (max_segments < 0 || segments < max_segments)) {
    const uint16_t opcode = data[offset];
    const uint16_t length = data[offset + 1];
    offset += 2;
    if (opcode == 0) {
      if (offset + length > data.size()) return InvalidArgument("segmented palette: discrete segment past the end");
      lut->insert(lut->end(), data.begin() + offset, data.begin() + offset + length);
      offset += length;
    } else if (opcode == 1) {
      int64_t y0;
      if (!lut->empty()) {
        y0 = lut->back();
      } else if (last_value > 0) {
        y0 = last_value;
      } else {
        return InvalidArgument("segmented palette: the first segment cannot be linear");
      }
      if (offset >= data.size()) return InvalidArgument("segmented palette: linear segment past the end");
      const int64_t y1 = data[offset++];
      if (length > 0) {
        // np.around(np.linspace(y0 + step, y1, length))
        const double step = static_cast<double>(y1 - y0) / length;
        const double first = static_cast<double>(y0) + step;
        const double delta = length > 1 ? (static_cast<double>(y1) - first) / (length - 1) : 0.0;
        for (int i = 0; i < length; ++i) {
          const double value = (i == length - 1) ? static_cast<double>(y1) : i * delta + first;
          lut->push_back(static_cast<uint16_t>(std::nearbyint(value)));
        }
      }
    } else if (opcode == 2) {
      if (lut->empty()) return InvalidArgument("segmented palette: the first segment cannot be indirect");
      if (offset + 1 >= data.size()) return InvalidArgument("segmented palette: indirect segment past the end");
      const size_t target = static_cast<size_t>(data[offset + 1]) << 16 | data[offset];
      offset += 2;
      if (target >= data.size()) return InvalidArgument("segmented palette: indirect offset past the end");
      TFDICOM_RETURN_IF_ERROR(Expand(data, target, length, lut->back(), depth + 1, lut));
    } else {
      return InvalidArgument("segmented palette: unknown segment type " + std::to_string(opcode));
    }
    ++segments;
    if (lut->size() > 65536) return InvalidArgument("segmented palette: more than 65536 entries");
  }
  return OkStatus();
}

}  // namespace

Status ExpandSegmentedLut(const std::vector<uint16_t>& data, std::vector<uint16_t>* lut) {
  lut->clear();
  return Expand(data, 0, -1, 0, 0, lut);
}

Status ReadPalette(DcmItem& item, bool signed_indices, bool big_endian, Palette* palette) {
  int32_t entries = 0, first = 0, bits = 0;
  if (!DescriptorValue(item, kDescriptors[0], 0, &entries) ||
      !DescriptorValue(item, kDescriptors[0], 1, &first) ||
      !DescriptorValue(item, kDescriptors[0], 2, &bits)) {
    return InvalidArgument("PALETTE COLOR without a complete (0028,1101) "
                           "RedPaletteColorLookupTableDescriptor");
  }
  palette->entries = entries == 0 ? 65536u : static_cast<uint32_t>(entries & 0xFFFF);
  palette->first_mapped = signed_indices ? static_cast<int16_t>(first) : (first & 0xFFFF);
  const bool segmented = !item.tagExists(kData[0]) && item.tagExists(kSegmented[0]);
  for (int c = 0; c < 3; ++c) {
    std::vector<uint8_t> bytes;
    TFDICOM_RETURN_IF_ERROR(RawBytes(item, segmented ? kSegmented[c] : kData[c], big_endian, &bytes));
    if (segmented) {
      const int width = bits <= 8 ? 1 : 2;
      palette->bits = width * 8;
      TFDICOM_RETURN_IF_ERROR(ExpandSegmentedLut(Words(bytes, width, big_endian), &palette->rgb[c]));
    } else {
      const double per_entry = static_cast<double>(bytes.size()) / palette->entries;
      if (per_entry != 1.0 && per_entry != 2.0) {
        return InvalidArgument("PALETTE COLOR LUT data of " + std::to_string(bytes.size()) +
                               " bytes for " + std::to_string(palette->entries) +
                               " entries (expected 8 or 16 bits per entry)");
      }
      palette->bits = static_cast<int>(per_entry * 8);
      palette->rgb[c] = Words(bytes, static_cast<int>(per_entry), big_endian);
    }
    if (palette->rgb[c].size() != palette->rgb[0].size() || palette->rgb[c].empty()) {
      return InvalidArgument("PALETTE COLOR LUTs of different or zero lengths");
    }
  }
  if (palette->rgb[0].size() < palette->entries) {
    palette->entries = static_cast<uint32_t>(palette->rgb[0].size());
  }
  return OkStatus();
}

}  // namespace tfdicom
