// The frame header (SOFn) of a JPEG stream, read without decoding, and the
// check that a frame decoded by DCMTK's JPEG codecs (IJG) fills exactly the
// frame the DICOM header describes: DCMTK writes the samples the stream
// holds, so a stream smaller or narrower than the header would leave bytes
// of the output unwritten. Internal to the core.
#ifndef TFDICOM_CC_CORE_JPEG_HEADER_H_
#define TFDICOM_CC_CORE_JPEG_HEADER_H_

#include <cstdint>
#include <string_view>

#include "cc/core/frame_layout.h"
#include "cc/core/status.h"

namespace tfdicom {

struct JpegFrameHeader {
  int process = 0;        // n of the SOFn marker (0 baseline ... 15)
  int precision = 0;      // bits per sample
  uint32_t rows = 0;      // 0: the height comes in a DNL marker
  uint32_t columns = 0;
  uint32_t components = 0;
};

// Reads the first frame header of `codestream`. DataLoss when the stream
// has none before its first scan or its end.
Status ReadJpegFrameHeader(std::string_view codestream, JpegFrameHeader* header);

// Checks that `codestream` decodes to layout.rows x layout.columns x
// layout.samples_per_pixel samples of layout.bits_allocated bits (IJG
// delivers 8-bit samples for precision <= 8, else 16-bit ones).
Status CheckJpegFrameFits(std::string_view codestream, const FrameLayout& layout);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_JPEG_HEADER_H_
