// tfdicom's JPEG 2000 decoder as a DCMTK codec: registered once with
// DcmCodecList (like DCMTK's own JPEG-LS decoder), so that DcmPixelData
// decompresses 1.2.840.10008.1.2.4.90 and .91 frames through OpenJPEG.
#ifndef TFDICOM_CC_CORE_J2K_CODEC_H_
#define TFDICOM_CC_CORE_J2K_CODEC_H_

#include "cc/core/status.h"

namespace tfdicom {

// Registers the codec with DCMTK. Call once (codecs.cc does); never
// deregistered, since other threads may be decoding.
Status RegisterJ2kCodec();

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_J2K_CODEC_H_
