// JPEG 2000 and HTJ2K codestreams -> samples: the entry point that the DCMTK
// codec (frame_codec.h) and the HTJ2K frame reader call. Lossless HTJ2K goes
// to OpenJPH (htj2k_decoder.h), everything else to OpenJPEG; this is the one
// place that talks to OpenJPEG.
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
// messages go into the error, never to stderr; OpenJPH's go nowhere.
// Reversible HTJ2K codestreams (IsReversibleHtj2k) are tried with OpenJPH
// first, with OpenJPEG when OpenJPH refuses them. OpenJPEG decodes a big
// frame on DecodeThreadBudget() threads (concurrency.h): all the cores when
// no other decode runs, one when the caller already decodes in parallel.
Status DecodeJ2kFrame(std::string_view codestream, const FrameLayout& layout, void* out,
                      size_t out_size);

// How many frames each library has decoded in this process: lets tests see
// which path a codestream took, since the output cannot tell.
struct J2kDecodersUsed {
  uint64_t openjph = 0;          // frames OpenJPH decoded
  uint64_t openjpeg = 0;         // frames OpenJPEG decoded
  uint64_t openjph_refused = 0;  // reversible HTJ2K frames OpenJPH gave up on
  uint64_t openjpeg_threaded = 0;  // OpenJPEG frames decoded on more than one thread
};
J2kDecodersUsed J2kDecoderCounts();

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_J2K_DECODER_H_
