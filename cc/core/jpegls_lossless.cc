// Map of this file:
//   1. BitReader: 64-bit cache over the entropy-coded data, with JPEG-LS bit
//      stuffing and CharLS's rules for where the data ends.
//   2. Quantisation tables (gradient -> -4..4), cached for the default
//      thresholds of each bit depth.
//   3. ScanDecoder: one scan (one component) line by line: regular mode,
//      run mode, restart intervals.
//   4. The marker-segment parser and DecodeJpegLsLossless.
// Where CharLS's behaviour on odd input is hard to mirror exactly (it
// accepts some corrupt streams and rejects others by the state of its bit
// cache), this decoder answers kCorrupt and lets CharLS decide: it only ever
// returns kDecoded for streams CharLS decodes to the same samples.
#include "cc/core/jpegls_lossless.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

namespace tfdicom {
namespace {

#define TFDICOM_LIKELY(x) __builtin_expect(!!(x), 1)
#define TFDICOM_UNLIKELY(x) __builtin_expect(!!(x), 0)
// The hot loop keeps the bit reader in local variables (registers) only if
// every function that touches it is inlined.
#define TFDICOM_INLINE inline __attribute__((always_inline))

// T.87 A.2.1: the order of run lengths coded by one bit, by run index.
constexpr std::array<int, 32> kJ = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,  2,  3,  3,  3,  3,
                                    4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15};

bool IsMarkerAt(const uint8_t* p, const uint8_t* end) {
  // As CharLS: 0xFF followed by a byte with its high bit set, or a final 0xFF.
  return p < end && *p == 0xFF && (p + 1 == end || (p[1] & 0x80) != 0);
}

// ---------------------------------------------------------------------------
// 1. Bits. The cache holds `bits_` valid bits, most significant first. As in
// CharLS, an 0xFF byte adds only 7 to `bits_` and the next byte is OR-ed one
// bit higher, its stuffed 0 high bit landing on the 0xFF's last bit. Past the
// end of the data (the next marker) zero bits are appended and counted in
// `pad_bits_`, so that over-reading is found at the end rather than checked
// for every code.
class BitReader {
 public:
  void Start(const uint8_t* p, const uint8_t* end) {
    p_ = p;
    end_ = end;
    buf_ = 0;
    bits_ = 0;
    pad_bits_ = 0;
    marker_ = nullptr;
    FindFf();
    Refill();
  }

  // Afterwards 56 to 63 bits are valid (never 64: the shifts stay defined).
  TFDICOM_INLINE void Refill() {
    if (TFDICOM_LIKELY(p_ + 8 <= ff_)) {
      // No 0xFF in the next 8 bytes: take as many whole bytes as fit.
      uint64_t v;
      std::memcpy(&v, p_, 8);
      buf_ |= __builtin_bswap64(v) >> bits_;
      const int n = (63 - bits_) >> 3;
      p_ += n;
      bits_ += n * 8;
      return;
    }
    RefillSlow();
  }

  int bits() const { return bits_; }
  uint64_t buf() const { return buf_; }
  TFDICOM_INLINE void Skip(int n) {  // 0 <= n < 64, n <= bits()
    buf_ <<= n;
    bits_ -= n;
  }
  TFDICOM_INLINE uint32_t Read(int n) {  // 1 <= n <= 32, refilled as needed
    if (bits_ < n) Refill();
    const uint32_t v = static_cast<uint32_t>(buf_ >> (64 - n));
    Skip(n);
    return v;
  }
  TFDICOM_INLINE bool ReadBit() {
    if (bits_ < 1) Refill();
    const bool bit = (buf_ >> 63) != 0;
    Skip(1);
    return bit;
  }

