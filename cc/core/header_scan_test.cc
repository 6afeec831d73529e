#include "cc/core/header_scan.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "cc/core/dataset.h"
#include "cc/core/decode_image.h"
#include "cc/core/test_samples.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdatset.h"

namespace tfdicom {
namespace {

const char* const kSamples[] = {
    "ct/ct_slice1_explicit_le.dcm", "ct/ct_slice2_implicit_le.dcm",
    "ct/ct_slice3_explicit_be.dcm", "mr/mr_slice1_explicit_le.dcm",
    "mr/mr_slice2_explicit_le.dcm", "mr/mr_slice2_rle.dcm",
    "mr/mr_slice3_explicit_le.dcm", "mr/mr_slice3_jpegls_lossless.dcm",
    "us/us_cine8_explicit_le.dcm",  "us/us_cine8_jpeg_lossless_sv1.dcm",
};

// The property the decoder relies on: when ScanHeader accepts `bytes` and
// DCMTK reads them, both read the same header (transfer syntax, pixel
// element, image attributes). The scan may accept what DCMTK refuses for
// damage inside content it skips (sequence items). Returns whether
// ScanHeader accepted.
bool ScanAgreesWithDcmtk(const std::string& bytes, bool dcmtk_must_read = false) {
  HeaderScan scan;
  if (!ScanHeader(bytes, &scan)) return false;
  Dataset dataset;
  const Status status = dataset.Parse(bytes, Dataset::Depth::kUntilPixelData);
  if (dcmtk_must_read) EXPECT_TRUE(status.ok()) << status.message();
  if (!status.ok()) return true;
  EXPECT_EQ(scan.transfer_syntax_uid, dataset.transfer_syntax_uid());
  const PixelElementSpan& a = scan.pixel;
  const PixelElementSpan& b = dataset.pixel_span();
  EXPECT_EQ(a.tag, b.tag);
  EXPECT_EQ(a.undefined_length, b.undefined_length);
  EXPECT_EQ(a.value_offset, b.value_offset);
  EXPECT_EQ(a.declared_length, b.declared_length);
  EXPECT_EQ(std::string(a.vr), std::string(b.vr));
  const ImageAttributes x = scan.attributes;
  const ImageAttributes y = ReadImageAttributes(dataset.dataset());
  EXPECT_EQ(x.rows, y.rows);
  EXPECT_EQ(x.columns, y.columns);
  EXPECT_EQ(x.samples_per_pixel, y.samples_per_pixel);
  EXPECT_EQ(x.pixel_representation, y.pixel_representation);
  EXPECT_EQ(x.planar_configuration, y.planar_configuration);
  EXPECT_EQ(x.bits_allocated, y.bits_allocated);
  EXPECT_EQ(x.bits_stored, y.bits_stored);
  EXPECT_EQ(x.high_bit, y.high_bit);
  EXPECT_EQ(x.photometric, y.photometric);
  EXPECT_EQ(x.number_of_frames, y.number_of_frames);
  return true;
}

TEST(HeaderScan, ReadsEverySampleAsDcmtkDoes) {
  for (const char* name : kSamples) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(ScanAgreesWithDcmtk(ReadSample(name), true));
  }
}

TEST(HeaderScan, DeclinesOrAgreesOnDamagedFiles) {
  std::mt19937 random(7);
  int accepted = 0, tried = 0;
  for (const char* name : kSamples) {
    const std::string original = ReadSample(name);
    const size_t header = std::min<size_t>(original.size(), 1200);  // damage the header
    for (int i = 0; i < 1000; ++i) {
      std::string bytes = original;
      const int edits = 1 + static_cast<int>(random() % 3);
      for (int e = 0; e < edits; ++e) {
        if (bytes.empty()) break;
        const size_t at = random() % std::min(header, bytes.size());
        switch (random() % 3) {
          case 0: bytes[at] = static_cast<char>(random()); break;
          case 1: bytes.erase(at, 1 + random() % 8); break;
          default: bytes.resize(at); break;
        }
      }
      SCOPED_TRACE(std::string(name) + " mutation " + std::to_string(i));
      accepted += ScanAgreesWithDcmtk(bytes);
      ++tried;
      if (HasFailure()) {  // kept for a look with dcmdump
        std::ofstream("/tmp/header_scan_failure.dcm", std::ios::binary) << bytes;
        return;
      }
    }
  }
  // Damage inside values often leaves a readable header: the property is
  // tested on those.
  EXPECT_GT(accepted, tried / 20);
}

// Builds explicit VR little endian files by hand.
std::string U16(uint16_t v) { return std::string{static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)}; }
std::string U32(uint32_t v) { return U16(v & 0xFFFF) + U16(v >> 16); }
std::string Tag(uint32_t tag) { return U16(tag >> 16) + U16(tag & 0xFFFF); }
std::string Element(uint32_t tag, const std::string& vr, const std::string& value) {
  const bool long_form = vr == "OB" || vr == "OW" || vr == "SQ" || vr == "UN" || vr == "UT";
  return Tag(tag) + vr + (long_form ? U16(0) + U32(value.size()) : U16(value.size())) + value;
}
std::string UndefinedItem(const std::string& elements) {
  return Tag(0xFFFEE000) + U32(0xFFFFFFFF) + elements + Tag(0xFFFEE00D) + U32(0);
}
std::string UndefinedSequence(uint32_t tag, const std::string& vr, const std::string& items) {
  return Tag(tag) + vr + U16(0) + U32(0xFFFFFFFF) + items + Tag(0xFFFEE0DD) + U32(0);
}
std::string Part10(const std::string& transfer_syntax, const std::string& dataset) {
  std::string uid = transfer_syntax;
  if (uid.size() % 2) uid += '\0';
  return std::string(128, '\0') + "DICM" + Element(0x00020010, "UI", uid) + dataset;
}
std::string ImageElements(uint16_t rows, uint16_t columns) {
  return Element(0x00280002, "US", U16(1)) + Element(0x00280004, "CS", "MONOCHROME2 ") +
         Element(0x00280010, "US", U16(rows)) + Element(0x00280011, "US", U16(columns)) +
         Element(0x00280100, "US", U16(16)) + Element(0x00280101, "US", U16(12)) +
         Element(0x00280102, "US", U16(11)) + Element(0x00280103, "US", U16(0));
}

