// Which values come out: the one place that decides the value level
// ('stored', 'modality', 'display'), its per-frame transforms and its
// declared range.
#ifndef TFDICOM_CC_CORE_VALUE_LEVELS_H_
#define TFDICOM_CC_CORE_VALUE_LEVELS_H_

#include <vector>

#include "cc/core/convert.h"
#include "cc/core/image_info.h"
#include "cc/core/options.h"
#include "cc/core/status.h"

class DcmItem;

namespace tfdicom {

struct ValueLevel {
  ValueRange stored_range;  // what BitsStored and PixelRepresentation allow
  ValueRange range;         // the level's declared range, over all frames
  // One transform for all frames, or one per frame.
  std::vector<ValueTransform> frames = {ValueTransform()};

  const ValueTransform& frame(uint32_t index) const {
    return frames.size() == 1 ? frames[0] : frames[index];
  }
};

// The declared range of stored samples: [0, 2^BitsStored - 1] unsigned,
// [-2^(BitsStored-1), 2^(BitsStored-1) - 1] signed; unbounded for float data.
ValueRange StoredRange(const ImageInfo& info);

// Plans `values` for the image described by `dataset` and `info`:
// - 'stored': the samples; range = StoredRange.
// - 'modality': the Modality LUT Sequence (0028,3000) if present, else
//   (0028,1053) RescaleSlope and (0028,1052) RescaleIntercept, per frame from
//   the functional groups (5200,9230)/(5200,9229) where they hold them;
//   range = the stored range through the transform (LUT: [0, 2^bits - 1]).
// - 'display': modality, then the first VOI LUT (0028,3010) or else the first
//   window (0028,1050)/(0028,1051) with (0028,1056) VOILUTFunction, as pydicom's
//   apply_voi_lut; then MONOCHROME1 is inverted. Range: the window's output
//   range [y_min, y_max] as pydicom defines it, or the VOI LUT's [0, 2^bits - 1].
// `dataset` may be null for 'stored', which reads nothing from it. At the top
// level this reads (0028,1050-1053), (0028,1056), (0028,3000), (0028,3010),
// (5200,9229) and (5200,9230) only: header_scan.cc's RecordLevel keeps the
// same list.
Status PlanValueLevel(DcmItem* dataset, const ImageInfo& info, Values values,
                      ValueLevel* level);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_VALUE_LEVELS_H_
