#include "cc/core/jpeg_lossless_decoder.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace tfdicom {
namespace {

constexpr int kLookupBits = 9;

// A Huffman table (T.81 C, F.2.2.3): codes up to 9 bits through a lookup
// table, longer ones through the per-length limits.
struct HuffmanTable {
  bool defined = false;
  std::array<uint16_t, 1 << kLookupBits> lookup{};  // (length << 8) | symbol; 0: longer
  std::array<int32_t, 18> max_code{};               // largest code of each length, -1: none
  std::array<int32_t, 17> value_offset{};
  std::vector<uint8_t> symbols;

  Status Build(const uint8_t counts[16], const uint8_t* values, size_t total) {
    symbols.assign(values, values + total);
    lookup.fill(0);
    int32_t code = 0;
    size_t k = 0;
    for (int length = 1; length <= 16; ++length) {
      value_offset[length] = static_cast<int32_t>(k) - code;
      for (int i = 0; i < counts[length - 1]; ++i, ++k, ++code) {
        if (length <= kLookupBits) {
          const int shift = kLookupBits - length;
          for (int fill = 0; fill < (1 << shift); ++fill) {
            lookup[(code << shift) | fill] = static_cast<uint16_t>(length << 8 | symbols[k]);
          }
        }
      }
      max_code[length] = counts[length - 1] ? code - 1 : -1;
      if (code > (1 << length)) return DataLoss("invalid Huffman table (too many codes)");
      code <<= 1;
    }
    max_code[17] = 0x7FFFFFFF;
    defined = true;
    return OkStatus();
  }
};

// Reads entropy-coded bits, removing stuffed zero bytes; stops at markers.
class BitReader {
 public:
  BitReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  // Peeks 16 bits (zero-padded past the data or at a marker).
  uint32_t Peek16() {
    Fill();
    return static_cast<uint32_t>(buffer_ >> (bits_ - 16)) & 0xFFFF;
  }
  void Skip(int n) { bits_ -= n; }
  uint32_t Read(int n) {
    if (n == 0) return 0;
    Fill();
    bits_ -= n;
    return static_cast<uint32_t>(buffer_ >> bits_) & ((1u << n) - 1);
  }
  bool overrun() const { return padded_ > 64; }

  // At a restart: drops the fractional byte and expects RSTn.
  bool Restart() {
    bits_ = 0;
    buffer_ = 0;
    if (at_marker_ && pos_ + 1 < size_ && (data_[pos_ + 1] & 0xF8) == 0xD0) {
      pos_ += 2;
      at_marker_ = false;
      return true;
    }
    return false;
  }
  size_t position() const { return pos_; }

