#include "cc/core/j2k_codec.h"

#include <string>
#include <string_view>

#include "cc/core/dcmtk_status.h"
#include "cc/core/fragments.h"
#include "cc/core/j2k_decoder.h"
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

namespace tfdicom {
namespace {

OFCondition J2kError(const Status& status) { return ToCondition(status); }

class J2kRepresentationParameter : public DcmRepresentationParameter {
 public:
  DcmRepresentationParameter* clone() const override {
    return new J2kRepresentationParameter(*this);
  }
  const char* className() const override { return "tfdicom::J2kRepresentationParameter"; }
  OFBool operator==(const DcmRepresentationParameter& other) const override {
    return std::string_view(other.className()) == className();
  }
};

class J2kCodecParameter : public DcmCodecParameter {
 public:
  DcmCodecParameter* clone() const override { return new J2kCodecParameter(*this); }
  const char* className() const override { return "tfdicom::J2kCodecParameter"; }
};

Status ReadLayout(DcmItem& dataset, J2kFrameLayout* layout, uint32_t* frames) {
  Uint16 rows = 0, columns = 0, samples = 1, bits = 0;
  if (dataset.findAndGetUint16(DCM_Rows, rows).bad() ||
      dataset.findAndGetUint16(DCM_Columns, columns).bad() ||
      dataset.findAndGetUint16(DCM_BitsAllocated, bits).bad()) {
    return InvalidArgument("JPEG 2000 frame without Rows, Columns or BitsAllocated");
  }
  dataset.findAndGetUint16(DCM_SamplesPerPixel, samples);
  Sint32 count = 1;
  if (dataset.findAndGetSint32(DCM_NumberOfFrames, count).bad() || count < 1) count = 1;
  layout->rows = rows;
  layout->columns = columns;
  layout->samples_per_pixel = samples;
  layout->bits_allocated = bits;
  *frames = static_cast<uint32_t>(count);
  return OkStatus();
}

class J2kDecoder : public DcmCodec {
 public:
  OFCondition decodeFrame(const DcmRepresentationParameter*, DcmPixelSequence* sequence,
                          const DcmCodecParameter*, DcmItem* dataset, Uint32 frame,
                          Uint32& start_fragment, void* buffer, Uint32 size,
                          OFString& color_model) const override {
    if (sequence == nullptr || dataset == nullptr) return EC_IllegalCall;
    J2kFrameLayout layout;
    uint32_t frames = 1;
    Status status = ReadLayout(*dataset, &layout, &frames);
    std::string scratch;
    std::string_view codestream;
    if (status.ok()) status = FrameCodestream(*sequence, frame, frames, &scratch, &codestream);
    if (status.ok()) status = DecodeJ2kFrame(codestream, layout, buffer, size);
    if (!status.ok()) return J2kError(status);
    start_fragment = 0;  // the next call finds its own fragments
    return determineDecompressedColorModel(nullptr, sequence, nullptr, dataset, color_model);
  }

  OFCondition decode(const DcmRepresentationParameter* parameter, DcmPixelSequence* sequence,
                     DcmPolymorphOBOW& pixels, const DcmCodecParameter* codec_parameter,
                     const DcmStack& stack, OFBool& remove_old) const override {
    DcmItem* dataset = stack.top() ? OFstatic_cast(DcmItem*, stack.elem(1)) : nullptr;
    if (dataset == nullptr || sequence == nullptr) return EC_IllegalCall;
    J2kFrameLayout layout;
    uint32_t frames = 1;
    const Status status = ReadLayout(*dataset, &layout, &frames);
    if (!status.ok()) return J2kError(status);
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

  OFCondition determineDecompressedColorModel(const DcmRepresentationParameter*,
                                              DcmPixelSequence*, const DcmCodecParameter*,
                                              DcmItem* dataset,
                                              OFString& color_model) const override {
    if (dataset == nullptr) return EC_IllegalCall;
    OFString photometric;
    dataset->findAndGetOFString(DCM_PhotometricInterpretation, photometric);
    // OpenJPEG undoes the multiple component transform.
    color_model = (photometric == "YBR_ICT" || photometric == "YBR_RCT") ? "RGB" : photometric;
    return EC_Normal;
  }

  OFBool canChangeCoding(const E_TransferSyntax from, const E_TransferSyntax to) const override {
    const bool is_j2k = from == EXS_JPEG2000LosslessOnly || from == EXS_JPEG2000;
    return is_j2k && DcmXfer(to).isNotEncapsulated();
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
};

}  // namespace

Status RegisterJ2kCodec() {
  static const J2kDecoder* const decoder = new J2kDecoder();
  static const J2kRepresentationParameter* const representation = new J2kRepresentationParameter();
  static const J2kCodecParameter* const parameter = new J2kCodecParameter();
  const OFCondition result = DcmCodecList::registerCodec(decoder, representation, parameter);
  if (result.bad()) {
    return Internal(std::string("cannot register the JPEG 2000 codec with DCMTK: ") + result.text());
  }
  return OkStatus();
}

}  // namespace tfdicom
