// RLE Lossless frames (PS3.5 Annex G) -> samples: PackBits segments, one
// per byte of each sample, written straight into interleaved samples.
// Registered with DCMTK ahead of its RLE decoder (frame_codec.h).
#ifndef TFDICOM_CC_CORE_RLE_DECODER_H_
#define TFDICOM_CC_CORE_RLE_DECODER_H_

#include <cstddef>
#include <string_view>

#include "cc/core/frame_layout.h"
#include "cc/core/status.h"

namespace tfdicom {

// Decodes one RLE frame into `out`: interleaved samples of
// layout.bits_allocated bits in the machine's (little-endian) byte order.
// Fails with DataLoss naming the segment that is short or out of bounds.
Status DecodeRleFrame(std::string_view fragment, const FrameLayout& layout, void* out,
                      size_t out_size);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_RLE_DECODER_H_