  // After the last code of a scan or restart interval: true when no bit was
  // read past the data, the unread bits are zero and lie in the last byte
  // before the marker (the bits of byte m-1 are its 8 window bits, counting
  // a preceding 0xFF's last bit). Returns the marker's position in *marker.
  // `strict` (before a restart marker) also refuses the case where CharLS
  // may not yet have loaded that last byte and would not find the marker.
  bool AtEnd(bool strict, const uint8_t* begin, const uint8_t** marker) const {
    const int real = bits_ - pad_bits_;
    if (real < 0 || real >= 8) return false;
    if (real > 0 && (buf_ >> (64 - real)) != 0) return false;
    const uint8_t* m = marker_;
    if (m == nullptr) {
      if (!IsMarkerAt(p_, end_)) return false;
      m = p_;
    }
    if (m == end_) return false;  // the data ran to the end: no marker follows
    if (strict && real == 7 && m - 2 >= begin && m[-2] == 0xFF) return false;
    *marker = m;
    return true;
  }

 private:
  TFDICOM_INLINE void FindFf() {
    const void* ff = std::memchr(p_, 0xFF, static_cast<size_t>(end_ - p_));
    ff_ = ff != nullptr ? static_cast<const uint8_t*>(ff) : end_;
  }

  TFDICOM_INLINE void RefillSlow() {
    while (bits_ < 56) {
      if (marker_ != nullptr) {
        // Zero padding; drop any bytes the fast path loaded ahead (there
        // are none once the marker is reached, but keep it plain).
        buf_ &= bits_ == 0 ? 0 : ~(~uint64_t{0} >> bits_);
        bits_ += 8;
        pad_bits_ += 8;
        continue;
      }
      if (p_ == end_ || IsMarkerAt(p_, end_)) {
        marker_ = p_;
        continue;
      }
      const uint8_t byte = *p_++;
      buf_ |= static_cast<uint64_t>(byte) << (56 - bits_);
      bits_ += byte == 0xFF ? 7 : 8;
    }
    if (marker_ == nullptr && p_ > ff_) FindFf();
  }

  uint64_t buf_ = 0;
  int bits_ = 0;
  int pad_bits_ = 0;
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  const uint8_t* ff_ = nullptr;      // the next 0xFF at or after p_, or end_
  const uint8_t* marker_ = nullptr;  // where the data ended, once reached
};

// ---------------------------------------------------------------------------
// 2. Gradient quantisation (T.87 A.3.3), a table over -range..range-1.
struct Thresholds {
  int t1, t2, t3, reset;
};

int8_t Quantize(int d, const Thresholds& t) {
  if (d <= -t.t3) return -4;
  if (d <= -t.t2) return -3;
  if (d <= -t.t1) return -2;
  if (d < 0) return -1;
  if (d == 0) return 0;
  if (d < t.t1) return 1;
  if (d < t.t2) return 2;
  if (d < t.t3) return 3;
  return 4;
}

std::vector<int8_t> MakeQuantizationTable(int bits, const Thresholds& t) {
  const int range = 1 << bits;
  std::vector<int8_t> table(2 * static_cast<size_t>(range));
  for (int i = 0; i < 2 * range; ++i) table[i] = Quantize(i - range, t);
  return table;
}

// CharLS's compute_default (T.87 C.2.4.1.1) for NEAR=0 and MAXVAL=2^bits-1.
Thresholds DefaultThresholds(int maxval) {
  constexpr int kT1 = 3, kT2 = 7, kT3 = 21, kReset = 64;
  auto clamp = [maxval](int i, int j) { return i > maxval || i < j ? j : i; };
  if (maxval >= 128) {
    const int factor = (std::min(maxval, 4095) + 128) / 256;
    const int t1 = clamp(factor * (kT1 - 2) + 2, 1);
    const int t2 = clamp(factor * (kT2 - 3) + 3, t1);
    return {t1, t2, clamp(factor * (kT3 - 4) + 4, t2), kReset};
  }
  const int factor = 256 / (maxval + 1);
  const int t1 = clamp(std::max(2, kT1 / factor), 1);
  const int t2 = clamp(std::max(3, kT2 / factor), t1);
  return {t1, t2, clamp(std::max(4, kT3 / factor), t2), kReset};
}

// The default-threshold tables, built once per bit depth (a 16-bit table
// is 128 KiB: too much to rebuild for every frame).
const int8_t* DefaultQuantizationTable(int bits) {
  static std::once_flag once[17];
  static std::vector<int8_t> tables[17];
  std::call_once(once[bits], [bits] {
    tables[bits] = MakeQuantizationTable(bits, DefaultThresholds((1 << bits) - 1));
  });
  return tables[bits].data() + (size_t{1} << bits);
}

// ---------------------------------------------------------------------------
// 3. One scan.
struct ScanParams {
  int width = 0;
  int height = 0;
  int bits = 0;  // also qbpp: MAXVAL is 2^bits-1
  Thresholds thresholds{};
  uint32_t restart_interval = 0;  // 0: none
};

// k, the Golomb parameter, is kept with the counts it derives from: found
// after each update, it is off the chain of dependencies from one sample's
// value to the next one's context.
struct RegularContext {
  int32_t a, b, c, n, k;
  int32_t padding[3];  // 32 bytes: the index is a shift
};
struct RunContext {
  int32_t a, n, nn;
};

template <typename T>
class ScanDecoder {
 public:
  ScanDecoder(const ScanParams& params, const int8_t* quantize)
      : width_(params.width),
        height_(params.height),
        bits_(params.bits),
        maxval_((1 << params.bits) - 1),
        range_(1 << params.bits),
        limit_(2 * (params.bits + std::max(8, params.bits))),
        reset_(params.thresholds.reset),
        restart_interval_(params.restart_interval == 0 ||
                                  params.restart_interval > static_cast<uint32_t>(params.height)
                              ? params.height
                              : static_cast<int>(params.restart_interval)),
        q_(quantize),
        lines_(2 * (static_cast<size_t>(params.width) + 3)) {}

