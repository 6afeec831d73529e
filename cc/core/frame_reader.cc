#include "cc/core/frame_reader.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "cc/core/dataset.h"
#include "cc/core/dcmtk_status.h"
#include "cc/core/fragments.h"
#include "cc/core/j2k_decoder.h"
#include "cc/core/transfer_syntax.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"

namespace tfdicom {
namespace {

Photometric PhotometricFromName(const std::string& name, Photometric fallback) {
  if (name == "RGB") return Photometric::kRgb;
  if (name == "YBR_FULL") return Photometric::kYbrFull;
  if (name == "YBR_FULL_422") return Photometric::kYbrFull422;
  if (name == "MONOCHROME1") return Photometric::kMonochrome1;
  if (name == "MONOCHROME2") return Photometric::kMonochrome2;
  return fallback;
}

class NativeFrameReader : public FrameReader {
 public:
  NativeFrameReader(const uint8_t* bytes, uint64_t length, int swap_width,
                    const ImageInfo& info)
      : bytes_(bytes), swap_width_(swap_width), info_(info) {
    const int width = static_cast<int>(info.bits_allocated / 8);
    if (swap_width_ > 1 && swap_width_ != width) {
      // Words of another size than the samples (8-bit samples in OW):
      // swap the whole value once, then read it as little endian.
      whole_.resize(length);
      const uint64_t end = length - length % swap_width_;
      for (uint64_t i = 0; i < end; i += swap_width_) {
        for (int b = 0; b < swap_width_; ++b) whole_[i + b] = bytes[i + swap_width_ - 1 - b];
      }
      std::memcpy(whole_.data() + end, bytes + end, length - end);
      bytes_ = whole_.data();
      swap_width_ = 0;
    }
  }

  Status Read(uint32_t frame, const void** samples) override {
    const uint64_t count = info_.native_samples_per_frame();
    if (info_.bits_allocated == 1) {
      // Bits are packed across frame boundaries, least significant first.
      scratch_.resize(count);
      const uint64_t first = frame * count;
      for (uint64_t i = 0; i < count; ++i) {
        const uint64_t bit = first + i;
        scratch_[i] = (bytes_[bit >> 3] >> (bit & 7)) & 1;
      }
      *samples = scratch_.data();
      return OkStatus();
    }
    const size_t width = info_.bits_allocated / 8;
    const uint64_t size = count * width;
    const uint8_t* start = bytes_ + frame * size;
    if (swap_width_ > 1) {
      scratch_.resize(size);
      for (uint64_t i = 0; i < size; i += width) {
        for (size_t b = 0; b < width; ++b) scratch_[i + b] = start[i + width - 1 - b];
      }
      *samples = scratch_.data();
    } else if (reinterpret_cast<uintptr_t>(start) % width != 0) {
      scratch_.assign(start, start + size);  // keep typed loads aligned
      *samples = scratch_.data();
    } else {
      *samples = start;
    }
    return OkStatus();
  }
  Photometric photometric() const override { return info_.photometric; }
  bool planar() const override { return info_.planar; }

 private:
  const uint8_t* bytes_;
  int swap_width_;
  ImageInfo info_;
  std::vector<uint8_t> scratch_;
  std::vector<uint8_t> whole_;
};

class DcmtkFrameReader : public FrameReader {
 public:
  DcmtkFrameReader(Dataset& dataset, DcmPixelData* pixels, const ImageInfo& info,
                          uint32_t frame_size, Photometric photometric)
      : dataset_(dataset), pixels_(pixels), info_(info),
        buffer_(frame_size + (frame_size & 1)), photometric_(photometric) {}

  Status Read(uint32_t frame, const void** samples) override {
    OFString color_model;
    const OFCondition condition = pixels_->getUncompressedFrame(
        &dataset_.dataset(), frame, start_fragment_, buffer_.data(),
        static_cast<Uint32>(buffer_.size()), color_model);
    if (condition.bad()) {
      return FromCondition(condition, "cannot decompress frame " + std::to_string(frame + 1) +
                                          " of " + std::to_string(info_.frames) + " (" +
                                          DescribeTransferSyntax(info_.transfer_syntax_uid) +
                                          ")");
    }
    *samples = buffer_.data();
    return OkStatus();
  }
  Photometric photometric() const override { return photometric_; }
  // DCMTK's decoders deliver colour-by-pixel; uncompressed data in DCMTK's
  // memory (deflated data sets) keeps the file's layout.
  bool planar() const override {
    const TransferSyntax* ts = FindTransferSyntax(info_.transfer_syntax_uid);
    return ts != nullptr && ts->encoding != PixelEncoding::kEncapsulated && info_.planar;
  }

 private:
  Dataset& dataset_;
  DcmPixelData* pixels_;
  ImageInfo info_;
  std::vector<uint8_t> buffer_;
  Photometric photometric_;
  Uint32 start_fragment_ = 0;
};

class OpenJpegFrameReader : public FrameReader {
 public:
  OpenJpegFrameReader(DcmPixelSequence* sequence, const ImageInfo& info)
      : sequence_(sequence), info_(info) {
    layout_.rows = info.rows;
    layout_.columns = info.columns;
    layout_.samples_per_pixel = info.samples_per_pixel;
    layout_.bits_allocated = info.bits_allocated;
    layout_.photometric = info.photometric_name;
    buffer_.resize(info.samples_per_frame() * (info.bits_allocated / 8));
  }

