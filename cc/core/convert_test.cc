#include "cc/core/convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace tfdicom {
namespace {

DecodeOptions Options(DType dtype, Scale scale = Scale::kPreserve,
                      OnError on_error = OnError::kStrict) {
  DecodeOptions options;
  options.dtype = dtype;
  options.scale = scale;
  options.on_error = on_error;
  return options;
}

TEST(FloatToHalf, RoundsToNearestEven) {
  EXPECT_EQ(FloatToHalf(0.0f), 0x0000);
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalf(1.0f), 0x3C00);
  EXPECT_EQ(FloatToHalf(-2.0f), 0xC000);
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7BFF);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7C00);  // rounds up to infinity, as NumPy
  EXPECT_EQ(FloatToHalf(2049.0f), 0x6800);   // tie -> even (2048)
  EXPECT_EQ(FloatToHalf(2051.0f), 0x6802);   // tie -> even (2052)
  EXPECT_EQ(FloatToHalf(5.960464477539063e-08f), 0x0001);  // smallest subnormal
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(FloatToHalf(std::nanf("")) & 0x7C00, 0x7C00);
}

TEST(FloatToBFloat16, RoundsToNearestEven) {
  EXPECT_EQ(FloatToBFloat16(1.0f), 0x3F80);
  EXPECT_EQ(FloatToBFloat16(257.0f), 0x4380);  // 257 -> 256 (tie to even)
  EXPECT_EQ(FloatToBFloat16(259.0f), 0x4382);  // 259 -> 260
}

TEST(BitExtraction, MasksAndSignExtends) {
  // 12 bits stored at bits 13..2 of a signed 16-bit sample.
  ConversionPlan plan;
  ASSERT_TRUE(PlanConversion(SampleType::kInt16, MakeBitExtraction(16, 12, 13), {-2048, 2047},
                             ValueTransform(), Options(DType::kInt32), &plan)
                  .ok());
  const std::vector<uint16_t> raw = {0xFFFC, 0x1FFC, 0x2000, 0xC004};
  std::vector<int32_t> out(raw.size());
  ConvertSamples(raw.data(), raw.size(), plan, out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{-1, 2047, -2048, 1}));
}

TEST(PlanConversion, PreserveRefusesARangeThatDoesNotFit) {
  ConversionPlan plan;
  const Status status = PlanConversion(SampleType::kInt16, BitExtraction(), {-32768, 32767},
                                       ValueTransform(), Options(DType::kUint16), &plan);
  EXPECT_EQ(status.code(), Code::kOutOfRange);
  EXPECT_NE(status.message().find("declared range=[-32768, 32767], dtype=uint16"),
            std::string::npos);
}

TEST(PlanConversion, LossyClips) {
  ConversionPlan plan;
  ASSERT_TRUE(PlanConversion(SampleType::kInt16, BitExtraction(), {-32768, 32767},
                             ValueTransform(), Options(DType::kUint8, Scale::kPreserve,
                                                       OnError::kLossy), &plan)
                  .ok());
  const std::vector<int16_t> in = {-5, 0, 100, 300};
  std::vector<uint8_t> out(in.size());
  ConvertSamples(in.data(), in.size(), plan, out.data());
  EXPECT_EQ(out, (std::vector<uint8_t>{0, 0, 100, 255}));
}

TEST(PlanConversion, AutoIsALinearStretch) {
  ConversionPlan plan;
  ASSERT_TRUE(PlanConversion(SampleType::kUint8, BitExtraction(), {0, 255}, ValueTransform(),
                             Options(DType::kUint16, Scale::kAuto), &plan)
                  .ok());
  const std::vector<uint8_t> in = {0, 1, 128, 255};
  std::vector<uint16_t> out(in.size());
  ConvertSamples(in.data(), in.size(), plan, out.data());
  EXPECT_EQ(out, (std::vector<uint16_t>{0, 257, 32896, 65535}));
}

TEST(PlanConversion, FloatsHoldAnyIntegerAndAutoMapsOntoZeroOne) {
  ConversionPlan plan;
  ASSERT_TRUE(PlanConversion(SampleType::kInt16, BitExtraction(), {-32768, 32767},
                             ValueTransform(), Options(DType::kFloat32, Scale::kAuto), &plan)
                  .ok());
  const std::vector<int16_t> in = {-32768, 32767};
  std::vector<float> out(2);
  ConvertSamples(in.data(), in.size(), plan, out.data());
  EXPECT_FLOAT_EQ(out[0], 0.0f);
  EXPECT_FLOAT_EQ(out[1], 1.0f);
}

TEST(PlanConversion, TablesAreClampedToTheirEnds) {
  ValueTransform values;
  values.table = std::make_shared<std::vector<double>>(std::vector<double>{10, 20, 30});
  values.table_first = 5;
  ConversionPlan plan;
  ASSERT_TRUE(PlanConversion(SampleType::kUint16, BitExtraction(), {10, 30}, values,
                             Options(DType::kInt32), &plan)
                  .ok());
  const std::vector<uint16_t> in = {0, 5, 6, 7, 100};
  std::vector<int32_t> out(in.size());
  ConvertSamples(in.data(), in.size(), plan, out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{10, 10, 20, 30, 30}));
}

TEST(PlanConversion, UnboundedFloatInputNeedsLossyForIntegers) {
  ConversionPlan plan;
  ValueRange unbounded{-HUGE_VAL, HUGE_VAL, false};
  EXPECT_EQ(PlanConversion(SampleType::kFloat32, BitExtraction(), unbounded, ValueTransform(),
                           Options(DType::kInt16), &plan)
                .code(),
            Code::kOutOfRange);
  ASSERT_TRUE(PlanConversion(SampleType::kFloat32, BitExtraction(), unbounded,
                             ValueTransform(),
                             Options(DType::kInt16, Scale::kPreserve, OnError::kLossy), &plan)
                  .ok());
  const std::vector<float> in = {-1e9f, 1.5f, 2.5f, std::nanf(""), 1e9f};
  std::vector<int16_t> out(in.size());
  ConvertSamples(in.data(), in.size(), plan, out.data());
  EXPECT_EQ(out, (std::vector<int16_t>{-32768, 2, 2, -32768, 32767}));
}

}  // namespace
}  // namespace tfdicom