  // Decodes the scan starting at `data` into out[(y*width+x)*stride], and
  // returns where its closing marker starts, or nullptr.
  const uint8_t* Decode(const uint8_t* data, const uint8_t* end, T* out, size_t stride) {
    int line = 0;
    const uint8_t* begin = data;
    for (int interval = 0;; ++interval) {
      ResetState();
      reader_.Start(begin, end);
      const int last = std::min(height_, line + restart_interval_);
      for (; line < last; ++line) {
        T* prev = lines_.data() + 1 + (line & 1) * (width_ + 3);
        T* cur = lines_.data() + 1 + ((line + 1) & 1) * (width_ + 3);
        prev[width_] = prev[width_ - 1];
        cur[-1] = prev[0];
        DecodeLine(prev, cur);
        if (TFDICOM_UNLIKELY(failed_)) return nullptr;
        T* row = out + static_cast<size_t>(line) * width_ * stride;
        if (stride == 1) {
          std::memcpy(row, cur, static_cast<size_t>(width_) * sizeof(T));
        } else {
          for (int x = 0; x < width_; ++x) row[x * stride] = cur[x];
        }
      }
      const uint8_t* marker = nullptr;
      const bool more = line < height_;
      if (!reader_.AtEnd(more, begin, &marker)) return nullptr;
      if (!more) return marker;
      // RSTm, m counting 0..7 (CharLS skips fill 0xFF bytes before it).
      const uint8_t* p = marker + 1;
      while (p < end && *p == 0xFF) ++p;
      if (p == end || *p != 0xD0 + (interval & 7)) return nullptr;
      begin = p + 1;
    }
  }

 private:
  void ResetState() {
    const int a = std::max(2, (range_ + 32) / 64);
    for (RegularContext& c : contexts_) c = {a, 0, 0, 1, GolombK(1, a), {}};
    run_contexts_[0] = {a, 1, 0};
    run_contexts_[1] = {a, 1, 0};
    run_index_ = 0;
    std::fill(lines_.begin(), lines_.end(), T{0});
  }

