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

// Reads entropy-coded bits, removing stuffed zero bytes (0xFF00); at a marker
// (or the end of the data) it feeds zero bits and counts them, so a decoder
// can tell a truncated stream from one that ends with a few padding bits.
//
// The unread bits sit at the top of a 64-bit buffer. Refills take 4 to 8
// bytes in one load when none of the next 8 bytes is 0xFF (the usual case:
// such bytes are about 1 in 256), else go byte by byte. Bits below the
// `bits_` valid ones are either zero or the true bits of the next byte (the
// one load leaves part of it there), so OR-ing that byte in again is exact.
class BitReader {
 public:
  // The longest code (16 bits) plus the longest difference (15 bits).
  static constexpr int kMaxBitsPerSample = 31;

  BitReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  // Makes at least 32 bits available (kMaxBitsPerSample + 1).
  void Ensure32() {
    if (bits_ < 32) Refill();
  }
  // The next n bits (1 <= n <= 32) without consuming them.
  uint32_t Peek(int n) const { return static_cast<uint32_t>(buffer_ >> (64 - n)); }
  void Skip(int n) {
    buffer_ <<= n;
    bits_ -= n;
  }
  // Reads n bits, 1 <= n <= 16; Ensure32 first.
  uint32_t Read(int n) {
    const uint32_t value = Peek(n);
    Skip(n);
    return value;
  }

  // Whether the decoder has read well past the data: more zero padding than
  // the few bits that complete the last byte (the same 64-byte tolerance as
  // tfdicom's earlier decoder).
  bool overrun() const { return padded_ > 64; }

  // At a restart interval's end: drops the buffered bits (the fractional
  // byte, and the zeros fed at the marker) and expects RSTn within the next
  // 8 bytes. The zeros fed before a marker are expected, not an overrun.
  bool Restart() {
    buffer_ = 0;
    bits_ = 0;
    RefillBytewise();
    buffer_ = 0;
    bits_ = 0;
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

  void Refill() {
    if (!at_marker_ && pos_ + 8 <= size_) {
      const uint64_t word = LoadBigEndian64(data_ + pos_);
      if (!HasFFByte(word)) {
        buffer_ |= word >> bits_;
        pos_ += (63 - bits_) >> 3;  // whole bytes taken; leaves 56..63 bits
        bits_ |= 56;
        return;
      }
    }
    RefillBytewise();
  }

  // Tops the buffer up to 57..64 bits one byte at a time.
  void RefillBytewise() {
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
      buffer_ |= static_cast<uint64_t>(byte) << (56 - bits_);
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

  // Decodes one difference; Ensure32 first. The fast case inline.
  bool Decode(BitReader& bits, int32_t* difference) const {
    const int32_t entry = fast_[bits.Peek(kFastBits)];
    if (__builtin_expect((entry & kSlow) == 0, 1)) {
      bits.Skip(entry & kLengthMask);
      *difference = entry >> 8;
      return true;
    }
    return DecodeSlow(bits, entry, difference);
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

  __attribute__((noinline)) bool DecodeSlow(BitReader& bits, int32_t entry,
                                            int32_t* difference) const {
    int length = entry & kLengthMask;
    int category;
    if (length != 0) {
      category = entry >> 8;
    } else {  // a code longer than kFastBits
      const uint32_t peek = bits.Peek(16);
      length = kFastBits + 1;
      while (length <= 16 && static_cast<int32_t>(peek >> (16 - length)) > max_code_[length]) {
        ++length;
      }
      if (length > 16) return false;
      const int32_t index = static_cast<int32_t>(peek >> (16 - length)) + value_offset_[length];
      if (index < 0 || index >= static_cast<int32_t>(symbols_.size())) return false;
      category = symbols_[index];
    }
    bits.Skip(length);
    if (category == 0) {
      *difference = 0;
    } else if (category == 16) {
      *difference = 32768;  // T.81 H.1.2.2: no additional bits
    } else if (category > 16) {
      return false;
    } else {
      *difference = Extend(bits.Read(category), category);
    }
    return true;
  }

  std::vector<int32_t> fast_;
  std::vector<uint8_t> symbols_;
  std::array<int32_t, 18> max_code_{};  // largest code of each length, -1: none
  std::array<int32_t, 17> value_offset_{};
};

}  // namespace jpeg_lossless
}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_JPEG_LOSSLESS_HUFFMAN_H_
