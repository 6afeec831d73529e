// JPEG 2000 and HTJ2K codestreams -> samples, with OpenJPEG (built with
// NDEBUG, see CMakeLists.txt): the one place that talks to OpenJPEG.
#ifndef TFDICOM_CC_CORE_J2K_DECODER_H_
#define TFDICOM_CC_CORE_J2K_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cc/core/frame_layout.h"
#include "cc/core/status.h"

namespace tfdicom {

// Decodes one frame's codestream (J2K, or JP2 with its box header) into
// `out`: `out_size` bytes of interleaved samples of layout.bits_allocated
// bits in the machine's byte order. Each sample keeps the low bits of the
// decoded integer, two's complement for signed components, so that
// (0028,0103) PixelRepresentation decides the sign as pydicom does when
// the codestream disagrees. A multiple component transform (YBR_ICT,
// YBR_RCT) is undone by the decoder: colour comes out as RGB. OpenJPEG's
// messages go into the error, never to stderr. OpenJPEG decodes a big
// frame on DecodeThreadBudget() threads (concurrency.h): all the cores when
// no other decode runs, one when the caller already decodes in parallel.
Status DecodeJ2kFrame(std::string_view codestream, const FrameLayout& layout, void* out,
                      size_t out_size);

// How many frames OpenJPEG has decoded in this process, and how many on
// more than one thread: lets tests see the path a frame took, since the
// output cannot tell.
struct J2kDecodersUsed {
  uint64_t openjpeg = 0;
  uint64_t openjpeg_threaded = 0;
};
J2kDecodersUsed J2kDecoderCounts();

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_J2K_DECODER_H_