  TFDICOM_INLINE void DecodeLine(const T* prev, T* cur) {
    BitReader r = reader_;
    int x = 0;
    int ra = cur[-1];  // carried in a register, not reloaded from cur
    int rb = prev[-1];
    int rd = prev[0];
    while (x < width_) {
      const int rc = rb;
      rb = rd;
      rd = prev[x + 1];
      const int qs = q_[rd - rb] * 81 + q_[rb - rc] * 9 + q_[rc - ra];
      if (TFDICOM_LIKELY(qs != 0)) {
        ra = Regular(r, qs, ra, rb, rc);
        cur[x] = static_cast<T>(ra);
        ++x;
      } else {
        x += RunMode(r, x, prev, cur);
        ra = cur[x - 1];
        rb = prev[x - 1];
        rd = prev[x];
      }
    }
    reader_ = r;
  }

  static inline int Predict(int ra, int rb, int rc) {
    // T.87 A.4.1, the median edge detector.
    // As the median of Ra, Rb and Ra+Rb-Rc (the same thing), in min/max
    // that compile to conditional moves: branches mispredict on noise.
    return std::max(std::min(ra, rb), std::min(std::max(ra, rb), ra + rb - rc));
  }

  // The mapped error value (T.87 A.5.3): `unary_limit` zeros announce an
  // escape, a qbpp-bit value minus one.
  TFDICOM_INLINE int ReadMapped(BitReader& r, int k, int unary_limit) {
    // Refilled for every code: a test of the bit count would mispredict.
    r.Refill();
    const uint64_t buf = r.buf();
    const int z = __builtin_clzll(buf | 1);
    if (TFDICOM_LIKELY(z < unary_limit && z + 1 + k <= r.bits())) {
      // (buf << z) >> (63 - k) is the terminating 1 and k bits, 2^k + low
      // bits: adding (z - 1) * 2^k (wrapping) makes z * 2^k + low bits.
      const int value = static_cast<int>(static_cast<uint32_t>((buf << z) >> (63 - k)) +
                                         (static_cast<uint32_t>(z - 1) << k));
      r.Skip(z + 1 + k);
      return value;
    }
    return ReadMappedSlow(r, k, unary_limit);
  }

  TFDICOM_INLINE int ReadMappedSlow(BitReader& r, int k, int unary_limit) {
    r.Refill();  // >= 56 bits: more than any unary_limit
    const int z = __builtin_clzll(r.buf() | 1);
    if (z > unary_limit) {
      // CharLS reads on; the standard forbids it. Let CharLS decide.
      failed_ = true;
      return 0;
    }
    r.Skip(z + 1);
    if (z == unary_limit) return static_cast<int>(r.Read(bits_)) + 1;
    return k == 0 ? z : (z << k) + static_cast<int>(r.Read(k));
  }

  // T.87 A.10 (Golomb parameter): the least k with N << k >= A.
  // Without a loop: k0 = bitlen(A) - bitlen(N) puts N << k0 within a
  // factor of two of A, so k is k0 or k0 + 1.
  static inline int GolombK(int32_t n, int32_t a) {
    const uint32_t un = static_cast<uint32_t>(n), ua = static_cast<uint32_t>(a);
    int k = __builtin_clz(un) - __builtin_clz(ua | 1);
    k = std::max(k, 0);
    return k + ((un << k) < ua);
  }

