#include "cc/core/htj2k_decoder.h"

// OpenJPH's headers are not self-contained: ojph_arch.h defines what the
// others use.
#include <openjph/ojph_arch.h>
#include <openjph/ojph_codestream.h>
#include <openjph/ojph_file.h>
#include <openjph/ojph_mem.h>
#include <openjph/ojph_message.h>
#include <openjph/ojph_params.h>
#include <stdio.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>

namespace tfdicom {
namespace {

// Marker codes (ITU-T T.800 Table A.2, T.814 for CAP and CPF).
constexpr uint16_t kSoc = 0xFF4F, kSot = 0xFF90, kSod = 0xFF93, kEoc = 0xFFD9;
constexpr uint16_t kSiz = 0xFF51, kCap = 0xFF50, kCod = 0xFF52, kCoc = 0xFF53;
constexpr uint16_t kQcd = 0xFF5C, kQcc = 0xFF5D, kCom = 0xFF64, kTlm = 0xFF55;
constexpr uint16_t kCpf = 0xFF59, kPlt = 0xFF58;

// Pcap bit 15 (counted from the most significant, 1-based): Part 15.
constexpr uint32_t kCapPart15 = 1u << (32 - 15);
// Code-block style bits 6 and 7 (T.814 Table A.4): HT blocks, and mixed
// HT / Part 1 blocks, which OpenJPH does not decode.
constexpr uint8_t kHtBlocks = 0x40, kMixedBlocks = 0x80;
constexpr uint8_t kReversible53 = 1;

uint16_t U16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t U32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

bool HtReversible(uint8_t style, uint8_t transform) {
  return (style & (kHtBlocks | kMixedBlocks)) == kHtBlocks && transform == kReversible53;
}

// What the marker segments said so far.
struct HeaderScan {
  uint32_t components = 0;
  bool part15 = false;
  bool cod = false;
  bool one_tile_no_offset = false;

  // OpenJPH 0.9 decodes images of more than one tile column wrongly (its own
  // ojph_expand disagrees with the source and with OpenJPEG), and OpenJPEG
  // and OpenJPH place an image offset differently: both go to OpenJPEG.
  // One tile at the origin is what DICOM encoders write.
  static bool OneTileNoOffset(const uint8_t* siz) {
    const uint64_t width = U32(siz + 2), height = U32(siz + 6);
    const uint64_t x_offset = U32(siz + 10), y_offset = U32(siz + 14);
    const uint64_t tile_width = U32(siz + 18), tile_height = U32(siz + 22);
    const uint64_t tile_x = U32(siz + 26), tile_y = U32(siz + 30);
    return x_offset == 0 && y_offset == 0 && tile_x == 0 && tile_y == 0 &&
           tile_width >= width && tile_height >= height;
  }

