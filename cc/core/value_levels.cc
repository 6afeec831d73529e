#include "cc/core/value_levels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "cc/core/dataset.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcelem.h"
#include "dcmtk/dcmdata/dcitem.h"
#include "dcmtk/dcmdata/dcsequen.h"

namespace tfdicom {
namespace {

constexpr int64_t kMaxTableSize = 1 << 16;

bool ReadDecimal(DcmItem& item, const DcmTagKey& key, double* out, unsigned long pos = 0) {
  Float64 value = 0;
  if (item.findAndGetFloat64(key, value, pos).good() && std::isfinite(value)) {
    *out = value;
    return true;
  }
  return false;
}

DcmItem* SequenceItem(DcmItem& item, const DcmTagKey& key, unsigned long index) {
  DcmItem* found = nullptr;
  if (item.findAndGetSequenceItem(key, found, static_cast<signed long>(index)).good()) return found;
  return nullptr;
}

// The functional groups of an enhanced image (PS3.3 C.7.6.16), collected in
// one pass over (5200,9230) PerFrameFunctionalGroupsSequence: a look-up per
// frame by index would walk DCMTK's item list each time (quadratic in the
// frames).
class FunctionalGroups {
 public:
  explicit FunctionalGroups(DcmItem& dataset)
      : shared_(SequenceItem(dataset, DCM_SharedFunctionalGroupsSequence, 0)) {
    DcmSequenceOfItems* sequence = nullptr;
    if (dataset.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, sequence).good() &&
        sequence != nullptr) {
      per_frame_.reserve(sequence->card());
      for (DcmObject* item = sequence->nextInContainer(nullptr); item != nullptr;
           item = sequence->nextInContainer(item)) {
        per_frame_.push_back(static_cast<DcmItem*>(item));
      }
    }
  }

  bool has_per_frame() const { return !per_frame_.empty(); }

  // The first item of `macro` for frame `frame`: per-frame functional group
  // first, then the shared one.
  DcmItem* Find(const DcmTagKey& macro, uint32_t frame) const {
    if (frame < per_frame_.size() && per_frame_[frame] != nullptr) {
      if (DcmItem* found = SequenceItem(*per_frame_[frame], macro, 0)) return found;
    }
    if (shared_ != nullptr) return SequenceItem(*shared_, macro, 0);
    return nullptr;
  }

 private:
  std::vector<DcmItem*> per_frame_;
  DcmItem* shared_;
};

// A LUT of the Modality or VOI LUT Sequence: descriptor and data.
struct Lut {
  int64_t entries = 0;
  int64_t first_mapped = 0;
  int bits = 16;
  std::vector<double> data;

  double Lookup(int64_t value) const {
    int64_t i = value - first_mapped;
    i = i < 0 ? 0 : (i >= entries ? entries - 1 : i);
    return data[static_cast<size_t>(i)];
  }
};

Status ReadLut(DcmItem& item, const char* what, bool signed_input, Lut* lut) {
  Uint16 descriptor[3] = {0, 0, 0};
  for (unsigned long i = 0; i < 3; ++i) {
    Sint16 s = 0;
    if (item.findAndGetUint16(DCM_LUTDescriptor, descriptor[i], i).bad()) {
      if (item.findAndGetSint16(DCM_LUTDescriptor, s, i).bad()) {
        return InvalidArgument(std::string(what) + " item without a complete (0028,3002) LUTDescriptor");
      }
      descriptor[i] = static_cast<Uint16>(s);
    }
  }
  if (descriptor[2] < 1 || descriptor[2] > 16) {
    // The declared range [0, 2^bits - 1] would be empty or beyond the data.
    return InvalidArgument(std::string(what) + " (0028,3002) LUTDescriptor declares " +
                           std::to_string(descriptor[2]) +
                           " bits per entry (expected 1 to 16: (0028,3006) LUTData holds "
                           "16-bit words)");
  }
  lut->entries = descriptor[0] == 0 ? 65536 : descriptor[0];
  lut->first_mapped = signed_input ? static_cast<int16_t>(descriptor[1]) : descriptor[1];
  lut->bits = descriptor[2];
  DcmElement* element = nullptr;
  const Uint16* words = nullptr;
  if (item.findAndGetElement(DCM_LUTData, element).bad() || element == nullptr ||
      element->getUint16Array(const_cast<Uint16*&>(words)).bad() || words == nullptr) {
    return InvalidArgument(std::string(what) + " item without (0028,3006) LUTData");
  }
  const size_t count = element->getLength() / 2;
  if (count < static_cast<size_t>(lut->entries)) {
    return InvalidArgument(std::string(what) + " (0028,3006) LUTData holds " + std::to_string(count) +
                           " entries, its descriptor declares " + std::to_string(lut->entries));
  }
  lut->data.assign(words, words + lut->entries);
  return OkStatus();
}

// A value transform under construction: linear with a clamp, or a table
// over the stored range [first, first + size).
class Builder {
 public:
  explicit Builder(ValueRange stored, ValueTransform start = ValueTransform())
      : stored_(stored), t_(std::move(start)) {}