  TFDICOM_INLINE int Regular(BitReader& r, int qs, int ra, int rb, int rc) {
    const int sign = qs >> 31;
    RegularContext& ctx = contexts_[(qs ^ sign) - sign];
    // The context in locals, read once and written once (the compiler
    // cannot keep the fields in registers across the stores to the line).
    const int k = ctx.k;
    int a = ctx.a, b = ctx.b, c = ctx.c, n = ctx.n;
    int predicted = Predict(ra, rb, rc) + ((c ^ sign) - sign);
    predicted = std::min(std::max(predicted, 0), maxval_);  // CharLS's correct_prediction
    const int mapped = ReadMapped(r, k, limit_ - bits_ - 1);
    // An error of RANGE or more is never encoded; CharLS would either refuse
    // it or reconstruct it in another way than the mask below.
    if (TFDICOM_UNLIKELY(mapped > 2 * range_ - 5)) failed_ = true;
    int error = (mapped >> 1) ^ -(mapped & 1);
    error ^= ((2 * b + n - 1) >> 31) & -(k == 0);  // A.12's correction for k = 0

    // T.87 A.12 and A.13, in CharLS's order (its overflow check included),
    // as selects rather than branches: they mispredict on noise.
    a += error < 0 ? -error : error;
    b += error;
    if (TFDICOM_UNLIKELY(a >= (1 << 24))) failed_ = true;
    const int halve = n == reset_;
    a >>= halve;
    b >>= halve;
    n = (n >> halve) + 1;
    // B + N <= 0 moves B up by N (to at least 1-N) and C down; B > 0 moves
    // B down by N (to at most 0) and C up. Otherwise B is already within
    // [1-N, 0], so one clamp serves all three cases.
    const int down = b + n <= 0;
    const int up = b > 0;
    b = std::min(std::max(b + (down - up) * n, 1 - n), 0);
    c += (up & (c < 127)) - (down & (c > -128));
    int next_k = GolombK(n, a);
    if (TFDICOM_UNLIKELY(next_k >= 16)) {  // CharLS: invalid_encoded_data, if used again
      failed_ = true;
      next_k = 0;
    }
    ctx = {a, b, c, n, next_k, {}};

    error = (error ^ sign) - sign;
    return (predicted + error) & maxval_;
  }

  // Run mode (T.87 A.7) from x; returns the samples decoded.
  TFDICOM_INLINE int RunMode(BitReader& r, int x, const T* prev, T* cur) {
    const T ra = cur[x - 1];
    const int remaining = width_ - x;
    int length = 0;
    while (r.ReadBit()) {
      const int step = 1 << kJ[run_index_];
      const int count = std::min(step, remaining - length);
      length += count;
      if (count == step) run_index_ = std::min(31, run_index_ + 1);
      if (length == remaining) break;
    }
    if (length != remaining && kJ[run_index_] > 0) {
      length += static_cast<int>(r.Read(kJ[run_index_]));
    }
    if (TFDICOM_UNLIKELY(length > remaining)) {
      failed_ = true;
      length = remaining;
    }
    std::fill(cur + x, cur + x + length, ra);
    if (length == remaining) return length;

    const int end = x + length;
    const int rb = prev[end];
    int value;
    if (ra == rb) {
      value = ra + RunInterruptionError(r, run_contexts_[1], 1);
    } else {
      const int error = RunInterruptionError(r, run_contexts_[0], 0);
      value = rb + (rb > ra ? error : -error);
    }
    cur[end] = static_cast<T>(value & maxval_);
    run_index_ = std::max(0, run_index_ - 1);
    return length + 1;
  }

  // T.87 A.7.2: the error of the sample that ends a run.
  TFDICOM_INLINE int RunInterruptionError(BitReader& r, RunContext& ctx, int type) {
    const int temp_a = ctx.a + (ctx.n >> 1) * type;
    int k = 0;
    while ((int64_t{ctx.n} << k) < temp_a) ++k;
    if (TFDICOM_UNLIKELY(k > 16)) {  // never in a valid stream; keeps the shifts defined
      failed_ = true;
      k = 0;
    }
    const int mapped = ReadMapped(r, k, limit_ - kJ[run_index_] - 1 - bits_ - 1);
    const int temp = mapped + type;
    const int map = temp & 1;
    const int magnitude = (temp + map) / 2;
    if (TFDICOM_UNLIKELY(magnitude >= range_)) failed_ = true;  // see Regular
    const int error = ((k != 0 || 2 * ctx.nn >= ctx.n) == (map != 0)) ? -magnitude : magnitude;
    if (error < 0) ++ctx.nn;
    ctx.a += (mapped + 1 - type) >> 1;
    if (ctx.n == reset_) {
      ctx.a >>= 1;
      ctx.n >>= 1;
      ctx.nn >>= 1;
    }
    ++ctx.n;
    return error;
  }

