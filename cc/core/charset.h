// DICOM text to UTF-8, by (0008,0005) Specific Character Set (PS3.3
// C.12.1.1.2, PS3.5 6.1). The one place that decides how text bytes become
// Unicode; shared by decode_dicom_data and decode_dicom_json.
//
// Debian's DCMTK converts through glibc's iconv, which lacks the code
// elements of ISO 2022 IR 87 and IR 159 (Japanese kanji), so DCMTK's own
// DcmDataset::convertToUTF8() fails on the commonest Japanese files. This
// decoder follows the ISO 2022 escape sequences itself and hands each run of
// bytes to iconv under a name glibc knows (JIS X 0208/0212 as EUC-JP,
// KS X 1001 as EUC-KR, GB 2312 as EUC-CN, the ISO 8859 parts by name).
#ifndef TFDICOM_CC_CORE_CHARSET_H_
#define TFDICOM_CC_CORE_CHARSET_H_

#include <string>
#include <string_view>
#include <vector>

namespace tfdicom {

// Which characters end a component of a value and so switch an ISO 2022
// code extension back to the initial one (PS3.5 6.1.2.5.3).
enum class TextDelimiters {
  kValues,      // SH, LO, UC: the value separator '\'
  kPersonName,  // PN: '\', '^' and '='
  kText,        // ST, LT, UT: CR, LF, FF, TAB
};

class CharacterSet {
 public:
  // The default repertoire: ASCII. Bytes above 0x7F, which it does not
  // define, are read as ISO 8859-1 (as pydicom does).
  CharacterSet() = default;

  // From the values of (0008,0005). Terms are matched leniently ("ISO_IR
  // 100", "ISO IR 100" and "ISO-IR-100" are the same); an unknown term acts
  // as the default repertoire.
  static CharacterSet FromTerms(const std::vector<std::string>& terms);

  // Decodes `raw` to UTF-8. Never fails: a byte sequence that is not valid
  // in its character set becomes U+FFFD.
  std::string Decode(std::string_view raw, TextDelimiters delimiters) const;

  // A code element: an index into the table in charset.cc.
  using Element = int;

 private:
  // The code elements in force at the start of a value and after each
  // delimiter. Escape sequences of every code element the table knows are
  // followed, whether or not (0008,0005) lists it.
  Element initial_g0_ = 0;  // bytes 0x00-0x7F; 0: ASCII
  Element initial_g1_ = 0;  // bytes 0x80-0xFF; 0: ISO 8859-1 (no G1 declared)
  // UTF-8, GB18030 or GBK (code extensions not allowed): this element
  // decodes every byte; escape sequences are not looked for.
  Element stand_alone_ = -1;
};

// Bytes read as ISO 8859-1 -> UTF-8 (for the VRs whose repertoire is the
// default one, such as CS and UI, when a file puts other bytes in them).
std::string Latin1ToUtf8(std::string_view raw);

// Replaces every byte sequence that is not valid UTF-8 with U+FFFD.
std::string SanitizeUtf8(std::string_view text);

bool IsAscii(std::string_view text);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_CHARSET_H_
