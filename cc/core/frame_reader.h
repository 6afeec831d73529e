// Frame readers deliver one frame's stored samples at a time, in native byte
// order and in the file's layout (planar or interleaved), bits not yet
// masked. Internal to the core.
#ifndef TFDICOM_CC_CORE_FRAME_READER_H_
#define TFDICOM_CC_CORE_FRAME_READER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "cc/core/fragments.h"
#include "cc/core/image_info.h"
#include "cc/core/status.h"

namespace tfdicom {

class Dataset;
struct FrameDecoder;

class FrameReader {
 public:
  virtual ~FrameReader() = default;
  // Points `*samples` at frame `frame` (0-based, read in increasing order).
  // The pointer stays valid until the next call. `destination`, when not
  // null, is where the caller wants the frame's samples (room for one
  // frame as delivered): a reader that has to write them somewhere anyway
  // writes them there and points `*samples` at it.
  virtual Status Read(uint32_t frame, void* destination, const void** samples) = 0;
  // The colour model of the delivered samples (a codec may have turned YBR
  // into RGB while decompressing).
  virtual Photometric photometric() const = 0;
  // Whether delivered colour samples are planar (RRR..GGG..BBB..).
  virtual bool planar() const = 0;
};

// Reads uncompressed pixel data from `bytes` (`length` bytes available from
// the start of the value). 1-bit samples are unpacked to one byte each.
// `swap_width` is the byte-swap unit of a big-endian value (2 for OW, the
// sample width for others, 0 for little endian): OW holding 8-bit samples
// is swapped as 16-bit words, as PS3.5 7.3 says. Fails with DataLoss when the value holds
// fewer bytes than `info` needs (naming both counts), unless `complete_only`
// is set: then `info->frames` is reduced to the complete frames.
Status MakeNativeFrameReader(const uint8_t* bytes, uint64_t length,
                             uint64_t declared_length, int swap_width,
                             bool complete_only, ImageInfo* info,
                             std::unique_ptr<FrameReader>* reader);

// Reads the pixel data of a fully parsed data set through DCMTK: compressed
// frames through its registered codecs, a deflated data set from memory.
Status MakeDcmtkFrameReader(Dataset& dataset, const ImageInfo& info,
                            std::unique_ptr<FrameReader>* reader);

// Reads compressed frames from `items` (views that outlive the reader: in
// place in the input, or in DCMTK's memory) through tfdicom's `decoder`.
// Fails with DataLoss when the fragments cannot hold `info.frames` frames.
Status MakeEncapsulatedFrameReader(PixelItems items, const FrameDecoder& decoder,
                                   const ImageInfo& info, std::unique_ptr<FrameReader>* reader);

// The items of the encapsulated pixel data of a fully parsed data set.
Status ListPixelItems(Dataset& dataset, PixelItems* items);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_FRAME_READER_H_
