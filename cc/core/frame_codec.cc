#include "cc/core/frame_codec.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cc/core/dcmtk_status.h"
#include "cc/core/fragments.h"
#include "cc/core/j2k_decoder.h"
#include "cc/core/jpeg_decoder.h"
#include "cc/core/jpeg_lossless_decoder.h"
#include "cc/core/jpegls_decoder.h"
#include "cc/core/rle_decoder.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dccodec.h"
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcerror.h"
#include "dcmtk/dcmdata/dcitem.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcvrpobw.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "dcmtk/dcmjpeg/djcparam.h"
#include "dcmtk/dcmjpeg/djdeclol.h"
#include "dcmtk/dcmjpeg/djdecsv1.h"

namespace tfdicom {
namespace {

class RepresentationParameter : public DcmRepresentationParameter {
 public:
  DcmRepresentationParameter* clone() const override { return new RepresentationParameter(*this); }
  const char* className() const override { return "tfdicom::RepresentationParameter"; }
  OFBool operator==(const DcmRepresentationParameter& other) const override {
    return std::string_view(other.className()) == className();
  }
};

class CodecParameter : public DcmCodecParameter {
 public:
  DcmCodecParameter* clone() const override { return new CodecParameter(*this); }
  const char* className() const override { return "tfdicom::CodecParameter"; }
};

Status ReadLayout(DcmItem& dataset, FrameLayout* layout, uint32_t* frames) {
  Uint16 rows = 0, columns = 0, samples = 1, bits = 0;
  if (dataset.findAndGetUint16(DCM_Rows, rows).bad() ||
      dataset.findAndGetUint16(DCM_Columns, columns).bad() ||
      dataset.findAndGetUint16(DCM_BitsAllocated, bits).bad()) {
    return InvalidArgument("compressed frame without Rows, Columns or BitsAllocated");
  }
  dataset.findAndGetUint16(DCM_SamplesPerPixel, samples);
  OFString photometric;
  dataset.findAndGetOFString(DCM_PhotometricInterpretation, photometric);
  Sint32 count = 1;
  if (dataset.findAndGetSint32(DCM_NumberOfFrames, count).bad() || count < 1) count = 1;
  layout->rows = rows;
  layout->columns = columns;
  layout->samples_per_pixel = samples;
  layout->bits_allocated = bits;
  layout->photometric = photometric.c_str();
  *frames = static_cast<uint32_t>(count);
  return OkStatus();
}

class FrameCodec : public DcmCodec {
 public:
  // `fallback`, if any, decodes the frames that `decoder` leaves
  // (Unimplemented): DCMTK's own codec for the same transfer syntax.
  FrameCodec(E_TransferSyntax handles, const FrameDecoder* decoder,
             const DcmCodec* fallback = nullptr,
             const DcmCodecParameter* fallback_parameter = nullptr)
      : handles_(handles), decoder_(decoder), fallback_(fallback),
        fallback_parameter_(fallback_parameter) {}

  OFCondition decodeFrame(const DcmRepresentationParameter* parameter,
                          DcmPixelSequence* sequence, const DcmCodecParameter*,
                          DcmItem* dataset, Uint32 frame,
                          Uint32& start_fragment, void* buffer, Uint32 size,
                          OFString& color_model) const override {
    if (sequence == nullptr || dataset == nullptr) return EC_IllegalCall;
    FrameLayout layout;
    uint32_t frames = 1;
    std::string scratch;
    std::string_view codestream;
    std::vector<size_t> starts;
    const PixelItems items = ListPixelItems(*sequence);
    Status status = ReadLayout(*dataset, &layout, &frames);
    if (status.ok() && frame >= frames) status = InvalidArgument("no such frame");
    if (status.ok()) status = FrameStarts(items, frames, &starts);
    if (status.ok()) status = FrameCodestream(items, starts, frame, &scratch, &codestream);
    if (status.ok()) status = decoder_->decode(codestream, layout, buffer, size);
    if (status.code() == Code::kUnimplemented && fallback_ != nullptr) {
      return fallback_->decodeFrame(parameter, sequence, fallback_parameter_, dataset, frame,
                                    start_fragment, buffer, size, color_model);
    }
    if (!status.ok()) return ToCondition(status);
    start_fragment = 0;  // the next call finds its own fragments
    color_model = DecodedColorModel(*decoder_, layout.photometric).c_str();
    return EC_Normal;
  }

