#include "cc/core/rle_decoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tfdicom {
namespace {

// The decoder as first written, one strided byte store at a time, straight
// from PS3.5 Annex G: the reference that the chunked decoder must match,
// bytes and errors alike.
size_t ReferenceUnpack(const uint8_t* in, size_t size, uint8_t* out, size_t stride,
                       size_t count) {
  size_t written = 0, pos = 0;
  while (pos < size && written < count) {
    const int8_t header = static_cast<int8_t>(in[pos++]);
    if (header >= 0) {
      size_t n = static_cast<size_t>(header) + 1;
      if (n > size - pos) n = size - pos;
      if (n > count - written) n = count - written;
      for (size_t i = 0; i < n; ++i) out[(written + i) * stride] = in[pos + i];
      pos += static_cast<size_t>(header) + 1;
      written += n;
    } else if (header != -128) {
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

uint32_t U32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(s[at + i]);
  return v;
}

// Reference result: the output bytes, or the error message.
std::string ReferenceDecode(const std::string& frame, const FrameLayout& layout,
                            std::vector<uint8_t>* out) {
  const uint32_t bps = layout.bits_allocated / 8;
  const uint32_t segments = layout.samples_per_pixel * bps;
  const size_t pixels = static_cast<size_t>(layout.rows) * layout.columns;
  const auto* data = reinterpret_cast<const uint8_t*>(frame.data());
  for (uint32_t s = 0; s < segments; ++s) {
    const uint32_t start = U32(frame, 4 + 4 * s);
    const uint32_t end = s + 1 < segments ? U32(frame, 8 + 4 * s)
                                          : static_cast<uint32_t>(frame.size());
    if (start < 64 || start > end || end > frame.size()) {
      return "RLE segment " + std::to_string(s + 1) + " at bytes [" + std::to_string(start) +
             ", " + std::to_string(end) + ") lies outside the " +
             std::to_string(frame.size()) + "-byte frame";
    }
    const size_t byte = (s / bps) * bps + bps - 1 - s % bps;
    const size_t written =
        ReferenceUnpack(data + start, end - start, out->data() + byte, segments, pixels);
    if (written < pixels) {
      return "RLE segment " + std::to_string(s + 1) + " decodes to " + std::to_string(written) +
             " bytes, the frame needs " + std::to_string(pixels);
    }
  }
  return "";
}

// A random PackBits stream for about `bytes` bytes: literal and replicate
// runs of every length, no-op headers, sometimes a short or long total.
std::string RandomSegment(std::mt19937& rng, size_t bytes) {
  std::string s;
  size_t produced = 0;
  while (produced < bytes + rng() % 3 * 40) {
    const uint32_t kind = rng() % 10;
    if (kind == 0) {
      s.push_back(static_cast<char>(-128));
    } else if (kind < 5) {
      const int n = 1 + rng() % 128;
      s.push_back(static_cast<char>(n - 1));
      for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(rng()));
      produced += n;
    } else {
      const int n = 2 + rng() % 127;
      s.push_back(static_cast<char>(1 - n));
      s.push_back(static_cast<char>(rng()));
      produced += n;
    }
  }
  if (rng() % 4 == 0) s.resize(rng() % (s.size() + 1));  // cut anywhere, even mid-run
  return s;
}

std::string Frame(const std::vector<std::string>& segments) {
  std::string frame(64, '\0');
  auto put = [&frame](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) frame[at + i] = static_cast<char>(v >> (8 * i));
  };
  put(0, static_cast<uint32_t>(segments.size()));
  for (size_t s = 0; s < segments.size(); ++s) {
    put(4 + 4 * s, static_cast<uint32_t>(frame.size()));
    frame += segments[s];
  }
  return frame;
}

TEST(RleDecoder, MatchesTheReferenceOnRandomStreams) {
  std::mt19937 rng(20240611);
  const struct { uint32_t rows, columns, samples, bits; } layouts[] = {
      {7, 5, 1, 8}, {64, 64, 1, 16}, {50, 97, 3, 8}, {33, 70, 1, 32},
      {40, 41, 3, 16}, {3, 1000, 1, 16}, {70, 70, 1, 8}};
  int failures = 0, successes = 0;
  for (int round = 0; round < 300; ++round) {
    const auto& l = layouts[round % std::size(layouts)];
    FrameLayout layout;
    layout.rows = l.rows;
    layout.columns = l.columns;
    layout.samples_per_pixel = l.samples;
    layout.bits_allocated = l.bits;
    const size_t pixels = static_cast<size_t>(l.rows) * l.columns;
    const size_t segment_count = l.samples * (l.bits / 8);
    std::vector<std::string> segments;
    for (size_t s = 0; s < segment_count; ++s) segments.push_back(RandomSegment(rng, pixels));
    std::string frame = Frame(segments);
    if (round % 17 == 5) frame[4 + 4 * (rng() % segment_count)] ^= 0x40;  // an offset off
    std::vector<uint8_t> expected(pixels * segment_count, 0xAB);
    std::vector<uint8_t> actual(pixels * segment_count, 0xCD);
    const std::string expected_error = ReferenceDecode(frame, layout, &expected);
    const Status status = DecodeRleFrame(frame, layout, actual.data(), actual.size());
    if (expected_error.empty()) {
      ASSERT_TRUE(status.ok()) << status.message();
      ASSERT_EQ(actual, expected) << "round " << round;
      ++successes;
    } else {
      ASSERT_EQ(status.code(), Code::kDataLoss);
      ASSERT_EQ(status.message(), expected_error) << "round " << round;
      ++failures;
    }
  }
  EXPECT_GT(successes, 50);
  EXPECT_GT(failures, 50);
}

TEST(RleDecoder, RefusesMoreSegmentsThanTheHeaderHolds) {
  FrameLayout layout;
  layout.rows = layout.columns = 1;
  layout.samples_per_pixel = 4;
  layout.bits_allocated = 32;  // 16 segments
  std::string frame(64, '\0');
  frame[0] = 16;
  std::vector<uint8_t> out(16);
  const Status status = DecodeRleFrame(frame, layout, out.data(), out.size());
  EXPECT_EQ(status.code(), Code::kDataLoss);
  EXPECT_EQ(status.message(),
            "the RLE header lists 16 segments (4 sample(s) of 32 bits), it has room for 15");
}

TEST(RleDecoder, NamesTheFirstFailingSegment) {
  // Segment 1 is short and segment 2 starts past its end (segment 3's
  // start): segment 1 is reported, as a pass over the segments in order
  // finds it first. Segment 1's range runs to segment 2's start, over
  // segment 2's no-op headers, to half a replicate run.
  FrameLayout layout;
  layout.rows = 1;
  layout.columns = 4;
  layout.samples_per_pixel = 3;
  layout.bits_allocated = 8;
  std::string frame = Frame({std::string("\x01\x07\x07", 3), std::string("\x80\x80", 2),
                             std::string("\xfd\x02", 2)});
  frame[8] = 70;  // segment 2 at 70, segment 3 at 69
  std::vector<uint8_t> out(12);
  Status status = DecodeRleFrame(frame, layout, out.data(), out.size());
  EXPECT_EQ(status.message(), "RLE segment 1 decodes to 2 bytes, the frame needs 4");
  frame[64] = 3;  // a 4-byte literal run: segment 1 is whole, segment 2 fails
  status = DecodeRleFrame(frame, layout, out.data(), out.size());
  EXPECT_EQ(status.message(), "RLE segment 2 at bytes [70, 69) lies outside the 71-byte frame");
}

}  // namespace
}  // namespace tfdicom
