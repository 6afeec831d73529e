// PALETTE COLOR: the Red/Green/Blue Palette Color Lookup Tables of PS3.3
// C.7.6.3.1.5-6 (plain or segmented, C.7.9.2), read once per image.
#ifndef TFDICOM_CC_CORE_PALETTE_H_
#define TFDICOM_CC_CORE_PALETTE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cc/core/status.h"

class DcmItem;

namespace tfdicom {

struct Palette {
  uint32_t entries = 0;       // (0028,1101)[0]; 0 means 65536
  int32_t first_mapped = 0;   // (0028,1101)[1]; signed for signed pixel data
  int bits = 8;               // bits per entry as stored: 8 or 16
  std::vector<uint16_t> rgb[3];

  // Maps one index: below first_mapped -> entry 0, past the end -> last.
  uint16_t Lookup(int channel, int64_t index) const {
    int64_t i = index - first_mapped;
    i = i < 0 ? 0 : (i >= entries ? entries - 1 : i);
    return rgb[channel][static_cast<size_t>(i)];
  }
};

// Reads the palette of `item`, as pydicom's apply_color_lut does: the entry
// width is the LUT data's bytes per entry; segmented tables are expanded.
Status ReadPalette(DcmItem& item, bool signed_indices, bool big_endian, Palette* palette);

// A palette table holds at most 2^16 entries (its descriptor cannot say more).
inline constexpr size_t kMaxPaletteEntries = 65536;

// The number of segment visits that expanding `items` items of segmented
// data may take: 65536 + 4 * items. A valid table visits each of its own
// segments once, and through its indirect segments at most one segment per
// entry they add; indirect segments that copy long runs of empty segments
// would otherwise take work quadratic in the data.
int64_t SegmentedLutVisitBudget(size_t items);

// Expands segmented LUT data (PS3.3 C.7.9.2): discrete, linear and indirect
// segments, as pydicom's _expand_segmented_lut does on valid data. Linear
// segments round half to even, like NumPy. `data` holds one item per
// element: 16-bit entries (entry_bytes 2) or bytes (entry_bytes 1, whose
// indirect offsets take four items, ordered by the file's `big_endian`, as
// pydicom reads them). InvalidArgument for an indirect segment that copies
// an indirect segment (C.7.9.2.3 forbids it), beyond kMaxPaletteEntries
// entries and beyond SegmentedLutVisitBudget segment visits.
Status ExpandSegmentedLut(const std::vector<uint16_t>& data, std::vector<uint16_t>* lut,
                          int entry_bytes = 2, bool big_endian = false);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_PALETTE_H_