  OFCondition decode(const DcmRepresentationParameter* parameter, DcmPixelSequence* sequence,
                     DcmPolymorphOBOW& pixels, const DcmCodecParameter* codec_parameter,
                     const DcmStack& stack, OFBool& remove_old) const override {
    DcmItem* dataset = stack.top() ? OFstatic_cast(DcmItem*, stack.elem(1)) : nullptr;
    if (dataset == nullptr || sequence == nullptr) return EC_IllegalCall;
    FrameLayout layout;
    uint32_t frames = 1;
    const Status status = ReadLayout(*dataset, &layout, &frames);
    if (!status.ok()) return ToCondition(status);
    const Uint32 frame_size =
        layout.rows * layout.columns * layout.samples_per_pixel * (layout.bits_allocated / 8);
    Uint16* data = nullptr;
    OFCondition result = pixels.createUint16Array((frame_size * frames + 1) / 2, data);
    OFString color_model;
    for (uint32_t f = 0; result.good() && f < frames; ++f) {
      Uint32 start = 0;
      result = decodeFrame(parameter, sequence, codec_parameter, dataset, f, start,
                           reinterpret_cast<Uint8*>(data) + f * frame_size, frame_size,
                           color_model);
    }
    if (result.good()) {
      result = dataset->putAndInsertString(DCM_PhotometricInterpretation, color_model.c_str());
      if (result.good() && layout.samples_per_pixel > 1) {
        result = dataset->putAndInsertUint16(DCM_PlanarConfiguration, 0);
      }
    }
    remove_old = OFFalse;
    return result;
  }

  // The colour model decodeFrame delivers.
  OFCondition determineDecompressedColorModel(const DcmRepresentationParameter*,
                                              DcmPixelSequence*, const DcmCodecParameter*,
                                              DcmItem* dataset,
                                              OFString& color_model) const override {
    if (dataset == nullptr) return EC_IllegalCall;
    OFString photometric;
    dataset->findAndGetOFString(DCM_PhotometricInterpretation, photometric);
    color_model = DecodedColorModel(*decoder_, photometric.c_str()).c_str();
    return EC_Normal;
  }

  OFBool canChangeCoding(const E_TransferSyntax from, const E_TransferSyntax to) const override {
    return from == handles_ && DcmXfer(to).isNotEncapsulated();
  }

  // tfdicom decodes only.
  OFCondition encode(const Uint16*, const Uint32, const DcmRepresentationParameter*,
                     DcmPixelSequence*&, const DcmCodecParameter*, DcmStack&,
                     OFBool&) const override {
    return EC_IllegalCall;
  }
  OFCondition encode(const E_TransferSyntax, const DcmRepresentationParameter*,
                     DcmPixelSequence*, const DcmRepresentationParameter*,
                     DcmPixelSequence*&, const DcmCodecParameter*, DcmStack&,
                     OFBool&) const override {
    return EC_IllegalCall;
  }

