#include "cc/core/structure_check.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "cc/core/dicom_json.h"

namespace tfdicom {
namespace {

void Put16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v & 0xFF));
  out->push_back(static_cast<char>(v >> 8));
}
void Put32(std::string* out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v & 0xFFFF));
  Put16(out, static_cast<uint16_t>(v >> 16));
}
void Tag(std::string* out, uint32_t tag) {
  Put16(out, static_cast<uint16_t>(tag >> 16));
  Put16(out, static_cast<uint16_t>(tag & 0xFFFF));
}

// `depth` nested (0040,A730) sequences, explicit VR little endian, with
// undefined or defined lengths.
std::string Nested(int depth, bool defined) {
  std::string inner;
  Tag(&inner, 0x0040A160);
  inner += "UT";
  Put16(&inner, 0);
  Put32(&inner, 2);
  inner += "ab";
  if (defined) {
    for (int i = 0; i < depth; ++i) {
      std::string level;
      Tag(&level, 0x0040A730);
      level += "SQ";
      Put16(&level, 0);
      Put32(&level, static_cast<uint32_t>(inner.size() + 8));
      Tag(&level, 0xFFFEE000);
      Put32(&level, static_cast<uint32_t>(inner.size()));
      inner = level + inner;
    }
    return inner;
  }
  std::string open, close;
  Tag(&open, 0x0040A730);
  open += "SQ";
  Put16(&open, 0);
  Put32(&open, 0xFFFFFFFFu);
  Tag(&open, 0xFFFEE000);
  Put32(&open, 0xFFFFFFFFu);
  Tag(&close, 0xFFFEE00D);
  Put32(&close, 0);
  Tag(&close, 0xFFFEE0DD);
  Put32(&close, 0);
  std::string out;
  for (int i = 0; i < depth; ++i) out += open;
  out += inner;
  for (int i = 0; i < depth; ++i) out += close;
  return out;
}

TEST(StructureCheck, RefusesNestingDeeperThanTheLimit) {
  for (const bool defined : {false, true}) {
    EXPECT_TRUE(CheckStructure(Nested(kMaxSequenceNesting, defined), 0,
                               DatasetEncoding::kExplicitLittle, false).ok());
    const Status deep = CheckStructure(Nested(kMaxSequenceNesting + 1, defined), 0,
                                       DatasetEncoding::kExplicitLittle, false);
    EXPECT_EQ(deep.code(), Code::kInvalidArgument);
    EXPECT_NE(deep.message().find("sequences nest deeper than 64 levels at offset"),
              std::string::npos) << deep.message();
    // Unknown encoding: every candidate is tried.
    EXPECT_FALSE(CheckStructure(Nested(10000, defined), 0, DatasetEncoding::kUnknown, false).ok());
  }
}

TEST(StructureCheck, LeavesWhatItCannotFollowToDcmtk) {
  std::string cut = Nested(200, false);
  cut.resize(cut.size() / 3);  // cut inside the nesting, before level 65
  cut.resize(64 * 20);
  EXPECT_TRUE(CheckStructure(cut, 0, DatasetEncoding::kExplicitLittle, false).ok());
  EXPECT_TRUE(CheckStructure("garbage that is not DICOM at all", 0,
                             DatasetEncoding::kExplicitLittle, false).ok());
}

TEST(StructureCheck, CountsElementsAndItems) {
  std::string items;
  Tag(&items, 0x0040A730);
  items += "SQ";
  Put16(&items, 0);
  Put32(&items, 0xFFFFFFFFu);
  std::string item;
  Tag(&item, 0xFFFEE000);
  Put32(&item, 0);
  // The sequence element counts too: 1 + (limit - 1) items is the limit.
  for (uint64_t i = 0; i + 1 < kMaxElementsAndItems; ++i) items += item;
  std::string end;
  Tag(&end, 0xFFFEE0DD);
  Put32(&end, 0);
  EXPECT_TRUE(CheckStructure(items + end, 0, DatasetEncoding::kExplicitLittle, false).ok());
  const Status many =
      CheckStructure(items + item + end, 0, DatasetEncoding::kExplicitLittle, false);
  EXPECT_NE(many.message().find("more than 4194304 elements and items"), std::string::npos)
      << many.message();
}

TEST(DecimalJson, WritesDicomNumbersAsJsonNumbers) {
  EXPECT_EQ(DecimalJson("1."), "1");
  EXPECT_EQ(DecimalJson("1.e3"), "1e3");
  EXPECT_EQ(DecimalJson("+1"), "1");
  EXPECT_EQ(DecimalJson(".5"), "0.5");
  EXPECT_EQ(DecimalJson("-.5"), "-0.5");
  EXPECT_EQ(DecimalJson("1.E3"), "1E3");
  EXPECT_EQ(DecimalJson("  2 "), "2");
  EXPECT_EQ(DecimalJson("00012"), "12");
  EXPECT_EQ(DecimalJson("-007.250"), "-7.250");
  EXPECT_EQ(DecimalJson("+.5E+2"), "0.5E+2");
  EXPECT_EQ(DecimalJson(""), "null");
  EXPECT_EQ(DecimalJson("1A"), "\"1A\"");
  EXPECT_EQ(DecimalJson("."), "\".\"");
  EXPECT_EQ(DecimalJson("1e"), "\"1e\"");
  EXPECT_EQ(DecimalJson("a\"b"), "\"a\\\"b\"");
}

}  // namespace
}  // namespace tfdicom