 private:
  void Fill() {
    while (bits_ <= 56) {
      uint8_t byte = 0;
      if (!at_marker_ && pos_ < size_) {
        byte = data_[pos_];
        if (byte == 0xFF) {
          const uint8_t next = pos_ + 1 < size_ ? data_[pos_ + 1] : 0;
          if (next == 0x00) {
            pos_ += 2;
          } else {
            at_marker_ = true;  // a marker: feed zeros from here
            byte = 0;
            ++padded_;
          }
        } else {
          ++pos_;
        }
      } else {
        ++padded_;
      }
      buffer_ = buffer_ << 8 | byte;
      bits_ += 8;
    }
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  uint64_t buffer_ = 0;
  int bits_ = 0;
  bool at_marker_ = false;
  int padded_ = 0;
};

// Decodes one difference (T.81 H.1.2.2): a category, then its bits.
inline bool DecodeDifference(BitReader& bits, const HuffmanTable& table, int32_t* difference) {
  const uint32_t peek = bits.Peek16();
  int length;
  int category;
  const uint16_t entry = table.lookup[peek >> (16 - kLookupBits)];
  if (entry != 0) {
    length = entry >> 8;
    category = entry & 0xFF;
  } else {
    length = kLookupBits + 1;
    while (length <= 16 && static_cast<int32_t>(peek >> (16 - length)) > table.max_code[length]) {
      ++length;
    }
    if (length > 16) return false;
    const int32_t index = static_cast<int32_t>(peek >> (16 - length)) + table.value_offset[length];
    if (index < 0 || index >= static_cast<int32_t>(table.symbols.size())) return false;
    category = table.symbols[index];
  }
  bits.Skip(length);
  if (category == 0) {
    *difference = 0;
  } else if (category == 16) {
    *difference = 32768;
  } else if (category > 16) {
    return false;
  } else {
    const int32_t value = static_cast<int32_t>(bits.Read(category));
    *difference = value < (1 << (category - 1)) ? value - (1 << category) + 1 : value;
  }
  return true;
}

struct Component {
  int id = 0;
  int table = 0;
};

struct Stream {
  int precision = 0;
  uint32_t rows = 0;
  uint32_t columns = 0;
  std::vector<Component> components;
  HuffmanTable tables[4];
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
          TFDICOM_RETURN_IF_ERROR(s->tables[id].Build(body + p + 1, body + p + 17, total));
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

template <typename T, int kPredictor>
Status DecodeScan(const uint8_t* data, size_t size, const Stream& s, T* out) {
  const uint32_t rows = s.rows, columns = s.columns;
  const int n = static_cast<int>(s.components.size());
  const int32_t initial = 1 << (s.precision - s.point_transform - 1);
  const size_t stride = static_cast<size_t>(columns) * n;
  std::vector<int32_t> previous(stride), current(stride);
  BitReader bits(data + s.scan_start, size - s.scan_start);
  const HuffmanTable* tables[4];
  for (int c = 0; c < n; ++c) tables[c] = &s.tables[s.components[c].table];
  uint32_t restart_rows = s.restart_interval ? s.restart_interval / columns : 0;
  bool first_line = true;  // of the image or of a restart interval
  for (uint32_t y = 0; y < rows; ++y) {
    if (restart_rows && y > 0 && y % restart_rows == 0) {
      if (!bits.Restart()) return DataLoss("corrupt lossless JPEG: missing restart marker");
      first_line = true;
    }
    for (uint32_t x = 0; x < columns; ++x) {
      for (int c = 0; c < n; ++c) {
        const size_t i = static_cast<size_t>(x) * n + c;
        int32_t prediction;
        if (first_line) {
          prediction = x == 0 ? initial : current[i - n];
        } else if (x == 0) {
          prediction = previous[i];
        } else {
          prediction = Predict<kPredictor>(current[i - n], previous[i], previous[i - n]);
        }
        int32_t difference;
        if (!DecodeDifference(bits, *tables[c], &difference)) {
          return DataLoss("corrupt lossless JPEG data at row " + std::to_string(y + 1));
        }
        current[i] = (prediction + difference) & 0xFFFF;
      }
    }
    if (bits.overrun()) return DataLoss("truncated lossless JPEG data at row " + std::to_string(y + 1));
    T* row = out + static_cast<size_t>(y) * stride;
    for (size_t i = 0; i < stride; ++i) row[i] = static_cast<T>(current[i] << s.point_transform);
    std::swap(previous, current);
    first_line = false;
  }
  return OkStatus();
}

// Chooses the scan loop for the stream's predictor once per frame.
template <typename T>
Status DecodeScan(const uint8_t* data, size_t size, const Stream& s, T* out) {
  switch (s.predictor) {
    case 1: return DecodeScan<T, 1>(data, size, s, out);
    case 2: return DecodeScan<T, 2>(data, size, s, out);
    case 3: return DecodeScan<T, 3>(data, size, s, out);
    case 4: return DecodeScan<T, 4>(data, size, s, out);
    case 5: return DecodeScan<T, 5>(data, size, s, out);
    case 6: return DecodeScan<T, 6>(data, size, s, out);
    default: return DecodeScan<T, 7>(data, size, s, out);
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