  const int width_, height_, bits_, maxval_, range_, limit_, reset_, restart_interval_;
  const int8_t* const q_;
  std::vector<T> lines_;  // two lines, each with one sample either side
  std::array<RegularContext, 365> contexts_{};
  std::array<RunContext, 2> run_contexts_{};
  int run_index_ = 0;
  bool failed_ = false;
  BitReader reader_;
};

// ---------------------------------------------------------------------------
// 4. Marker segments. Only the layouts this decoder handles are accepted;
// everything else is kUnsupported, for CharLS.
struct Cursor {
  const uint8_t* p;
  const uint8_t* end;
  bool Has(size_t n) const { return static_cast<size_t>(end - p) >= n; }
  int U8() { return *p++; }
  int U16() {
    const int v = (p[0] << 8) | p[1];
    p += 2;
    return v;
  }
  // The next marker's code (after fill 0xFF bytes), or -1.
  int Marker() {
    if (!Has(2) || *p != 0xFF) return -1;
    while (p < end && *p == 0xFF) ++p;
    return p < end ? *p++ : -1;
  }
};

// Reads an SOS segment (after its marker): one component, no mapping
// table, NEAR=0, ILV=0, no point transform.
bool ReadScanHeader(Cursor& c) {
  if (!c.Has(2)) return false;
  const int length = c.U16();
  if (length != 8 || !c.Has(6)) return false;
  const int count = c.U8();
  c.U8();  // component selector: CharLS decodes the scans in order
  const int mapping_table = c.U8();
  const int near = c.U8();
  const int interleave = c.U8();
  const int point_transform = c.U8();
  return count == 1 && mapping_table == 0 && near == 0 && interleave == 0 && point_transform == 0;
}

template <typename T>
JlsFastResult DecodeScans(Cursor c, const ScanParams& params, const int8_t* quantize,
                          uint32_t components, T* out) {
  for (uint32_t i = 0; i < components; ++i) {
    if (i > 0 && (c.Marker() != 0xDA || !ReadScanHeader(c))) return JlsFastResult::kCorrupt;
    ScanDecoder<T> decoder(params, quantize);  // fresh contexts for each scan
    const uint8_t* marker = decoder.Decode(c.p, c.end, out + i, components);
    if (marker == nullptr) return JlsFastResult::kCorrupt;
    c.p = marker;
  }
  return c.Marker() == 0xD9 ? JlsFastResult::kDecoded : JlsFastResult::kCorrupt;
}

}  // namespace

