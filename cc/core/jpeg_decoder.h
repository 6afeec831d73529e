// JPEG baseline (process 1, 8-bit) frames -> samples, with libjpeg-turbo's
// SIMD decoder: the one place that talks to libjpeg-turbo. Registered with
// DCMTK ahead of DCMTK's IJG decoder (frame_codec.h).
#ifndef TFDICOM_CC_CORE_JPEG_DECODER_H_
#define TFDICOM_CC_CORE_JPEG_DECODER_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "cc/core/frame_layout.h"
#include "cc/core/status.h"

namespace tfdicom {

// Decodes one 8-bit JPEG frame into `out` (interleaved samples). The colour
// space follows (0028,0004) as DCMTK's decoder does: YBR_* is converted to
// RGB (`*color_model` = "RGB"); RGB and MONOCHROME are taken as they are.
// libjpeg's warnings are dropped; its errors become the Status.
Status DecodeJpegBaselineFrame(std::string_view codestream, const FrameLayout& layout, void* out,
                               size_t out_size, std::string* color_model);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_JPEG_DECODER_H_