  // Takes one main header marker segment (`body` after its length field);
  // false for one that rules OpenJPH out.
  bool Main(uint16_t marker, const uint8_t* body, size_t size) {
    switch (marker) {
      case kSiz:  // Rsiz, eight 32-bit sizes and offsets, then Csiz
        if (size < 36) return false;
        components = U16(body + 34);
        one_tile_no_offset = OneTileNoOffset(body);
        return true;
      case kCap:
        if (size < 4) return false;
        part15 = (U32(body) & kCapPart15) != 0;
        return true;
      case kCod:
        if (size < 10 || !HtReversible(body[8], body[9])) return false;
        cod = true;
        return true;
      case kCoc: {
        if (components == 0) return false;  // SIZ comes first
        const size_t index = components < 257 ? 1 : 2;
        return size >= index + 6 && HtReversible(body[index + 4], body[index + 5]);
      }
      case kQcd: case kQcc: case kCom: case kTlm: case kCpf:
        return true;
      default:
        return false;
    }
  }
};

// Tile-part headers may only carry comments and packet lengths: a tile's
// own COD, COC, QCD or QCC would need checking against what OpenJPH 0.9
// does with them.
bool TilePartMarkerOk(uint16_t marker) { return marker == kCom || marker == kPlt; }

// Walks the marker segments from `*pos` up to (not past) `stop`, a marker
// without a length field; false when they run off the end or one fails.
template <typename Check>
bool ScanSegments(const uint8_t* data, size_t size, size_t* pos, uint16_t stop, Check check) {
  while (true) {
    if (*pos + 2 > size) return false;
    const uint16_t marker = U16(data + *pos);
    if (marker == stop) return true;
    if (*pos + 4 > size) return false;
    const uint16_t length = U16(data + *pos + 2);
    if (length < 2 || length > size - *pos - 2) return false;
    if (!check(marker, data + *pos + 4, size_t{length} - 2)) return false;
    *pos += 2 + size_t{length};
  }
}

// Where OpenJPH's messages go: one unbuffered stream (so that every write
// happens in the thread that reports) whose writes only note that this
// thread's decode drew a complaint. OpenJPH's message streams are
// process-wide (stdout for info and warnings, stderr for errors by
// default); ojph::configure_error() cannot replace the handlers in 0.9 (it
// copy-assigns through a reference), so the streams are what can be set.
// An error still throws after its message.
thread_local bool complained = false;

ssize_t NoteComplaint(void*, const char*, size_t size) {
  complained = true;
  return static_cast<ssize_t>(size);
}

// False when the sink cannot be made: then OpenJPH is not used at all, since
// a null error stream would make its errors return instead of throw.
bool QuietOpenJph() {
  static const bool quiet = [] {
    cookie_io_functions_t io = {nullptr, NoteComplaint, nullptr, nullptr};
    FILE* sink = fopencookie(nullptr, "w", io);
    if (sink == nullptr) return false;
    setvbuf(sink, nullptr, _IONBF, 0);
    ojph::set_info_stream(sink);
    ojph::set_warning_stream(sink);
    ojph::set_error_stream(sink);
    return true;
  }();
  return quiet;
}

// The codestream's header against the DICOM header, before any sample is
// written.
Status CheckLayout(ojph::param_siz siz, const FrameLayout& layout, size_t out_size) {
  const uint32_t components = siz.get_num_components();
  if (components != layout.samples_per_pixel) {
    return DataLoss("the HTJ2K codestream has " + std::to_string(components) +
                    " component(s), (0028,0002) SamplesPerPixel says " +
                    std::to_string(layout.samples_per_pixel));
  }
  for (uint32_t c = 0; c < components; ++c) {
    const uint32_t width = siz.get_recon_width(c), height = siz.get_recon_height(c);
    if (width != layout.columns || height != layout.rows) {
      return DataLoss("the HTJ2K codestream's component " + std::to_string(c) + " is " +
                      std::to_string(width) + "x" + std::to_string(height) +
                      " (columns x rows), the header says " + std::to_string(layout.columns) +
                      "x" + std::to_string(layout.rows));
    }
    if (siz.get_bit_depth(c) > layout.bits_allocated) {
      return DataLoss("the HTJ2K codestream has " + std::to_string(siz.get_bit_depth(c)) +
                      "-bit samples, more than (0028,0100) BitsAllocated=" +
                      std::to_string(layout.bits_allocated));
    }
  }
  const size_t needed = size_t{layout.rows} * layout.columns * components *
                        (layout.bits_allocated / 8);
  if (out_size < needed) return Internal("frame buffer too small for the HTJ2K frame");
  return OkStatus();
}

// The range OpenJPEG clamps a component's samples to.
struct Range {
  int32_t low, high;
};
Range ComponentRange(ojph::param_siz siz, uint32_t c) {
  const uint32_t bits = siz.get_bit_depth(c);
  if (siz.is_signed(c)) {
    return {-(int32_t{1} << (bits - 1)), (int32_t{1} << (bits - 1)) - 1};
  }
  return {0, static_cast<int32_t>((uint32_t{1} << bits) - 1)};
}

// One line of one component into every `stride`-th sample of `out`,
// clamped. The stride is a template parameter so that the grey case
// (stride 1) compiles to a vector loop.
template <uint32_t kStride, typename T>
void StoreLine(const int32_t* in, uint32_t width, Range r, T* out) {
  for (uint32_t x = 0; x < width; ++x) {
    out[size_t{x} * kStride] = static_cast<T>(std::clamp(in[x], r.low, r.high));
  }
}

// Pulls every line (row by row, components interleaved: not planar) into
// `out`. False when OpenJPH hands out a line other than the one expected.
template <uint32_t kComponents, typename T>
bool PullInterleaved(ojph::codestream& codestream, const FrameLayout& layout, T* out) {
  ojph::param_siz siz = codestream.access_siz();
  Range ranges[kComponents];
  for (uint32_t c = 0; c < kComponents; ++c) ranges[c] = ComponentRange(siz, c);
  for (uint32_t y = 0; y < layout.rows; ++y) {
    T* row = out + size_t{y} * layout.columns * kComponents;
    for (uint32_t c = 0; c < kComponents; ++c) {
      ojph::ui32 component = 0;
      const ojph::line_buf* line = codestream.pull(component);
      if (line == nullptr || component != c || line->size < layout.columns) return false;
      StoreLine<kComponents>(line->i32, layout.columns, ranges[c], row + c);
    }
  }
  return true;
}

// Grey or colour (three components: RGB, or YBR_RCT undone by OpenJPH).
template <typename T>
bool Pull(ojph::codestream& codestream, const FrameLayout& layout, void* out) {
  T* samples = static_cast<T*>(out);
  return layout.samples_per_pixel == 1 ? PullInterleaved<1>(codestream, layout, samples)
                                       : PullInterleaved<3>(codestream, layout, samples);
}

}  // namespace

bool IsReversibleHtj2k(std::string_view codestream) {
  const auto* data = reinterpret_cast<const uint8_t*>(codestream.data());
  const size_t size = codestream.size();
  if (size < 4 || U16(data) != kSoc) return false;
  size_t pos = 2;
  HeaderScan scan;
  if (!ScanSegments(data, size, &pos, kSot, [&](uint16_t m, const uint8_t* b, size_t n) {
        return scan.Main(m, b, n);
      })) {
    return false;
  }
  if (!scan.part15 || !scan.cod || !scan.one_tile_no_offset) return false;
  // Each tile-part: SOT (its length Psot counts from the SOT marker), its
  // header segments, SOD, data. Psot 0 means "up to EOC".
  while (true) {
    if (pos + 2 > size) return false;
    if (U16(data + pos) == kEoc) return true;
    if (U16(data + pos) != kSot || pos + 12 > size || U16(data + pos + 2) != 10) return false;
    const uint32_t psot = U32(data + pos + 6);
    size_t header = pos + 12;
    if (!ScanSegments(data, size, &header, kSod, [](uint16_t m, const uint8_t*, size_t) {
          return TilePartMarkerOk(m);
        })) {
      return false;
    }
    if (psot == 0) return true;
    if (psot < header + 2 - pos || psot > size - pos) return false;
    pos += psot;
  }
}

Status DecodeHtj2kFrame(std::string_view codestream, const FrameLayout& layout, void* out,
                        size_t out_size, bool* refused) {
  *refused = true;
  if (!QuietOpenJph()) return Internal("OpenJPH's messages cannot be redirected");
  if ((layout.samples_per_pixel != 1 && layout.samples_per_pixel != 3) ||
      (layout.bits_allocated != 8 && layout.bits_allocated != 16)) {
    return Unimplemented("HTJ2K through OpenJPH with " + std::to_string(layout.samples_per_pixel) +
                         " samples of " + std::to_string(layout.bits_allocated) + " bits");
  }
  complained = false;
  try {
    ojph::mem_infile file;
    file.open(reinterpret_cast<const ojph::ui8*>(codestream.data()), codestream.size());
    ojph::codestream decoder;
    decoder.read_headers(&file);
    if (complained) return DataLoss("OpenJPH reported a problem in the HTJ2K header");
    const Status layout_status = CheckLayout(decoder.access_siz(), layout, out_size);
    if (!layout_status.ok()) {
      *refused = false;
      return layout_status;
    }
    decoder.set_planar(false);
    decoder.create();
    const bool pulled = layout.bits_allocated == 8 ? Pull<uint8_t>(decoder, layout, out)
                                                   : Pull<uint16_t>(decoder, layout, out);
    decoder.close();
    if (!pulled || complained) return DataLoss("OpenJPH reported a problem in the HTJ2K data");
  } catch (const std::exception& e) {
    return DataLoss(std::string("OpenJPH: ") + e.what());
  } catch (...) {
    return DataLoss("OpenJPH failed");
  }
  *refused = false;
  return OkStatus();
}

}  // namespace tfdicom