 private:
  E_TransferSyntax handles_;
  const FrameDecoder* decoder_;
  const DcmCodec* fallback_;
  const DcmCodecParameter* fallback_parameter_;
};

Status Register(const FrameCodec* codec) {
  static const RepresentationParameter* const representation = new RepresentationParameter();
  static const CodecParameter* const parameter = new CodecParameter();
  const OFCondition result = DcmCodecList::registerCodec(codec, representation, parameter);
  if (result.bad()) {
    return Internal(std::string("cannot register a codec with DCMTK: ") + result.text());
  }
  return OkStatus();
}

Status DecodeJpegBaseline(std::string_view codestream, const FrameLayout& layout, void* out,
                          size_t out_size) {
  std::string color_model;
  return DecodeJpegBaselineFrame(codestream, layout, out, out_size, &color_model);
}

bool Never(const std::string&) { return false; }
bool AnyYbr(const std::string& photometric) { return photometric.compare(0, 3, "YBR") == 0; }
bool J2kTransform(const std::string& photometric) {
  return photometric == "YBR_ICT" || photometric == "YBR_RCT";
}

constexpr FrameDecoder kRle = {DecodeRleFrame, Never, false};
constexpr FrameDecoder kJpegBaseline = {DecodeJpegBaseline, AnyYbr, false};
// JPEG lossless: DCMTK's decoder for what tfdicom's refuses.
constexpr FrameDecoder kJpegLossless = {DecodeJpegLosslessFrame, Never, true};
constexpr FrameDecoder kJpegLs = {DecodeJpegLsFrame, Never, false};
constexpr FrameDecoder kJ2k = {DecodeJ2kFrame, J2kTransform, false};

struct TableEntry {
  const char* uid;
  const FrameDecoder* decoder;
  E_TransferSyntax dcmtk;  // EXS_Unknown: DCMTK 3.6.7 has no such syntax
};

constexpr TableEntry kTable[] = {
    {"1.2.840.10008.1.2.5", &kRle, EXS_RLELossless},
    {"1.2.840.10008.1.2.4.50", &kJpegBaseline, EXS_JPEGProcess1},
    {"1.2.840.10008.1.2.4.57", &kJpegLossless, EXS_JPEGProcess14},
    {"1.2.840.10008.1.2.4.70", &kJpegLossless, EXS_JPEGProcess14SV1},
    {"1.2.840.10008.1.2.4.80", &kJpegLs, EXS_JPEGLSLossless},
    {"1.2.840.10008.1.2.4.81", &kJpegLs, EXS_JPEGLSLossy},
    {"1.2.840.10008.1.2.4.90", &kJ2k, EXS_JPEG2000LosslessOnly},
    {"1.2.840.10008.1.2.4.91", &kJ2k, EXS_JPEG2000},
    // HTJ2K: DCMTK 3.6.7 cannot dispatch it, so it is only read in place.
    {"1.2.840.10008.1.2.4.201", &kJ2k, EXS_Unknown},
    {"1.2.840.10008.1.2.4.202", &kJ2k, EXS_Unknown},
    {"1.2.840.10008.1.2.4.203", &kJ2k, EXS_Unknown},
};

}  // namespace

const FrameDecoder* FindFrameDecoder(std::string_view transfer_syntax_uid) {
  for (const TableEntry& entry : kTable) {
    if (transfer_syntax_uid == entry.uid) return entry.decoder;
  }
  return nullptr;
}

std::string DecodedColorModel(const FrameDecoder& decoder, const std::string& photometric) {
  if (decoder.converts_to_rgb(photometric)) return "RGB";
  // Every decoder delivers three samples per pixel: a codec other than JPEG
  // baseline carries YBR_FULL_422 as full YBR (pydicom reads it so).
  if (photometric == "YBR_FULL_422") return "YBR_FULL";
  return photometric;
}

Status RegisterFrameCodecs() {
  static const DJCodecParameter* const dcmtk_parameter =
      new DJCodecParameter(ECC_lossyYCbCr, EDC_photometricInterpretation, EUC_default,
                           EPC_default);
  for (const TableEntry& entry : kTable) {
    if (entry.dcmtk == EXS_Unknown) continue;
    const DcmCodec* fallback = nullptr;
    if (entry.decoder->dcmtk_fallback && entry.dcmtk == EXS_JPEGProcess14SV1) {
      fallback = new DJDecoderP14SV1();
    } else if (entry.decoder->dcmtk_fallback && entry.dcmtk == EXS_JPEGProcess14) {
      fallback = new DJDecoderLossless();
    }
    TFDICOM_RETURN_IF_ERROR(Register(new FrameCodec(
        entry.dcmtk, entry.decoder, fallback, fallback ? dcmtk_parameter : nullptr)));
  }
  return OkStatus();
}

}  // namespace tfdicom
