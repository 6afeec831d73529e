// HTJ2K (JPEG 2000 Part 15) codestreams -> samples with OpenJPH, whose HT
// block decoder is several times faster than OpenJPEG's. Used only where
// the result is unique, so equal to OpenJPEG's bit for bit: reversible
// (5/3 wavelet) codestreams whose code blocks are all HT. Everything else,
// and anything OpenJPH refuses or complains about, is OpenJPEG's
// (j2k_decoder.cc decides).
#ifndef TFDICOM_CC_CORE_HTJ2K_DECODER_H_
#define TFDICOM_CC_CORE_HTJ2K_DECODER_H_

#include <cstddef>
#include <string_view>

#include "cc/core/frame_layout.h"
#include "cc/core/status.h"

namespace tfdicom {

// True when `codestream` is a raw codestream (not JP2) whose headers ask for
// what OpenJPH decodes exactly: a CAP marker with the Part 15 bit, HT code
// blocks only (not mixed with Part 1 ones) and the reversible 5/3 wavelet
// in every COD and COC, a single tile and no image offset, and no marker
// segment outside the few that OpenJPH 0.9 reads (no POC, RGN, PPM, NLT...;
// tile-part headers with COM or PLT only). Reads the marker segments only,
// not the coded data.
bool IsReversibleHtj2k(std::string_view codestream);

// Decodes `codestream` with OpenJPH into `out` exactly as DecodeJ2kFrame
// does with OpenJPEG (interleaved samples of layout.bits_allocated bits,
// 8 or 16, of one or three components (other layouts are refused), each
// the low bits of the decoded integer clamped to the component's
// precision, as OpenJPEG clamps). A codestream whose size,
// components or bit depth disagree with `layout` is a DataLoss error naming
// both. `*refused` is set when OpenJPH threw or reported anything (a
// truncated codestream is only an info message to OpenJPH): the caller
// then decodes with OpenJPEG, which is strict. OpenJPH's messages never
// reach stdout or stderr.
Status DecodeHtj2kFrame(std::string_view codestream, const FrameLayout& layout, void* out,
                        size_t out_size, bool* refused);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_HTJ2K_DECODER_H_
