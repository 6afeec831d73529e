// What the DICOM header says one compressed frame decodes to.
#ifndef TFDICOM_CC_CORE_FRAME_LAYOUT_H_
#define TFDICOM_CC_CORE_FRAME_LAYOUT_H_

#include <cstdint>
#include <string>

namespace tfdicom {

struct FrameLayout {
  uint32_t rows = 0;
  uint32_t columns = 0;
  uint32_t samples_per_pixel = 1;
  uint32_t bits_allocated = 16;  // the width of each output sample
  std::string photometric;       // (0028,0004) as the file writes it
};

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_FRAME_LAYOUT_H_
