// One element's value as text: the single rendering decode_dicom_data
// documents, and the UTF-8 decoding that decode_dicom_json shares. Internal
// to the core (exposes DCMTK types).
#ifndef TFDICOM_CC_CORE_ELEMENT_TEXT_H_
#define TFDICOM_CC_CORE_ELEMENT_TEXT_H_

#include <string>

#include "cc/core/charset.h"
#include "cc/core/status.h"

class DcmElement;
class DcmItem;

namespace tfdicom {

// The character set of `item`'s text: its own (0008,0005) Specific
// Character Set, else the one it inherits from the enclosing item.
CharacterSet ItemCharacterSet(DcmItem& item, const CharacterSet& inherited);

// Whether `element` holds text whose VR (SH, LO, ST, LT, UC, UT, PN) is
// decoded by Specific Character Set; other string VRs use the default
// repertoire.
bool UsesCharacterSet(DcmElement& element);
bool IsStringElement(DcmElement& element);

// The whole value of a string element as UTF-8 (every value, with its
// separators and padding); "" for other elements.
std::string DecodedText(DcmElement& element, const CharacterSet& charset);

// Whether a US element is really "US or SS" (its VR came from the
// dictionary, as in implicit VR files) and so signed when the pixel data
// is: (0028,0103) Pixel Representation 1.
bool IsUsOrSs(DcmElement& element);

// Python's repr(float): the shortest digits that read back as `value`, in
// fixed notation unless the decimal exponent is below -4 or above 15
// ("0.5", "1e-05", "1e+16", "nan", "inf").
// Works by the bits, so also where denormals are flushed to zero (as in
// TensorFlow's kernels).
std::string FloatText(double value);

// `value` as a double, exactly, without floating-point arithmetic (which
// would turn a denormal into 0 where denormals are flushed to zero).
double WidenFloat(float value);

// Renders `element`'s value as decode_dicom_data returns it:
// - text: UTF-8; each value without its padding (trailing spaces and NULs;
//   leading spaces too for AE, AS, CS, DA, DS, DT, IS, LO, SH, TM, UI);
//   DS and IS as written;
// - US, SS, UL, SL, UV, SV: decimal; FL, FD: the shortest text that reads
//   back as the same double (FL widened to double first), as Python's
//   repr(float) writes it ("0.5", "1e-05", "nan"); AT: "(0010,0010)";
// - OB, OW, OF, OD, OL, OV, UN and pixel data: base64 (RFC 4648, with
//   padding) of the value in little-endian byte order, as DICOM JSON's
//   InlineBinary; encapsulated pixel data as its items (tag, length,
//   fragment) without the sequence delimiter;
// - SQ: the number of items, in decimal;
// - several values: joined by '\'. An empty element renders as "".
// `signed_pixels` reads an IsUsOrSs element as SS.
Status RenderElement(DcmElement& element, const CharacterSet& charset, bool signed_pixels,
                     std::string* text);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_ELEMENT_TEXT_H_
