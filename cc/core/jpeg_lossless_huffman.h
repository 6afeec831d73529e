// The entropy-coded side of tfdicom's lossless JPEG decoder (T.81 Annex F.2.2
// and H.1.2.2): a bit reader over the scan data and Huffman tables that turn
// the next bits into a whole difference. Internal to jpeg_lossless_decoder.cc.
#ifndef TFDICOM_CC_CORE_JPEG_LOSSLESS_HUFFMAN_H_
#define TFDICOM_CC_CORE_JPEG_LOSSLESS_HUFFMAN_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "cc/core/status.h"

namespace tfdicom {
namespace jpeg_lossless {

// The unread bits of a scan: `count` of them at the top of `buffer`. Bits
// below those are either zero or the true bits of the next byte (a refill
// may leave part of it there), so OR-ing that byte in again is exact. A value
// type, so that the row loops keep it in registers.
struct BitWindow {
  uint64_t buffer = 0;
  int count = 0;

  // The next n bits (1 <= n <= 32) without consuming them.
  uint32_t Peek(int n) const { return static_cast<uint32_t>(buffer >> (64 - n)); }
  void Skip(int n) {
    buffer <<= n;
    count -= n;
  }
};

// Reads entropy-coded bits, removing stuffed zero bytes (0xFF00); at a marker
// (or the end of the data) it feeds zero bits and counts them, so a decoder
// can tell a truncated stream from one that ends with a few padding bits.
//
// Refills take 4 to 8 bytes in one load when none of the next 8 bytes is
// 0xFF (the usual case: such bytes are about 1 in 256), else go byte by byte.
class BitReader {
 public:
  // The longest code (16 bits) plus the longest difference (15 bits).
  static constexpr int kMaxBitsPerSample = 31;

  BitReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  // The window for a row loop to work on, and back when it is done.
  BitWindow window() const { return window_; }
  void set_window(BitWindow window) { window_ = window; }

  // Returns `w` with at least 32 bits (kMaxBitsPerSample + 1).
  BitWindow Ensure32(BitWindow w) {
    if (__builtin_expect(w.count >= 32, 1)) return w;
    if (!at_marker_ && pos_ + 8 <= size_) {
      const uint64_t word = LoadBigEndian64(data_ + pos_);
      if (!HasFFByte(word)) {
        w.buffer |= word >> w.count;
        pos_ += (63 - w.count) >> 3;  // whole bytes taken; leaves 56..63 bits
        w.count |= 56;
        return w;
      }
    }
    return RefillBytewise(w);
  }

  // Whether the decoder has read well past the data: more zero padding than
  // the few bits that complete the last byte (the same 64-byte tolerance as
  // tfdicom's earlier decoder).
  bool overrun() const { return padded_ > 64; }

  // At a restart interval's end: drops the buffered bits (the fractional
  // byte, and the zeros fed at the marker) and expects RSTn within the next
  // 8 bytes. The zeros fed before a marker are expected, not an overrun.
  bool Restart() {
    RefillBytewise(BitWindow{});
    window_ = BitWindow{};
    padded_ = 0;
    if (at_marker_ && pos_ + 1 < size_ && (data_[pos_ + 1] & 0xF8) == 0xD0) {
      pos_ += 2;
      at_marker_ = false;
      return true;
    }
    return false;
  }

 private:
  static uint64_t LoadBigEndian64(const uint8_t* p) {
    uint64_t value;
    std::memcpy(&value, p, 8);
    return __builtin_bswap64(value);
  }
  // Whether any byte of `word` is 0xFF (a zero byte of ~word; exact).
  static bool HasFFByte(uint64_t word) {
    const uint64_t inverted = ~word;
    return ((inverted - 0x0101010101010101ull) & ~inverted & 0x8080808080808080ull) != 0;
  }

  // Tops `w` up to 57..64 bits one byte at a time.
  __attribute__((noinline)) BitWindow RefillBytewise(BitWindow w) {
    while (w.count <= 56) {
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
      w.buffer |= static_cast<uint64_t>(byte) << (56 - w.count);
      w.count += 8;
    }
    return w;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  BitWindow window_;
  bool at_marker_ = false;
  int padded_ = 0;
};

// One DHT table as the stream defines it (T.81 B.2.4.2).
struct HuffmanSpec {
  bool defined = false;
  uint8_t counts[16] = {};  // codes of each length 1..16
  std::vector<uint8_t> symbols;
};

// The difference that `value`, the `category` (SSSS) bits after a code,
// stands for (T.81 H.1.2.2, F.2.2.1 EXTEND); category 1..15.
inline int32_t Extend(uint32_t value, int category) {
  const int32_t v = static_cast<int32_t>(value);
  return v < (1 << (category - 1)) ? v - (1 << category) + 1 : v;
}

// A Huffman table for differences. One lookup on the next kFastBits bits
// gives, when the code and its difference bits fit in them, the whole
// difference and the number of bits to skip; else the code's length and
// category; else (longer codes) nothing, and DecodeSlow walks the per-length
// code limits (T.81 F.2.2.3).
class DifferenceTable {
 public:
  static constexpr int kFastBits = 12;

