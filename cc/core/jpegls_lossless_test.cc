// Differential test of the fast JPEG-LS decoder (jpegls_lossless.cc)
// against CharLS: images of many shapes, bit depths and contents are encoded
// with CharLS's encoder, and the fast decoder's output must equal CharLS's
// decoder's. Corrupted streams must never crash it, and whenever it says
// kDecoded, CharLS must decode the same stream to the same samples.
#include "cc/core/jpegls_lossless.h"

#include <charls/charls.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cc/core/jpegls_decoder.h"

namespace tfdicom {
namespace {

using Bytes = std::vector<uint8_t>;

struct Image {
  uint32_t width, height, bits, components;
  std::vector<uint16_t> samples;  // planar: component, row, column
};

enum Content { kConstant, kSmooth, kNoise, kStripes, kSparse, kSteps, kContentCount };

Image MakeImage(std::mt19937& rng, uint32_t width, uint32_t height, uint32_t bits,
                uint32_t components, Content content) {
  Image image{width, height, bits, components, {}};
  const int maxval = (1 << bits) - 1;
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int base = uniform(0, maxval);
  const int noise = std::max(1, maxval >> uniform(1, bits));
  const int period = uniform(1, 17);
  for (uint32_t c = 0; c < components; ++c) {
    for (uint32_t y = 0; y < height; ++y) {
      for (uint32_t x = 0; x < width; ++x) {
        int v = base;
        switch (content) {
          case kConstant: break;
          case kSmooth: v = base + static_cast<int>((x * 3 + y * 5) % 97) + uniform(-2, 2); break;
          case kNoise: v = uniform(0, maxval); break;
          case kStripes: v = ((x / period) & 1) ? base : maxval - base; break;
          case kSparse: v = uniform(0, 40) == 0 ? base + uniform(-noise, noise) : base; break;
          case kSteps: v = base + static_cast<int>(y / period) * noise + (uniform(0, 9) == 0); break;
          default: break;
        }
        image.samples.push_back(static_cast<uint16_t>(std::clamp(v, 0, maxval)));
      }
    }
  }
  return image;
}

Bytes SourceBytes(const Image& image) {
  const size_t sample_bytes = image.bits <= 8 ? 1 : 2;
  Bytes bytes(image.samples.size() * sample_bytes);
  for (size_t i = 0; i < image.samples.size(); ++i) {
    if (sample_bytes == 1) {
      bytes[i] = static_cast<uint8_t>(image.samples[i]);
    } else {
      std::memcpy(&bytes[2 * i], &image.samples[i], 2);
    }
  }
  return bytes;
}

Bytes Encode(const Image& image, const charls::jpegls_pc_parameters& presets, bool write_presets) {
  charls::jpegls_encoder encoder;
  encoder.frame_info({image.width, image.height, static_cast<int32_t>(image.bits),
                      static_cast<int32_t>(image.components)})
      .interleave_mode(charls::interleave_mode::none)
      .preset_coding_parameters(presets)
      .encoding_options(write_presets ? charls::encoding_options::include_pc_parameters_jai
                                      : charls::encoding_options::none);
  Bytes out(encoder.estimated_destination_size() + image.samples.size() * 4 + 4096);
  encoder.destination(out);
  out.resize(encoder.encode(SourceBytes(image)));
  return out;
}

// CharLS's answer, interleaved as DecodeJpegLsFrame returns it; false if it
// refuses the stream.
bool CharLsDecode(const Bytes& stream, const Image& image, Bytes* out) {
  try {
    Bytes planar;
    charls::jpegls_decoder::decode(stream, planar);
    const size_t sample_bytes = image.bits <= 8 ? 1 : 2;
    const size_t pixels = size_t{image.width} * image.height;
    if (planar.size() != pixels * image.components * sample_bytes) return false;
    out->resize(planar.size());
    for (uint32_t c = 0; c < image.components; ++c) {
      for (size_t p = 0; p < pixels; ++p) {
        std::memcpy(&(*out)[(p * image.components + c) * sample_bytes],
                    &planar[(c * pixels + p) * sample_bytes], sample_bytes);
      }
    }
    return true;
  } catch (const charls::jpegls_error&) {
    return false;
  }
}

JlsFastResult FastDecode(const Bytes& stream, const Image& image, Bytes* out) {
  const uint32_t sample_bytes = image.bits <= 8 ? 1 : 2;
  out->assign(size_t{image.width} * image.height * image.components * sample_bytes, 0xA5);
  return DecodeJpegLsLossless(
      std::string_view(reinterpret_cast<const char*>(stream.data()), stream.size()), image.height,
      image.width, image.components, sample_bytes, out->data(), out->size());
}

// Random valid thresholds per T.87 C.2.4.1.1 (0 = default), or all default.
charls::jpegls_pc_parameters RandomPresets(std::mt19937& rng, uint32_t bits) {
  const int maxval = (1 << bits) - 1;
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  charls::jpegls_pc_parameters p{};
  if (uniform(0, 2) != 0) return p;
  p.threshold1 = uniform(1, std::min(maxval, 40));
  p.threshold2 = uniform(p.threshold1, std::min(maxval, 100));
  p.threshold3 = uniform(p.threshold2, std::min(maxval, 400));
  p.reset_value = uniform(0, 3) == 0 ? 0 : uniform(3, 255);
  return p;
}

struct Counts {
  int decoded = 0, fallback = 0;
};

void CheckEqual(const Bytes& stream, const Image& image, const std::string& what, Counts* counts) {
  Bytes expected, actual;
  ASSERT_TRUE(CharLsDecode(stream, image, &expected)) << what;
  const JlsFastResult result = FastDecode(stream, image, &actual);
  if (result != JlsFastResult::kDecoded) {
    ++counts->fallback;
    return;
  }
  ++counts->decoded;
  ASSERT_EQ(actual, expected) << what;
}

std::string Describe(const Image& image, int content, const charls::jpegls_pc_parameters& p) {
  return std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
         std::to_string(image.components) + " bits " + std::to_string(image.bits) + " content " +
         std::to_string(content) + " T " + std::to_string(p.threshold1) + "," +
         std::to_string(p.threshold2) + "," + std::to_string(p.threshold3) + " RESET " +
         std::to_string(p.reset_value);
}

TEST(JpegLsLossless, EqualsCharLsOnRandomImages) {
  std::mt19937 rng(20240611);
  Counts counts;
  const uint32_t fixed_sizes[][2] = {{1, 1}, {1, 7}, {7, 1}, {2, 2}, {300, 200}, {512, 3}};
  for (int i = 0; i < 1500; ++i) {
    uint32_t width, height;
    if (i < 6 * 15) {
      width = fixed_sizes[i % 6][0];
      height = fixed_sizes[i % 6][1];
    } else {
      width = std::uniform_int_distribution<uint32_t>(1, 300)(rng);
      height = std::uniform_int_distribution<uint32_t>(1, 200)(rng);
    }
    const uint32_t bits = 2 + i % 15;
    const uint32_t components = i % 7 == 0 ? 3 : 1;
    const Content content = static_cast<Content>((i / 15) % kContentCount);
    const Image image = MakeImage(rng, width, height, bits, components, content);
    const charls::jpegls_pc_parameters presets = RandomPresets(rng, bits);
    const Bytes stream = Encode(image, presets, i % 5 == 0);
    CheckEqual(stream, image, Describe(image, content, presets), &counts);
    if (HasFatalFailure()) return;
  }
  std::printf("random images: %d decoded by the fast decoder, %d left to CharLS\n", counts.decoded,
              counts.fallback);
  // Only the rare stream whose last byte needs CharLS's own end-of-data
  // rules may fall back.
  EXPECT_GE(counts.decoded, 1500 * 99 / 100);
}

// Restart intervals: CharLS 2.4 does not write them, but a restart resets
// everything (contexts, run index, both lines to zero, the bit reader), so
// each interval is coded as an image of its own lines; the scans are then
// joined with RSTm markers under the full frame's headers and a DRI.
Bytes ScanData(const Bytes& stream) {
  // The entropy-coded data after the (single) SOS header, up to EOI.
  for (size_t i = 2; i + 3 < stream.size(); ++i) {
    if (stream[i] == 0xFF && stream[i + 1] == 0xDA) {
      const size_t start = i + 2 + ((stream[i + 2] << 8) | stream[i + 3]);
      return Bytes(stream.begin() + start, stream.end() - 2);
    }
  }
  return {};
}

Bytes WithRestarts(const Image& image, uint32_t interval, const charls::jpegls_pc_parameters& p) {
  const Bytes whole = Encode(image, p, false);
  const Bytes data = ScanData(whole);
  const size_t header = whole.size() - 2 - data.size();  // up to the scan data
  Bytes out(whole.begin(), whole.begin() + header);
  // DRI before the SOS: find the SOS marker and insert in front of it.
  size_t sos = 0;
  for (size_t i = 2; i + 1 < out.size(); ++i) {
    if (out[i] == 0xFF && out[i + 1] == 0xDA) sos = i;
  }
  const uint8_t dri[] = {0xFF, 0xDD, 0x00, 0x04, static_cast<uint8_t>(interval >> 8),
                         static_cast<uint8_t>(interval)};
  out.insert(out.begin() + sos, dri, dri + 6);
  for (uint32_t y = 0, n = 0; y < image.height; y += interval, ++n) {
    if (n > 0) {
      out.push_back(0xFF);
      out.push_back(static_cast<uint8_t>(0xD0 + ((n - 1) & 7)));
    }
    Image strip{image.width, std::min(interval, image.height - y), image.bits, 1, {}};
    strip.samples.assign(image.samples.begin() + size_t{y} * image.width,
                         image.samples.begin() + size_t{y + strip.height} * image.width);
    const Bytes part = ScanData(Encode(strip, p, false));
    out.insert(out.end(), part.begin(), part.end());
  }
  out.push_back(0xFF);
  out.push_back(0xD9);
  return out;
}

TEST(JpegLsLossless, EqualsCharLsWithRestartIntervals) {
  std::mt19937 rng(7);
  Counts counts;
  for (int i = 0; i < 300; ++i) {
    const uint32_t width = std::uniform_int_distribution<uint32_t>(1, 120)(rng);
    const uint32_t height = std::uniform_int_distribution<uint32_t>(2, 80)(rng);
    const uint32_t bits = 2 + i % 15;
    const Content content = static_cast<Content>(i % kContentCount);
    const Image image = MakeImage(rng, width, height, bits, 1, content);
    const uint32_t interval = std::uniform_int_distribution<uint32_t>(1, height)(rng);
    const charls::jpegls_pc_parameters presets = RandomPresets(rng, bits);
    const Bytes stream = WithRestarts(image, interval, presets);
    Bytes expected;
    ASSERT_TRUE(CharLsDecode(stream, image, &expected)) << Describe(image, content, presets);
    ASSERT_EQ(expected, SourceBytes(image)) << "the joined stream is not what CharLS reads";
    CheckEqual(stream, image, Describe(image, content, presets) + " interval " + std::to_string(interval),
               &counts);
    if (HasFatalFailure()) return;
  }
  std::printf("restart intervals: %d decoded, %d left to CharLS\n", counts.decoded, counts.fallback);
  EXPECT_GE(counts.decoded, 300 * 97 / 100);
}

// Truncated and corrupted streams: no crash (the sanitizer build checks
// the memory accesses), and kDecoded only where CharLS decodes the same.
TEST(JpegLsLossless, CorruptStreamsFallBackOrMatchCharLs) {
  std::mt19937 rng(99);
  int decoded = 0, refused = 0;
  for (int i = 0; i < 400; ++i) {
    const uint32_t bits = 2 + i % 15;
    const Image image = MakeImage(rng, std::uniform_int_distribution<uint32_t>(1, 64)(rng),
                                  std::uniform_int_distribution<uint32_t>(1, 48)(rng), bits,
                                  i % 5 == 0 ? 3 : 1, static_cast<Content>(i % kContentCount));
    const charls::jpegls_pc_parameters presets = RandomPresets(rng, bits);
    // A quarter with restart markers (one component: WithRestarts' limit).
    const bool restarts = i % 4 == 1 && image.components == 1 && image.height > 1;
    const Bytes good = restarts ? WithRestarts(image, 1 + image.height / 3, presets)
                                : Encode(image, presets, i % 3 == 0);
    for (int j = 0; j < 10; ++j) {
      Bytes bad = good;
      const size_t at = std::uniform_int_distribution<size_t>(0, bad.size() - 1)(rng);
      switch (j % 4) {
        case 0: bad.resize(at); break;
        case 1: bad[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 2: bad[at] = static_cast<uint8_t>(rng()); break;
        default: bad.insert(bad.begin() + at, 0xFF); break;
      }
      Bytes actual, expected;
      if (FastDecode(bad, image, &actual) != JlsFastResult::kDecoded) {
        ++refused;
        continue;
      }
      ++decoded;
      ASSERT_TRUE(CharLsDecode(bad, image, &expected)) << "accepted a stream CharLS refuses, case " << i;
      ASSERT_EQ(actual, expected) << "case " << i << "." << j;
    }
  }
  std::printf("corrupt streams: %d decoded as CharLS does, %d refused\n", decoded, refused);
}

// Through the public entry point, which falls back to CharLS.
TEST(JpegLsLossless, DecodeJpegLsFrameUsesEitherDecoder) {
  std::mt19937 rng(3);
  const Image image = MakeImage(rng, 37, 23, 12, 1, kSmooth);
  const Bytes stream = Encode(image, {}, false);
  FrameLayout layout;
  layout.rows = 23;
  layout.columns = 37;
  layout.bits_allocated = 16;
  Bytes out(37 * 23 * 2);
  ASSERT_TRUE(DecodeJpegLsFrame(std::string_view(reinterpret_cast<const char*>(stream.data()),
                                                 stream.size()),
                                layout, out.data(), out.size())
                  .ok());
  EXPECT_EQ(out, SourceBytes(image));
}

}  // namespace
}  // namespace tfdicom
