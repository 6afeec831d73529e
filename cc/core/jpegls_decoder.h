// JPEG-LS lossless and near-lossless frames -> samples, with CharLS 2 (the
// one place that talks to CharLS). Registered with DCMTK in place of
// DCMTK's bundled CharLS 1 decoder (frame_codec.h), which is not linked, so
// the two libraries' same-named symbols never meet.
#ifndef TFDICOM_CC_CORE_JPEGLS_DECODER_H_
#define TFDICOM_CC_CORE_JPEGLS_DECODER_H_

#include <cstddef>
#include <string_view>

#include "cc/core/frame_layout.h"
#include "cc/core/status.h"

namespace tfdicom {

// Decodes one JPEG-LS frame into `out`: interleaved samples of
// layout.bits_allocated bits (8 or 16) in the machine's byte order, whatever
// the stream's interleave mode.
Status DecodeJpegLsFrame(std::string_view codestream, const FrameLayout& layout, void* out,
                         size_t out_size);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_JPEGLS_DECODER_H_
