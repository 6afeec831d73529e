// For the core's unit tests: the bytes of a bundled sample file.
#ifndef TFDICOM_CC_CORE_TEST_SAMPLES_H_
#define TFDICOM_CC_CORE_TEST_SAMPLES_H_

#include <fstream>
#include <sstream>
#include <string>

#ifndef TFDICOM_SAMPLES_DIR
#error "TFDICOM_SAMPLES_DIR must name tfdicom/samples"
#endif

namespace tfdicom {

// `name` relative to tfdicom/samples, e.g. "mr/mr_slice2_rle.dcm".
inline std::string ReadSample(const std::string& name) {
  std::ifstream file(std::string(TFDICOM_SAMPLES_DIR) + "/" + name, std::ios::binary);
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_TEST_SAMPLES_H_
