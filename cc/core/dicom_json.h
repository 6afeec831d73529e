// decode_dicom_json's core: DICOM bytes -> the data set as DICOM JSON
// (PS3.18 F.2), written by DCMTK's DcmJsonFormat.
#ifndef TFDICOM_CC_CORE_DICOM_JSON_H_
#define TFDICOM_CC_CORE_DICOM_JSON_H_

#include <string>
#include <string_view>

#include "cc/core/status.h"

namespace tfdicom {

// Sets `json` to one compact JSON object: the data set's elements keyed by
// "ggggeeee", as PS3.18 F.2 defines them. Decisions (README.md says why):
// - the file meta header (group 0002) is not included, as pydicom's
//   Dataset.to_json_dict() leaves file_meta out;
// - the file is read up to its pixel data: (7FE0,0008) Float Pixel Data,
//   (7FE0,0009), (7FE0,0010) Pixel Data and every element after them are
//   left out. Other binary values (OB, OW, UN, ...) are InlineBinary
//   (base64 of their little-endian bytes);
// - text is UTF-8, decoded by Specific Character Set as decode_dicom_data
//   decodes it; each (0008,0005) that names another character set is
//   rewritten to "ISO_IR 192", which is what the JSON text now is;
// - DS and IS values are JSON numbers with the value of the text, the text
//   made valid JSON (DecimalJson), or JSON strings when the file holds
//   something that is not a number (e.g. "1A"), so the output always parses;
// - the work is linear in the elements and items.
// Fails as decode_dicom_data does. Thread-safe; never throws.
Status DecodeJson(std::string_view contents, std::string* json);

// One DS or IS value (padding included) as DICOM JSON writes it: a JSON
// number with the value of the text ("+1" -> 1, "1." -> 1, ".5" -> 0.5,
// "1.E3" -> 1.E3, "00012" -> 12), null for an empty value, a JSON string
// of the text for one that is not a decimal number ("1A", "NaN").
std::string DecimalJson(std::string_view text);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_DICOM_JSON_H_