  // Builds the table; DataLoss for a table with more codes than fit.
  Status Build(const HuffmanSpec& spec) {
    symbols_ = spec.symbols;
    fast_.assign(1 << kFastBits, kSlow);
    int32_t code = 0;
    size_t k = 0;
    for (int length = 1; length <= 16; ++length) {
      const int count = spec.counts[length - 1];
      value_offset_[length] = static_cast<int32_t>(k) - code;
      for (int i = 0; i < count; ++i, ++k, ++code) {
        if (code >= (1 << length)) return DataLoss("invalid Huffman table (too many codes)");
        if (length <= kFastBits) AddFastCode(code, length, symbols_[k]);
      }
      max_code_[length] = count ? code - 1 : -1;
      code <<= 1;
    }
    max_code_[17] = 0x7FFFFFFF;
    return OkStatus();
  }

  bool built() const { return !fast_.empty(); }

  // Decodes one difference from `w` (at least 32 bits); false for a code
  // the table lacks or a category over 16. The fast case inline.
  bool Decode(BitWindow& w, int32_t* difference) const {
    const int32_t entry = fast_[w.Peek(kFastBits)];
    if (__builtin_expect((entry & kSlow) == 0, 1)) {
      // Bits 5-7 are zero here: & 63 gives the length and costs nothing on
      // x86, whose 64-bit shifts take their count modulo 64.
      w.Skip(entry & 63);
      *difference = entry >> 8;
      return true;
    }
    const SlowResult slow = DecodeSlow(w.Peek(32), entry);
    if (slow.length == 0) return false;
    w.Skip(slow.length);
    *difference = slow.difference;
    return true;
  }

 private:
  // Entry layout: bits 0-4 a length, bit 7 kSlow, bits 8-31 the difference
  // (fast entries) or the category (slow entries with a length).
  static constexpr int32_t kSlow = 0x80;
  static constexpr int32_t kLengthMask = 0x1F;

  void AddFastCode(int32_t code, int length, int category) {
    const int free_bits = kFastBits - length;
    int32_t* first = fast_.data() + (static_cast<size_t>(code) << free_bits);
    if (category > free_bits) {  // the difference does not fit: code only
      const int32_t entry = category << 8 | kSlow | length;
      std::fill(first, first + (1 << free_bits), entry);
      return;
    }
    // Every value of the `category` difference bits, each followed by the
    // remaining don't-care bits.
    const int rest = free_bits - category;
    for (uint32_t value = 0; value < (1u << category); ++value) {
      const int32_t difference = category == 0 ? 0 : Extend(value, category);
      const int32_t entry = static_cast<int32_t>(static_cast<uint32_t>(difference) << 8) |
                            (length + category);
      std::fill(first + (value << rest), first + ((value + 1) << rest), entry);
    }
  }

  struct SlowResult {
    int32_t difference;
    int length;  // bits taken, 0 for corrupt data
  };

  // A fast-table miss: `next` holds the next 32 bits (code and difference
  // bits are at most 31). By value, so the caller's window stays in registers.
  __attribute__((noinline)) SlowResult DecodeSlow(uint32_t next, int32_t entry) const {
    int length = entry & kLengthMask;
    int category;
    if (length != 0) {
      category = entry >> 8;
    } else {  // a code longer than kFastBits
      const uint32_t peek = next >> 16;
      length = kFastBits + 1;
      while (length <= 16 && static_cast<int32_t>(peek >> (16 - length)) > max_code_[length]) {
        ++length;
      }
      if (length > 16) return {0, 0};
      const int32_t index = static_cast<int32_t>(peek >> (16 - length)) + value_offset_[length];
      if (index < 0 || index >= static_cast<int32_t>(symbols_.size())) return {0, 0};
      category = symbols_[index];
    }
    if (category == 0) return {0, length};
    if (category == 16) return {32768, length};  // T.81 H.1.2.2: no additional bits
    if (category > 16) return {0, 0};
    const uint32_t value = (next << length) >> (32 - category);
    return {Extend(value, category), length + category};
  }

  std::vector<int32_t> fast_;
  std::vector<uint8_t> symbols_;
  std::array<int32_t, 18> max_code_{};  // largest code of each length, -1: none
  std::array<int32_t, 17> value_offset_{};
};

}  // namespace jpeg_lossless
}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_JPEG_LOSSLESS_HUFFMAN_H_
