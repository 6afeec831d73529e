#include "cc/core/header_scan.h"

#include <cstdint>
#include <cstring>

namespace tfdicom {
namespace {

constexpr size_t kPreambleLength = 128;
constexpr int kMaxSequenceDepth = 16;

bool IsPixelTag(uint32_t tag) {
  return tag == 0x7FE00010 || tag == 0x7FE00008 || tag == 0x7FE00009;
}

// ElementReader with the header scan's skips over undefined-length content.
class Reader : public ElementReader {
 public:
  using ElementReader::ElementReader;

  // Moves past a sequence of undefined length whose header `e` was read:
  // items of either length, elements inside undefined-length items, nested
  // sequences, up to the sequence delimiter.
  bool SkipSequence(const Element& e, bool explicit_vr, int depth) {
    if (depth > kMaxSequenceDepth) return false;
    pos_ = e.value;
    Element item;
    for (;;) {
      if (!Next(false, &item) || item.tag >> 16 != 0xFFFE) return false;
      pos_ = item.value;
      if (item.tag == 0xFFFEE0DD) return true;  // sequence delimiter
      if (item.tag != 0xFFFEE000) return false;
      if (item.length != kUndefinedLength) {
        if (!SkipValue(item)) return false;
        continue;
      }
      if (!SkipItemElements(explicit_vr, depth)) return false;
    }
  }

  // Moves past a nested sequence or undefined-length UN (whose content is
  // implicit VR little endian, PS3.5 6.2.2).
  bool SkipUndefined(const Element& e, bool explicit_vr, int depth) {
    if (explicit_vr && std::strcmp(e.vr, "SQ") != 0) {
      if (std::strcmp(e.vr, "UN") != 0 || big_endian_) return false;
      explicit_vr = false;
    }
    return SkipSequence(e, explicit_vr, depth + 1);
  }

 private:
  // The elements of an undefined-length item, up to its delimiter.
  bool SkipItemElements(bool explicit_vr, int depth) {
    Element e;
    for (;;) {
      if (!Next(explicit_vr, &e)) return false;
      if (e.tag == 0xFFFEE00D) {
        pos_ = e.value;
        return true;
      }
      if (e.tag >> 16 == 0xFFFE) return false;
      const bool ok = e.length == kUndefinedLength ? SkipUndefined(e, explicit_vr, depth)
                                                   : SkipValue(e);
      if (!ok) return false;
    }
  }

};

// A string value's first component, padding removed, as DCMTK gives it
// (which, like C, ends a string at a NUL).
std::string FirstComponent(const uint8_t* value, uint32_t length) {
  std::string_view text(reinterpret_cast<const char*>(value), length);
  text = text.substr(0, text.find('\0'));
  text = text.substr(0, text.find('\\'));
  const auto padding = [](char c) { return c == ' ' || c == '\0'; };
  while (!text.empty() && padding(text.front())) text.remove_prefix(1);
  while (!text.empty() && padding(text.back())) text.remove_suffix(1);
  return std::string(text);
}

// Records the value of an image attribute; false when its VR or length is
// not what DCMTK would read without a second thought.
bool Record(const Reader& r, const Element& e, ImageAttributes* a) {
  std::optional<uint16_t>* number = nullptr;
  std::optional<std::string>* text = nullptr;
  const char* vr = "US";
  switch (e.tag) {
    case 0x00280002: number = &a->samples_per_pixel; break;
    case 0x00280004: text = &a->photometric; vr = "CS"; break;
    case 0x00280006: number = &a->planar_configuration; break;
    case 0x00280008: text = &a->number_of_frames; vr = "IS"; break;
    case 0x00280010: number = &a->rows; break;
    case 0x00280011: number = &a->columns; break;
    case 0x00280100: number = &a->bits_allocated; break;
    case 0x00280101: number = &a->bits_stored; break;
    case 0x00280102: number = &a->high_bit; break;
    case 0x00280103: number = &a->pixel_representation; break;
    default: return true;
  }
  if (e.vr[0] != '\0' && std::strcmp(e.vr, vr) != 0) return false;
  if (number != nullptr) {
    if (e.length == 2) *number = r.U16(e.value);
    return e.length == 0 || e.length == 2;
  }
  std::string value = FirstComponent(r.data() + e.value, e.length);
  if (!value.empty()) *text = std::move(value);
  return true;
}

// Notes what value levels read (value_levels.h keeps the list): the raw
// text of RescaleIntercept/Slope, WindowCenter/Width and VOILUTFunction,
// and whether a LUT or functional-group sequence is there. False for a VR
// DCMTK would read otherwise.
bool RecordLevel(const Reader& r, const Element& e, HeaderScan* scan) {
  const char* vr = nullptr;
  switch (e.tag) {
    case 0x00281050: case 0x00281051: case 0x00281052: case 0x00281053: vr = "DS"; break;
    case 0x00281056: vr = "CS"; break;
    case 0x00283000: case 0x00283010: case 0x52009229: case 0x52009230:
      scan->level_sequences = true;
      return true;
    default: return true;
  }
  if (e.vr[0] != '\0' && std::strcmp(e.vr, vr) != 0) return false;
  scan->level_values.emplace_back(
      e.tag, std::string(reinterpret_cast<const char*>(r.data() + e.value), e.length));
  return true;
}

// The meta header (explicit VR little endian, group 0002): returns where
// the data set starts, or 0 when it cannot be read. DCMTK trusts (0002,0000)
// MetaInformationGroupLength over the group number: when both are there,
// they must agree.
size_t ReadMetaHeader(std::string_view bytes, std::string* transfer_syntax_uid) {
  Reader r(bytes, kPreambleLength + 4, false);
  Element e;
  uint64_t declared_end = 0;
  while (r.Next(true, &e) && e.tag >> 16 == 0x0002) {
    if (!r.SkipValue(e)) return 0;
    if (e.tag == 0x00020000) {
      if (e.length != 4 || std::strcmp(e.vr, "UL") != 0) return 0;
      declared_end = r.pos() + uint64_t{r.U32(e.value)};
    } else if (e.tag == 0x00020010) {
      *transfer_syntax_uid = FirstComponent(r.data() + e.value, e.length);
    }
  }
  if (declared_end != 0 && declared_end != r.pos()) return 0;
  return transfer_syntax_uid->empty() ? 0 : r.pos();
}

}  // namespace

// The VRs of PS3.5 6.2; DCMTK reads others its own way.
bool IsKnownVr(char a, char b) {
  static constexpr const char kKnown[][3] = {
      "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD",
      "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI",
      "UL", "UN", "UR", "US", "UT", "UV"};
  for (const char* v : kKnown) {
    if (a == v[0] && b == v[1]) return true;
  }
  return false;
}

bool IsLongVr(char a, char b) {
  static constexpr const char kLong[][3] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                            "SV", "UC", "UN", "UR", "UT", "UV"};
  for (const char* v : kLong) {
    if (a == v[0] && b == v[1]) return true;
  }
  return false;
}

