#include "cc/core/value_levels.h"

#include <algorithm>
#include <cmath>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcitem.h"

namespace tfdicom {
namespace {

double ReadDecimal(DcmItem& item, const DcmTagKey& key, double fallback) {
  Float64 value = 0;
  if (item.findAndGetFloat64(key, value).good() && std::isfinite(value)) return value;
  return fallback;
}

}  // namespace

ValueRange StoredRange(const ImageInfo& info) {
  ValueRange range;
  if (info.sample_format != SampleFormat::kInteger) {
    range.bounded = false;
    range.min = -HUGE_VAL;
    range.max = HUGE_VAL;
    return range;
  }
  const double levels = std::ldexp(1.0, static_cast<int>(info.bits_stored));
  range.min = info.is_signed ? -levels / 2 : 0.0;
  range.max = info.is_signed ? levels / 2 - 1 : levels - 1;
  return range;
}

Status PlanValueLevel(DcmItem& dataset, const ImageInfo& info, Values values,
                      ValueLevel* level) {
  level->stored_range = StoredRange(info);
  level->range = level->stored_range;
  switch (values) {
    case Values::kStored:
      return OkStatus();
    case Values::kModality: {
      if (info.is_color()) {
        return InvalidArgument("values='modality' needs a monochrome image, got "
                               "(0028,0004) PhotometricInterpretation=" +
                               info.photometric_name);
      }
      level->gain = ReadDecimal(dataset, DCM_RescaleSlope, 1.0);
      level->offset = ReadDecimal(dataset, DCM_RescaleIntercept, 0.0);
      const double a = level->stored_range.min * level->gain + level->offset;
      const double b = level->stored_range.max * level->gain + level->offset;
      level->range.min = std::min(a, b);
      level->range.max = std::max(a, b);
      return OkStatus();
    }
    case Values::kDisplay:
      return Unimplemented("values='display' is not supported yet");
  }
  return Internal("unknown values level");
}

}  // namespace tfdicom
