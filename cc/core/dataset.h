// A DICOM data set parsed by DCMTK from bytes in memory. Internal to the
// core (exposes DCMTK types); callers outside cc/core/ never see it.
#ifndef TFDICOM_CC_CORE_DATASET_H_
#define TFDICOM_CC_CORE_DATASET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cc/core/status.h"
#include "cc/core/transfer_syntax.h"

class DcmDataset;
class DcmFileFormat;
class DcmMetaInfo;

namespace tfdicom {

// Where a native (uncompressed) pixel element's value stands in the input.
struct PixelElementSpan {
  uint32_t tag = 0;               // (7FE0,0010), (7FE0,0008) or (7FE0,0009); 0: none
  bool undefined_length = false;  // encapsulated (compressed) pixel data
  uint64_t value_offset = 0;      // offset of the value in the input bytes
  uint64_t declared_length = 0;   // the element's value length
  char vr[3] = "";                // "OB", "OW", ... (empty for implicit VR)
};

class Dataset {
 public:
  enum class Depth {
    kUntilPixelData,  // stop before the pixel data; locate it in place
    kAll,             // read everything, pixel data included (a copy)
  };

  Dataset();
  ~Dataset();
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;

  // Parses `bytes`, which must outlive this object. Fails with
  // InvalidArgument for bytes that are not DICOM, DataLoss for a data set cut
  // short, Unimplemented for a transfer syntax DCMTK cannot read.
  Status Parse(std::string_view bytes, Depth depth);

  // Adds an element with `value` as its raw text, as if read from a file
  // (for a data set made of a few attributes the header scan found).
  Status InsertString(uint32_t tag, std::string_view value);

  DcmDataset& dataset();
  DcmMetaInfo& meta_info();
  // Transfer syntax as in the meta header or as DCMTK detected it.
  const std::string& transfer_syntax_uid() const { return transfer_syntax_uid_; }
  // The table entry; nullptr for a UID tfdicom does not know.
  const TransferSyntax* transfer_syntax() const { return transfer_syntax_; }
  // After Depth::kUntilPixelData: the pixel element found in bytes().
  const PixelElementSpan& pixel_span() const { return pixel_span_; }
  // The bytes that pixel_span() indexes: the input, or for a deflated data
  // set the inflated data set.
  std::string_view bytes() const { return bytes_; }

 private:
  Status LocatePixelElement(uint64_t stream_offset);
  Status CheckStopBeforeEnd(uint64_t stream_offset, bool implicit);
  // Inflates a deflated data set with libdeflate and reads it again from
  // memory, so that its pixel data is read in place like native data.
  Status InflateAndReparse(Depth depth);

  std::unique_ptr<DcmFileFormat> file_;
  std::string_view bytes_;
  std::string inflated_;
  std::string transfer_syntax_uid_;
  const TransferSyntax* transfer_syntax_ = nullptr;
  PixelElementSpan pixel_span_;
};

// "(0028,0101) BitsStored": a tag as messages show it.
std::string DescribeTag(uint16_t group, uint16_t element);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_DATASET_H_
