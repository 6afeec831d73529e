#include "cc/core/rle_decoder.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace tfdicom {
namespace {

// PS3.5 G.5: the 64-byte header holds the segment count and 15 offsets.
constexpr uint32_t kHeaderBytes = 64;
constexpr uint32_t kMaxSegments = 15;
// Pixels decoded per segment before interleaving: 15 segments of this fit
// in L1 and on the stack (30 KiB), and the runs between chunk ends are long
// enough for memcpy/memset to pay.
constexpr size_t kChunkPixels = 2048;

uint32_t ReadU32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// One PackBits segment read as a byte stream that can stop and resume at
// any byte, so that all segments advance a chunk at a time. The stream is
// the concatenation of the decoded runs; it ends where the input does. A
// literal run cut short by the end of the input gives the bytes that are
// there; a replicate header with no byte after it gives nothing; the no-op
// header -128 is skipped.
class PackBitsReader {
 public:
  PackBitsReader() = default;
  PackBitsReader(const uint8_t* in, size_t size) : in_(in), size_(size) {}

  // Writes the next bytes of the stream to out[0, n); returns how many
  // (fewer than n only where the stream ends).
  size_t Read(uint8_t* out, size_t n) {
    size_t done = 0;
    while (done < n) {
      if (pending_ == 0 && !NextRun()) break;
      const size_t k = std::min(pending_, n - done);
      if (literal_) {
        std::memcpy(out + done, in_ + pos_, k);
        pos_ += k;
      } else {
        std::memset(out + done, value_, k);
      }
      pending_ -= k;
      done += k;
    }
    return done;
  }

 private:
  // Reads the next run header; false at the end of the input.
  bool NextRun() {
    while (pos_ < size_) {
      const int8_t header = static_cast<int8_t>(in_[pos_++]);
      if (header >= 0) {  // header + 1 literal bytes, as many as the input has
        literal_ = true;
        pending_ = std::min(static_cast<size_t>(header) + 1, size_ - pos_);
        return pending_ > 0;
      }
      if (header != -128) {  // the next byte, 1 - header times
        if (pos_ >= size_) return false;
        literal_ = false;
        value_ = in_[pos_++];
        pending_ = static_cast<size_t>(1 - header);
        return true;
      }
    }
    return false;
  }

