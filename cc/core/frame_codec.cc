#include "cc/core/frame_codec.h"

#include <functional>
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

// Decodes one frame's codestream into `out`; sets the colour model of the
// decoded samples.
using DecodeFn = std::function<Status(std::string_view codestream, const FrameLayout& layout,
                                      void* out, size_t out_size, std::string* color_model)>;

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
  // `fallback`, if any, decodes the frames that `decode` leaves
  // (Unimplemented): DCMTK's own codec for the same transfer syntax.
  FrameCodec(std::vector<E_TransferSyntax> handles, DecodeFn decode,
             const DcmCodec* fallback = nullptr,
             const DcmCodecParameter* fallback_parameter = nullptr)
      : handles_(std::move(handles)), decode_(std::move(decode)), fallback_(fallback),
        fallback_parameter_(fallback_parameter) {}

  OFCondition decodeFrame(const DcmRepresentationParameter* parameter,
                          DcmPixelSequence* sequence, const DcmCodecParameter*,
                          DcmItem* dataset, Uint32 frame,
                          Uint32& start_fragment, void* buffer, Uint32 size,
                          OFString& color_model) const override {
    if (sequence == nullptr || dataset == nullptr) return EC_IllegalCall;
    FrameLayout layout;
    uint32_t frames = 1;
    std::string scratch, model;
    std::string_view codestream;
    Status status = ReadLayout(*dataset, &layout, &frames);
    if (status.ok()) status = FrameCodestream(*sequence, frame, frames, &scratch, &codestream);
    if (status.ok()) status = decode_(codestream, layout, buffer, size, &model);
    if (status.code() == Code::kUnimplemented && fallback_ != nullptr) {
      return fallback_->decodeFrame(parameter, sequence, fallback_parameter_, dataset, frame,
                                    start_fragment, buffer, size, color_model);
    }
    if (!status.ok()) return ToCondition(status);
    start_fragment = 0;  // the next call finds its own fragments
    color_model = model.c_str();
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

  // The colour model decodeFrame delivers: RGB for colour that the decoder
  // converts (YBR_* in JPEG, YBR_ICT/RCT in JPEG 2000), else the header's.
  OFCondition determineDecompressedColorModel(const DcmRepresentationParameter*,
                                              DcmPixelSequence*, const DcmCodecParameter*,
                                              DcmItem* dataset,
                                              OFString& color_model) const override {
    if (dataset == nullptr) return EC_IllegalCall;
    OFString photometric;
    dataset->findAndGetOFString(DCM_PhotometricInterpretation, photometric);
    color_model = photometric.compare(0, 3, "YBR") == 0 ? "RGB" : photometric;
    return EC_Normal;
  }

  OFBool canChangeCoding(const E_TransferSyntax from, const E_TransferSyntax to) const override {
    for (E_TransferSyntax handled : handles_) {
      if (from == handled) return DcmXfer(to).isNotEncapsulated();
    }
    return OFFalse;
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
  std::vector<E_TransferSyntax> handles_;
  DecodeFn decode_;
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

}  // namespace

Status RegisterFrameCodecs() {
  // JPEG baseline is always 8-bit: libjpeg-turbo, with SIMD.
  static const FrameCodec* const jpeg = new FrameCodec(
      {EXS_JPEGProcess1},
      [](std::string_view codestream, const FrameLayout& layout, void* out, size_t size,
         std::string* color_model) {
        return DecodeJpegBaselineFrame(codestream, layout, out, size, color_model);
      });
  static const FrameCodec* const j2k = new FrameCodec(
      {EXS_JPEG2000LosslessOnly, EXS_JPEG2000},
      [](std::string_view codestream, const FrameLayout& layout, void* out, size_t size,
         std::string* color_model) {
        *color_model = (layout.photometric == "YBR_ICT" || layout.photometric == "YBR_RCT")
                           ? "RGB"
                           : layout.photometric;
        return DecodeJ2kFrame(codestream, layout, out, size);
      });
  static const FrameCodec* const jpeg_ls = new FrameCodec(
      {EXS_JPEGLSLossless, EXS_JPEGLSLossy},
      [](std::string_view codestream, const FrameLayout& layout, void* out, size_t size,
         std::string* color_model) {
        *color_model = layout.photometric;
        return DecodeJpegLsFrame(codestream, layout, out, size);
      });
  static const FrameCodec* const rle = new FrameCodec(
      {EXS_RLELossless},
      [](std::string_view codestream, const FrameLayout& layout, void* out, size_t size,
         std::string* color_model) {
        *color_model = layout.photometric;
        return DecodeRleFrame(codestream, layout, out, size);
      });
  // JPEG lossless: tfdicom's decoder, DCMTK's for what it refuses.
  static const DJCodecParameter* const dcmtk_parameter =
      new DJCodecParameter(ECC_lossyYCbCr, EDC_photometricInterpretation, EUC_default,
                           EPC_default);
  const auto lossless = [](std::string_view codestream, const FrameLayout& layout, void* out,
                           size_t size, std::string* color_model) {
    *color_model = layout.photometric;
    return DecodeJpegLosslessFrame(codestream, layout, out, size);
  };
  static const FrameCodec* const lossless_sv1 = new FrameCodec(
      {EXS_JPEGProcess14SV1}, lossless, new DJDecoderP14SV1(), dcmtk_parameter);
  static const FrameCodec* const lossless_any = new FrameCodec(
      {EXS_JPEGProcess14}, lossless, new DJDecoderLossless(), dcmtk_parameter);
  TFDICOM_RETURN_IF_ERROR(Register(rle));
  TFDICOM_RETURN_IF_ERROR(Register(lossless_sv1));
  TFDICOM_RETURN_IF_ERROR(Register(lossless_any));
  TFDICOM_RETURN_IF_ERROR(Register(jpeg));
  TFDICOM_RETURN_IF_ERROR(Register(jpeg_ls));
  return Register(j2k);
}

}  // namespace tfdicom
