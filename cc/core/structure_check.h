// A cheap, iterative check of a data set's structure before DCMTK parses it.
// DCMTK reads sequences recursively (a few hundred bytes of stack for each
// level), so a small file of a few thousand nested sequences overflowed the
// stack; and DCMTK keeps a node for every element and item. The check walks
// the element headers with the header scan's reader (no recursion, no
// allocation per element) and refuses what passes the limits below, before
// DCMTK sees the bytes.
//
// It never refuses a file for anything else. It reads as DCMTK reads: a
// sequence or item of defined length is read while less than its length has
// been read, so its last element or item may run past it (DCMTK warns and
// reads on). Where it cannot follow the encoding it stops, where DCMTK fails
// too, and leaves the diagnosis to DCMTK; a value of defined length whose VR
// it cannot tell (implicit VR private tags, unknown VRs) is walked both as
// DCMTK reads opaque bytes and as it reads a sequence.
// Internal to the core.
#ifndef TFDICOM_CC_CORE_STRUCTURE_CHECK_H_
#define TFDICOM_CC_CORE_STRUCTURE_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cc/core/status.h"

namespace tfdicom {

// Sequences nested deeper than this are refused. Real files nest fewer than
// 10 levels (a structured report's content tree is the deepest seen).
constexpr int kMaxSequenceNesting = 64;

// Elements and items together in one data set (nested ones included). Each
// costs at least 8 bytes of input, so their number is bounded by the input
// size anyway; this caps DCMTK's memory (about 150 bytes a node): 2^22
// nodes, a 32 MiB file of empty items.
constexpr uint64_t kMaxElementsAndItems = uint64_t{1} << 22;

// How the data set is encoded; kUnknown tries each of the three.
enum class DatasetEncoding { kExplicitLittle, kImplicitLittle, kExplicitBig, kUnknown };

// Checks the data set that starts at `start` in `bytes`, up to the first
// top-level element at or after (7FE0,0008) when `stop_at_pixels` (as DCMTK
// reads it then), else to the end. Fails with InvalidArgument
// "sequences nest deeper than 64 levels at offset N ((gggg,eeee) Keyword)"
// or "more than 4194304 elements and items at offset N".
Status CheckStructure(std::string_view bytes, size_t start, DatasetEncoding encoding,
                      bool stop_at_pixels);

// Whether the top-level elements from `start` to the end of `bytes` read
// as DCMTK reads them: each header and value inside the input, sequences
// closed, tags ascending. False, with `problem` saying where and why, when
// they do not. Used where DCMTK stopped before the pixel data at an element
// that is not pixel data (a tag at or after (7FE0,0008)): for trailing
// padding (FFFC,FFFC) or private groups 7FE1 and above that is true; after a
// damaged length field, which sends DCMTK into the middle of a value, it
// is not.
bool ReadsToTheEnd(std::string_view bytes, size_t start, DatasetEncoding encoding,
                   std::string* problem);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_STRUCTURE_CHECK_H_
