// A quick read of the common DICOM header without DCMTK: a Part 10 file
// in explicit or implicit VR little endian or explicit VR big endian (its
// pixel data native or encapsulated), read up to the pixel element. It
// finds the image attributes and where the pixel element's value stands,
// and skips everything else, nested sequences included.
//
// It never decides an error: anything it does not fully understand (no
// preamble, a deflated or unknown syntax, an element running past the end,
// an attribute with an unexpected VR or length, tags out of order...) makes
// it decline, and DCMTK reads the file as before, with DCMTK's diagnosis.
// Internal to the core.
#ifndef TFDICOM_CC_CORE_HEADER_SCAN_H_
#define TFDICOM_CC_CORE_HEADER_SCAN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cc/core/dataset.h"
#include "cc/core/image_info.h"
#include "cc/core/transfer_syntax.h"

namespace tfdicom {

struct HeaderScan {
  std::string transfer_syntax_uid;
  const TransferSyntax* transfer_syntax = nullptr;
  ImageAttributes attributes;  // top-level image attributes found
  PixelElementSpan pixel;      // the pixel element (tag 0 when there is none)
  // The raw values of the top-level attributes that value levels read
  // (value_levels.h lists them), and whether one of the sequences they may
  // read is present (then only DCMTK's full header will do).
  std::vector<std::pair<uint32_t, std::string>> level_values;
  bool level_sequences = false;
};

// Whether an explicit VR header of this VR has two reserved bytes and a
// 32-bit length (PS3.5 7.1.2).
bool IsLongVr(char a, char b);

// Scans `bytes`; returns false when it declines (see above). A file without
// a pixel element is declined too, so that DCMTK's full parse reports it.
bool ScanHeader(std::string_view bytes, HeaderScan* scan);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_HEADER_SCAN_H_
