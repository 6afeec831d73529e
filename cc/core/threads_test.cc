// Many threads decode the same inputs at once and get the sequential
// results, bit for bit; run under ThreadSanitizer by tools/sanitize.sh.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "cc/core/decode_data.h"
#include "cc/core/decode_image.h"
#include "cc/core/test_samples.h"
#include "cc/core/tag_path.h"

namespace tfdicom {
namespace {

// The decoded bytes, or the error message.
std::string Decode(const std::string& bytes) {
  std::vector<uint8_t> out;
  DecodeOptions options;
  options.dtype = DType::kFloat32;
  options.values = Values::kDisplay;
  options.scale = Scale::kAuto;
  options.color_dim = true;
  const Status status = DecodeImage(bytes, options, [&](const std::vector<int64_t>& shape) {
    int64_t count = 4;
    for (int64_t d : shape) count *= d;
    out.resize(count);
    return static_cast<void*>(out.data());
  });
  std::vector<std::string> values;
  const Status data = DecodeData(bytes, {TagPathOf(0x00100010), TagPathOf(0x00280010)}, &values);
  std::string result = status.ok() ? std::string(out.begin(), out.end()) : status.message();
  for (const std::string& v : values) result += "|" + v;
  return result + (data.ok() ? "" : data.message());
}

TEST(Threads, ConcurrentDecodesEqualSequentialOnes) {
  std::vector<std::string> inputs;
  for (const char* name : {"ct/ct_slice1_explicit_le.dcm", "ct/ct_slice3_explicit_be.dcm",
                           "mr/mr_slice2_rle.dcm", "mr/mr_slice3_jpegls_lossless.dcm",
                           "us/us_cine8_jpeg_lossless_sv1.dcm"}) {
    inputs.push_back(ReadSample(name));
  }
  inputs.push_back(inputs[0].substr(0, 3000));  // truncated
  inputs.push_back("not DICOM");
  std::vector<std::string> expected;
  for (const std::string& input : inputs) expected.push_back(Decode(input));

  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        const size_t k = (i * 7 + t) % inputs.size();
        if (Decode(inputs[k]) != expected[k]) ++mismatches;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace tfdicom
