#include "cc/core/decode_image.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cc/core/color.h"
#include "cc/core/concurrency.h"
#include "cc/core/convert.h"
#include "cc/core/dataset.h"
#include "cc/core/frame_codec.h"
#include "cc/core/frame_reader.h"
#include "cc/core/header_scan.h"
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

// What decoding needs from the header, whoever read it: ScanHeader for the
// common case, else DCMTK.
struct Header {
  std::string transfer_syntax_uid;
  const TransferSyntax* transfer_syntax = nullptr;
  PixelElementSpan pixel;
  std::string_view bytes;     // what pixel.value_offset indexes
  DcmItem* dataset = nullptr;  // null when ScanHeader read it
};

class ImageDecoder {
 public:
  ImageDecoder(std::string_view contents, const DecodeOptions& options)
      : contents_(contents), options_(options) {}

  Status Run(const AllocateFn& allocate, ImageInfo* info) {
    TFDICOM_RETURN_IF_ERROR(ReadHeader(info));
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
  // The quick scan when it understands the file and found all that is
  // needed (no palette; for modality or display values, no LUT or
  // functional-group sequence); else DCMTK.
  Status ReadHeader(ImageInfo* info) {
    HeaderScan scan;
    if (ScanHeader(contents_, &scan) && scan.attributes.photometric != "PALETTE COLOR" &&
        (options_.values == Values::kStored || !scan.level_sequences)) {
      header_.transfer_syntax_uid = std::move(scan.transfer_syntax_uid);
      header_.transfer_syntax = scan.transfer_syntax;
      header_.pixel = scan.pixel;
      header_.bytes = contents_;
      info->transfer_syntax_uid = header_.transfer_syntax_uid;
      if (options_.values != Values::kStored) {
        // Value levels read a data set: one of just the attributes they use.
        for (const auto& [tag, value] : scan.level_values) {
          TFDICOM_RETURN_IF_ERROR(levels_.InsertString(tag, value));
        }
        levels_read_ = true;
      }
      return MakeImageInfo(scan.attributes, scan.pixel.tag, info);
    }
    TFDICOM_RETURN_IF_ERROR(parsed_.Parse(contents_, Dataset::Depth::kUntilPixelData));
    header_.transfer_syntax_uid = parsed_.transfer_syntax_uid();
    header_.transfer_syntax = parsed_.transfer_syntax();
    header_.pixel = parsed_.pixel_span();
    header_.bytes = parsed_.bytes();
    header_.dataset = &parsed_.dataset();
    info->transfer_syntax_uid = header_.transfer_syntax_uid;
    TFDICOM_RETURN_IF_ERROR(CheckSupported(header_.transfer_syntax, header_.transfer_syntax_uid));
    // Image attributes once the pixel element is known (it decides float data).
    return OkStatus();
  }

  static Status CheckSupported(const TransferSyntax* ts, const std::string& uid) {
    if (ts == nullptr || !ts->supported) {
      return Unimplemented("unsupported transfer syntax " + DescribeTransferSyntax(uid));
    }
    return OkStatus();
  }

  // Chooses where the pixels come from: native pixel data and the fragments
  // of encapsulated data are read in place from the input; what tfdicom has
  // no decoder for goes through a full DCMTK parse and DCMTK's codecs.
  Status OpenPixels(ImageInfo* info) {
    const TransferSyntax& ts = *header_.transfer_syntax;
    const PixelElementSpan& span = header_.pixel;
    const FrameDecoder* decoder = decoder_ = FindFrameDecoder(header_.transfer_syntax_uid);
    const bool native = ts.encoding != PixelEncoding::kEncapsulated && !span.undefined_length;
    if (native || (span.undefined_length && decoder != nullptr)) {
      if (span.tag == 0) return NoPixelData();
      if (header_.dataset != nullptr) {
        TFDICOM_RETURN_IF_ERROR(ReadImageInfo(*header_.dataset, span.tag, info));
      }
      TFDICOM_RETURN_IF_ERROR(CheckSize(*info));
      if (native) return OpenNative(ts, span, info);
      TFDICOM_RETURN_IF_ERROR(CheckEncapsulated(*info, span.tag));
      PixelItems items;
      TFDICOM_RETURN_IF_ERROR(ListPixelItems(header_.bytes, span.value_offset, &items));
      return MakeEncapsulatedFrameReader(std::move(items), *decoder, *info, &reader_);
    }
    TFDICOM_RETURN_IF_ERROR(ParseAll());
    const uint32_t tag = FindPixelTag(full_.dataset());
    if (tag == 0) return NoPixelData();
    TFDICOM_RETURN_IF_ERROR(ReadImageInfo(full_.dataset(), tag, info));
    TFDICOM_RETURN_IF_ERROR(CheckSize(*info));
    TFDICOM_RETURN_IF_ERROR(CheckEncapsulated(*info, tag));
    if (decoder != nullptr) {
      PixelItems items;
      TFDICOM_RETURN_IF_ERROR(ListPixelItems(full_, &items));
      return MakeEncapsulatedFrameReader(std::move(items), *decoder, *info, &reader_);
    }
    return MakeDcmtkFrameReader(full_, *info, &reader_);
  }

  Status OpenNative(const TransferSyntax& ts, const PixelElementSpan& span, ImageInfo* info) {
    const auto* value = reinterpret_cast<const uint8_t*>(header_.bytes.data()) + span.value_offset;
    int swap_width = 0;
    if (ts.big_endian && info->bits_allocated > 8) {
      swap_width = static_cast<int>(info->bits_allocated / 8);
    } else if (ts.big_endian && std::string_view(span.vr) == "OW") {
      swap_width = 2;
    }
    return MakeNativeFrameReader(value, header_.bytes.size() - span.value_offset,
                                 span.declared_length, swap_width,
                                 options_.on_error == OnError::kLossy, info, &reader_);
  }

  // Reads the whole data set with DCMTK (once): for codecs of DCMTK's own,
  // and the data set's attributes where the header scan was used.
  Status ParseAll() {
    if (full_parsed_) return OkStatus();
    TFDICOM_RETURN_IF_ERROR(full_.Parse(contents_, Dataset::Depth::kAll));
    full_parsed_ = true;
    return OkStatus();
  }

  static Status CheckEncapsulated(const ImageInfo& info, uint32_t tag) {
    if (info.bits_allocated == 1 || tag != 0x7FE00010) {
      return Unimplemented("1-bit or float pixel data in " +
                           DescribeTransferSyntax(info.transfer_syntax_uid));
    }
    return OkStatus();
  }

  // A frame that tfdicom's decoder refuses (Unimplemented) and DCMTK's own
  // codec may decode: from then on, frames come through DCMTK.
  Status SwitchToDcmtk(const ImageInfo& info) {
    const Photometric photometric = reader_->photometric();
    const bool planar = reader_->planar();
    TFDICOM_RETURN_IF_ERROR(ParseAll());
    TFDICOM_RETURN_IF_ERROR(MakeDcmtkFrameReader(full_, info, &reader_));
    if (reader_->photometric() != photometric || reader_->planar() != planar) {
      return Internal("DCMTK's codec delivers another colour model than tfdicom's decoder");
    }
    dcmtk_frames_ = true;
    return OkStatus();
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

  // The data set that holds the palette and value-level attributes.
  DcmItem* Attributes() {
    if (full_parsed_) return &full_.dataset();
    if (header_.dataset != nullptr) return header_.dataset;
    return levels_read_ ? &levels_.dataset() : nullptr;
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
      if (Attributes() == nullptr) return Internal("palette without the data set");
      TFDICOM_RETURN_IF_ERROR(ReadPalette(*Attributes(), info.is_signed,
                                          header_.transfer_syntax->big_endian, &palette_));
    }
    color_ = std::make_unique<ColorConverter>(info, reader_->photometric(), reader_->planar(),
                                              stored, bits, &palette_);
    TFDICOM_RETURN_IF_ERROR(color_->Check());
    ValueLevel level;
    TFDICOM_RETURN_IF_ERROR(PlanValueLevel(Attributes(), info, options_.values, &level));
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

  Status ReadFrame(const ImageInfo& info, uint32_t frame, void* destination,
                   const void** samples) {
    Status status = reader_->Read(frame, destination, samples);
    if (status.code() == Code::kUnimplemented && !dcmtk_frames_ && decoder_ != nullptr &&
        decoder_->dcmtk_fallback) {
      TFDICOM_RETURN_IF_ERROR(SwitchToDcmtk(info));
      status = reader_->Read(frame, destination, samples);
    }
    return status;
  }

  Status DecodeFrames(const ImageInfo& info, uint8_t* output) {
    const uint64_t channels = shape_.size() == 4 ? shape_[3] : 1;
    const uint64_t out_count = info.pixels_per_frame() * channels;
    const uint64_t out_frame_bytes = out_count * DTypeSize(options_.dtype);
    // Where the colour model stays and samples keep their width, readers
    // deliver them into the output, converted there in place (if at all).
    const bool direct = !luminance_ && color_->passes_through() &&
                        out_count == info.samples_per_frame();
    for (uint32_t frame = 0; frame < info.frames; ++frame) {
      uint8_t* out = output + frame * out_frame_bytes;
      const ConversionPlan& plan = plans_[plans_.size() == 1 ? 0 : frame];
      const bool in_place = direct && (IsPlainCopy(plan) ||
                                       SampleTypeSize(plan.input) == DTypeSize(plan.output));
      const void* samples = nullptr;
      TFDICOM_RETURN_IF_ERROR(ReadFrame(info, frame, in_place ? out : nullptr, &samples));
      if (samples == out) {
        if (!IsPlainCopy(plan)) ConvertSamplesInPlace(out, out_count, plan);
        continue;
      }
      TFDICOM_RETURN_IF_ERROR(color_->ToRgb(&samples));
      if (luminance_) {
        // ToRgb delivered three samples per pixel (PALETTE COLOR included).
        wide_.resize(info.pixels_per_frame() * 3);
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
  Header header_;
  Dataset parsed_;  // the header, when DCMTK read it
  Dataset levels_;  // the attributes of value levels, when the scan read them
  bool levels_read_ = false;
  Dataset full_;    // the whole data set, when needed
  bool full_parsed_ = false;
  bool dcmtk_frames_ = false;
  const FrameDecoder* decoder_ = nullptr;  // tfdicom's for this syntax, if any
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
  const ActiveDecode counted;  // lets big frames use cores no other decode uses
  return GuardAllocations("decode_dicom_image", [&] {
    ImageInfo local;
    ImageDecoder decoder(contents, options);
    return decoder.Run(allocate, info ? info : &local).WithContext("decode_dicom_image");
  });
}

}  // namespace tfdicom