  // Linear() if every value it gives from a finite value is finite;
  // otherwise false, and nothing changes.
  bool TryLinear(double gain, double offset) {
    if (!std::isfinite(gain) || !std::isfinite(offset)) return false;
    if (t_.table) {
      for (double v : *t_.table) {
        if (!std::isfinite(v * gain + offset)) return false;
      }
    } else if (!std::isfinite(t_.gain * gain) || !std::isfinite(t_.offset * gain + offset)) {
      return false;
    }
    Linear(gain, offset);
    return true;
  }

  void Linear(double gain, double offset) {
    if (t_.table) {
      auto table = std::make_shared<std::vector<double>>(*t_.table);
      for (double& v : *table) v = v * gain + offset;
      t_.table = std::move(table);
      return;
    }
    t_.gain *= gain;
    t_.offset = t_.offset * gain + offset;
    double lo = t_.lo * gain + offset, hi = t_.hi * gain + offset;
    if (gain < 0) std::swap(lo, hi);
    if (std::isnan(lo)) lo = -HUGE_VAL;
    if (std::isnan(hi)) hi = HUGE_VAL;
    t_.lo = lo;
    t_.hi = hi;
  }

  void Clamp(double lo, double hi) {
    if (t_.table) {
      auto table = std::make_shared<std::vector<double>>(*t_.table);
      for (double& v : *table) v = std::min(std::max(v, lo), hi);
      t_.table = std::move(table);
      return;
    }
    t_.lo = std::max(t_.lo, lo);
    t_.hi = std::min(t_.hi, hi);
  }

  // Applies any function: the transform becomes a table over the stored range.
  Status Apply(const std::function<double(double)>& f) {
    TFDICOM_RETURN_IF_ERROR(MakeTable());
    auto table = std::make_shared<std::vector<double>>(*t_.table);
    for (double& v : *table) v = f(v);
    t_.table = std::move(table);
    return OkStatus();
  }

  const ValueTransform& transform() const { return t_; }

 private:
  Status MakeTable() {
    if (t_.table) return OkStatus();
    if (!stored_.bounded || stored_.max - stored_.min + 1 > kMaxTableSize) {
      return Unimplemented("lookup tables need integer pixel data of at most 16 bits");
    }
    const int64_t first = static_cast<int64_t>(stored_.min);
    const int64_t size = static_cast<int64_t>(stored_.max - stored_.min) + 1;
    auto table = std::make_shared<std::vector<double>>(size);
    for (int64_t i = 0; i < size; ++i) {
      const double v = static_cast<double>(first + i) * t_.gain + t_.offset;
      (*table)[i] = std::min(std::max(v, t_.lo), t_.hi);
    }
    t_ = ValueTransform();
    t_.table = std::move(table);
    t_.table_first = first;
    return OkStatus();
  }

  ValueRange stored_;
  ValueTransform t_;
};

struct Modality {
  ValueRange range;
  bool lut = false;
  int lut_bits = 0;
  std::vector<ValueTransform> frames;
};

// A value as a message shows it: 15 significant digits (DCMTK's reading of
// "1e305" is not the nearest double; this prints it back as 1e+305).
std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.15g", value);
  return text;
}

// Whether [lo, hi], its width and its midpoint's double are finite.
bool FiniteRange(double lo, double hi) {
  return std::isfinite(lo) && std::isfinite(hi) && std::isfinite(hi - lo) &&
         std::isfinite(hi + lo);
}

// The stored range through (0028,1053) RescaleSlope and (0028,1052)
// RescaleIntercept: [lo, hi]. Refused when a bound, their difference or their
// sum is beyond a double (the window and scale='auto' compute with them):
// values from such a rescale would be infinite, and a window over them NaN.
Status RescaledRange(const ValueRange& stored, double slope, double intercept, double* lo,
                     double* hi) {
  const double a = stored.min * slope + intercept, b = stored.max * slope + intercept;
  *lo = std::min(a, b);
  *hi = std::max(a, b);
  if (!stored.bounded) return OkStatus();
  if (FiniteRange(*lo, *hi)) return OkStatus();
  return InvalidArgument("rescale out of range: (0028,1053) RescaleSlope=" + Number(slope) +
                         " and (0028,1052) RescaleIntercept=" + Number(intercept) +
                         " take the stored range [" + Number(stored.min) + ", " +
                         Number(stored.max) + "] beyond the range of a double");
}

