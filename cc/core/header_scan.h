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

// Whether `a` `b` is one of the VRs of PS3.5 6.2.
bool IsKnownVr(char a, char b);

constexpr uint32_t kUndefinedLength = 0xFFFFFFFFu;

// One element header, as ElementReader::Next reads it.
struct Element {
  uint32_t tag = 0;
  char vr[3] = "";  // empty under implicit VR, and for items and delimiters
  uint32_t length = 0;
  size_t value = 0;  // offset of the value
};

// Reads element headers from a byte span in one byte order: the one
// element reader of the header scan and of the structure check
// (structure_check.h).
class ElementReader {
 public:
  ElementReader(std::string_view bytes, size_t pos, bool big_endian)
      : p_(reinterpret_cast<const uint8_t*>(bytes.data())), size_(bytes.size()), pos_(pos),
        big_endian_(big_endian) {}

  size_t pos() const { return pos_; }
  void set_pos(size_t pos) { pos_ = pos; }
  size_t size() const { return size_; }
  const uint8_t* data() const { return p_; }

  uint16_t U16(size_t at) const {
    return big_endian_ ? static_cast<uint16_t>(p_[at] << 8 | p_[at + 1])
                       : static_cast<uint16_t>(p_[at + 1] << 8 | p_[at]);
  }
  uint32_t U32(size_t at) const {
    return big_endian_ ? uint32_t{U16(at)} << 16 | U16(at + 2)
                       : uint32_t{U16(at + 2)} << 16 | U16(at);
  }

  // Reads the header at pos() (which it leaves unchanged); false at the end
  // or on anything odd. An explicit VR that PS3.5 does not know makes it
  // decline, unless `read_unknown_vr`: then it is read as DCMTK 3.6.7 reads
  // it: two upper-case letters (a VR of a later edition, PS3.5 7.1.2) with
  // two reserved bytes and a 32-bit length, anything else with a 16-bit one.
  bool Next(bool explicit_vr, Element* e, bool read_unknown_vr = false) const {
    if (pos_ + 8 > size_) return false;
    e->tag = uint32_t{U16(pos_)} << 16 | U16(pos_ + 2);
    if (e->tag >> 16 == 0xFFFE || !explicit_vr) {  // items and delimiters have no VR
      e->vr[0] = '\0';
      e->length = U32(pos_ + 4);
      e->value = pos_ + 8;
      return true;
    }
    const char a = static_cast<char>(p_[pos_ + 4]), b = static_cast<char>(p_[pos_ + 5]);
    const bool known = IsKnownVr(a, b);
    if (!known && !read_unknown_vr) return false;
    e->vr[0] = a;
    e->vr[1] = b;
    e->vr[2] = '\0';
    const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    if (known ? IsLongVr(a, b) : upper(a) && upper(b)) {
      if (pos_ + 12 > size_) return false;
      e->length = U32(pos_ + 8);
      e->value = pos_ + 12;
    } else {
      e->length = U16(pos_ + 6);
      e->value = pos_ + 8;
    }
    return true;
  }

  // Moves past a value of defined length that lies inside the input.
  bool SkipValue(const Element& e) {
    if (e.length == kUndefinedLength || e.length > size_ - e.value) return false;
    pos_ = e.value + e.length;
    return true;
  }

 protected:
  const uint8_t* p_;
  size_t size_;
  size_t pos_;
  bool big_endian_;
};

// Scans `bytes`; returns false when it declines (see above). A file without
// a pixel element is declined too, so that DCMTK's full parse reports it.
bool ScanHeader(std::string_view bytes, HeaderScan* scan);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_HEADER_SCAN_H_
