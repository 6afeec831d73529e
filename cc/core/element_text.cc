#include "cc/core/element_text.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "cc/core/dcmtk_status.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcelem.h"
#include "dcmtk/dcmdata/dcitem.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcsequen.h"
#include "dcmtk/dcmdata/dcxfer.h"

namespace tfdicom {

std::string FloatText(double value) {
  // Classified by its bits, not by comparisons, which treat a denormal as 0
  // where denormals are flushed to zero. std::to_chars compares too, so the
  // TensorFlow kernels also turn flushing off around the core.
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  const bool negative = bits >> 63;
  const uint64_t exponent_bits = (bits >> 52) & 0x7FF;
  const uint64_t mantissa = bits & ((uint64_t{1} << 52) - 1);
  if (exponent_bits == 0x7FF) return mantissa != 0 ? "nan" : (negative ? "-inf" : "inf");
  if (exponent_bits == 0 && mantissa == 0) return negative ? "-0.0" : "0.0";
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  std::string_view text(buffer, result.ptr - buffer);  // [-]d[.ddd]e(+|-)xx
  std::string out;
  if (text.front() == '-') {
    out += '-';
    text.remove_prefix(1);
  }
  const size_t e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits += c;
  }
  const int exponent = std::stoi(std::string(text.substr(e + 1)));
  const int point = exponent + 1;  // digits are 0.d1d2... x 10^point
  const int n = static_cast<int>(digits.size());
  if (point > -4 && point <= 16) {
    if (point <= 0) {
      out += "0." + std::string(-point, '0') + digits;
    } else if (point >= n) {
      out += digits + std::string(point - n, '0') + ".0";
    } else {
      out += digits.substr(0, point) + "." + digits.substr(point);
    }
  } else {
    out += digits.substr(0, 1);
    if (n > 1) out += "." + digits.substr(1);
    char exp_text[16];
    std::snprintf(exp_text, sizeof(exp_text), "e%c%02d", exponent < 0 ? '-' : '+',
                  std::abs(exponent));
    out += exp_text;
  }
  return out;
}

