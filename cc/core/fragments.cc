#include "cc/core/fragments.h"

#include <cstdio>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"

namespace tfdicom {
namespace {

uint32_t ReadU32(const uint8_t* p) {
  return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
}

bool StartsCodestream(std::string_view fragment) {
  // JPEG SOI (JPEG, JPEG-LS) or J2K SOC marker, or a JP2 signature box.
  const bool marker = fragment.size() >= 2 && static_cast<uint8_t>(fragment[0]) == 0xFF &&
                      (static_cast<uint8_t>(fragment[1]) == 0xD8 ||
                       static_cast<uint8_t>(fragment[1]) == 0x4F);
  return marker || (fragment.size() >= 8 && fragment.substr(4, 4) == "jP  ");
}

uint32_t FragmentCount(const PixelItems& items) {
  return items.empty() ? 0 : static_cast<uint32_t>(items.size() - 1);
}

}  // namespace

Status ListPixelItems(std::string_view bytes, uint64_t offset, PixelItems* items) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  items->clear();
  for (uint64_t pos = offset;;) {
    if (pos + 8 > bytes.size()) {
      return DataLoss("truncated encapsulated pixel data: no sequence delimiter (FFFE,E0DD) after " +
                      std::to_string(items->size()) + " item(s)");
    }
    const uint32_t tag = uint32_t{ReadU32(p + pos)} << 16 | ReadU32(p + pos) >> 16;
    const uint32_t length = ReadU32(p + pos + 4);
    pos += 8;
    if (tag == 0xFFFEE0DD) return OkStatus();
    if (tag != 0xFFFEE000) {
      char text[16];
      std::snprintf(text, sizeof(text), "(%04X,%04X)", tag >> 16, tag & 0xFFFF);
      return DataLoss("encapsulated pixel data: expected an item (FFFE,E000) at byte " +
                      std::to_string(pos - 8) + ", found " + text);
    }
    if (length > bytes.size() - pos) {
      return DataLoss("truncated encapsulated pixel data: item " +
                      std::to_string(items->size() + 1) + " declares " + std::to_string(length) +
                      " bytes, " + std::to_string(bytes.size() - pos) + " are left");
    }
    items->push_back(bytes.substr(pos, length));
    pos += length;
  }
}

PixelItems ListPixelItems(DcmPixelSequence& sequence) {
  PixelItems items;
  const unsigned long count = sequence.card();
  items.reserve(count);
  for (unsigned long i = 0; i < count; ++i) {
    DcmPixelItem* item = nullptr;
    Uint8* data = nullptr;
    std::string_view bytes;
    if (sequence.getItem(item, i).good() && item != nullptr && item->getLength() > 0 &&
        item->getUint8Array(data).good() && data != nullptr) {
      bytes = std::string_view(reinterpret_cast<const char*>(data), item->getLength());
    }
    items.push_back(bytes);
  }
  return items;
}

Status CheckFragmentCount(const PixelItems& items, uint32_t frames) {
  const uint32_t count = FragmentCount(items);
  if (count < frames) {
    return DataLoss("the encapsulated pixel data holds " + std::to_string(count) +
                    " fragment(s) for (0028,0008) NumberOfFrames=" + std::to_string(frames) +
                    " (each frame needs at least one)");
  }
  return OkStatus();
}

Status FrameStarts(const PixelItems& items, uint32_t frames, std::vector<size_t>* starts) {
  const uint32_t fragments = FragmentCount(items);
  starts->clear();
  if (frames == 1) {
    starts->push_back(1);
  } else if (fragments == frames) {
    for (uint32_t f = 0; f < frames; ++f) starts->push_back(f + 1);
  } else if (!items.empty() && items[0].size() >= 4ul * frames) {
    // Offsets count bytes from the first fragment's item tag.
    uint64_t position = 0;
    size_t item = 1;
    for (uint32_t f = 0; f < frames; ++f) {
      const uint64_t offset = ReadU32(reinterpret_cast<const uint8_t*>(items[0].data()) + 4 * f);
      while (item < items.size() && position < offset) {
        position += 8 + items[item].size();
        ++item;
      }
      if (position != offset || item >= items.size()) {
        return DataLoss("the Basic Offset Table's entry for frame " + std::to_string(f + 1) +
                        " (" + std::to_string(offset) + ") is not the start of a fragment");
      }
      starts->push_back(item);
    }
  } else {
    for (size_t item = 1; item < items.size(); ++item) {
      if (StartsCodestream(items[item])) starts->push_back(item);
    }
  }
  if (starts->size() != frames) {
    return DataLoss("found " + std::to_string(starts->size()) + " codestream(s) in " +
                    std::to_string(fragments) + " fragment(s) for (0028,0008) NumberOfFrames=" +
                    std::to_string(frames));
  }
  return OkStatus();
}

Status FrameCodestream(const PixelItems& items, const std::vector<size_t>& starts,
                       uint32_t frame, std::string* scratch, std::string_view* codestream) {
  const uint32_t frames = static_cast<uint32_t>(starts.size());
  const size_t first = starts[frame];
  const size_t end = frame + 1 < frames ? starts[frame + 1] : items.size();
  if (end == first + 1) {
    *codestream = items[first];
    return OkStatus();
  }
  scratch->clear();
  for (size_t item = first; item < end; ++item) scratch->append(items[item]);
  *codestream = *scratch;
  return OkStatus();
}

}  // namespace tfdicom