  Status Read(uint32_t frame, const void** samples) override {
    std::string_view codestream;
    Status status = FrameCodestream(*sequence_, frame, info_.frames, &scratch_, &codestream);
    if (status.ok()) status = DecodeJ2kFrame(codestream, layout_, buffer_.data(), buffer_.size());
    if (!status.ok()) {
      return status.WithContext("cannot decompress frame " + std::to_string(frame + 1) + " of " +
                                std::to_string(info_.frames) + " (" +
                                DescribeTransferSyntax(info_.transfer_syntax_uid) + ")");
    }
    *samples = buffer_.data();
    return OkStatus();
  }
  Photometric photometric() const override {
    const Photometric p = info_.photometric;
    return p == Photometric::kYbrIct || p == Photometric::kYbrRct ? Photometric::kRgb : p;
  }
  bool planar() const override { return false; }

 private:
  DcmPixelSequence* sequence_;
  ImageInfo info_;
  FrameLayout layout_;
  std::vector<uint8_t> buffer_;
  std::string scratch_;
};

DcmPixelData* FindPixelData(Dataset& dataset) {
  DcmElement* element = nullptr;
  if (dataset.dataset().findAndGetElement(DCM_PixelData, element).bad()) return nullptr;
  return dynamic_cast<DcmPixelData*>(element);
}

}  // namespace

Status MakeOpenJpegFrameReader(Dataset& dataset, const ImageInfo& info,
                               std::unique_ptr<FrameReader>* reader) {
  DcmPixelData* pixels = FindPixelData(dataset);
  if (pixels == nullptr) {
    return InvalidArgument("no pixel data: the data set has no (7FE0,0010) PixelData");
  }
  if (info.bits_allocated != 8 && info.bits_allocated != 16) {
    return Unimplemented("JPEG 2000 with (0028,0100) BitsAllocated=" +
                         std::to_string(info.bits_allocated) + " (expected 8 or 16)");
  }
  E_TransferSyntax original = EXS_Unknown;
  const DcmRepresentationParameter* parameter = nullptr;
  pixels->getOriginalRepresentationKey(original, parameter);
  DcmPixelSequence* sequence = nullptr;
  if (pixels->getEncapsulatedRepresentation(original, parameter, sequence).bad() ||
      sequence == nullptr) {
    return DataLoss("the pixel data of " + DescribeTransferSyntax(info.transfer_syntax_uid) +
                    " is not encapsulated (no fragments)");
  }
  *reader = std::make_unique<OpenJpegFrameReader>(sequence, info);
  return OkStatus();
}

Status MakeNativeFrameReader(const uint8_t* bytes, uint64_t length,
                             uint64_t declared_length, int swap_width,
                             bool complete_only, ImageInfo* info,
                             std::unique_ptr<FrameReader>* reader) {
  const uint64_t bits_per_frame = info->native_samples_per_frame() * info->bits_allocated;
  const uint64_t needed = (bits_per_frame * info->frames + 7) / 8;
  const uint64_t usable = std::min(length, declared_length);
  if (usable < needed) {
    const uint64_t complete = usable * 8 / bits_per_frame;
    if (!complete_only || complete == 0) {
      const bool cut = length < declared_length;
      return DataLoss(
          std::string(cut ? "truncated pixel data" : "pixel data shorter than the header declares") +
          " (expected " + std::to_string(needed) + " bytes for " +
          std::to_string(info->frames) + " frame(s) of " + std::to_string(info->rows) + "x" +
          std::to_string(info->columns) + "x" + std::to_string(info->samples_per_pixel) +
          " at " + std::to_string(info->bits_allocated) + " bits, found " +
          std::to_string(usable) + (cut ? " before the end of the input" : " in the element") +
          ")");
    }
    info->frames = static_cast<uint32_t>(complete);
  }
  *reader = std::make_unique<NativeFrameReader>(bytes, std::min(length, needed + 1),
                                                swap_width, *info);
  return OkStatus();
}

Status MakeDcmtkFrameReader(Dataset& dataset, const ImageInfo& info,
                                   std::unique_ptr<FrameReader>* reader) {
  DcmElement* element = nullptr;
  if (dataset.dataset().findAndGetElement(DCM_PixelData, element).bad() ||
      element == nullptr) {
    return InvalidArgument("no pixel data: the data set has no (7FE0,0010) PixelData");
  }
  auto* pixels = dynamic_cast<DcmPixelData*>(element);
  if (pixels == nullptr) return Internal("(7FE0,0010) is not a DcmPixelData");
  // Every frame needs at least one fragment (after the basic offset table).
  E_TransferSyntax original = EXS_Unknown;
  const DcmRepresentationParameter* parameter = nullptr;
  pixels->getOriginalRepresentationKey(original, parameter);
  DcmPixelSequence* fragments = nullptr;
  if (DcmXfer(original).isEncapsulated() &&
      pixels->getEncapsulatedRepresentation(original, parameter, fragments).good() &&
      fragments != nullptr) {
    const unsigned long count = fragments->card() > 0 ? fragments->card() - 1 : 0;
    if (count < info.frames) {
      return DataLoss("the encapsulated pixel data holds " + std::to_string(count) +
                      " fragment(s) for (0028,0008) NumberOfFrames=" +
                      std::to_string(info.frames) + " (each frame needs at least one)");
    }
  }
  Uint32 frame_size = 0;
  TFDICOM_RETURN_IF_ERROR(FromCondition(
      pixels->getUncompressedFrameSize(&dataset.dataset(), frame_size),
      "cannot compute the frame size"));
  OFString color_model;
  Photometric photometric = info.photometric;
  if (pixels->getDecompressedColorModel(&dataset.dataset(), color_model).good()) {
    photometric = PhotometricFromName(color_model.c_str(), info.photometric);
  }
  *reader = std::make_unique<DcmtkFrameReader>(dataset, pixels, info, frame_size,
                                                      photometric);
  return OkStatus();
}

}  // namespace tfdicom
