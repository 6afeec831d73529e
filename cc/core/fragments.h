// Which fragments of encapsulated pixel data hold a frame (PS3.5 A.4):
// one fragment per frame, the Basic Offset Table, or, without one, the
// fragments that start a new JPEG or JPEG 2000 codestream. Internal to the
// core.
#ifndef TFDICOM_CC_CORE_FRAGMENTS_H_
#define TFDICOM_CC_CORE_FRAGMENTS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cc/core/status.h"

class DcmPixelSequence;

namespace tfdicom {

// The items of encapsulated pixel data: items[0] is the Basic Offset Table
// (possibly empty), the rest are the fragments, in order.
using PixelItems = std::vector<std::string_view>;

// Lists the items of the encapsulated pixel data whose value starts at
// `offset` of `bytes` (just after the pixel element's header), in place.
// Fails with DataLoss when an item tag is missing or an item runs past the
// end of the input.
Status ListPixelItems(std::string_view bytes, uint64_t offset, PixelItems* items);

// The items of a pixel sequence that DCMTK read (views into its memory).
PixelItems ListPixelItems(DcmPixelSequence& sequence);

// The item index of the first fragment of each of `frames` frames. Fails
// with DataLoss when the frames cannot be told apart.
Status FrameStarts(const PixelItems& items, uint32_t frames, std::vector<size_t>* starts);

// Points `*codestream` at frame `frame` (0-based; `starts` from
// FrameStarts): straight at the fragment when the frame has one, else at
// the fragments joined in `*scratch`.
Status FrameCodestream(const PixelItems& items, const std::vector<size_t>& starts,
                       uint32_t frame, std::string* scratch, std::string_view* codestream);

// Checks that every frame can have a fragment (after the offset table).
Status CheckFragmentCount(const PixelItems& items, uint32_t frames);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_FRAGMENTS_H_