JlsFastResult DecodeJpegLsLossless(std::string_view codestream, uint32_t rows, uint32_t columns,
                                   uint32_t components, uint32_t sample_bytes, void* out,
                                   size_t out_size) {
  constexpr auto kUnsupported = JlsFastResult::kUnsupported;
  const auto* data = reinterpret_cast<const uint8_t*>(codestream.data());
  Cursor c{data, data + codestream.size()};
  if (c.Marker() != 0xD8) return kUnsupported;

  ScanParams params;
  int lse_maxval = 0;
  Thresholds lse{0, 0, 0, 0};
  bool frame_seen = false;
  for (;;) {
    const int marker = c.Marker();
    if (marker < 0 || !c.Has(2)) return kUnsupported;
    const int length = c.U16();
    if (length < 2 || !c.Has(length - 2)) return kUnsupported;
    Cursor segment{c.p, c.p + length - 2};
    if (marker == 0xF7) {  // SOF55
      if (frame_seen || length != 8 + 3 * static_cast<int>(components)) return kUnsupported;
      params.bits = segment.U8();
      params.height = segment.U16();
      params.width = segment.U16();
      if (static_cast<uint32_t>(segment.U8()) != components) return kUnsupported;
      for (uint32_t i = 0; i < components; ++i) {
        segment.U8();
        if (segment.U8() != 0x11) return kUnsupported;  // sampling factors
        segment.U8();
      }
      frame_seen = true;
    } else if (marker == 0xF8) {  // LSE: only preset coding parameters
      if (length != 13 || segment.U8() != 1) return kUnsupported;
      lse_maxval = segment.U16();
      lse.t1 = segment.U16();
      lse.t2 = segment.U16();
      lse.t3 = segment.U16();
      lse.reset = segment.U16();
    } else if (marker == 0xDD) {  // DRI, the 2-byte form
      if (length != 4) return kUnsupported;
      params.restart_interval = segment.U16();
    } else if ((marker >= 0xE0 && marker <= 0xEF && marker != 0xE8) || marker == 0xFE) {
      // APPn, COM: skipped (APP8 may be SPIFF or a colour transform: CharLS).
    } else if (marker == 0xDA) {
      c.p -= 2;
      if (!frame_seen || !ReadScanHeader(c)) return kUnsupported;
      break;
    } else {
      return kUnsupported;
    }
    c.p += length - 2;
  }

  const int bits = params.bits;
  if (bits < 2 || bits > 16 || (bits <= 8 ? 1u : 2u) != sample_bytes ||
      static_cast<uint32_t>(params.width) != columns || static_cast<uint32_t>(params.height) != rows ||
      rows == 0 || columns == 0 || components == 0 || components > 4) {
    return kUnsupported;
  }
  const size_t size = size_t{rows} * columns * components * sample_bytes;
  if (size > out_size) return kUnsupported;

  // Preset parameters as CharLS validates them (jpegls_preset_coding_parameters.h
  // is_valid), restricted to the full MAXVAL and a RESET that fits CharLS's
  // 8-bit run-context counters.
  const int maxval = (1 << bits) - 1;
  if (lse_maxval != 0 && lse_maxval != maxval) return kUnsupported;
  const Thresholds defaults = DefaultThresholds(maxval);
  Thresholds& t = params.thresholds;
  t.t1 = lse.t1 != 0 ? lse.t1 : defaults.t1;
  t.t2 = lse.t2 != 0 ? lse.t2 : defaults.t2;
  t.t3 = lse.t3 != 0 ? lse.t3 : defaults.t3;
  t.reset = lse.reset != 0 ? lse.reset : defaults.reset;
  if ((lse.t1 != 0 && (lse.t1 < 1 || lse.t1 > maxval)) ||
      (lse.t2 != 0 && (lse.t2 < t.t1 || lse.t2 > maxval)) ||
      (lse.t3 != 0 && (lse.t3 < t.t2 || lse.t3 > maxval)) ||
      (lse.reset != 0 && (lse.reset < 3 || lse.reset > 255))) {
    return kUnsupported;
  }

  std::vector<int8_t> custom;
  const int8_t* quantize;
  if (t.t1 == defaults.t1 && t.t2 == defaults.t2 && t.t3 == defaults.t3) {
    quantize = DefaultQuantizationTable(bits);
  } else {
    custom = MakeQuantizationTable(bits, t);
    quantize = custom.data() + (size_t{1} << bits);
  }
  if (sample_bytes == 1) {
    return DecodeScans(c, params, quantize, components, static_cast<uint8_t*>(out));
  }
  return DecodeScans(c, params, quantize, components, static_cast<uint16_t*>(out));
}

}  // namespace tfdicom
