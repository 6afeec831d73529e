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
  bool supported;  // tfdicom registers a decoder for it
  // Compressed frames go through DCMTK's codec registry (its own codecs and
  // tfdicom's JPEG 2000 codec), except where DCMTK 3.6.7 has no
  // E_TransferSyntax for the UID (HTJ2K): then straight to OpenJPEG.
  bool dcmtk_codec = true;
};

// Returns the entry for `uid`, or nullptr for a UID not in the table.
const TransferSyntax* FindTransferSyntax(std::string_view uid);

// "1.2.840.10008.1.2.4.90 (JPEG 2000 Image Compression (Lossless Only))", or
// the bare UID with "(unknown)" for a UID not in the table.
std::string DescribeTransferSyntax(std::string_view uid);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_TRANSFER_SYNTAX_H_
