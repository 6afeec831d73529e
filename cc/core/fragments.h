// Which fragments of encapsulated pixel data hold a frame (PS3.5 A.4):
// one fragment per frame, the Basic Offset Table, or, without one, the
// fragments that start a new JPEG or JPEG 2000 codestream. Internal to the
// core.
#ifndef TFDICOM_CC_CORE_FRAGMENTS_H_
#define TFDICOM_CC_CORE_FRAGMENTS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "cc/core/status.h"

class DcmPixelSequence;

namespace tfdicom {

// Points `*codestream` at frame `frame` (0-based) of `frames`: straight at
// the fragment when the frame has one, else at the fragments joined in
// `*scratch`. Fails with DataLoss naming the frame when it cannot be found.
Status FrameCodestream(DcmPixelSequence& sequence, uint32_t frame, uint32_t frames,
                       std::string* scratch, std::string_view* codestream);

// The number of fragments after the Basic Offset Table.
uint32_t FragmentCount(DcmPixelSequence& sequence);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_FRAGMENTS_H_
