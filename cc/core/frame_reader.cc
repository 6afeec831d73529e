#include "cc/core/frame_reader.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "cc/core/dataset.h"
#include "cc/core/dcmtk_status.h"
#include "cc/core/fragments.h"
#include "cc/core/frame_codec.h"
#include "cc/core/jpeg_header.h"
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

template <typename Word, Word (*kSwap)(Word)>
void SwapWords(const uint8_t* in, uint64_t size, uint8_t* out) {
  for (uint64_t i = 0; i + sizeof(Word) <= size; i += sizeof(Word)) {
    Word w;
    std::memcpy(&w, in + i, sizeof(Word));
    w = kSwap(w);
    std::memcpy(out + i, &w, sizeof(Word));
  }
}
uint16_t Swap16(uint16_t w) { return __builtin_bswap16(w); }
uint32_t Swap32(uint32_t w) { return __builtin_bswap32(w); }
uint64_t Swap64(uint64_t w) { return __builtin_bswap64(w); }

// Copies `size` bytes of big-endian words of `width` bytes as native ones.
void SwapCopy(const uint8_t* in, uint64_t size, size_t width, uint8_t* out) {
  switch (width) {
    case 2: return SwapWords<uint16_t, Swap16>(in, size, out);
    case 4: return SwapWords<uint32_t, Swap32>(in, size, out);
    case 8: return SwapWords<uint64_t, Swap64>(in, size, out);
    default: std::memcpy(out, in, size);
  }
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
      SwapCopy(bytes, end, swap_width_, whole_.data());
      std::memcpy(whole_.data() + end, bytes + end, length - end);
      bytes_ = whole_.data();
      swap_width_ = 0;
    }
  }

  Status Read(uint32_t frame, void* destination, const void** samples) override {
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
      uint8_t* swapped = static_cast<uint8_t*>(destination);
      if (swapped == nullptr) {
        scratch_.resize(size);
        swapped = scratch_.data();
      }
      SwapCopy(start, size, width, swapped);
      *samples = swapped;
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

// Frames through DCMTK's codecs. DCMTK writes what the codestream holds, not
// what the header says, so a frame that would not fill the output is
// refused before it is decoded: JPEG frames by their frame header (DCMTK
// decodes JPEG extended, and lossless JPEG that tfdicom's decoder leaves).
class DcmtkFrameReader : public FrameReader {
 public:
  DcmtkFrameReader(Dataset& dataset, DcmPixelData* pixels, const ImageInfo& info,
                   uint32_t frame_size, Photometric photometric, PixelItems jpeg_items,
                   std::vector<size_t> jpeg_starts)
      : dataset_(dataset), pixels_(pixels), info_(info), frame_size_(frame_size),
        buffer_(frame_size + (frame_size & 1)), photometric_(photometric),
        jpeg_items_(std::move(jpeg_items)), jpeg_starts_(std::move(jpeg_starts)) {
    layout_.rows = info.rows;
    layout_.columns = info.columns;
    layout_.samples_per_pixel = info.samples_per_pixel;
    layout_.bits_allocated = info.bits_allocated;
    layout_.photometric = info.photometric_name;
  }

  Status Read(uint32_t frame, void* destination, const void** samples) override {
    if (!jpeg_starts_.empty()) {
      std::string_view codestream;
      Status status = FrameCodestream(jpeg_items_, jpeg_starts_, frame, &scratch_, &codestream);
      if (status.ok()) status = CheckJpegFrameFits(codestream, layout_);
      if (!status.ok()) return status.WithContext(FrameContext(frame));
    }
    OFString color_model;
    // DCMTK may write a pad byte after an odd-sized frame: only into our buffer.
    void* out = destination != nullptr && frame_size_ % 2 == 0 ? destination : buffer_.data();
    const OFCondition condition = pixels_->getUncompressedFrame(
        &dataset_.dataset(), frame, start_fragment_, out, static_cast<Uint32>(buffer_.size()),
        color_model);
    if (condition.bad()) return FromCondition(condition, FrameContext(frame));
    *samples = out;
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
  std::string FrameContext(uint32_t frame) const {
    return "cannot decompress frame " + std::to_string(frame + 1) + " of " +
           std::to_string(info_.frames) + " (" +
           DescribeTransferSyntax(info_.transfer_syntax_uid) + ")";
  }

  Dataset& dataset_;
  DcmPixelData* pixels_;
  ImageInfo info_;
  Uint32 frame_size_;
  std::vector<uint8_t> buffer_;
  Photometric photometric_;
  Uint32 start_fragment_ = 0;
  PixelItems jpeg_items_;            // the fragments, when the frames are JPEG
  std::vector<size_t> jpeg_starts_;  // their first fragment per frame; empty: not JPEG
  FrameLayout layout_;
  std::string scratch_;
};

class EncapsulatedFrameReader : public FrameReader {
 public:
  EncapsulatedFrameReader(PixelItems items, std::vector<size_t> starts,
                          const FrameDecoder& decoder, const ImageInfo& info)
      : items_(std::move(items)), starts_(std::move(starts)), decoder_(decoder), info_(info),
        photometric_(PhotometricFromName(DecodedColorModel(decoder, info.photometric_name),
                                         info.photometric)) {
    layout_.rows = info.rows;
    layout_.columns = info.columns;
    layout_.samples_per_pixel = info.samples_per_pixel;
    layout_.bits_allocated = info.bits_allocated;
    layout_.photometric = info.photometric_name;
  }

  Status Read(uint32_t frame, void* destination, const void** samples) override {
    const size_t size = info_.samples_per_frame() * (info_.bits_allocated / 8);
    void* out = destination;
    if (out == nullptr) {
      // Not zero-filled: the decoder writes every byte or fails.
      if (!buffer_) buffer_.reset(new uint8_t[size]);
      out = buffer_.get();
    }
    std::string_view codestream;
    Status status = FrameCodestream(items_, starts_, frame, &scratch_, &codestream);
    if (status.ok()) status = decoder_.decode(codestream, layout_, out, size);
    if (!status.ok()) {
      return status.WithContext("cannot decompress frame " + std::to_string(frame + 1) + " of " +
                                std::to_string(info_.frames) + " (" +
                                DescribeTransferSyntax(info_.transfer_syntax_uid) + ")");
    }
    *samples = out;
    return OkStatus();
  }
  Photometric photometric() const override { return photometric_; }
  bool planar() const override { return false; }  // decoders deliver colour-by-pixel

 private:
  PixelItems items_;
  std::vector<size_t> starts_;
  const FrameDecoder& decoder_;
  ImageInfo info_;
  Photometric photometric_;
  FrameLayout layout_;
  std::unique_ptr<uint8_t[]> buffer_;  // one frame, when not decoded into the output
  std::string scratch_;
};

DcmPixelData* FindPixelData(Dataset& dataset) {
  DcmElement* element = nullptr;
  if (dataset.dataset().findAndGetElement(DCM_PixelData, element).bad()) return nullptr;
  return dynamic_cast<DcmPixelData*>(element);
}

}  // namespace

Status ListPixelItems(Dataset& dataset, PixelItems* items) {
  DcmPixelData* pixels = FindPixelData(dataset);
  if (pixels == nullptr) {
    return InvalidArgument("no pixel data: the data set has no (7FE0,0010) PixelData");
  }
  E_TransferSyntax original = EXS_Unknown;
  const DcmRepresentationParameter* parameter = nullptr;
  pixels->getOriginalRepresentationKey(original, parameter);
  DcmPixelSequence* sequence = nullptr;
  if (pixels->getEncapsulatedRepresentation(original, parameter, sequence).bad() ||
      sequence == nullptr) {
    return DataLoss("the pixel data is not encapsulated (no fragments)");
  }
  *items = ListPixelItems(*sequence);
  return OkStatus();
}

Status MakeEncapsulatedFrameReader(PixelItems items, const FrameDecoder& decoder,
                                   const ImageInfo& info, std::unique_ptr<FrameReader>* reader) {
  TFDICOM_RETURN_IF_ERROR(CheckFragmentCount(items, info.frames));
  std::vector<size_t> starts;
  TFDICOM_RETURN_IF_ERROR(FrameStarts(items, info.frames, &starts));
  *reader = std::make_unique<EncapsulatedFrameReader>(std::move(items), std::move(starts),
                                                      decoder, info);
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
  PixelItems jpeg_items;
  std::vector<size_t> jpeg_starts;
  const DcmXfer xfer(original);
  if (xfer.isEncapsulated() &&
      pixels->getEncapsulatedRepresentation(original, parameter, fragments).good() &&
      fragments != nullptr) {
    PixelItems items = ListPixelItems(*fragments);
    TFDICOM_RETURN_IF_ERROR(CheckFragmentCount(items, info.frames));
    if (xfer.getJPEGProcess8Bit() != 0) {  // the JPEG processes (IJG's codecs)
      TFDICOM_RETURN_IF_ERROR(FrameStarts(items, info.frames, &jpeg_starts));
      jpeg_items = std::move(items);
    }
  }
  Uint32 frame_size = 0;
  TFDICOM_RETURN_IF_ERROR(FromCondition(
      pixels->getUncompressedFrameSize(&dataset.dataset(), frame_size),
      "cannot compute the frame size"));
  // What the colour conversion will read of each frame.
  const uint64_t expected = (xfer.isEncapsulated() ? info.samples_per_frame()
                                                   : info.native_samples_per_frame()) *
                            (info.bits_allocated / 8);
  if (frame_size < expected) {
    return Unimplemented("DCMTK's codec for " + DescribeTransferSyntax(info.transfer_syntax_uid) +
                         " delivers frames of " + std::to_string(frame_size) + " bytes, not " +
                         std::to_string(expected));
  }
  // DCMTK's colour-model query scans the first frame's JPEG markers and
  // loops forever on a marker of length 0 (found by tools/mutation_fuzz.py):
  // the frame header is read and checked by tfdicom first.
  if (!jpeg_starts.empty()) {
    std::string scratch;
    std::string_view codestream;
    FrameLayout layout;
    layout.rows = info.rows;
    layout.columns = info.columns;
    layout.samples_per_pixel = info.samples_per_pixel;
    layout.bits_allocated = info.bits_allocated;
    layout.photometric = info.photometric_name;
    Status status = FrameCodestream(jpeg_items, jpeg_starts, 0, &scratch, &codestream);
    if (status.ok()) status = CheckJpegFrameFits(codestream, layout);
    if (!status.ok()) {
      return status.WithContext("cannot decompress frame 1 of " + std::to_string(info.frames) +
                                " (" + DescribeTransferSyntax(info.transfer_syntax_uid) + ")");
    }
  }
  OFString color_model;
  Photometric photometric = info.photometric;
  if (pixels->getDecompressedColorModel(&dataset.dataset(), color_model).good()) {
    photometric = PhotometricFromName(color_model.c_str(), info.photometric);
  }
  *reader = std::make_unique<DcmtkFrameReader>(dataset, pixels, info, frame_size, photometric,
                                               std::move(jpeg_items), std::move(jpeg_starts));
  return OkStatus();
}

}  // namespace tfdicom