Status PlanModality(DcmItem& dataset, const FunctionalGroups& groups, const ImageInfo& info,
                    const ValueRange& stored, Modality* modality) {
  if (DcmItem* item = SequenceItem(dataset, DCM_ModalityLUTSequence, 0)) {
    Lut lut;
    TFDICOM_RETURN_IF_ERROR(ReadLut(*item, "(0028,3000) ModalityLUTSequence", info.is_signed, &lut));
    Builder builder(stored);
    TFDICOM_RETURN_IF_ERROR(builder.Apply(
        [&](double v) { return lut.Lookup(static_cast<int64_t>(v)); }));
    modality->frames = {builder.transform()};
    modality->range = {0.0, std::ldexp(1.0, lut.bits) - 1};
    modality->lut = true;
    modality->lut_bits = lut.bits;
    return OkStatus();
  }
  // Rescale: per frame from the functional groups, else the top level.
  double top_slope = 1.0, top_intercept = 0.0;
  ReadDecimal(dataset, DCM_RescaleSlope, &top_slope);
  ReadDecimal(dataset, DCM_RescaleIntercept, &top_intercept);
  const bool functional = dataset.tagExists(DCM_PerFrameFunctionalGroupsSequence) ||
                          dataset.tagExists(DCM_SharedFunctionalGroupsSequence);
  const uint32_t count = functional ? info.frames : 1;
  modality->frames.clear();
  modality->range = {HUGE_VAL, -HUGE_VAL, stored.bounded};
  for (uint32_t f = 0; f < count; ++f) {
    double slope = top_slope, intercept = top_intercept;
    if (DcmItem* group = groups.Find(DCM_PixelValueTransformationSequence, f)) {
      ReadDecimal(*group, DCM_RescaleSlope, &slope);
      ReadDecimal(*group, DCM_RescaleIntercept, &intercept);
    }
    ValueTransform t;
    t.gain = slope;
    t.offset = intercept;
    modality->frames.push_back(t);
    double lo = 0, hi = 0;
    Status status = RescaledRange(stored, slope, intercept, &lo, &hi);
    if (!status.ok() && functional) {
      status = InvalidArgument(status.message() + " (frame " + std::to_string(f + 1) + " of " +
                               std::to_string(count) + ")");
    }
    TFDICOM_RETURN_IF_ERROR(status);
    modality->range.min = std::min(modality->range.min, lo);
    modality->range.max = std::max(modality->range.max, hi);
  }
  if (stored.bounded && !FiniteRange(modality->range.min, modality->range.max)) {
    return InvalidArgument("rescale out of range: the frames' (0028,1053) RescaleSlope and "
                           "(0028,1052) RescaleIntercept give ranges from " +
                           Number(modality->range.min) + " to " + Number(modality->range.max) +
                           ", wider than a double holds");
  }
  if (!stored.bounded) modality->range = stored;
  return OkStatus();
}

// The first window of the image (top level, else the frame's functional
// group (0028,9132) FrameVOILUTSequence).
bool FindWindow(DcmItem& dataset, const FunctionalGroups& groups, uint32_t frame,
                double* center, double* width, std::string* function) {
  DcmItem* source = &dataset;
  if (!dataset.tagExists(DCM_WindowCenter)) {
    source = groups.Find(DCM_FrameVOILUTSequence, frame);
    if (source == nullptr) return false;
  }
  if (!ReadDecimal(*source, DCM_WindowCenter, center) ||
      !ReadDecimal(*source, DCM_WindowWidth, width)) {
    return false;
  }
  OFString text;
  *function = source->findAndGetOFString(DCM_VOILUTFunction, text).good() ? text.c_str() : "LINEAR";
  if (function->empty()) *function = "LINEAR";
  return true;
}

