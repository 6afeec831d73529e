#include "cc/core/decode_image.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cc/core/color.h"
#include "cc/core/convert.h"
#include "cc/core/dataset.h"
#include "cc/core/frame_reader.h"
#include "cc/core/palette.h"
#include "cc/core/transfer_syntax.h"
#include "cc/core/value_levels.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"

namespace tfdicom {
namespace {

SampleType StoredSampleType(const ImageInfo& info) {
  switch (info.sample_format) {
    case SampleFormat::kFloat32: return SampleType::kFloat32;
    case SampleFormat::kFloat64: return SampleType::kFloat64;
    case SampleFormat::kInteger: break;
  }
  switch (info.bits_allocated) {
    case 1: return SampleType::kUint8;
    case 8: return info.is_signed ? SampleType::kInt8 : SampleType::kUint8;
    case 16: return info.is_signed ? SampleType::kInt16 : SampleType::kUint16;
    default: return info.is_signed ? SampleType::kInt32 : SampleType::kUint32;
  }
}

uint32_t FindPixelTag(DcmDataset& dataset) {
  for (const DcmTagKey& key : {DCM_PixelData, DCM_FloatPixelData, DCM_DoubleFloatPixelData}) {
    if (dataset.tagExists(key)) return static_cast<uint32_t>(key.getGroup()) << 16 | key.getElement();
  }
  return 0;
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

Status CheckSupported(const Dataset& header) {
  const TransferSyntax* ts = header.transfer_syntax();
  if (ts == nullptr || !ts->supported) {
    return Unimplemented("unsupported transfer syntax " +
                         DescribeTransferSyntax(header.transfer_syntax_uid()));
  }
  return OkStatus();
}

class ImageDecoder {
 public:
  ImageDecoder(std::string_view contents, const DecodeOptions& options)
      : contents_(contents), options_(options) {}

  Status Run(const AllocateFn& allocate, ImageInfo* info) {
    TFDICOM_RETURN_IF_ERROR(header_.Parse(contents_, Dataset::Depth::kUntilPixelData));
    TFDICOM_RETURN_IF_ERROR(CheckSupported(header_));
    TFDICOM_RETURN_IF_ERROR(OpenPixels(info));
    TFDICOM_RETURN_IF_ERROR(CheckColor(*info));
    shape_ = OutputShape(*info, options_);
    TFDICOM_RETURN_IF_ERROR(CheckSize(*info));
    TFDICOM_RETURN_IF_ERROR(PlanValues(*info));
    void* output = allocate(shape_);
    if (output == nullptr) {
      return ResourceExhausted("cannot allocate the output " + ShapeText(shape_));
    }
    return DecodeFrames(*info, static_cast<uint8_t*>(output));
  }

 private:
  // Chooses where the pixels come from: in place from the input for native
  // transfer syntaxes, else through a full DCMTK parse.
  Status OpenPixels(ImageInfo* info) {
    const TransferSyntax& ts = *header_.transfer_syntax();
    const PixelElementSpan& span = header_.pixel_span();
    info->transfer_syntax_uid = header_.transfer_syntax_uid();
    // Native pixel data (of a deflated data set too, once inflated) is read
    // in place from the header's bytes.
    if (ts.encoding != PixelEncoding::kEncapsulated && !span.undefined_length) {
      if (span.tag == 0) return NoPixelData();
      source_ = &header_;
      TFDICOM_RETURN_IF_ERROR(ReadImageInfo(header_.dataset(), span.tag, info));
      TFDICOM_RETURN_IF_ERROR(CheckSize(*info));
      const std::string_view bytes = header_.bytes();
      const auto* value = reinterpret_cast<const uint8_t*>(bytes.data()) + span.value_offset;
      int swap_width = 0;
      if (ts.big_endian && info->bits_allocated > 8) {
        swap_width = static_cast<int>(info->bits_allocated / 8);
      } else if (ts.big_endian && std::string_view(span.vr) == "OW") {
        swap_width = 2;
      }
      return MakeNativeFrameReader(value, bytes.size() - span.value_offset,
                                   span.declared_length, swap_width,
                                   options_.on_error == OnError::kLossy, info, &reader_);
    }
    TFDICOM_RETURN_IF_ERROR(full_.Parse(contents_, Dataset::Depth::kAll));
    source_ = &full_;
    const uint32_t tag = FindPixelTag(full_.dataset());
    if (tag == 0) return NoPixelData();
    TFDICOM_RETURN_IF_ERROR(ReadImageInfo(full_.dataset(), tag, info));
    TFDICOM_RETURN_IF_ERROR(CheckSize(*info));
    if (info->bits_allocated == 1 || tag != 0x7FE00010) {
      return Unimplemented("1-bit or float pixel data in " +
                           DescribeTransferSyntax(info->transfer_syntax_uid));
    }
    if (!ts.dcmtk_codec) return MakeOpenJpegFrameReader(full_, *info, &reader_);
    return MakeDcmtkFrameReader(full_, *info, &reader_);
  }

  static Status NoPixelData() {
    return InvalidArgument(
        "no pixel data: the data set has no (7FE0,0010) PixelData, (7FE0,0008) "
        "FloatPixelData or (7FE0,0009) DoubleFloatPixelData");
  }

  Status CheckColor(const ImageInfo& info) {
    if (!info.is_color() || options_.color_dim) return OkStatus();
    if (options_.on_error == OnError::kLossy) {
      luminance_ = true;
      return OkStatus();
    }
    return InvalidArgument("colour image ((0028,0004) PhotometricInterpretation=" +
                           info.photometric_name + ", (0028,0002) SamplesPerPixel=" +
                           std::to_string(info.samples_per_pixel) +
                           ") needs color_dim=True, or on_error='lossy' for luminance");
  }

  // Refuses, before anything is allocated, an output beyond the limit.
  Status CheckSize(const ImageInfo& info) const {
    const double elements = static_cast<double>(info.frames) * info.rows * info.columns *
                            (info.is_color() ? 3 : 1);
    const double bytes = elements * static_cast<double>(DTypeSize(options_.dtype));
    if (bytes > static_cast<double>(options_.max_output_bytes)) {
      return ResourceExhausted(
          "image too large: " + std::to_string(info.frames) + " frame(s) of " +
          std::to_string(info.rows) + "x" + std::to_string(info.columns) + " as " +
          DTypeName(options_.dtype) + " need " + std::to_string(static_cast<uint64_t>(bytes)) +
          " bytes, more than the limit of " + std::to_string(options_.max_output_bytes));
    }
    return OkStatus();
  }

  // Plans colour and values: what the samples become and how they map
  // onto the output. Everything that can fail does so before allocation.
  Status PlanValues(const ImageInfo& info) {
    SampleType stored = StoredSampleType(info);
    BitExtraction bits =
        info.sample_format == SampleFormat::kInteger
            ? MakeBitExtraction(info.bits_allocated, info.bits_stored, info.high_bit)
            : BitExtraction();
    if (reader_->photometric() == Photometric::kPaletteColor) {
      TFDICOM_RETURN_IF_ERROR(ReadPalette(source_->dataset(), info.is_signed,
                                          header_.transfer_syntax()->big_endian, &palette_));
    }
    color_ = std::make_unique<ColorConverter>(info, reader_->photometric(), reader_->planar(),
                                              stored, bits, &palette_);
    TFDICOM_RETURN_IF_ERROR(color_->Check());
    ValueLevel level;
    TFDICOM_RETURN_IF_ERROR(
        PlanValueLevel(source_->dataset(), info, options_.values, &level));
    if (color_->extracted_bits()) {  // palette entries are the values now
      stored = color_->output_type();
      bits = BitExtraction();
      level.stored_range = {0.0, std::ldexp(1.0, palette_.bits) - 1};
      level.range = level.stored_range;
    }
    plans_.resize(level.frames.size());
    if (luminance_) {
      // Luminance is computed in float64 from extracted samples (colour has
      // stored values only); the plan then starts from those.
      DecodeOptions exact = options_;
      exact.dtype = DType::kFloat64;
      exact.scale = Scale::kPreserve;
      TFDICOM_RETURN_IF_ERROR(PlanConversion(stored, bits, level.stored_range,
                                             ValueTransform(), exact, &extract_plan_));
      return PlanConversion(SampleType::kFloat64, BitExtraction(), level.range,
                            level.frames[0], options_, &plans_[0]);
    }
    for (size_t f = 0; f < level.frames.size(); ++f) {
      TFDICOM_RETURN_IF_ERROR(
          PlanConversion(stored, bits, level.range, level.frames[f], options_, &plans_[f]));
    }
    return OkStatus();
  }

  Status DecodeFrames(const ImageInfo& info, uint8_t* output) {
    const uint64_t channels = shape_.size() == 4 ? shape_[3] : 1;
    const uint64_t out_count = info.pixels_per_frame() * channels;
    const uint64_t out_frame_bytes = out_count * DTypeSize(options_.dtype);
    for (uint32_t frame = 0; frame < info.frames; ++frame) {
      const void* samples = nullptr;
      TFDICOM_RETURN_IF_ERROR(reader_->Read(frame, &samples));
      TFDICOM_RETURN_IF_ERROR(color_->ToRgb(&samples));
      uint8_t* out = output + frame * out_frame_bytes;
      const ConversionPlan& plan = plans_[plans_.size() == 1 ? 0 : frame];
      if (luminance_) {
        wide_.resize(info.samples_per_frame());
        ConvertSamples(samples, wide_.size(), extract_plan_, wide_.data());
        RgbToLuminance(wide_.data(), info.pixels_per_frame());
        ConvertSamples(wide_.data(), out_count, plan, out);
      } else {
        ConvertSamples(samples, out_count, plan, out);
      }
    }
    return OkStatus();
  }

  std::string_view contents_;
  const DecodeOptions& options_;
  Dataset header_;
  Dataset full_;
  Dataset* source_ = nullptr;
  std::unique_ptr<FrameReader> reader_;
  Palette palette_;
  std::unique_ptr<ColorConverter> color_;
  std::vector<int64_t> shape_;
  bool luminance_ = false;
  ConversionPlan extract_plan_;
  std::vector<ConversionPlan> plans_;  // one for all frames, or one per frame
  std::vector<double> wide_;
};

}  // namespace

std::vector<int64_t> OutputShape(const ImageInfo& info, const DecodeOptions& options) {
  std::vector<int64_t> shape = {info.frames, info.rows, info.columns};
  if (options.color_dim) shape.push_back(info.is_color() ? 3 : 1);
  return shape;
}

std::vector<int64_t> EmptyShape(const DecodeOptions& options) {
  return std::vector<int64_t>(options.color_dim ? 4 : 3, 0);
}

bool IsSkippable(const Status& status) {
  return !status.ok() && status.code() != Code::kInternal;
}

Status DecodeImage(std::string_view contents, const DecodeOptions& options,
                   const AllocateFn& allocate, ImageInfo* info) {
  ImageInfo local;
  ImageDecoder decoder(contents, options);
  return decoder.Run(allocate, info ? info : &local).WithContext("decode_dicom_image");
}

}  // namespace tfdicom
