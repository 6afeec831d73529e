#include "cc/core/rle_decoder.h"

#include <cstdint>
#include <cstring>
#include <string>

namespace tfdicom {
namespace {

uint32_t ReadU32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// PackBits-decodes in[0, size) into `count` bytes at out[0], out[stride], ...
// Returns the number of bytes written (at most `count`).
size_t UnpackSegment(const uint8_t* in, size_t size, uint8_t* out, size_t stride, size_t count) {
  size_t written = 0, pos = 0;
  while (pos < size && written < count) {
    const int8_t header = static_cast<int8_t>(in[pos++]);
    if (header >= 0) {  // copy header + 1 literal bytes
      size_t n = static_cast<size_t>(header) + 1;
      if (n > size - pos) n = size - pos;
      if (n > count - written) n = count - written;
      for (size_t i = 0; i < n; ++i) out[(written + i) * stride] = in[pos + i];
      pos += static_cast<size_t>(header) + 1;
      written += n;
    } else if (header != -128) {  // repeat the next byte 1 - header times
      if (pos >= size) break;
      size_t n = static_cast<size_t>(1 - header);
      if (n > count - written) n = count - written;
      const uint8_t value = in[pos++];
      for (size_t i = 0; i < n; ++i) out[(written + i) * stride] = value;
      written += n;
    }
  }
  return written;
}

}  // namespace

Status DecodeRleFrame(std::string_view fragment, const FrameLayout& layout, void* out,
                      size_t out_size) {
  const uint32_t bytes_per_sample = layout.bits_allocated / 8;
  const uint32_t expected_segments = layout.samples_per_pixel * bytes_per_sample;
  const size_t pixels = static_cast<size_t>(layout.rows) * layout.columns;
  if (bytes_per_sample < 1 || bytes_per_sample > 4) {
    return Unimplemented("RLE with (0028,0100) BitsAllocated=" +
                         std::to_string(layout.bits_allocated));
  }
  if (out_size < pixels * expected_segments) {
    return Internal("frame buffer too small for the RLE frame");
  }
  const auto* data = reinterpret_cast<const uint8_t*>(fragment.data());
  if (fragment.size() < 64) {
    return DataLoss("RLE frame of " + std::to_string(fragment.size()) +
                    " bytes, shorter than its 64-byte header");
  }
  const uint32_t segments = ReadU32(data);
  if (segments != expected_segments) {
    return DataLoss("the RLE header lists " + std::to_string(segments) + " segment(s), " +
                    std::to_string(layout.samples_per_pixel) + " sample(s) of " +
                    std::to_string(layout.bits_allocated) + " bits need " +
                    std::to_string(expected_segments));
  }
  auto* output = static_cast<uint8_t*>(out);
  const size_t stride = expected_segments;  // bytes between one pixel's and the next's
  for (uint32_t s = 0; s < segments; ++s) {
    const uint32_t start = ReadU32(data + 4 + 4 * s);
    const uint32_t end = s + 1 < segments ? ReadU32(data + 8 + 4 * s)
                                          : static_cast<uint32_t>(fragment.size());
    if (start < 64 || start > end || end > fragment.size()) {
      return DataLoss("RLE segment " + std::to_string(s + 1) + " at bytes [" +
                      std::to_string(start) + ", " + std::to_string(end) +
                      ") lies outside the " + std::to_string(fragment.size()) + "-byte frame");
    }
    // Segments run from the most significant byte of sample 0; samples are
    // stored little endian and interleaved.
    const uint32_t sample = s / bytes_per_sample;
    const uint32_t byte = bytes_per_sample - 1 - s % bytes_per_sample;
    const size_t written = UnpackSegment(data + start, end - start,
                                         output + sample * bytes_per_sample + byte, stride,
                                         pixels);
    if (written < pixels) {
      return DataLoss("RLE segment " + std::to_string(s + 1) + " decodes to " +
                      std::to_string(written) + " bytes, the frame needs " +
                      std::to_string(pixels));
    }
  }
  return OkStatus();
}

}  // namespace tfdicom
