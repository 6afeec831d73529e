#include "cc/core/dicom_json.h"

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "cc/core/charset.h"
#include "cc/core/dataset.h"
#include "cc/core/dcmtk_status.h"
#include "cc/core/element_text.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcelem.h"
#include "dcmtk/dcmdata/dcitem.h"
#include "dcmtk/dcmdata/dcjson.h"
#include "dcmtk/dcmdata/dcsequen.h"
#include "dcmtk/dcmdata/dcvrfd.h"
#include "dcmtk/dcmdata/dcvrfl.h"
#include "dcmtk/dcmdata/dcvrss.h"

namespace tfdicom {
namespace {

constexpr char kUtf8Term[] = "ISO_IR 192";


// The elements of `item` in order, read once (DcmItem::getElement(i) walks
// the list from its start on every call).
std::vector<DcmElement*> Elements(DcmItem& item) {
  std::vector<DcmElement*> elements;
  for (DcmObject* object = item.nextInContainer(nullptr); object != nullptr;
       object = item.nextInContainer(object)) {
    elements.push_back(static_cast<DcmElement*>(object));
  }
  return elements;
}

std::vector<DcmItem*> Items(DcmSequenceOfItems& sequence) {
  std::vector<DcmItem*> items;
  for (DcmObject* object = sequence.nextInContainer(nullptr); object != nullptr;
       object = sequence.nextInContainer(object)) {
    items.push_back(static_cast<DcmItem*>(object));
  }
  return items;
}

// `"ggggeeee":{"vr":"XX"`: what DCMTK's compact writer opens an element with.
void WriteOpener(std::string* out, const DcmElement& element, const char* vr) {
  char key[16];
  const DcmTagKey& tag = element.getTag();
  std::snprintf(key, sizeof(key), "%04X%04X", tag.getGroup(), tag.getElement());
  *out += "\"";
  *out += key;
  *out += "\":{\"vr\":\"";
  *out += vr;
  *out += "\"";
}

void WriteValues(std::string* out, const std::vector<std::string>& values) {
  if (values.empty()) {
    *out += "}";
    return;
  }
  *out += ",\"Value\":[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) *out += ",";
    *out += values[i];
  }
  *out += "]}";
}

// A JSON string literal of ASCII or UTF-8 `text`.
std::string JsonString(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (u < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof(escape), "\\u%04x", u);
      quoted += escape;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

}  // namespace

std::string DecimalJson(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\0'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  if (text.empty()) return "null";
  // DS (PS3.5 6.2): [+-] digits [. digits] [(e|E) [+-] digits], with digits
  // on at least one side of the point; IS is the same without point and
  // exponent. JSON wants no '+', no leading zeros, digits after a point.
  size_t i = 0;
  std::string number;
  if (text[i] == '+' || text[i] == '-') {
    if (text[i] == '-') number += '-';
    ++i;
  }
  const auto digits = [&](size_t from) {
    size_t to = from;
    while (to < text.size() && text[to] >= '0' && text[to] <= '9') ++to;
    return to;
  };
  const size_t int_end = digits(i);
  std::string_view integer = text.substr(i, int_end - i);
  i = int_end;
  std::string_view fraction;
  if (i < text.size() && text[i] == '.') {
    const size_t fraction_end = digits(i + 1);
    fraction = text.substr(i + 1, fraction_end - i - 1);
    i = fraction_end;
  }
  if (integer.empty() && fraction.empty()) return JsonString(text);
  std::string_view exponent;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    const size_t exponent_end = digits(j);
    if (exponent_end == j) return JsonString(text);
    exponent = text.substr(i, exponent_end - i);
    i = exponent_end;
  }
  if (i != text.size()) return JsonString(text);
  while (integer.size() > 1 && integer.front() == '0') integer.remove_prefix(1);
  number += integer.empty() ? std::string_view("0") : integer;
  if (!fraction.empty()) {
    number += '.';
    number += fraction;
  }
  number += exponent;
  return number;
}

