// The only table of transfer syntaxes tfdicom knows: UID, name, how the
// pixel data is encoded, and whether tfdicom decodes it.
#ifndef TFDICOM_CC_CORE_TRANSFER_SYNTAX_H_
#define TFDICOM_CC_CORE_TRANSFER_SYNTAX_H_

#include <string>
#include <string_view>

namespace tfdicom {

enum class PixelEncoding {
  kNative,        // uncompressed, readable in place from the input bytes
  kDeflated,      // uncompressed, but the whole data set is zlib-deflated
  kEncapsulated,  // compressed frames in fragments; needs a codec
};

struct TransferSyntax {
  const char* uid;
  const char* name;
  PixelEncoding encoding;
  bool big_endian;
  bool lossy;
  bool supported;  // tfdicom or DCMTK decodes it (frame_codec.h says which)
};

// Returns the entry for `uid`, or nullptr for a UID not in the table.
const TransferSyntax* FindTransferSyntax(std::string_view uid);

// "1.2.840.10008.1.2.4.90 (JPEG 2000 Image Compression (Lossless Only))", or
// the bare UID with "(unknown)" for a UID not in the table.
std::string DescribeTransferSyntax(std::string_view uid);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_TRANSFER_SYNTAX_H_
