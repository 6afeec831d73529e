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

// Reads a "US or SS" element of signed pixel data as SS, as pydicom does.
Status MakeSigned(DcmItem& item, DcmElement& element) {
  Uint16* values = nullptr;
  const unsigned long count = element.getVM();
  if (element.getUint16Array(values).bad() && count > 0) return OkStatus();
  std::vector<Sint16> signed_values(count);
  for (unsigned long i = 0; i < count; ++i) signed_values[i] = static_cast<Sint16>(values[i]);
  auto* replacement = new DcmSignedShort(DcmTag(element.getTag().getXTag(), EVR_SS));
  if (count > 0) {
    replacement->putSint16Array(signed_values.data(), static_cast<unsigned long>(count));
  }
  return FromCondition(item.insert(replacement, OFTrue), "cannot replace a US or SS element");
}

// Rewrites every text value of `item`, and of the items of its sequences,
// as UTF-8.
Status ConvertToUtf8(DcmItem& item, const CharacterSet& inherited, bool signed_pixels) {
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
        TFDICOM_RETURN_IF_ERROR(ConvertToUtf8(*sequence->getItem(j), charset, signed_pixels));
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
      ConvertToUtf8(file.dataset(), CharacterSet(), false).WithContext("decode_dicom_json"));
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
