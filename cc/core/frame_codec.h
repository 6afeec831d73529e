// tfdicom's frame decoders: one table from transfer syntax to decoder, used
// both to decode frames read in place from the input and, through one
// DcmCodec base class, by DCMTK's codec registry (fragment lookup,
// whole-image decode, colour model, no encoding).
#ifndef TFDICOM_CC_CORE_FRAME_CODEC_H_
#define TFDICOM_CC_CORE_FRAME_CODEC_H_

#include <string>
#include <string_view>

#include "cc/core/frame_layout.h"
#include "cc/core/status.h"

namespace tfdicom {

struct FrameDecoder {
  // Decodes one frame's codestream into `out` (`out_size` bytes): samples
  // of layout.bits_allocated bits, colour-by-pixel, native byte order.
  Status (*decode)(std::string_view codestream, const FrameLayout& layout, void* out,
                   size_t out_size);
  // Whether the decoder turns this YBR colour model into RGB: JPEG baseline
  // does for YBR_*, JPEG 2000 for its multi-component transforms.
  bool (*converts_to_rgb)(const std::string& photometric);
  // Whether DCMTK's own codec decodes what `decode` refuses (Unimplemented).
  bool dcmtk_fallback;
};

// tfdicom's decoder for a transfer syntax UID, or nullptr when tfdicom has
// none (DCMTK's codec decodes those).
const FrameDecoder* FindFrameDecoder(std::string_view transfer_syntax_uid);

// The colour model that `decoder` delivers for a file's (0028,0004): RGB
// where it converts, YBR_FULL for YBR_FULL_422 (decoders deliver every
// sample of every pixel), else the file's.
std::string DecodedColorModel(const FrameDecoder& decoder, const std::string& photometric);

// Registers every decoder of the table with DCMTK, ahead of DCMTK's codecs
// for the same transfer syntaxes (where DCMTK 3.6.7 knows the syntax). Call
// once (codecs.cc does); never deregistered.
Status RegisterFrameCodecs();

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_FRAME_CODEC_H_
