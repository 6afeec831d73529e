// decode_dicom_data's core: DICOM bytes + tags (or paths into sequences)
// -> one UTF-8 string per tag. The rendering of each VR is documented in
// element_text.h and README.md.
#ifndef TFDICOM_CC_CORE_DECODE_DATA_H_
#define TFDICOM_CC_CORE_DECODE_DATA_H_

#include <string>
#include <string_view>
#include <vector>

#include "cc/core/status.h"
#include "cc/core/tag_path.h"

namespace tfdicom {

// Looks up each path in one DICOM file, independently of the others, and
// sets values[i] to the value of paths[i]: "" when it is absent (or a path
// leads through a missing item). Group 0002 comes from the meta header.
//
// The file is read only up to its pixel data, unless a path's first tag is
// at or after (7FE0,0008) Float Pixel Data: then all of it.
//
// Fails with InvalidArgument for bytes that are not DICOM, DataLoss for a
// data set cut short before the elements it needs. Messages start with
// "decode_dicom_data: ". Thread-safe; never throws.
Status DecodeData(std::string_view contents, const std::vector<TagPath>& paths,
                  std::vector<std::string>* values);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_DECODE_DATA_H_
