#include "cc/core/jpegls_decoder.h"

#include <charls/charls.h>

#include "cc/core/jpegls_lossless.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace tfdicom {
namespace {

struct DecoderDeleter {
  void operator()(charls_jpegls_decoder* d) const { charls_jpegls_decoder_destroy(d); }
};

Status CharLsError(charls_jpegls_errc error, const char* what) {
  return DataLoss(std::string("corrupt JPEG-LS stream: ") + what + " (CharLS: " +
                  charls_get_error_message(error) + ")");
}

template <typename T>
void PlanarToInterleaved(const T* in, size_t pixels, uint32_t components, T* out) {
  for (uint32_t c = 0; c < components; ++c) {
    for (size_t p = 0; p < pixels; ++p) out[p * components + c] = in[c * pixels + p];
  }
}

}  // namespace

Status DecodeJpegLsFrame(std::string_view codestream, const FrameLayout& layout, void* out,
                         size_t out_size) {
  std::unique_ptr<charls_jpegls_decoder, DecoderDeleter> decoder(charls_jpegls_decoder_create());
  if (!decoder) return ResourceExhausted("cannot create a JPEG-LS decoder");
  charls_jpegls_errc error =
      charls_jpegls_decoder_set_source_buffer(decoder.get(), codestream.data(), codestream.size());
  if (error == charls::jpegls_errc::success) error = charls_jpegls_decoder_read_header(decoder.get());
  if (error != charls::jpegls_errc::success) return CharLsError(error, "cannot read its header");

  charls_frame_info info{};
  charls_interleave_mode interleave = charls::interleave_mode::none;
  error = charls_jpegls_decoder_get_frame_info(decoder.get(), &info);
  if (error == charls::jpegls_errc::success) {
    error = charls_jpegls_decoder_get_interleave_mode(decoder.get(), &interleave);
  }
  if (error != charls::jpegls_errc::success) return CharLsError(error, "cannot read its header");
  const uint32_t sample_bytes = info.bits_per_sample <= 8 ? 1 : 2;
  if (info.width != layout.columns || info.height != layout.rows ||
      static_cast<uint32_t>(info.component_count) != layout.samples_per_pixel) {
    return DataLoss("the JPEG-LS frame is " + std::to_string(info.width) + "x" +
                    std::to_string(info.height) + " with " +
                    std::to_string(info.component_count) + " component(s), the header says " +
                    std::to_string(layout.columns) + "x" + std::to_string(layout.rows) +
                    " with " + std::to_string(layout.samples_per_pixel));
  }
  if (sample_bytes * 8 != layout.bits_allocated) {
    return Unimplemented("JPEG-LS with " + std::to_string(info.bits_per_sample) +
                         "-bit samples in (0028,0100) BitsAllocated=" +
                         std::to_string(layout.bits_allocated));
  }
  size_t size = 0;
  error = charls_jpegls_decoder_get_destination_size(decoder.get(), 0, &size);
  if (error != charls::jpegls_errc::success) return CharLsError(error, "bad frame size");
  if (size > out_size) return Internal("frame buffer too small for the JPEG-LS frame");

  // The common case (lossless, one scan per component) by tfdicom's own
  // decoder, everything else, and any stream it finds wrong, by CharLS.
  // TFDICOM_JPEGLS_CHARLS=1 forces CharLS (to compare the two).
  static const bool charls_only = std::getenv("TFDICOM_JPEGLS_CHARLS") != nullptr;
  if (!charls_only && DecodeJpegLsLossless(codestream, info.height, info.width,
                                           static_cast<uint32_t>(info.component_count),
                                           sample_bytes, out, out_size) == JlsFastResult::kDecoded) {
    return OkStatus();
  }

  const bool planar = interleave == charls::interleave_mode::none && info.component_count > 1;
  std::vector<uint8_t> planes;
  void* target = out;
  if (planar) {
    planes.resize(size);
    target = planes.data();
  }
  error = charls_jpegls_decoder_decode_to_buffer(decoder.get(), target, size, 0);
  if (error != charls::jpegls_errc::success) return CharLsError(error, "cannot decode it");
  if (planar) {
    const size_t pixels = static_cast<size_t>(info.width) * info.height;
    if (sample_bytes == 1) {
      PlanarToInterleaved(planes.data(), pixels, info.component_count, static_cast<uint8_t*>(out));
    } else {
      PlanarToInterleaved(reinterpret_cast<const uint16_t*>(planes.data()), pixels,
                          info.component_count, static_cast<uint16_t*>(out));
    }
  }
  return OkStatus();
}

}  // namespace tfdicom
