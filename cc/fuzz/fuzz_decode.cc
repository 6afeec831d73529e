// libFuzzer harness over the TensorFlow-free core: every input is decoded as
// an image with two option sets (one chosen by a byte of the input), each
// into outputs pre-filled two ways that must come out equal, its tags
// are looked up, and it is written as DICOM JSON. The quick header scan must
// read every header it accepts as DCMTK does (a crash otherwise). Built by tools/sanitize.sh
// with clang, AddressSanitizer and UndefinedBehaviorSanitizer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cc/core/dataset.h"
#include "cc/core/decode_data.h"
#include "cc/core/decode_image.h"
#include "cc/core/dicom_json.h"
#include "cc/core/header_scan.h"
#include "cc/core/image_info.h"
#include "cc/core/options.h"
#include "cc/core/tag_path.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdatset.h"

namespace {

// Large declared images fail fast instead of exhausting the fuzzer's memory.
constexpr uint64_t kMaxOutputBytes = 64u << 20;

tfdicom::DecodeOptions OptionsFor(uint8_t selector) {
  tfdicom::DecodeOptions options;
  options.max_output_bytes = kMaxOutputBytes;
  options.color_dim = selector & 1;
  options.on_error = (selector & 2) ? tfdicom::OnError::kLossy : tfdicom::OnError::kStrict;
  options.scale = (selector & 4) ? tfdicom::Scale::kAuto : tfdicom::Scale::kPreserve;
  static constexpr tfdicom::Values kValues[] = {tfdicom::Values::kStored,
                                                tfdicom::Values::kModality,
                                                tfdicom::Values::kDisplay};
  options.values = kValues[(selector >> 3) % 3];
  static constexpr tfdicom::DType kTypes[] = {tfdicom::DType::kInt32, tfdicom::DType::kUint8,
                                              tfdicom::DType::kFloat16,
                                              tfdicom::DType::kFloat64};
  options.dtype = kTypes[(selector >> 5) & 3];
  return options;
}

// ScanHeader declines or reads what DCMTK reads. It may accept a header
// that DCMTK refuses for damage inside content it skips (a sequence item,
// a UN value DCMTK parses as a sequence): the image is still readable.
void CheckHeaderScan(std::string_view bytes) {
  tfdicom::HeaderScan scan;
  if (!tfdicom::ScanHeader(bytes, &scan)) return;
  tfdicom::Dataset dataset;
  if (!dataset.Parse(bytes, tfdicom::Dataset::Depth::kUntilPixelData).ok()) return;
  const tfdicom::PixelElementSpan& a = scan.pixel;
  const tfdicom::PixelElementSpan& b = dataset.pixel_span();
  if (scan.transfer_syntax_uid != dataset.transfer_syntax_uid() || a.tag != b.tag ||
      a.undefined_length != b.undefined_length || a.value_offset != b.value_offset ||
      a.declared_length != b.declared_length ||
      !(scan.attributes == tfdicom::ReadImageAttributes(dataset.dataset()))) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckHeaderScan(bytes);
  const uint8_t selector = size > 200 ? data[size / 2] : 0;
  for (uint8_t variant : {uint8_t{0}, selector}) {
    // Only bytes that a decoder wrote are returned: a decode that succeeds
    // into an output filled with 0x00 must give the same bytes into one
    // filled with 0xFF.
    std::vector<uint8_t> outputs[2];
    tfdicom::Status status[2];
    for (int fill = 0; fill < 2; ++fill) {
      auto allocate = [&](const std::vector<int64_t>& shape) -> void* {
        uint64_t count = 1;
        for (int64_t d : shape) count *= static_cast<uint64_t>(d);
        const tfdicom::DecodeOptions options = OptionsFor(variant);
        outputs[fill].assign(count * tfdicom::DTypeSize(options.dtype) + 1, fill ? 0xFF : 0x00);
        return outputs[fill].data();
      };
      status[fill] = tfdicom::DecodeImage(bytes, OptionsFor(variant), allocate);
      if (!status[fill].ok()) break;
    }
    if (status[0].ok() &&
        (!status[1].ok() || outputs[0].size() != outputs[1].size() ||
         !std::equal(outputs[0].begin(), outputs[0].end() - 1, outputs[1].begin()))) {
      __builtin_trap();  // an output byte that no decoder wrote, or nondeterminism
    }
  }
  static const std::vector<tfdicom::TagPath> paths = [] {
    std::vector<tfdicom::TagPath> p;
    for (const char* text : {"PatientName", "(0002,0010)", "ImageType", "PixelSpacing",
                             "WindowCenter", "ReferencedSeriesSequence[0].SeriesInstanceUID",
                             "PerFrameFunctionalGroupsSequence[1].PixelValueTransformationSequence[0].RescaleSlope",
                             "(7FE0,0010)", "(0009,1001)"}) {
      tfdicom::TagPath path;
      if (tfdicom::ParseTagPath(text, &path).ok()) p.push_back(path);
    }
    return p;
  }();
  std::vector<std::string> values;
  (void)tfdicom::DecodeData(bytes, paths, &values);
  std::string json;
  (void)tfdicom::DecodeJson(bytes, &json);
  return 0;
}
