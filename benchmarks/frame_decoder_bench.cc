// One frame decoder called directly in a loop, without DCMTK, Python or the
// output conversion around it: what the codec itself costs.
//
//   python benchmarks/extract_frame.py FILE.dcm /tmp/frame.bin   # prints the layout
//   g++ -O3 -DNDEBUG -std=c++17 -I. benchmarks/frame_decoder_bench.cc cc/core/rle_decoder.cc \
//       cc/core/jpegls_decoder.cc cc/core/status.cc -lcharls -o /tmp/frame_bench
//   /tmp/frame_bench rle|jpegls /tmp/frame.bin ROWS COLUMNS SAMPLES BITS [ITERATIONS]
//
// Prints the median and fastest time per decode and a checksum of the
// output (to compare two builds bit for bit).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cc/core/jpegls_decoder.h"
#include "cc/core/rle_decoder.h"

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s rle|jpegls FRAME ROWS COLUMNS SAMPLES BITS [ITERATIONS]\n",
                 argv[0]);
    return 2;
  }
  const std::string codec = argv[1];
  std::ifstream file(argv[2], std::ios::binary);
  const std::string codestream((std::istreambuf_iterator<char>(file)), {});
  tfdicom::FrameLayout layout;
  layout.rows = std::atoi(argv[3]);
  layout.columns = std::atoi(argv[4]);
  layout.samples_per_pixel = std::atoi(argv[5]);
  layout.bits_allocated = std::atoi(argv[6]);
  const int iterations = argc > 7 ? std::atoi(argv[7]) : 1000;
  // Allocated once, as a caller that reuses its frame buffer would.
  std::vector<uint8_t> out(static_cast<size_t>(layout.rows) * layout.columns *
                           layout.samples_per_pixel * (layout.bits_allocated / 8));
  std::vector<double> ms;
  for (int i = 0; i < iterations; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const tfdicom::Status status =
        codec == "rle" ? tfdicom::DecodeRleFrame(codestream, layout, out.data(), out.size())
                       : tfdicom::DecodeJpegLsFrame(codestream, layout, out.data(), out.size());
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                           start).count());
    if (!status.ok()) {
      std::fprintf(stderr, "%s\n", status.message().c_str());
      return 1;
    }
  }
  uint64_t checksum = 0;
  for (size_t i = 0; i < out.size(); ++i) checksum = checksum * 1099511628211ULL + out[i];
  std::sort(ms.begin(), ms.end());
  std::printf("%s %s: median %.4f ms, fastest %.4f ms over %d decodes, checksum %016llx\n",
              codec.c_str(), argv[2], ms[ms.size() / 2], ms[0], iterations,
              static_cast<unsigned long long>(checksum));
  return 0;
}
