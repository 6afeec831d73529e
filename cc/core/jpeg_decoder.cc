#include "cc/core/jpeg_decoder.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <jpeglib.h>

namespace tfdicom {
namespace {

struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void OnError(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

void OnMessage(j_common_ptr, int) {}  // warnings and traces: silent

// Decodes with the libjpeg API; no C++ object lives across the setjmp.
bool Decode(const unsigned char* data, size_t size, const FrameLayout& layout, bool to_rgb,
            unsigned char* out, char* error, bool* geometry_ok) {
  jpeg_decompress_struct cinfo;
  ErrorManager errors;
  cinfo.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = OnError;
  errors.base.emit_message = OnMessage;
  errors.message[0] = '\0';
  if (setjmp(errors.jump)) {
    std::snprintf(error, JMSG_LENGTH_MAX, "%s", errors.message);
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.num_components == 3) {
    // Trust the header, as DCMTK does: YBR_* is YCbCr to convert, RGB is RGB.
    cinfo.jpeg_color_space = to_rgb ? JCS_YCbCr : JCS_RGB;
    cinfo.out_color_space = JCS_RGB;
  } else {
    cinfo.out_color_space = JCS_GRAYSCALE;
  }
  jpeg_start_decompress(&cinfo);
  *geometry_ok = cinfo.output_width == layout.columns && cinfo.output_height == layout.rows &&
                 static_cast<uint32_t>(cinfo.output_components) == layout.samples_per_pixel;
  if (!*geometry_ok) {
    std::snprintf(error, JMSG_LENGTH_MAX,
                  "the JPEG frame is %ux%u with %d component(s), the header says %ux%u with %u",
                  cinfo.output_width, cinfo.output_height, cinfo.output_components,
                  layout.columns, layout.rows, layout.samples_per_pixel);
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  const size_t stride = static_cast<size_t>(cinfo.output_width) * cinfo.output_components;
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out + static_cast<size_t>(cinfo.output_scanline) * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

}  // namespace

Status DecodeJpegBaselineFrame(std::string_view codestream, const FrameLayout& layout, void* out,
                               size_t out_size, std::string* color_model) {
  if (layout.bits_allocated != 8) {
    return Unimplemented("JPEG baseline with (0028,0100) BitsAllocated=" +
                         std::to_string(layout.bits_allocated) + " (expected 8)");
  }
  const size_t needed =
      static_cast<size_t>(layout.rows) * layout.columns * layout.samples_per_pixel;
  if (out_size < needed) return Internal("frame buffer too small for the JPEG frame");
  const bool to_rgb = layout.photometric.compare(0, 3, "YBR") == 0;
  char error[JMSG_LENGTH_MAX] = "";
  bool geometry_ok = true;
  if (!Decode(reinterpret_cast<const unsigned char*>(codestream.data()), codestream.size(),
              layout, to_rgb, static_cast<unsigned char*>(out), error, &geometry_ok)) {
    return DataLoss(std::string(geometry_ok ? "corrupt JPEG stream (libjpeg-turbo: " : "(") +
                    error + ")");
  }
  *color_model = (to_rgb && layout.samples_per_pixel == 3) ? "RGB" : layout.photometric;
  return OkStatus();
}

}  // namespace tfdicom
