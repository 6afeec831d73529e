#include "cc/core/jpeg_header.h"

#include <string>

namespace tfdicom {
namespace {

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

bool IsFrameMarker(uint8_t marker) {
  // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC).
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

}  // namespace

Status ReadJpegFrameHeader(std::string_view codestream, JpegFrameHeader* header) {
  const auto* data = reinterpret_cast<const uint8_t*>(codestream.data());
  const size_t size = codestream.size();
  if (size < 4 || data[0] != 0xFF || data[1] != 0xD8) {
    return DataLoss("not a JPEG stream (no start-of-image marker)");
  }
  size_t pos = 2;
  while (pos + 4 <= size) {
    if (data[pos] != 0xFF) return DataLoss("corrupt JPEG stream: expected a marker");
    const uint8_t marker = data[pos + 1];
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      pos += 2;  // markers without a length
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) break;  // a scan or the end before a frame
    const size_t length = Be16(data + pos + 2);
    if (length < 2 || pos + 2 + length > size) {
      return DataLoss("corrupt JPEG stream: a marker runs past the end");
    }
    if (IsFrameMarker(marker)) {
      const uint8_t* body = data + pos + 4;
      if (length < 8) return DataLoss("corrupt JPEG frame header");
      header->process = marker - 0xC0;
      header->precision = body[0];
      header->rows = Be16(body + 1);
      header->columns = Be16(body + 3);
      header->components = body[5];
      return OkStatus();
    }
    pos += 2 + length;
  }
  return DataLoss("corrupt JPEG stream: no frame header before the first scan");
}

Status CheckJpegFrameFits(std::string_view codestream, const FrameLayout& layout) {
  JpegFrameHeader frame;
  TFDICOM_RETURN_IF_ERROR(ReadJpegFrameHeader(codestream, &frame));
  if (frame.rows == 0) return Unimplemented("JPEG frame whose height is in a DNL marker");
  if (frame.rows != layout.rows || frame.columns != layout.columns ||
      frame.components != layout.samples_per_pixel) {
    return DataLoss("the JPEG frame is " + std::to_string(frame.columns) + "x" +
                    std::to_string(frame.rows) + " with " + std::to_string(frame.components) +
                    " component(s), the header says " + std::to_string(layout.columns) + "x" +
                    std::to_string(layout.rows) + " with " +
                    std::to_string(layout.samples_per_pixel));
  }
  if (frame.precision < 2 || frame.precision > 16) {
    return DataLoss("JPEG frame with precision " + std::to_string(frame.precision));
  }
  const uint32_t sample_bits = frame.precision <= 8 ? 8 : 16;
  if (sample_bits != layout.bits_allocated) {
    return Unimplemented("a JPEG frame of " + std::to_string(frame.precision) +
                         "-bit samples in (0028,0100) BitsAllocated=" +
                         std::to_string(layout.bits_allocated) + " (expected " +
                         std::to_string(sample_bits) + ")");
  }
  return OkStatus();
}

}  // namespace tfdicom
