// tfdicom's decoders as DCMTK codecs: one base class turns "decode this
// frame's codestream" into DCMTK's DcmCodec interface (fragment lookup,
// whole-image decode, colour model, no encoding), so that DcmPixelData
// decompresses through them like through DCMTK's own codecs.
#ifndef TFDICOM_CC_CORE_FRAME_CODEC_H_
#define TFDICOM_CC_CORE_FRAME_CODEC_H_

#include "cc/core/status.h"

namespace tfdicom {

// Registers every decoder of tfdicom's own with DCMTK, ahead of DCMTK's
// codecs for the same transfer syntaxes: tfdicom's RLE decoder,
// libjpeg-turbo for JPEG baseline, CharLS 2 for JPEG-LS, OpenJPEG for JPEG
// 2000. Call once (codecs.cc does);
// never deregistered.
Status RegisterFrameCodecs();

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_FRAME_CODEC_H_