namespace {

// FL and FD: DCMTK prints them with 9 and 17 digits of its own ftoa, which
// can miss the value by one unit in the last place (0.02622878766196998
// comes out as 0.026228787661969975), and fails the whole output on NaN or
// infinity. They are written as FloatText (the shortest exact text, FL
// widened to double, as decode_dicom_data gives it), NaN and infinities,
// which JSON numbers cannot be, as null.
std::vector<std::string> FloatValues(DcmElement& element) {
  std::vector<std::string> values;
  const unsigned long count = element.getVM();
  for (unsigned long i = 0; i < count; ++i) {
    double value = 0;
    if (element.ident() == EVR_FD) {
      Float64 v = 0;
      if (element.getFloat64(v, i).bad()) break;
      value = v;
    } else {
      Float32 v = 0;
      if (element.getFloat32(v, i).bad()) break;
      value = WidenFloat(v);
    }
    const std::string number = FloatText(value);
    const bool finite = number != "nan" && number != "inf" && number != "-inf";
    values.push_back(finite ? number : "null");
  }
  return values;
}

// "US or SS" of signed pixel data, read as SS as pydicom does.
std::vector<std::string> SignedValues(DcmElement& element) {
  std::vector<std::string> values;
  Uint16* raw = nullptr;
  const unsigned long count = element.getVM();
  if (count == 0 || element.getUint16Array(raw).bad() || raw == nullptr) return values;
  for (unsigned long i = 0; i < count; ++i) {
    values.push_back(std::to_string(static_cast<Sint16>(raw[i])));
  }
  return values;
}

// DS and IS: each value as a JSON number with the value the text has.
std::vector<std::string> DecimalValues(DcmElement& element) {
  std::vector<std::string> values;
  char* raw = nullptr;
  Uint32 length = 0;
  if (element.getString(raw, length).bad() || raw == nullptr || length == 0) return values;
  std::string_view text(raw, length);
  for (;;) {
    const size_t separator = text.find('\\');
    values.push_back(DecimalJson(text.substr(0, separator)));
    if (separator == std::string_view::npos) break;
    text.remove_prefix(separator + 1);
  }
  return values;
}

class JsonWriter {
 public:
  // Writes `item`'s elements as one JSON object. The nesting is bounded by
  // the structure check (structure_check.h).
  Status WriteItem(DcmItem& item, const CharacterSet& inherited, bool signed_pixels) {
    const CharacterSet charset = ItemCharacterSet(item, inherited);
    Uint16 representation = 0;
    if (item.findAndGetUint16(DCM_PixelRepresentation, representation, 0, OFFalse).good()) {
      signed_pixels = representation == 1;
    }
    out_ += "{";
    bool first = true;
    for (DcmElement* element : Elements(item)) {
      // Group lengths are left out, as DCMTK's writer and PS3.18 F.2 do.
      if (element->getTag().getElement() == 0x0000) continue;
      if (!first) out_ += ",";
      first = false;
      TFDICOM_RETURN_IF_ERROR(WriteElement(*element, charset, signed_pixels));
    }
    out_ += "}";
    return OkStatus();
  }

  std::string& text() { return out_; }

 private:
  Status WriteElement(DcmElement& element, const CharacterSet& charset, bool signed_pixels) {
    const DcmEVR vr = element.ident();
    if (vr == EVR_SQ) {
      WriteOpener(&out_, element, "SQ");
      const std::vector<DcmItem*> items = Items(static_cast<DcmSequenceOfItems&>(element));
      if (!items.empty()) {
        out_ += ",\"Value\":[";
        for (size_t i = 0; i < items.size(); ++i) {
          if (i > 0) out_ += ",";
          TFDICOM_RETURN_IF_ERROR(WriteItem(*items[i], charset, signed_pixels));
        }
        out_ += "]";
      }
      out_ += "}";
      return OkStatus();
    }
    if (element.getTag() == DCM_SpecificCharacterSet && HasOtherCharacterSet(element)) {
      // The text is UTF-8 now.
      WriteOpener(&out_, element, "CS");
      WriteValues(&out_, {JsonString(kUtf8Term)});
      return OkStatus();
    }
    if (vr == EVR_DS || vr == EVR_IS) {
      WriteOpener(&out_, element, vr == EVR_DS ? "DS" : "IS");
      WriteValues(&out_, DecimalValues(element));
      return OkStatus();
    }
    if (vr == EVR_FD || vr == EVR_FL) {
      WriteOpener(&out_, element, vr == EVR_FD ? "FD" : "FL");
      WriteValues(&out_, FloatValues(element));
      return OkStatus();
    }
    if (signed_pixels && IsUsOrSs(element)) {
      WriteOpener(&out_, element, "SS");
      WriteValues(&out_, SignedValues(element));
      return OkStatus();
    }
    if (IsStringElement(element)) {
      char* raw = nullptr;
      Uint32 length = 0;
      if (element.getString(raw, length).good() && raw != nullptr &&
          !IsAscii(std::string_view(raw, length))) {
        const std::string text = DecodedText(element, charset);
        TFDICOM_RETURN_IF_ERROR(FromCondition(
            element.putString(text.data(), static_cast<Uint32>(text.size())),
            "cannot store a value as UTF-8"));
      }
    }
    std::ostringstream out;
    DcmJsonFormatCompact format(/*printMetaInfo=*/OFFalse);
    TFDICOM_RETURN_IF_ERROR(
        FromCondition(element.writeJson(out, format), "cannot write JSON"));
    out_ += std::move(out).str();
    return OkStatus();
  }

  static bool HasOtherCharacterSet(DcmElement& element) {
    OFString value;
    if (element.getOFStringArray(value).bad()) return false;
    const size_t first = value.find_first_not_of(" \\");
    return first != OFString_npos && value != kUtf8Term;
  }

  std::string out_;
};

}  // namespace

namespace {

Status DecodeJsonUnguarded(std::string_view contents, std::string* json) {
  json->clear();
  Dataset file;
  TFDICOM_RETURN_IF_ERROR(
      file.Parse(contents, Dataset::Depth::kUntilPixelData).WithContext("decode_dicom_json"));
  // What DcmFileFormat::writeJson writes without the meta header: the data
  // set's elements inside one object. Written here, item by item, so that
  // the work is linear in the elements (DCMTK's own walk is too, but
  // replacing an element in a DcmItem is not) and DS, IS, FL, FD are exact.
  JsonWriter writer;
  TFDICOM_RETURN_IF_ERROR(writer.WriteItem(file.dataset(), CharacterSet(), false)
                              .WithContext("decode_dicom_json"));
  *json = std::move(writer.text());
  return OkStatus();
}

}  // namespace

Status DecodeJson(std::string_view contents, std::string* json) {
  return GuardAllocations("decode_dicom_json", [&] { return DecodeJsonUnguarded(contents, json); });
}

}  // namespace tfdicom
