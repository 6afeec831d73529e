// ReadHeaders parses the markers up to the scan; DecodeScan builds the scan's
// Huffman tables and picks a row loop: DecodeScanFromLeft for one component
// with selection value 1 (most lossless DICOM), DecodeScanWithRows for the
// rest. The entropy decoding is in jpeg_lossless_huffman.h.
#include "cc/core/jpeg_lossless_decoder.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "cc/core/jpeg_lossless_huffman.h"

namespace tfdicom {
namespace {

using jpeg_lossless::BitReader;
using jpeg_lossless::BitWindow;
using jpeg_lossless::DifferenceTable;
using jpeg_lossless::HuffmanSpec;

struct Component {
  int id = 0;
  int table = 0;
};

struct Stream {
  int precision = 0;
  uint32_t rows = 0;
  uint32_t columns = 0;
  std::vector<Component> components;
  HuffmanSpec tables[4];
  uint32_t restart_interval = 0;
  int predictor = 1;
  int point_transform = 0;
  size_t scan_start = 0;
};

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// Reads the markers up to the start of the scan.
Status ReadHeaders(const uint8_t* data, size_t size, Stream* s) {
  if (size < 4 || data[0] != 0xFF || data[1] != 0xD8) {
    return DataLoss("not a JPEG stream (no start-of-image marker)");
  }
  size_t pos = 2;
  bool have_frame = false;
  while (pos + 4 <= size) {
    if (data[pos] != 0xFF) return DataLoss("corrupt JPEG stream: expected a marker");
    const uint8_t marker = data[pos + 1];
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    const size_t length = Be16(data + pos + 2);
    const uint8_t* body = data + pos + 4;
    if (length < 2 || pos + 2 + length > size) return DataLoss("corrupt JPEG stream: a marker runs past the end");
    const size_t body_size = length - 2;
    switch (marker) {
      case 0xC3: {  // SOF3: lossless, Huffman
        if (body_size < 6) return DataLoss("corrupt JPEG frame header");
        s->precision = body[0];
        s->rows = Be16(body + 1);
        s->columns = Be16(body + 3);
        const int count = body[5];
        if (body_size < 6 + 3u * count || count < 1 || count > 4) {
          return DataLoss("corrupt JPEG frame header");
        }
        for (int i = 0; i < count; ++i) {
          if (body[6 + 3 * i + 1] != 0x11) return Unimplemented("subsampled lossless JPEG");
          s->components.push_back({body[6 + 3 * i], 0});
        }
        have_frame = true;
        break;
      }
      case 0xC0: case 0xC1: case 0xC2: case 0xC5: case 0xC6: case 0xC7:
      case 0xC9: case 0xCA: case 0xCB: case 0xCD: case 0xCE: case 0xCF:
        return Unimplemented("not a lossless Huffman JPEG stream (SOF" +
                             std::to_string(marker - 0xC0) + ")");
      case 0xC4: {  // DHT
        size_t p = 0;
        while (p + 17 <= body_size) {
          const int id = body[p] & 0x0F;
          if (id > 3) return DataLoss("corrupt JPEG Huffman table id");
          size_t total = 0;
          for (int i = 0; i < 16; ++i) total += body[p + 1 + i];
          if (p + 17 + total > body_size || total > 256) return DataLoss("corrupt JPEG Huffman table");
          HuffmanSpec& spec = s->tables[id];
          std::copy(body + p + 1, body + p + 17, spec.counts);
          spec.symbols.assign(body + p + 17, body + p + 17 + total);
          spec.defined = true;
          p += 17 + total;
        }
        break;
      }
      case 0xDD:  // DRI
        if (body_size < 2) return DataLoss("corrupt JPEG restart interval");
        s->restart_interval = Be16(body);
        break;
      case 0xDA: {  // SOS
        if (!have_frame) return DataLoss("JPEG scan before its frame header");
        const int count = body[0];
        if (count != static_cast<int>(s->components.size())) {
          return Unimplemented("lossless JPEG with one scan per component");
        }
        if (body_size < 1 + 2u * count + 3) return DataLoss("corrupt JPEG scan header");
        for (int i = 0; i < count; ++i) {
          const int id = body[1 + 2 * i];
          if (id != s->components[i].id) return Unimplemented("lossless JPEG scan in another component order");
          s->components[i].table = body[2 + 2 * i] >> 4;
          if (s->components[i].table > 3 || !s->tables[s->components[i].table].defined) {
            return DataLoss("lossless JPEG scan uses an undefined Huffman table");
          }
        }
        s->predictor = body[1 + 2 * count];
        s->point_transform = body[3 + 2 * count] & 0x0F;
        s->scan_start = pos + 2 + length;
        if (s->predictor < 1 || s->predictor > 7) {
          return DataLoss("lossless JPEG predictor " + std::to_string(s->predictor));
        }
        return OkStatus();
      }
      default:
        break;  // APPn, COM, DQT, ...: skipped
    }
    pos += 2 + length;
  }
  return DataLoss("truncated JPEG stream: no scan");
}

// The prediction of T.81 Table H.1 for selection value kPredictor.
template <int kPredictor>
inline int32_t Predict(int32_t ra, int32_t rb, int32_t rc) {
  if constexpr (kPredictor == 1) return ra;
  if constexpr (kPredictor == 2) return rb;
  if constexpr (kPredictor == 3) return rc;
  if constexpr (kPredictor == 4) return ra + rb - rc;
  if constexpr (kPredictor == 5) return ra + ((rb - rc) >> 1);
  if constexpr (kPredictor == 6) return rb + ((ra - rc) >> 1);
  return (ra + rb) >> 1;
}

// What every row loop needs. Samples are reconstructed modulo 2^16 (T.81
// H.2.1) and written shifted left by the point transform.
struct ScanContext {
  uint32_t columns = 0;
  int components = 1;
  int point_transform = 0;
  int32_t initial = 0;  // the prediction of a line's first sample after a (re)start
  const DifferenceTable* tables[4] = {};
};

// One row of a one-component scan with prediction from the left (selection
// value 1, or any first line): no row of state, the left sample in a
// register. `first` is the prediction of the row's first sample; returns the
// row's first sample (the next row's prediction for it), or -1 for corrupt
// data.
template <typename T>
int32_t DecodeRowFromLeft(BitReader& bits, const ScanContext& scan, int32_t first, T* out) {
  const DifferenceTable& table = *scan.tables[0];
  const int shift = scan.point_transform;
  const uint32_t columns = scan.columns;
  BitWindow w = bits.window();
  int32_t difference;
  w = bits.Ensure32(w);
  if (!table.Decode(w, &difference)) return -1;
  int32_t value = (first + difference) & 0xFFFF;
  out[0] = static_cast<T>(value << shift);
  const int32_t first_value = value;
  for (uint32_t x = 1; x < columns; ++x) {
    w = bits.Ensure32(w);
    if (!table.Decode(w, &difference)) return -1;
    value = (value + difference) & 0xFFFF;
    out[x] = static_cast<T>(value << shift);
  }
  bits.set_window(w);
  return first_value;
}

// One row of any scan: `above` is the previous row's samples (nullptr on a
// line after a (re)start, which T.81 H.1.2.1 predicts from the left, and its
// first sample from `initial`); the row's samples go to `current` (for the
// next row) and `out`.
template <typename T, int kPredictor>
bool DecodeRow(BitReader& bits, const ScanContext& scan, const int32_t* above,
               int32_t* current, T* out) {
  const int n = scan.components;
  const int shift = scan.point_transform;
  BitWindow w = bits.window();
  for (int c = 0; c < n; ++c) {
    int32_t difference;
    w = bits.Ensure32(w);
    if (!scan.tables[c]->Decode(w, &difference)) return false;
    current[c] = ((above ? above[c] : scan.initial) + difference) & 0xFFFF;
    out[c] = static_cast<T>(current[c] << shift);
  }
  const size_t stride = static_cast<size_t>(scan.columns) * n;
  for (size_t i = n; i < stride; i += n) {
    for (int c = 0; c < n; ++c) {
      const int32_t ra = current[i + c - n];
      const int32_t prediction =
          above ? Predict<kPredictor>(ra, above[i + c], above[i + c - n]) : ra;
      int32_t difference;
      w = bits.Ensure32(w);
      if (!scan.tables[c]->Decode(w, &difference)) return false;
      current[i + c] = (prediction + difference) & 0xFFFF;
      out[i + c] = static_cast<T>(current[i + c] << shift);
    }
  }
  bits.set_window(w);
  return true;
}

Status MissingRestart(uint32_t y, uint32_t restart_rows) {
  return DataLoss("corrupt lossless JPEG: expected a restart marker (RSTn) before row " +
                  std::to_string(y + 1) + " (restart interval of " +
                  std::to_string(restart_rows) + " line(s)), found none within 8 bytes");
}
Status CorruptAtRow(uint32_t y) {
  return DataLoss("corrupt lossless JPEG data at row " + std::to_string(y + 1));
}
Status TruncatedAtRow(uint32_t y) {
  return DataLoss("truncated lossless JPEG data at row " + std::to_string(y + 1));
}

// Selection value 1 with one component (most lossless DICOM): rows
// straight into `out`, each predicted from the row above only at x = 0.
template <typename T>
Status DecodeScanFromLeft(BitReader& bits, const Stream& s, const ScanContext& scan, T* out) {
  const uint32_t restart_rows = s.restart_interval / s.columns;
  int32_t above_first = scan.initial;
  for (uint32_t y = 0; y < s.rows; ++y) {
    if (restart_rows && y > 0 && y % restart_rows == 0) {
      if (!bits.Restart()) return MissingRestart(y, restart_rows);
      above_first = scan.initial;
    }
    above_first = DecodeRowFromLeft(bits, scan, above_first, out + static_cast<size_t>(y) * s.columns);
    if (above_first < 0) return CorruptAtRow(y);
    if (bits.overrun()) return TruncatedAtRow(y);
  }
  return OkStatus();
}

// Any selection value and number of components: two rows of state.
template <typename T, int kPredictor>
Status DecodeScanWithRows(BitReader& bits, const Stream& s, const ScanContext& scan, T* out) {
  const size_t stride = static_cast<size_t>(s.columns) * scan.components;
  std::vector<int32_t> previous(stride), current(stride);
  const uint32_t restart_rows = s.restart_interval / s.columns;
  bool first_line = true;  // of the image or of a restart interval
  for (uint32_t y = 0; y < s.rows; ++y) {
    if (restart_rows && y > 0 && y % restart_rows == 0) {
      if (!bits.Restart()) return MissingRestart(y, restart_rows);
      first_line = true;
    }
    T* row = out + static_cast<size_t>(y) * stride;
    const bool ok = first_line ? DecodeRow<T, 1>(bits, scan, nullptr, current.data(), row)
                               : DecodeRow<T, kPredictor>(bits, scan, previous.data(),
                                                          current.data(), row);
    if (!ok) return CorruptAtRow(y);
    if (bits.overrun()) return TruncatedAtRow(y);
    std::swap(previous, current);
    first_line = false;
  }
  return OkStatus();
}

// Builds the scan's tables and chooses its loop once per frame.
template <typename T>
Status DecodeScan(const uint8_t* data, size_t size, const Stream& s, T* out) {
  if (s.columns == 0) return OkStatus();  // nothing to decode (the old loops' behaviour)
  ScanContext scan;
  scan.columns = s.columns;
  scan.components = static_cast<int>(s.components.size());
  scan.point_transform = s.point_transform;
  scan.initial = 1 << (s.precision - s.point_transform - 1);
  DifferenceTable tables[4];
  for (int c = 0; c < scan.components; ++c) {
    const int id = s.components[c].table;
    if (!tables[id].built()) TFDICOM_RETURN_IF_ERROR(tables[id].Build(s.tables[id]));
    scan.tables[c] = &tables[id];
  }
  BitReader bits(data + s.scan_start, size - s.scan_start);
  if (scan.components == 1 && s.predictor == 1) return DecodeScanFromLeft(bits, s, scan, out);
  switch (s.predictor) {
    case 1: return DecodeScanWithRows<T, 1>(bits, s, scan, out);
    case 2: return DecodeScanWithRows<T, 2>(bits, s, scan, out);
    case 3: return DecodeScanWithRows<T, 3>(bits, s, scan, out);
    case 4: return DecodeScanWithRows<T, 4>(bits, s, scan, out);
    case 5: return DecodeScanWithRows<T, 5>(bits, s, scan, out);
    case 6: return DecodeScanWithRows<T, 6>(bits, s, scan, out);
    default: return DecodeScanWithRows<T, 7>(bits, s, scan, out);
  }
}

}  // namespace

Status DecodeJpegLosslessFrame(std::string_view codestream, const FrameLayout& layout, void* out,
                               size_t out_size) {
  const auto* data = reinterpret_cast<const uint8_t*>(codestream.data());
  Stream s;
  TFDICOM_RETURN_IF_ERROR(ReadHeaders(data, codestream.size(), &s));
  if (s.rows == 0) return Unimplemented("lossless JPEG with a DNL marker");
  if (s.restart_interval % (s.columns ? s.columns : 1) != 0) {
    return Unimplemented("lossless JPEG restart interval of partial lines");
  }
  if (s.precision < 2 || s.precision > 16 || s.point_transform >= s.precision) {
    return DataLoss("lossless JPEG with precision " + std::to_string(s.precision));
  }
  if (s.columns != layout.columns || s.rows != layout.rows ||
      s.components.size() != layout.samples_per_pixel) {
    return DataLoss("the JPEG frame is " + std::to_string(s.columns) + "x" +
                    std::to_string(s.rows) + " with " + std::to_string(s.components.size()) +
                    " component(s), the header says " + std::to_string(layout.columns) + "x" +
                    std::to_string(layout.rows) + " with " +
                    std::to_string(layout.samples_per_pixel));
  }
  const size_t samples = static_cast<size_t>(s.rows) * s.columns * s.components.size();
  if (layout.bits_allocated == 8 && s.precision <= 8) {
    if (out_size < samples) return Internal("frame buffer too small for the JPEG frame");
    return DecodeScan(data, codestream.size(), s, static_cast<uint8_t*>(out));
  }
  if (layout.bits_allocated == 16) {
    if (out_size < samples * 2) return Internal("frame buffer too small for the JPEG frame");
    return DecodeScan(data, codestream.size(), s, static_cast<uint16_t*>(out));
  }
  return Unimplemented("lossless JPEG of " + std::to_string(s.precision) +
                       " bits in (0028,0100) BitsAllocated=" +
                       std::to_string(layout.bits_allocated));
}

}  // namespace tfdicom
