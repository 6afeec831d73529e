#include "cc/core/fragments.h"

#include <vector>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"

namespace tfdicom {
namespace {

std::string_view ItemBytes(DcmPixelSequence& sequence, unsigned long index) {
  DcmPixelItem* item = nullptr;
  Uint8* data = nullptr;
  if (sequence.getItem(item, index).bad() || item == nullptr) return {};
  const Uint32 length = item->getLength();
  if (length == 0 || item->getUint8Array(data).bad() || data == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(data), length);
}

bool StartsCodestream(std::string_view fragment) {
  // JPEG SOI (JPEG, JPEG-LS) or J2K SOC marker, or a JP2 signature box.
  const bool marker = fragment.size() >= 2 && static_cast<uint8_t>(fragment[0]) == 0xFF &&
                      (static_cast<uint8_t>(fragment[1]) == 0xD8 ||
                       static_cast<uint8_t>(fragment[1]) == 0x4F);
  return marker || (fragment.size() >= 8 && fragment.substr(4, 4) == "jP  ");
}

// The first fragment (1-based item index) of every frame.
Status FrameStarts(DcmPixelSequence& sequence, uint32_t frames, std::vector<unsigned long>* starts) {
  const unsigned long items = sequence.card();
  const uint32_t fragments = FragmentCount(sequence);
  starts->clear();
  if (frames == 1) {
    starts->push_back(1);
  } else if (fragments == frames) {
    for (uint32_t f = 0; f < frames; ++f) starts->push_back(f + 1);
  } else {
    const std::string_view table = ItemBytes(sequence, 0);
    if (table.size() >= 4ul * frames) {
      // Offsets count bytes from the first fragment's item tag.
      uint64_t position = 0;
      unsigned long item = 1;
      for (uint32_t f = 0; f < frames; ++f) {
        const auto* p = reinterpret_cast<const uint8_t*>(table.data()) + 4 * f;
        const uint64_t offset = p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint64_t>(p[3]) << 24;
        while (item < items && position < offset) {
          position += 8 + ItemBytes(sequence, item).size();
          ++item;
        }
        if (position != offset || item >= items) {
          return DataLoss("the Basic Offset Table's entry for frame " + std::to_string(f + 1) +
                          " (" + std::to_string(offset) + ") is not the start of a fragment");
        }
        starts->push_back(item);
      }
    } else {
      for (unsigned long item = 1; item < items; ++item) {
        if (StartsCodestream(ItemBytes(sequence, item))) starts->push_back(item);
      }
    }
  }
  if (starts->size() != frames) {
    return DataLoss("found " + std::to_string(starts->size()) + " codestream(s) in " +
                    std::to_string(fragments) + " fragment(s) for (0028,0008) NumberOfFrames=" +
                    std::to_string(frames));
  }
  return OkStatus();
}

}  // namespace

uint32_t FragmentCount(DcmPixelSequence& sequence) {
  return sequence.card() > 0 ? static_cast<uint32_t>(sequence.card() - 1) : 0;
}

Status FrameCodestream(DcmPixelSequence& sequence, uint32_t frame, uint32_t frames,
                       std::string* scratch, std::string_view* codestream) {
  std::vector<unsigned long> starts;
  TFDICOM_RETURN_IF_ERROR(FrameStarts(sequence, frames, &starts));
  const unsigned long first = starts[frame];
  const unsigned long end = frame + 1 < frames ? starts[frame + 1] : sequence.card();
  if (end == first + 1) {
    *codestream = ItemBytes(sequence, first);
    return OkStatus();
  }
  scratch->clear();
  for (unsigned long item = first; item < end; ++item) {
    const std::string_view bytes = ItemBytes(sequence, item);
    scratch->append(bytes.data(), bytes.size());
  }
  *codestream = *scratch;
  return OkStatus();
}

}  // namespace tfdicom
