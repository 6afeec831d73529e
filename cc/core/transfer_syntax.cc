#include "cc/core/transfer_syntax.h"

#include <iterator>

namespace tfdicom {
namespace {

constexpr PixelEncoding kNat = PixelEncoding::kNative;
constexpr PixelEncoding kEnc = PixelEncoding::kEncapsulated;

// uid, name, encoding, big endian, lossy, supported.
constexpr TransferSyntax kTransferSyntaxes[] = {
    {"1.2.840.10008.1.2", "Implicit VR Little Endian", kNat, false, false, true},
    {"1.2.840.10008.1.2.1", "Explicit VR Little Endian", kNat, false, false, true},
    {"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian",
     PixelEncoding::kDeflated, false, false, true},
    {"1.2.840.10008.1.2.2", "Explicit VR Big Endian", kNat, true, false, true},
    {"1.2.840.10008.1.2.5", "RLE Lossless", kEnc, false, false, true},
    {"1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", kEnc, false, true, true},
    {"1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", kEnc, false, true, true},
    {"1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)",
     kEnc, false, false, true},
    {"1.2.840.10008.1.2.4.70",
     "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 "
     "[Selection Value 1])",
     kEnc, false, false, true},
    {"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression", kEnc, false,
     false, true},
    {"1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression",
     kEnc, false, true, true},
    {"1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", kEnc,
     false, false, true},
    {"1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", kEnc, false, true,
     true},
    {"1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression "
     "(Lossless Only)", kEnc, false, false, true},
    {"1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options "
     "Image Compression (Lossless Only)", kEnc, false, false, true},
    {"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression",
     kEnc, false, true, true},
    {"1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", kEnc, false,
     true, false},
    {"1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1", kEnc,
     false, true, false},
    {"1.2.840.10008.1.2.4.103",
     "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", kEnc, false, true,
     false},
    {"1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1", kEnc, false,
     true, false},
};

}  // namespace

const TransferSyntax* FindTransferSyntax(std::string_view uid) {
  for (const TransferSyntax& ts : kTransferSyntaxes) {
    if (uid == ts.uid) return &ts;
  }
  return nullptr;
}

std::string DescribeTransferSyntax(std::string_view uid) {
  const TransferSyntax* ts = FindTransferSyntax(uid);
  std::string text(uid);
  text += ts ? std::string(" (") + ts->name + ")" : std::string(" (unknown)");
  return text;
}

}  // namespace tfdicom
