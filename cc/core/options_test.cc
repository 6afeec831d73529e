#include "cc/core/options.h"

#include <gtest/gtest.h>

#include "cc/core/frame_codec.h"
#include "cc/core/transfer_syntax.h"

namespace tfdicom {
namespace {

TEST(Options, ParsesEveryName) {
  OnError on_error;
  EXPECT_TRUE(ParseOnError("lossy", &on_error).ok());
  EXPECT_EQ(on_error, OnError::kLossy);
  DType dtype;
  for (const char* name : {"uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32",
                           "int64", "float16", "bfloat16", "float32", "float64"}) {
    ASSERT_TRUE(ParseDType(name, &dtype).ok()) << name;
    EXPECT_STREQ(DTypeName(dtype), name);
  }
}

TEST(Options, RefusalsNameTheChoices) {
  Scale scale;
  const Status status = ParseScale("stretch", &scale);
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  EXPECT_EQ(status.message(), "scale must be one of 'preserve', 'auto', got 'stretch'");
}

TEST(TransferSyntax, TableKnowsNamesAndDecoders) {
  const TransferSyntax* ts = FindTransferSyntax("1.2.840.10008.1.2.4.201");
  ASSERT_NE(ts, nullptr);
  EXPECT_TRUE(ts->supported);
  EXPECT_NE(FindFrameDecoder("1.2.840.10008.1.2.4.201"), nullptr);  // not DCMTK's
  EXPECT_EQ(FindFrameDecoder("1.2.840.10008.1.2.4.51"), nullptr);    // DCMTK's
  EXPECT_EQ(FindTransferSyntax("1.2.3"), nullptr);
  EXPECT_EQ(DescribeTransferSyntax("1.2.840.10008.1.2.2"),
            "1.2.840.10008.1.2.2 (Explicit VR Big Endian)");
  EXPECT_EQ(DescribeTransferSyntax("1.2.3"), "1.2.3 (unknown)");
}

}  // namespace
}  // namespace tfdicom