TEST(HeaderScan, SkipsNestedUndefinedLengthSequences) {
  // (0008,1140) with an undefined-length item holding a nested sequence,
  // and a private UN of undefined length (implicit VR inside).
  const std::string implicit_item = Tag(0xFFFEE000) + U32(0xFFFFFFFF) + Tag(0x00081150) +
                                    U32(4) + std::string("1.2\0", 4) + Tag(0xFFFEE00D) +
                                    U32(0);
  const std::string nested = UndefinedSequence(
      0x00081140, "SQ",
      UndefinedItem(Element(0x00081150, "UI", std::string("1.2\0", 4)) +
                    UndefinedSequence(0x00081155, "SQ", UndefinedItem(""))) +
          Tag(0xFFFEE000) + U32(0));
  std::string pixels;
  for (int i = 0; i < 4 * 3; ++i) pixels += U16(static_cast<uint16_t>(i * 300));
  const std::string file =
      Part10("1.2.840.10008.1.2.1",
             nested + UndefinedSequence(0x00091010, "UN", implicit_item) + ImageElements(4, 3) +
                 Element(0x7FE00010, "OW", pixels));
  EXPECT_TRUE(ScanAgreesWithDcmtk(file, true));

  DecodeOptions options;
  options.on_error = OnError::kStrict;
  std::vector<uint16_t> out;
  const Status status = DecodeImage(file, options, [&](const std::vector<int64_t>& shape) {
    out.resize(shape[0] * shape[1] * shape[2]);
    return static_cast<void*>(out.data());
  });
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(out.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(out[i], (i * 300) & 0x0FFF);  // 12 bits stored
}

TEST(HeaderScan, DeclinesWhatItDoesNotFullyUnderstand) {
  const std::string pixels(2 * 4, '\0');
  const std::string good = ImageElements(2, 2) + Element(0x7FE00010, "OW", pixels);
  HeaderScan scan;
  EXPECT_TRUE(ScanHeader(Part10("1.2.840.10008.1.2.1", good), &scan));
  // No preamble: DCMTK's reading of bare data sets decides.
  EXPECT_FALSE(ScanHeader(good, &scan));
  // A deflated data set, an unknown syntax.
  EXPECT_FALSE(ScanHeader(Part10("1.2.840.10008.1.2.1.99", good), &scan));
  EXPECT_FALSE(ScanHeader(Part10("1.2.3.4", good), &scan));
  // Tags out of order, or repeated.
  EXPECT_FALSE(ScanHeader(
      Part10("1.2.840.10008.1.2.1",
             Element(0x00280010, "US", U16(2)) + Element(0x00280002, "US", U16(1)) + good),
      &scan));
  // Rows with another VR or two values.
  EXPECT_FALSE(ScanHeader(Part10("1.2.840.10008.1.2.1",
                                 Element(0x00280010, "SS", U16(2)) +
                                     Element(0x00280011, "US", U16(2)) +
                                     Element(0x7FE00010, "OW", pixels)),
                          &scan));
  EXPECT_FALSE(ScanHeader(Part10("1.2.840.10008.1.2.1",
                                 Element(0x00280010, "US", U16(2) + U16(2)) +
                                     Element(0x7FE00010, "OW", pixels)),
                          &scan));
  // No pixel data, or an element running past the end.
  EXPECT_FALSE(ScanHeader(Part10("1.2.840.10008.1.2.1", ImageElements(2, 2)), &scan));
  EXPECT_FALSE(ScanHeader(
      Part10("1.2.840.10008.1.2.1", Element(0x00100010, "PN", "Doe") .substr(0, 10)), &scan));
  // Native syntax with undefined-length pixel data, and the reverse.
  EXPECT_FALSE(ScanHeader(Part10("1.2.840.10008.1.2.1",
                                 ImageElements(2, 2) + Tag(0x7FE00010) + "OB" + U16(0) +
                                     U32(0xFFFFFFFF)),
                          &scan));
  EXPECT_FALSE(ScanHeader(Part10("1.2.840.10008.1.2.5", good), &scan));
}

}  // namespace
}  // namespace tfdicom
