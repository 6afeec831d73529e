// Which values come out: the one place that decides the value level
// ('stored', 'modality', 'display') and its declared range.
#ifndef TFDICOM_CC_CORE_VALUE_LEVELS_H_
#define TFDICOM_CC_CORE_VALUE_LEVELS_H_

#include "cc/core/convert.h"
#include "cc/core/image_info.h"
#include "cc/core/options.h"
#include "cc/core/status.h"

class DcmItem;

namespace tfdicom {

// value = stored * gain + offset, declared to lie in `range`.
struct ValueLevel {
  ValueRange stored_range;  // what BitsStored and PixelRepresentation allow
  ValueRange range;         // the same after the level's transform
  double gain = 1.0;
  double offset = 0.0;
};

// The declared range of stored samples: [0, 2^BitsStored - 1] unsigned,
// [-2^(BitsStored-1), 2^(BitsStored-1) - 1] signed; unbounded for float data.
ValueRange StoredRange(const ImageInfo& info);

// Plans `values` for the image described by `dataset` and `info`.
// 'modality' applies (0028,1053) RescaleSlope and (0028,1052) RescaleIntercept.
Status PlanValueLevel(DcmItem& dataset, const ImageInfo& info, Values values,
                      ValueLevel* level);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_VALUE_LEVELS_H_
