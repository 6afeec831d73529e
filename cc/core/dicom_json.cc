#include "cc/core/dicom_json.h"

#include <sstream>
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

bool HasOtherCharacterSet(DcmItem& item) {
  OFString value;
  if (item.findAndGetOFStringArray(DCM_SpecificCharacterSet, value, OFFalse).bad()) {
    return false;
  }
  const size_t first = value.find_first_not_of(" \\");
  return first != OFString_npos && value != kUtf8Term;
}

// DCMTK prints FL and FD with 9 and 17 digits of its own ftoa, which can
// miss the value by one unit in the last place (0.02622878766196998 comes
// out as 0.026228787661969975), and fails the whole output on NaN or
// infinity. These elements print FloatText (the shortest exact text, FL
// widened to double, as decode_dicom_data gives it) and write NaN and
// infinities, which JSON numbers cannot be, as null.
template <typename Base, typename Value>
class ExactNumber : public Base {
 public:
  explicit ExactNumber(const DcmTag& tag) : Base(tag) {}

  OFCondition getOFString(OFString& text, const unsigned long pos,
                          OFBool /*normalize*/ = OFTrue) override {
    Value value = 0;
    const OFCondition condition = Get(pos, &value);
    if (condition.bad()) return condition;
    const std::string number = FloatText(Widen(value));
    const bool finite = number != "nan" && number != "inf" && number != "-inf";
    text = finite ? number.c_str() : "";
    return EC_Normal;
  }

  OFCondition writeJson(STD_NAMESPACE ostream& out, DcmJsonFormat& format) override {
    this->writeJsonOpener(out, format);
    const unsigned long count = this->getVM();
    if (count > 0) {
      format.printValuePrefix(out);
      for (unsigned long i = 0; i < count; ++i) {
        if (i > 0) format.printNextArrayElementPrefix(out);
        OFString text;
        const OFCondition condition = getOFString(text, i);
        if (condition.bad()) return condition;
        out << (text.empty() ? "null" : text.c_str());
      }
      format.printValueSuffix(out);
    }
    this->writeJsonCloser(out, format);
    return EC_Normal;
  }

 private:
  static double Widen(Float64 value) { return value; }
  static double Widen(Float32 value) { return WidenFloat(value); }
  OFCondition Get(unsigned long pos, Float64* value) { return this->getFloat64(*value, pos); }
  OFCondition Get(unsigned long pos, Float32* value) { return this->getFloat32(*value, pos); }
};

template <typename Base, typename Value>
Status MakeExact(DcmItem& item, DcmElement& element) {
  const unsigned long count = element.getVM();
  std::vector<Value> values(count);
  for (unsigned long i = 0; i < count; ++i) {
    if constexpr (sizeof(Value) == 8) {
      element.getFloat64(values[i], i);
    } else {
      element.getFloat32(values[i], i);
    }
  }
  auto* replacement = new ExactNumber<Base, Value>(DcmTag(element.getTag()));
  if (count > 0) {
    if constexpr (sizeof(Value) == 8) {
      replacement->putFloat64Array(values.data(), count);
    } else {
      replacement->putFloat32Array(values.data(), count);
    }
  }
  return FromCondition(item.insert(replacement, OFTrue), "cannot replace an FL or FD element");
}

// Reads a "US or SS" element of signed pixel data as SS, as pydicom does.
Status MakeSigned(DcmItem& item, DcmElement& element) {
  Uint16* values = nullptr;
  const unsigned long count = element.getVM();
  if (count > 0 && (element.getUint16Array(values).bad() || values == nullptr)) {
    return OkStatus();  // unreadable: left as DCMTK has it
  }
  std::vector<Sint16> signed_values(count);
  for (unsigned long i = 0; i < count; ++i) signed_values[i] = static_cast<Sint16>(values[i]);
  auto* replacement = new DcmSignedShort(DcmTag(element.getTag().getXTag(), EVR_SS));
  if (count > 0) {
    replacement->putSint16Array(signed_values.data(), static_cast<unsigned long>(count));
  }
  return FromCondition(item.insert(replacement, OFTrue), "cannot replace a US or SS element");
}

// Makes `item`, and the items of its sequences, ready for DCMTK's JSON
// writer: every text value rewritten as UTF-8 (and (0008,0005) saying so),
// "US or SS" read as SS for signed pixels (an inherited or own Pixel
// Representation of 1), FL and FD swapped for ExactNumber.
Status PrepareForJson(DcmItem& item, const CharacterSet& inherited, bool signed_pixels) {
  const CharacterSet charset = ItemCharacterSet(item, inherited);
  Uint16 representation = 0;
  if (item.findAndGetUint16(DCM_PixelRepresentation, representation, 0, OFFalse).good()) {
    signed_pixels = representation == 1;
  }
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* element = item.getElement(i);
    if (element == nullptr) continue;
    if (element->ident() == EVR_SQ) {
      auto* sequence = static_cast<DcmSequenceOfItems*>(element);
      for (unsigned long j = 0; j < sequence->card(); ++j) {
        TFDICOM_RETURN_IF_ERROR(PrepareForJson(*sequence->getItem(j), charset, signed_pixels));
      }
    } else if (IsStringElement(*element)) {
      char* raw = nullptr;
      Uint32 length = 0;
      if (element->getString(raw, length).bad() || raw == nullptr) continue;
      if (IsAscii(std::string_view(raw, length))) continue;
      const std::string text = DecodedText(*element, charset);
      TFDICOM_RETURN_IF_ERROR(FromCondition(
          element->putString(text.data(), static_cast<Uint32>(text.size())),
          "cannot store a value as UTF-8"));
    } else if (signed_pixels && IsUsOrSs(*element)) {
      TFDICOM_RETURN_IF_ERROR(MakeSigned(item, *element));
    } else if (element->ident() == EVR_FD) {
      TFDICOM_RETURN_IF_ERROR((MakeExact<DcmFloatingPointDouble, Float64>(item, *element)));
    } else if (element->ident() == EVR_FL) {
      TFDICOM_RETURN_IF_ERROR((MakeExact<DcmFloatingPointSingle, Float32>(item, *element)));
    }
  }
  if (HasOtherCharacterSet(item)) {
    TFDICOM_RETURN_IF_ERROR(FromCondition(
        item.putAndInsertString(DCM_SpecificCharacterSet, kUtf8Term),
        "cannot set (0008,0005) SpecificCharacterSet"));
  }
  return OkStatus();
}

}  // namespace

Status DecodeJson(std::string_view contents, std::string* json) {
  json->clear();
  Dataset file;
  TFDICOM_RETURN_IF_ERROR(
      file.Parse(contents, Dataset::Depth::kUntilPixelData).WithContext("decode_dicom_json"));
  TFDICOM_RETURN_IF_ERROR(
      PrepareForJson(file.dataset(), CharacterSet(), false).WithContext("decode_dicom_json"));
  // What DcmFileFormat::writeJson writes without the meta header: the data
  // set's elements inside one object.
  std::ostringstream out;
  DcmJsonFormatCompact format(/*printMetaInfo=*/OFFalse);
  out << '{';
  TFDICOM_RETURN_IF_ERROR(FromCondition(file.dataset().writeJson(out, format),
                                        "decode_dicom_json: cannot write JSON"));
  out << '}';
  *json = std::move(out).str();
  return OkStatus();
}

}  // namespace tfdicom
