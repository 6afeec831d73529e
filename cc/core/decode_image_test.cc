#include "cc/core/decode_image.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cc/core/palette.h"
#include "cc/core/test_samples.h"

namespace tfdicom {
namespace {

struct Decoded {
  Status status;
  std::vector<int64_t> shape;
  std::vector<int32_t> pixels;
};

Decoded Decode(const std::string& bytes, DecodeOptions options) {
  Decoded result;
  auto allocate = [&](const std::vector<int64_t>& shape) -> void* {
    result.shape = shape;
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    result.pixels.resize(count);
    return result.pixels.data();
  };
  options.dtype = DType::kInt32;
  result.status = DecodeImage(bytes, options, allocate);
  return result;
}

TEST(DecodeImage, EveryTransferSyntaxOfASeriesGivesTheSamePixels) {
  DecodeOptions options;
  options.on_error = OnError::kStrict;
  const Decoded plain = Decode(ReadSample("mr/mr_slice2_explicit_le.dcm"), options);
  ASSERT_TRUE(plain.status.ok()) << plain.status.message();
  EXPECT_EQ(plain.shape, (std::vector<int64_t>{1, 96, 96}));
  const Decoded rle = Decode(ReadSample("mr/mr_slice2_rle.dcm"), options);
  ASSERT_TRUE(rle.status.ok()) << rle.status.message();
  EXPECT_EQ(rle.pixels, plain.pixels);
}

TEST(DecodeImage, LosslessJpegEqualsUncompressed) {
  DecodeOptions options;
  options.on_error = OnError::kStrict;
  options.color_dim = true;
  const Decoded cine = Decode(ReadSample("us/us_cine8_explicit_le.dcm"), options);
  ASSERT_TRUE(cine.status.ok()) << cine.status.message();
  EXPECT_EQ(cine.shape, (std::vector<int64_t>{8, 64, 80, 1}));
  const Decoded jpeg = Decode(ReadSample("us/us_cine8_jpeg_lossless_sv1.dcm"), options);
  ASSERT_TRUE(jpeg.status.ok()) << jpeg.status.message();
  EXPECT_EQ(jpeg.pixels, cine.pixels);
}

TEST(DecodeImage, ErrorsNameTheirCause) {
  DecodeOptions options;
  options.on_error = OnError::kStrict;
  const Decoded empty = Decode("", options);
  EXPECT_EQ(empty.status.code(), Code::kInvalidArgument);
  EXPECT_EQ(empty.status.message(), "decode_dicom_image: not DICOM: the input is empty");
  const std::string ct = ReadSample("ct/ct_slice1_explicit_le.dcm");
  const Decoded cut = Decode(ct.substr(0, ct.size() - 2), options);
  EXPECT_EQ(cut.status.code(), Code::kDataLoss);
  EXPECT_NE(cut.status.message().find("expected 32768 bytes"), std::string::npos);
  EXPECT_TRUE(cut.pixels.empty());  // nothing allocated for a failed decode
  EXPECT_TRUE(IsSkippable(cut.status));
}

TEST(DecodeImage, SizeLimitIsCheckedBeforeAllocating) {
  DecodeOptions options;
  options.max_output_bytes = 1000;
  const Decoded big = Decode(ReadSample("ct/ct_slice1_explicit_le.dcm"), options);
  EXPECT_EQ(big.status.code(), Code::kResourceExhausted);
  EXPECT_TRUE(big.shape.empty());
}

TEST(SegmentedLut, ExpandsDiscreteLinearAndIndirectSegments) {
  std::vector<uint16_t> lut;
  // discrete 2: [10, 20]; linear 4 to 60; indirect: copy segment 0 again.
  ASSERT_TRUE(ExpandSegmentedLut({0, 2, 10, 20, 1, 4, 60, 2, 1, 0, 0}, &lut).ok());
  EXPECT_EQ(lut, (std::vector<uint16_t>{10, 20, 30, 40, 50, 60, 10, 20}));
  EXPECT_EQ(ExpandSegmentedLut({1, 4, 60}, &lut).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace tfdicom
