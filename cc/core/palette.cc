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

Status Room(const std::vector<uint16_t>& lut, size_t more) {
  if (lut.size() + more <= kMaxPaletteEntries) return OkStatus();
  return InvalidArgument("segmented palette: more than " + std::to_string(kMaxPaletteEntries) +
                         " entries");
}

// The state of one table's expansion: the data, where entries go, and what
// is left of the work budget.
struct Expansion {
  const std::vector<uint16_t>& data;
  int entry_bytes;   // 1 or 2: the width of one item of `data`
  bool big_endian;   // the byte order of the file (8-bit indirect offsets)
  int64_t visits_left;
  std::vector<uint16_t>* lut;
};

// The offset of an indirect segment at data[offset]: one 32-bit value held
// in two 16-bit items (low first), or, for 8-bit items, four bytes read as
// pydicom reads them.
bool IndirectOffset(const Expansion& x, size_t offset, size_t* target, size_t* used) {
  const std::vector<uint16_t>& d = x.data;
  if (x.entry_bytes == 2) {
    if (offset + 1 >= d.size()) return false;
    *target = static_cast<size_t>(d[offset + 1]) << 16 | d[offset];
    *used = 2;
    return true;
  }
  if (offset + 3 >= d.size()) return false;
  static constexpr int kLittle[4] = {3, 2, 1, 0};
  static constexpr int kBig[4] = {2, 3, 0, 1};
  const int* order = x.big_endian ? kBig : kLittle;
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = value << 8 | (d[offset + order[i]] & 0xFF);
  *target = value;
  *used = 4;
  return true;
}

// Expands the segment at data[*offset] and moves *offset past it; `copied`
// when an indirect segment copies it. Every segment visited costs one unit
// of x->visits_left.
Status Segment(Expansion* x, size_t* offset, bool copied) {
  const std::vector<uint16_t>& data = x->data;
  std::vector<uint16_t>* lut = x->lut;
  if (--x->visits_left < 0) {
    return InvalidArgument("segmented palette: expanding the table takes more than " +
                           std::to_string(SegmentedLutVisitBudget(data.size())) +
                           " segment visits (the limit for " + std::to_string(data.size()) +
                           " items of segment data): indirect segments copy too many segments "
                           "that add no entries");
  }
  const uint16_t opcode = data[*offset];
  const uint16_t length = data[*offset + 1];
  *offset += 2;
  if (opcode == 0) {
    if (*offset + length > data.size()) {
      return InvalidArgument("segmented palette: discrete segment past the end");
    }
    TFDICOM_RETURN_IF_ERROR(Room(*lut, length));
    lut->insert(lut->end(), data.begin() + *offset, data.begin() + *offset + length);
    *offset += length;
  } else if (opcode == 1) {
    if (lut->empty()) return InvalidArgument("segmented palette: the first segment cannot be linear");
    if (*offset >= data.size()) return InvalidArgument("segmented palette: linear segment past the end");
    const int64_t y0 = lut->back();
    const int64_t y1 = data[(*offset)++];
    TFDICOM_RETURN_IF_ERROR(Room(*lut, length));
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
    if (copied) {
      // pydicom recurses here (with offsets relative to the copied
      // segment); the standard forbids it, and nesting multiplies the work.
      return InvalidArgument("segmented palette: an indirect segment copies another indirect "
                             "segment (PS3.3 C.7.9.2.3 forbids it)");
    }
    if (lut->empty()) return InvalidArgument("segmented palette: the first segment cannot be indirect");
    size_t target = 0, used = 0;
    if (!IndirectOffset(*x, *offset, &target, &used)) {
      return InvalidArgument("segmented palette: indirect segment past the end");
    }
    *offset += used;
    if (target >= data.size()) return InvalidArgument("segmented palette: indirect offset past the end");
    // As pydicom: copy `length` segments, or as many as the data holds.
    for (uint16_t i = 0; i < length && target + 1 < data.size(); ++i) {
      TFDICOM_RETURN_IF_ERROR(Segment(x, &target, true));
    }
  } else {
    return InvalidArgument("segmented palette: unknown segment type " + std::to_string(opcode));
  }
  return OkStatus();
}

}  // namespace

int64_t SegmentedLutVisitBudget(size_t items) {
  return static_cast<int64_t>(kMaxPaletteEntries) + 4 * static_cast<int64_t>(items);
}

Status ExpandSegmentedLut(const std::vector<uint16_t>& data, std::vector<uint16_t>* lut,
                          int entry_bytes, bool big_endian) {
  lut->clear();
  Expansion x{data, entry_bytes, big_endian, SegmentedLutVisitBudget(data.size()), lut};
  size_t offset = 0;
  // `offset + 1`: a trailing null may pad the data (every segment is longer).
  while (offset + 1 < data.size()) TFDICOM_RETURN_IF_ERROR(Segment(&x, &offset, false));
  return OkStatus();
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
  if (segmented && (bits < 1 || bits > 16)) {
    // The entry width of segmented data can only come from the descriptor.
    return InvalidArgument("PALETTE COLOR (0028,1101) RedPaletteColorLookupTableDescriptor "
                           "declares " + std::to_string(bits) + " bits per entry (expected 1 to "
                           "16: 8 or 16 bits per entry of segmented LUT data)");
  }
  const int segmented_width = bits <= 8 ? 1 : 2;
  for (int c = 0; c < 3; ++c) {
    const DcmTagKey& key = segmented ? kSegmented[c] : kData[c];
    std::vector<uint8_t> bytes;
    TFDICOM_RETURN_IF_ERROR(RawBytes(item, key, big_endian, &bytes));
    int width = segmented_width;
    if (segmented) {
      TFDICOM_RETURN_IF_ERROR(ExpandSegmentedLut(Words(bytes, width, big_endian),
                                                 &palette->rgb[c], width, big_endian));
    } else {
      // As pydicom: the entry width is the data's bytes per entry.
      const double per_entry = static_cast<double>(bytes.size()) / palette->entries;
      if (per_entry != 1.0 && per_entry != 2.0) {
        return InvalidArgument("PALETTE COLOR " + DescribeTag(key.getGroup(), key.getElement()) +
                               " holds " + std::to_string(bytes.size()) + " bytes for " +
                               std::to_string(palette->entries) +
                               " entries (expected 8 or 16 bits per entry)");
      }
      width = static_cast<int>(per_entry);
      palette->rgb[c] = Words(bytes, width, big_endian);
    }
    if (c == 0) {
      palette->bits = width * 8;
    } else if (width * 8 != palette->bits) {
      return InvalidArgument(
          "PALETTE COLOR tables of different entry widths: " +
          DescribeTag(kData[0].getGroup(), kData[0].getElement()) + " has " +
          std::to_string(palette->bits) + "-bit entries, " +
          DescribeTag(key.getGroup(), key.getElement()) + " " + std::to_string(width * 8) +
          "-bit entries");
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
