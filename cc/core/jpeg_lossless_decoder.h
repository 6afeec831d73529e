// JPEG lossless (process 14, any selection value, ITU T.81 Annex H) frames
// -> samples: tfdicom's own decoder, with table-driven Huffman decoding.
// Registered with DCMTK ahead of DCMTK's IJG lossless decoder, which stays
// the fallback for what this one refuses (several scans, a restart interval
// that is not whole lines, hierarchical streams).
#ifndef TFDICOM_CC_CORE_JPEG_LOSSLESS_DECODER_H_
#define TFDICOM_CC_CORE_JPEG_LOSSLESS_DECODER_H_

#include <cstddef>
#include <string_view>

#include "cc/core/frame_layout.h"
#include "cc/core/status.h"

namespace tfdicom {

// Decodes one lossless JPEG frame into `out`: interleaved samples of
// layout.bits_allocated bits (8 or 16) in the machine's byte order.
// Unimplemented for stream features it leaves to DCMTK; DataLoss for a
// corrupt stream.
Status DecodeJpegLosslessFrame(std::string_view codestream, const FrameLayout& layout, void* out,
                               size_t out_size);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_JPEG_LOSSLESS_DECODER_H_
