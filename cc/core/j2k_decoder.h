// JPEG 2000 and HTJ2K codestreams -> samples, with OpenJPEG. The one place
// that talks to OpenJPEG; used by the DCMTK codec (frame_codec.h) and by the
// HTJ2K frame reader.
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
// YBR_RCT) is undone by OpenJPEG: colour comes out as RGB. OpenJPEG's
// messages go into the error, never to stderr.
Status DecodeJ2kFrame(std::string_view codestream, const FrameLayout& layout, void* out,
                      size_t out_size);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_J2K_DECODER_H_