  const uint8_t* in_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  size_t pending_ = 0;  // bytes left in the current run
  bool literal_ = false;
  uint8_t value_ = 0;
};

// How many bytes (at most `count`) a segment decodes to; for error messages.
size_t DecodedLength(const uint8_t* in, size_t size, size_t count) {
  PackBitsReader reader(in, size);
  uint8_t sink[kChunkPixels];
  size_t total = 0;
  while (total < count) {
    const size_t want = std::min(kChunkPixels, count - total);
    const size_t got = reader.Read(sink, want);
    total += got;
    if (got < want) break;
  }
  return total;
}

struct Segment {
  uint32_t start = 0;
  uint32_t end = 0;
};

// Segment s's byte range from the header offsets: the next segment's start,
// or the end of the frame for the last one.
Segment SegmentRange(const uint8_t* data, size_t size, uint32_t segments, uint32_t s) {
  Segment range;
  range.start = ReadU32(data + 4 + 4 * s);
  range.end = s + 1 < segments ? ReadU32(data + 8 + 4 * s) : static_cast<uint32_t>(size);
  return range;
}

bool InFrame(const Segment& range, size_t size) {
  return range.start >= kHeaderBytes && range.start <= range.end && range.end <= size;
}

// The first failing segment in segment order, a bad range or a short
// decode, as one sequential pass reports it. Called once the fast path
// found that something fails, so that which error wins does not depend on
// chunking.
Status DescribeFailure(const uint8_t* data, size_t size, uint32_t segments, size_t pixels) {
  for (uint32_t s = 0; s < segments; ++s) {
    const Segment range = SegmentRange(data, size, segments, s);
    if (!InFrame(range, size)) {
      return DataLoss("RLE segment " + std::to_string(s + 1) + " at bytes [" +
                      std::to_string(range.start) + ", " + std::to_string(range.end) +
                      ") lies outside the " + std::to_string(size) + "-byte frame");
    }
    const size_t written = DecodedLength(data + range.start, range.end - range.start, pixels);
    if (written < pixels) {
      return DataLoss("RLE segment " + std::to_string(s + 1) + " decodes to " +
                      std::to_string(written) + " bytes, the frame needs " +
                      std::to_string(pixels));
    }
  }
  return Internal("RLE frame reported as failing, but every segment decodes");
}

// Interleaves `n` pixels of decoded segments into `out`. Segments run from
// the most significant byte of sample 0; samples are stored little endian
// and interleaved, so segment s lands at byte
// (s / bytes_per_sample) * bytes_per_sample + (bytes_per_sample - 1 - s % bytes_per_sample)
// of each pixel.
void Interleave(const uint8_t (*planes)[kChunkPixels], uint32_t segments,
                uint32_t bytes_per_sample, size_t n, uint8_t* out) {
  if (segments == 2 && bytes_per_sample == 2) {  // 16-bit grey: the common case
    const uint8_t* high = planes[0];
    const uint8_t* low = planes[1];
    for (size_t p = 0; p < n; ++p) {
      out[2 * p] = low[p];
      out[2 * p + 1] = high[p];
    }
    return;
  }
  for (uint32_t s = 0; s < segments; ++s) {
    const uint32_t byte = (s / bytes_per_sample) * bytes_per_sample +
                          (bytes_per_sample - 1 - s % bytes_per_sample);
    const uint8_t* plane = planes[s];
    uint8_t* dst = out + byte;
    for (size_t p = 0; p < n; ++p) dst[p * segments] = plane[p];
  }
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
  const size_t size = fragment.size();
  if (size < kHeaderBytes) {
    return DataLoss("RLE frame of " + std::to_string(size) + " bytes, shorter than its " +
                    std::to_string(kHeaderBytes) + "-byte header");
  }
  const uint32_t segments = ReadU32(data);
  if (segments != expected_segments) {
    return DataLoss("the RLE header lists " + std::to_string(segments) + " segment(s), " +
                    std::to_string(layout.samples_per_pixel) + " sample(s) of " +
                    std::to_string(layout.bits_allocated) + " bits need " +
                    std::to_string(expected_segments));
  }
  if (segments > kMaxSegments) {  // the header has no offsets for more
    return DataLoss("the RLE header lists " + std::to_string(segments) + " segments (" +
                    std::to_string(layout.samples_per_pixel) + " sample(s) of " +
                    std::to_string(layout.bits_allocated) + " bits), it has room for " +
                    std::to_string(kMaxSegments));
  }
  PackBitsReader readers[kMaxSegments];
  for (uint32_t s = 0; s < segments; ++s) {
    const Segment range = SegmentRange(data, size, segments, s);
    if (!InFrame(range, size)) return DescribeFailure(data, size, segments, pixels);
    readers[s] = PackBitsReader(data + range.start, range.end - range.start);
  }

  auto* output = static_cast<uint8_t*>(out);
  if (segments == 1) {  // 8-bit grey: the segment is the frame
    if (readers[0].Read(output, pixels) < pixels) {
      return DescribeFailure(data, size, segments, pixels);
    }
    return OkStatus();
  }
  // Each segment a chunk at a time into L1-sized planes, then interleaved:
  // bulk copies and fills instead of one strided byte store per sample.
  uint8_t planes[kMaxSegments][kChunkPixels];
  for (size_t done = 0; done < pixels; done += kChunkPixels) {
    const size_t n = std::min(kChunkPixels, pixels - done);
    for (uint32_t s = 0; s < segments; ++s) {
      if (readers[s].Read(planes[s], n) < n) {
        return DescribeFailure(data, size, segments, pixels);
      }
    }
    Interleave(planes, segments, bytes_per_sample, n, output + done * segments);
  }
  return OkStatus();
}

}  // namespace tfdicom
