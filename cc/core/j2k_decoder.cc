#include "cc/core/j2k_decoder.h"

#include <openjpeg.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>

#include "cc/core/concurrency.h"

namespace tfdicom {
namespace {

// The codestream in memory, read by OpenJPEG through these callbacks.
struct MemoryStream {
  const uint8_t* data;
  size_t size;
  size_t position;
};

OPJ_SIZE_T Read(void* buffer, OPJ_SIZE_T bytes, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (s->position >= s->size) return static_cast<OPJ_SIZE_T>(-1);
  const size_t n = std::min<size_t>(bytes, s->size - s->position);
  std::memcpy(buffer, s->data + s->position, n);
  s->position += n;
  return n;
}

OPJ_OFF_T Skip(OPJ_OFF_T bytes, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  const OPJ_OFF_T target = std::clamp<OPJ_OFF_T>(static_cast<OPJ_OFF_T>(s->position) + bytes, 0,
                                                  static_cast<OPJ_OFF_T>(s->size));
  const OPJ_OFF_T moved = target - static_cast<OPJ_OFF_T>(s->position);
  s->position = static_cast<size_t>(target);
  return moved;
}

OPJ_BOOL Seek(OPJ_OFF_T position, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (position < 0 || static_cast<size_t>(position) > s->size) return OPJ_FALSE;
  s->position = static_cast<size_t>(position);
  return OPJ_TRUE;
}

void KeepError(const char* message, void* user) {
  auto* errors = static_cast<std::string*>(user);
  if (!errors->empty()) *errors += "; ";
  std::string text(message);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  *errors += text;
}

void Ignore(const char*, void*) {}

struct CodecDeleter {
  void operator()(opj_codec_t* c) const { opj_destroy_codec(c); }
};
struct StreamDeleter {
  void operator()(opj_stream_t* s) const { opj_stream_destroy(s); }
};
struct ImageDeleter {
  void operator()(opj_image_t* i) const { opj_image_destroy(i); }
};

bool IsJp2(std::string_view data) {
  static constexpr unsigned char kJp2Signature[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50,
                                                    0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A};
  return data.size() >= sizeof(kJp2Signature) &&
         std::memcmp(data.data(), kJp2Signature, sizeof(kJp2Signature)) == 0;
}

// The component count is a template parameter so that the grey case
// compiles to a vector loop (a plain copy-and-narrow).
template <uint32_t kComponents, typename T>
void InterleaveN(const opj_image_t& image, uint32_t pixels, T* out) {
  for (uint32_t c = 0; c < kComponents; ++c) {
    const OPJ_INT32* in = image.comps[c].data;
    for (uint32_t p = 0; p < pixels; ++p) out[size_t{p} * kComponents + c] = static_cast<T>(in[p]);
  }
}

template <typename T>
void Interleave(const opj_image_t& image, uint32_t pixels, T* out) {
  if (image.numcomps == 1) return InterleaveN<1>(image, pixels, out);
  if (image.numcomps == 3) return InterleaveN<3>(image, pixels, out);
  const uint32_t n = image.numcomps;
  for (uint32_t c = 0; c < n; ++c) {
    const OPJ_INT32* in = image.comps[c].data;
    for (uint32_t p = 0; p < pixels; ++p) out[size_t{p} * n + c] = static_cast<T>(in[p]);
  }
}

// OpenJPEG decodes code blocks (and, in 2.5, the inverse wavelet) on a
// thread pool that it starts per codec. Two threads on a 12-bit lossless
// frame with the second core free: 128x128 2.3 -> 1.6 ms, 512x512 36 ->
// 19 ms, 3000x3000 460 -> 255 ms. With the second core busy elsewhere,
// small frames lose (128x128 2.4 -> 3-5 ms, waiting on a descheduled
// worker) while from 512x512 up it comes out even: threads from there on.
constexpr size_t kMinSamplesForThreads = 512 * 512;

int OpenJpegThreads(const FrameLayout& layout) {
  const size_t samples = size_t{layout.rows} * layout.columns * layout.samples_per_pixel;
  return samples >= kMinSamplesForThreads ? DecodeThreadBudget() : 1;
}

std::atomic<uint64_t> openjpeg_frames{0};
std::atomic<uint64_t> openjpeg_threaded_frames{0};

Status DecodeWithOpenJpeg(std::string_view codestream, const FrameLayout& layout, void* out,
                          size_t out_size) {
  if (codestream.size() < 4) {
    return DataLoss("JPEG 2000 codestream of " + std::to_string(codestream.size()) + " bytes");
  }
  std::string errors;
  std::unique_ptr<opj_codec_t, CodecDeleter> codec(
      opj_create_decompress(IsJp2(codestream) ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
  if (!codec) return Internal("OpenJPEG cannot create a decoder");
  opj_set_error_handler(codec.get(), KeepError, &errors);
  opj_set_warning_handler(codec.get(), Ignore, nullptr);
  opj_set_info_handler(codec.get(), Ignore, nullptr);
  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  if (!opj_setup_decoder(codec.get(), &parameters)) {
    return Internal("OpenJPEG cannot set up its decoder: " + errors);
  }
  // A truncated codestream is an error, not a partial image.
  opj_decoder_set_strict_mode(codec.get(), OPJ_TRUE);
  // Without a pool (an OpenJPEG built without threads) it decodes alone.
  const int threads = OpenJpegThreads(layout);
  if (threads > 1 && opj_codec_set_threads(codec.get(), threads)) {
    openjpeg_threaded_frames.fetch_add(1, std::memory_order_relaxed);
  }

  MemoryStream memory{reinterpret_cast<const uint8_t*>(codestream.data()), codestream.size(), 0};
  std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_create(1 << 16, OPJ_TRUE));
  if (!stream) return Internal("OpenJPEG cannot create a stream");
  opj_stream_set_user_data(stream.get(), &memory, nullptr);
  opj_stream_set_user_data_length(stream.get(), codestream.size());
  opj_stream_set_read_function(stream.get(), Read);
  opj_stream_set_skip_function(stream.get(), Skip);
  opj_stream_set_seek_function(stream.get(), Seek);

  opj_image_t* raw_image = nullptr;
  if (!opj_read_header(stream.get(), codec.get(), &raw_image)) {
    opj_image_destroy(raw_image);
    return DataLoss("invalid JPEG 2000 codestream header (OpenJPEG: " + errors + ")");
  }
  std::unique_ptr<opj_image_t, ImageDeleter> image(raw_image);
  if (!opj_decode(codec.get(), stream.get(), image.get()) ||
      !opj_end_decompress(codec.get(), stream.get())) {
    return DataLoss("corrupt or truncated JPEG 2000 codestream (OpenJPEG: " + errors + ")");
  }

  const uint32_t pixels = layout.rows * layout.columns;
  if (image->numcomps != layout.samples_per_pixel) {
    return DataLoss("the JPEG 2000 codestream has " + std::to_string(image->numcomps) +
                    " component(s), (0028,0002) SamplesPerPixel says " +
                    std::to_string(layout.samples_per_pixel));
  }
  for (uint32_t c = 0; c < image->numcomps; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (comp.w != layout.columns || comp.h != layout.rows || comp.data == nullptr) {
      return DataLoss("the JPEG 2000 codestream's component " + std::to_string(c) + " is " +
                      std::to_string(comp.w) + "x" + std::to_string(comp.h) +
                      " (columns x rows), the header says " + std::to_string(layout.columns) +
                      "x" + std::to_string(layout.rows));
    }
    if (comp.prec > layout.bits_allocated) {
      return DataLoss("the JPEG 2000 codestream has " + std::to_string(comp.prec) +
                      "-bit samples, more than (0028,0100) BitsAllocated=" +
                      std::to_string(layout.bits_allocated));
    }
  }
  const size_t needed = static_cast<size_t>(pixels) * image->numcomps * (layout.bits_allocated / 8);
  if (out_size < needed) return Internal("frame buffer too small for the JPEG 2000 frame");
  if (layout.bits_allocated == 8) {
    Interleave(*image, pixels, static_cast<uint8_t*>(out));
  } else if (layout.bits_allocated == 16) {
    Interleave(*image, pixels, static_cast<uint16_t*>(out));
  } else {
    return Unimplemented("JPEG 2000 with (0028,0100) BitsAllocated=" +
                         std::to_string(layout.bits_allocated));
  }
  return OkStatus();
}

}  // namespace

Status DecodeJ2kFrame(std::string_view codestream, const FrameLayout& layout, void* out,
                      size_t out_size) {
  const Status status = DecodeWithOpenJpeg(codestream, layout, out, out_size);
  if (status.ok()) openjpeg_frames.fetch_add(1, std::memory_order_relaxed);
  return status;
}

J2kDecodersUsed J2kDecoderCounts() {
  return {openjpeg_frames.load(std::memory_order_relaxed),
          openjpeg_threaded_frames.load(std::memory_order_relaxed)};
}

}  // namespace tfdicom
