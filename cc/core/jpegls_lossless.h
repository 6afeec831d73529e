// A fast JPEG-LS (ITU-T T.87) decoder for the common case of DICOM files:
// lossless (NEAR=0), 2..16 bits, one component or several components in
// separate scans (ILV=0), default or LSE-given thresholds and RESET, the
// full MAXVAL, restart intervals. Its output equals CharLS's bit for bit;
// anything else (near-lossless, line/sample interleave, mapping tables,
// other MAXVAL, odd marker layouts) and any stream it finds corrupt is left
// to CharLS (jpegls_decoder.cc), which then decodes it or reports its error.
#ifndef TFDICOM_CC_CORE_JPEGLS_LOSSLESS_H_
#define TFDICOM_CC_CORE_JPEGLS_LOSSLESS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tfdicom {

enum class JlsFastResult {
  kDecoded,      // `out` holds the frame
  kUnsupported,  // a stream this decoder does not handle: `out` untouched
  kCorrupt,      // an inconsistency found while decoding: `out` may be partly written
};

// Decodes `codestream` into `out`: interleaved samples of `sample_bytes` (1
// or 2) bytes in the machine's byte order. The stream must describe a
// `columns` x `rows` frame with `components` components, else kUnsupported.
JlsFastResult DecodeJpegLsLossless(std::string_view codestream, uint32_t rows, uint32_t columns,
                                   uint32_t components, uint32_t sample_bytes, void* out,
                                   size_t out_size);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_JPEGLS_LOSSLESS_H_
