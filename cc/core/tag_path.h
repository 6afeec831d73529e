// Tags and paths into sequences, as decode_dicom_data accepts them.
#ifndef TFDICOM_CC_CORE_TAG_PATH_H_
#define TFDICOM_CC_CORE_TAG_PATH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cc/core/status.h"

namespace tfdicom {

// One step of a path: an element, and for every step but the last the item
// of that sequence element to go into.
struct TagPathStep {
  uint32_t tag = 0;   // (group << 16) | element
  int64_t item = -1;  // 0-based item index; -1 on the last step
};

// A tag is a path of one step.
using TagPath = std::vector<TagPathStep>;

inline TagPath TagPathOf(uint32_t tag) { return TagPath{TagPathStep{tag, -1}}; }

// Parses a tag or a path into sequences:
//   "PatientName"        a keyword of DCMTK's data dictionary (a retired
//                        one with or without DCMTK's "RETIRED_" prefix)
//   "(0010,0010)"        a tag in hexadecimal, also "0010,0010" or "00100010"
//   "ReferencedSeriesSequence[0].SeriesInstanceUID"
//                        steps joined by '.', each but the last naming a
//                        sequence and the 0-based item to go into
// Fails with InvalidArgument naming what is wrong ("unknown keyword
// 'PatientNam'", "item index missing after ...").
Status ParseTagPath(std::string_view text, TagPath* path);

// The tag of a data dictionary keyword; false when the dictionary has none.
bool FindKeyword(std::string_view keyword, uint32_t* tag);

// "ReferencedSeriesSequence[0].(0020,000E)": a path as messages show it.
std::string DescribeTagPath(const TagPath& path);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_TAG_PATH_H_