double WidenFloat(float value) {
  uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  const uint64_t sign = static_cast<uint64_t>(bits >> 31) << 63;
  int exponent = static_cast<int>((bits >> 23) & 0xFF);
  uint64_t mantissa = bits & 0x7FFFFF;
  uint64_t wide = sign;
  if (exponent == 0xFF) {
    wide |= (uint64_t{0x7FF} << 52) | (mantissa << 29);
  } else if (exponent != 0) {
    wide |= (static_cast<uint64_t>(exponent - 127 + 1023) << 52) | (mantissa << 29);
  } else if (mantissa != 0) {  // denormal: normalise the mantissa
    exponent = -126;
    while ((mantissa & 0x800000) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    wide |= (static_cast<uint64_t>(exponent + 1023) << 52) | ((mantissa & 0x7FFFFF) << 29);
  }
  double result = 0;
  std::memcpy(&result, &wide, sizeof(result));
  return result;
}

namespace {

std::string Base64(const uint8_t* data, size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < size; i += 3) {
    const uint32_t v = data[i] << 16 | data[i + 1] << 8 | data[i + 2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < size) {
    const uint32_t v = data[i] << 16 | (i + 1 < size ? data[i + 1] << 8 : 0);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < size ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool StripsLeadingSpaces(DcmEVR vr) {
  switch (vr) {
    case EVR_AE: case EVR_AS: case EVR_CS: case EVR_DA: case EVR_DS: case EVR_DT:
    case EVR_IS: case EVR_LO: case EVR_SH: case EVR_TM: case EVR_UI:
      return true;
    default:
      return false;
  }
}

bool IsMultiValued(DcmEVR vr) {  // LT, ST, UT and UR take '\' as a character
  return vr != EVR_LT && vr != EVR_ST && vr != EVR_UT && vr != EVR_UR;
}

std::string_view TrimValue(std::string_view value, bool leading) {
  while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.remove_suffix(1);
  if (leading) {
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  return value;
}

std::string RenderText(DcmElement& element, const CharacterSet& charset) {
  const DcmEVR vr = element.ident();
  const std::string text = DecodedText(element, charset);
  const bool leading = StripsLeadingSpaces(vr);
  if (!IsMultiValued(vr)) return std::string(TrimValue(text, leading));
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t end = text.find('\\', start);
    const std::string_view value =
        std::string_view(text).substr(start, end == std::string::npos ? std::string::npos
                                                                      : end - start);
    out += TrimValue(value, leading);
    if (end == std::string::npos) break;
    out += '\\';
    start = end + 1;
  }
  return out;
}

// Joins count values of `get(i)` with '\'.
template <typename Get>
std::string JoinValues(unsigned long count, Get get) {
  std::string out;
  for (unsigned long i = 0; i < count; ++i) {
    if (i > 0) out += '\\';
    out += get(i);
  }
  return out;
}

std::string TagText(const DcmTagKey& key) {
  char text[16];
  std::snprintf(text, sizeof(text), "(%04X,%04X)", key.getGroup(), key.getElement());
  return text;
}

// The bytes of a binary value in little-endian order.
Status LittleEndianBytes(DcmElement& element, std::vector<uint8_t>* bytes) {
  const Uint32 length = element.getLength();
  bytes->resize(length);
  if (length == 0) return OkStatus();
  return FromCondition(
      element.getPartialValue(bytes->data(), 0, length, nullptr, EBO_LittleEndian),
      "cannot read the value of " + TagText(element.getTag()));
}

void AppendU32(uint32_t v, std::vector<uint8_t>* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Encapsulated pixel data as pydicom holds it: each item's tag (FFFE,E000),
// length and fragment, without the sequence delimiter.
bool EncapsulatedBytes(DcmPixelData& pixels, std::vector<uint8_t>* bytes) {
  E_TransferSyntax xfer = EXS_Unknown;
  const DcmRepresentationParameter* parameter = nullptr;
  pixels.getOriginalRepresentationKey(xfer, parameter);
  if (!DcmXfer(xfer).isEncapsulated()) return false;
  DcmPixelSequence* sequence = nullptr;
  if (pixels.getEncapsulatedRepresentation(xfer, parameter, sequence).bad() ||
      sequence == nullptr) {
    return false;
  }
  bytes->clear();
  for (unsigned long i = 0; i < sequence->card(); ++i) {
    DcmPixelItem* item = nullptr;
    if (sequence->getItem(item, i).bad() || item == nullptr) continue;
    Uint8* data = nullptr;
    const Uint32 length = item->getLength();
    if (length > 0) item->getUint8Array(data);
    AppendU32(0xE000FFFEu, bytes);  // (FFFE,E000) little endian: FE FF 00 E0
    AppendU32(length, bytes);
    if (data != nullptr) bytes->insert(bytes->end(), data, data + length);
  }
  return true;
}

}  // namespace

CharacterSet ItemCharacterSet(DcmItem& item, const CharacterSet& inherited) {
  DcmElement* element = nullptr;
  if (item.findAndGetElement(DCM_SpecificCharacterSet, element, OFFalse).bad() ||
      element == nullptr) {
    return inherited;
  }
  std::vector<std::string> terms;
  char* raw = nullptr;
  Uint32 length = 0;
  if (element->getString(raw, length).good() && raw != nullptr) {
    std::string_view text(raw, length);
    size_t start = 0;
    while (true) {
      const size_t end = text.find('\\', start);
      terms.emplace_back(TrimValue(text.substr(start, end == std::string_view::npos
                                                          ? std::string_view::npos
                                                          : end - start),
                                   true));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }
  return CharacterSet::FromTerms(terms);
}

bool UsesCharacterSet(DcmElement& element) {
  switch (element.ident()) {
    case EVR_SH: case EVR_LO: case EVR_ST: case EVR_LT: case EVR_UC: case EVR_UT:
    case EVR_PN:
      return true;
    default:
      return false;
  }
}

bool IsStringElement(DcmElement& element) {
  switch (element.ident()) {
    case EVR_AE: case EVR_AS: case EVR_CS: case EVR_DA: case EVR_DS: case EVR_DT:
    case EVR_IS: case EVR_LO: case EVR_LT: case EVR_PN: case EVR_SH: case EVR_ST:
    case EVR_TM: case EVR_UC: case EVR_UI: case EVR_UR: case EVR_UT:
      return true;
    default:
      return false;
  }
}

std::string DecodedText(DcmElement& element, const CharacterSet& charset) {
  if (!IsStringElement(element)) return "";
  char* raw = nullptr;
  Uint32 length = 0;
  if (element.getString(raw, length).bad() || raw == nullptr) return "";
  const std::string_view bytes(raw, length);
  if (IsAscii(bytes)) return std::string(bytes);
  if (!UsesCharacterSet(element)) return Latin1ToUtf8(bytes);
  const DcmEVR vr = element.ident();
  const TextDelimiters delimiters = vr == EVR_PN                  ? TextDelimiters::kPersonName
                                    : IsMultiValued(vr)           ? TextDelimiters::kValues
                                                                  : TextDelimiters::kText;
  return charset.Decode(bytes, delimiters);
}

bool IsUsOrSs(DcmElement& element) {
  return element.ident() == EVR_US && element.getTag().getEVR() == EVR_xs;
}

Status RenderElement(DcmElement& element, const CharacterSet& charset, bool signed_pixels,
                     std::string* text) {
  text->clear();
  if (IsStringElement(element)) {
    *text = RenderText(element, charset);
    return OkStatus();
  }
  const unsigned long count = element.getVM();
  switch (element.ident()) {
    case EVR_SQ:
      *text = std::to_string(static_cast<DcmSequenceOfItems&>(element).card());
      return OkStatus();
    case EVR_US:
      if (signed_pixels && IsUsOrSs(element)) {
        *text = JoinValues(count, [&](unsigned long i) {
          Uint16 v = 0;
          element.getUint16(v, i);
          return std::to_string(static_cast<int16_t>(v));
        });
      } else {
        *text = JoinValues(count, [&](unsigned long i) {
          Uint16 v = 0;
          element.getUint16(v, i);
          return std::to_string(v);
        });
      }
      return OkStatus();
    case EVR_SS:
      *text = JoinValues(count, [&](unsigned long i) {
        Sint16 v = 0;
        element.getSint16(v, i);
        return std::to_string(v);
      });
      return OkStatus();
    case EVR_UL:
    case EVR_up:
      *text = JoinValues(count, [&](unsigned long i) {
        Uint32 v = 0;
        element.getUint32(v, i);
        return std::to_string(v);
      });
      return OkStatus();
    case EVR_SL:
      *text = JoinValues(count, [&](unsigned long i) {
        Sint32 v = 0;
        element.getSint32(v, i);
        return std::to_string(v);
      });
      return OkStatus();
    case EVR_UV:
      *text = JoinValues(count, [&](unsigned long i) {
        Uint64 v = 0;
        element.getUint64(v, i);
        return std::to_string(v);
      });
      return OkStatus();
    case EVR_SV:
      *text = JoinValues(count, [&](unsigned long i) {
        Sint64 v = 0;
        element.getSint64(v, i);
        return std::to_string(v);
      });
      return OkStatus();
    case EVR_FL:
      *text = JoinValues(count, [&](unsigned long i) {
        Float32 v = 0;
        element.getFloat32(v, i);
        return FloatText(WidenFloat(v));
      });
      return OkStatus();
    case EVR_FD:
      *text = JoinValues(count, [&](unsigned long i) {
        Float64 v = 0;
        element.getFloat64(v, i);
        return FloatText(v);
      });
      return OkStatus();
    case EVR_AT:
      *text = JoinValues(count, [&](unsigned long i) {
        DcmTagKey key;
        element.getTagVal(key, i);
        return TagText(key);
      });
      return OkStatus();
    default:
      break;
  }
  // Binary: OB, OW, OF, OD, OL, OV, UN, pixel data.
  std::vector<uint8_t> bytes;
  if (element.ident() == EVR_PixelData &&
      EncapsulatedBytes(static_cast<DcmPixelData&>(element), &bytes)) {
    *text = Base64(bytes.data(), bytes.size());
    return OkStatus();
  }
  TFDICOM_RETURN_IF_ERROR(LittleEndianBytes(element, &bytes));
  *text = Base64(bytes.data(), bytes.size());
  return OkStatus();
}

}  // namespace tfdicom