Status PlanDisplay(DcmItem& dataset, const FunctionalGroups& groups, const ImageInfo& info,
                   const ValueRange& stored, const Modality& modality, ValueLevel* level) {
  // pydicom's apply_windowing: the window maps onto the modality's range.
  double y_min = stored.min, y_max = stored.max;
  if (modality.lut) {
    y_min = 0.0;
    y_max = std::ldexp(1.0, modality.lut_bits) - 1;
  } else {
    double slope = 0, intercept = 0;
    if (ReadDecimal(dataset, DCM_RescaleSlope, &slope) &&
        ReadDecimal(dataset, DCM_RescaleIntercept, &intercept)) {
      const double a = y_min * slope + intercept, b = y_max * slope + intercept;
      TFDICOM_RETURN_IF_ERROR(RescaledRange(stored, slope, intercept, &y_min, &y_max));
      y_min = a;  // pydicom keeps the order: y_min > y_max for a negative slope
      y_max = b;
    } else {
      y_min = modality.range.min;
      y_max = modality.range.max;
    }
  }
  Lut voi_lut;
  DcmItem* voi_item = SequenceItem(dataset, DCM_VOILUTSequence, 0);
  const bool has_voi_lut = voi_item != nullptr && voi_item->tagExists(DCM_LUTDescriptor) &&
                           voi_item->tagExists(DCM_LUTData);
  if (has_voi_lut) {
    TFDICOM_RETURN_IF_ERROR(ReadLut(*voi_item, "(0028,3010) VOILUTSequence", true, &voi_lut));
    y_min = 0.0;
    y_max = std::ldexp(1.0, voi_lut.bits) - 1;
  }
  const uint32_t count = std::max<uint32_t>(
      static_cast<uint32_t>(modality.frames.size()),
      groups.has_per_frame() ? info.frames : 1);
  level->frames.clear();
  level->range = {std::min(y_min, y_max), std::max(y_min, y_max), true};
  for (uint32_t f = 0; f < count; ++f) {
    Builder builder(stored,
                    modality.frames.size() == 1 ? modality.frames[0] : modality.frames[f]);
    double center = 0, width = 0;
    std::string function;
    const double range = y_max - y_min;
    if (has_voi_lut) {
      TFDICOM_RETURN_IF_ERROR(builder.Apply(
          [&](double v) { return voi_lut.Lookup(static_cast<int64_t>(std::llround(v))); }));
    } else if (FindWindow(dataset, groups, f, &center, &width, &function)) {
      if (function == "SIGMOID") {
        if (width <= 0) return InvalidArgument("SIGMOID window with (0028,1051) WindowWidth <= 0");
        TFDICOM_RETURN_IF_ERROR(builder.Apply([&](double v) {
          return range / (1 + std::exp(-4 * (v - center) / width)) + y_min;
        }));
      } else {
        if (function == "LINEAR") {
          if (width < 1) {
            return InvalidArgument("LINEAR window needs (0028,1051) WindowWidth >= 1, got " +
                                   std::to_string(width));
          }
          center -= 0.5;
          width -= 1;
        } else if (function != "LINEAR_EXACT" || width <= 0) {
          return InvalidArgument("unsupported window: (0028,1056) VOILUTFunction='" + function +
                                 "', (0028,1051) WindowWidth=" + std::to_string(width));
        }
        if (width == 0) {  // a step at the center (LINEAR with width 1)
          TFDICOM_RETURN_IF_ERROR(
              builder.Apply([&](double v) { return v <= center ? y_min : y_max; }));
        } else if (builder.TryLinear(range / width, (0.5 - center / width) * range + y_min)) {
          builder.Clamp(std::min(y_min, y_max), std::max(y_min, y_max));
        } else {
          // A window so narrow for its values that the linear form overflows
          // (inf - inf would give NaN): evaluate it per stored value in a
          // form that stays finite.
          const Status status = builder.Apply([&](double v) {
            double t = (v - center) / width + 0.5;
            t = t < 0 ? 0 : (t > 1 ? 1 : t);
            return t * range + y_min;
          });
          if (!status.ok()) {
            return InvalidArgument("window out of range: (0028,1050) WindowCenter=" +
                                   Number(center) + ", (0028,1051) WindowWidth=" +
                                   Number(width) + " overflow a double for this image's values");
          }
        }
      }
    } else {
      level->range = modality.range;  // no VOI: display is the modality values
    }
    if (info.photometric == Photometric::kMonochrome1) {
      builder.Linear(-1.0, level->range.min + level->range.max);
    }
    level->frames.push_back(builder.transform());
  }
  return OkStatus();
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

Status PlanValueLevel(DcmItem* item, const ImageInfo& info, Values values,
                      ValueLevel* level) {
  level->stored_range = StoredRange(info);
  level->range = level->stored_range;
  level->frames = {ValueTransform()};
  if (values == Values::kStored) return OkStatus();
  if (item == nullptr) return Internal("value levels planned without the data set");
  DcmItem& dataset = *item;
  if (info.is_color()) {
    return InvalidArgument(std::string("values='") +
                           (values == Values::kModality ? "modality" : "display") +
                           "' needs a monochrome image, got (0028,0004) "
                           "PhotometricInterpretation=" + info.photometric_name);
  }
  const FunctionalGroups groups(dataset);
  Modality modality;
  TFDICOM_RETURN_IF_ERROR(PlanModality(dataset, groups, info, level->stored_range, &modality));
  if (values == Values::kModality) {
    level->range = modality.range;
    level->frames = modality.frames;
    return OkStatus();
  }
  if (!level->stored_range.bounded) {
    return Unimplemented("values='display' needs integer pixel data");
  }
  return PlanDisplay(dataset, groups, info, level->stored_range, modality, level);
}

}  // namespace tfdicom