bool ScanHeader(std::string_view bytes, HeaderScan* scan) {
  if (bytes.size() < kPreambleLength + 4 || bytes.substr(kPreambleLength, 4) != "DICM") {
    return false;
  }
  const size_t start = ReadMetaHeader(bytes, &scan->transfer_syntax_uid);
  const TransferSyntax* ts = FindTransferSyntax(scan->transfer_syntax_uid);
  if (start == 0 || ts == nullptr || !ts->supported ||
      ts->encoding == PixelEncoding::kDeflated) {
    return false;
  }
  scan->transfer_syntax = ts;
  const bool explicit_vr = scan->transfer_syntax_uid != "1.2.840.10008.1.2";
  const bool encapsulated = ts->encoding == PixelEncoding::kEncapsulated;
  Reader r(bytes, start, ts->big_endian);
  Element e;
  uint32_t previous = 0;
  while (r.Next(explicit_vr, &e)) {
    // Ascending tags only: a repeated or misplaced element is DCMTK's call.
    if (e.tag <= previous || e.tag >> 16 == 0xFFFE || e.tag >> 16 == 0x0002) return false;
    previous = e.tag;
    if (e.tag >= 0x7FE00008) {
      if (!IsPixelTag(e.tag)) return false;
      if (explicit_vr && !IsLongVr(e.vr[0], e.vr[1])) return false;
      if ((e.length == kUndefinedLength) != encapsulated) return false;
      PixelElementSpan& span = scan->pixel;
      span.tag = e.tag;
      span.undefined_length = encapsulated;
      span.value_offset = e.value;
      span.declared_length = e.length;
      std::memcpy(span.vr, e.vr, sizeof(span.vr));
      return true;
    }
    if (e.length == kUndefinedLength) {
      if (!RecordLevel(r, e, scan) || !r.SkipUndefined(e, explicit_vr, 0)) return false;
      continue;
    }
    if (!r.SkipValue(e) || !Record(r, e, &scan->attributes) || !RecordLevel(r, e, scan)) {
      return false;
    }
  }
  return false;
}

}  // namespace tfdicom
