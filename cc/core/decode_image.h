// decode_dicom_image's core: DICOM bytes -> header checks -> one allocation
// by the caller -> every frame decoded and converted straight into it.
#ifndef TFDICOM_CC_CORE_DECODE_IMAGE_H_
#define TFDICOM_CC_CORE_DECODE_IMAGE_H_

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "cc/core/image_info.h"
#include "cc/core/options.h"
#include "cc/core/status.h"

namespace tfdicom {

// Returns storage for an output of `shape` (elements of options.dtype,
// C order), or nullptr when it cannot; called at most once.
using AllocateFn = std::function<void*(const std::vector<int64_t>& shape)>;

// Decodes every frame of one DICOM file. Thread-safe; never throws. On
// failure the message starts with "decode_dicom_image: " and names the cause.
// `info`, when not null, receives what the header says.
Status DecodeImage(std::string_view contents, const DecodeOptions& options,
                   const AllocateFn& allocate, ImageInfo* info = nullptr);

// The output shape for `info`: [frames, rows, columns] or, with color_dim,
// [frames, rows, columns, channels].
std::vector<int64_t> OutputShape(const ImageInfo& info, const DecodeOptions& options);

// The shape that on_error='skip' returns: the promised rank, every dim 0.
std::vector<int64_t> EmptyShape(const DecodeOptions& options);

// Whether on_error='skip' turns this failure into an empty result: every
// data error does; bugs (Internal) never do.
bool IsSkippable(const Status& status);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_DECODE_IMAGE_H_
