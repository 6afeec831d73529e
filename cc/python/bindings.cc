// tfdicom._core: the core for NumPy users, without TensorFlow. Errors become
// the exceptions of tfdicom.errors (the one core -> Python mapping); the GIL
// is released while decoding; arrays are handed over without a copy.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cc/core/decode_data.h"
#include "cc/core/decode_image.h"
#include "cc/core/dicom_json.h"
#include "cc/core/j2k_decoder.h"
#include "cc/core/options.h"
#include "cc/core/transfer_syntax.h"
#include "cc/core/tag_path.h"

namespace py = pybind11;

namespace tfdicom {
namespace {

const char* ExceptionName(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return "InvalidDicomError";
    case Code::kUnimplemented: return "UnsupportedDicomError";
    case Code::kDataLoss: return "CorruptDicomError";
    case Code::kOutOfRange: return "DicomRangeError";
    case Code::kResourceExhausted: return "DicomTooLargeError";
    default: return "DicomInternalError";
  }
}

[[noreturn]] void Raise(const Status& status) {
  py::object errors = py::module_::import("tfdicom.errors");
  PyErr_SetString(errors.attr(ExceptionName(status.code())).ptr(), status.message().c_str());
  throw py::error_already_set();
}

void ThrowIfError(const Status& status) {
  if (!status.ok()) Raise(status);
}

// The NumPy dtype name that holds `dtype`'s bits (bfloat16 travels as uint16
// and is viewed as ml_dtypes.bfloat16 by the Python wrapper).
const char* NumpyName(DType dtype) {
  return dtype == DType::kBFloat16 ? "uint16" : DTypeName(dtype);
}

py::array ToArray(std::vector<int64_t> shape, DType dtype, void* data) {
  py::capsule owner(data, [](void* p) { std::free(p); });
  std::vector<py::ssize_t> dims(shape.begin(), shape.end());
  return py::array(py::dtype(NumpyName(dtype)), dims, data, owner);
}

// Returns (array, skip_reason): skip_reason is None unless on_error='skip'
// (or 'lossy' for errors it cannot mend) turned a failure into an empty array.
py::tuple DecodeImagePy(py::bytes data, bool color_dim, const std::string& on_error,
                        const std::string& scale, const std::string& dtype,
                        const std::string& values, uint64_t max_output_bytes) {
  DecodeOptions options;
  options.color_dim = color_dim;
  options.max_output_bytes = max_output_bytes;
  ThrowIfError(ParseOnError(on_error, &options.on_error));
  ThrowIfError(ParseScale(scale, &options.scale));
  ThrowIfError(ParseDType(dtype, &options.dtype));
  ThrowIfError(ParseValues(values, &options.values));

  char* raw = nullptr;
  Py_ssize_t size = 0;
  if (PyBytes_AsStringAndSize(data.ptr(), &raw, &size) != 0) throw py::error_already_set();
  const std::string_view contents(raw, static_cast<size_t>(size));  // kept alive by `data`
  void* buffer = nullptr;
  std::vector<int64_t> shape;
  Status status;
  {
    py::gil_scoped_release release;
    auto allocate = [&](const std::vector<int64_t>& dims) -> void* {
      uint64_t count = 1;
      for (int64_t d : dims) count *= static_cast<uint64_t>(d);
      shape = dims;
      buffer = std::malloc(std::max<uint64_t>(count * DTypeSize(options.dtype), 1));
      return buffer;
    };
    status = DecodeImage(contents, options, allocate);
  }
  if (status.ok()) return py::make_tuple(ToArray(shape, options.dtype, buffer), py::none());
  std::free(buffer);
  if (options.on_error == OnError::kStrict || !IsSkippable(status)) Raise(status);
  void* empty = std::malloc(1);
  return py::make_tuple(ToArray(EmptyShape(options), options.dtype, empty),
                        py::str(status.message()));
}

}  // namespace
}  // namespace tfdicom

// decode_dicom_data and decode_dicom_json for tfdicom.numpy.
namespace tfdicom {
namespace {

py::str Utf8ToStr(const std::string& text) {
  PyObject* object = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()),
                                          "replace");
  if (object == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(object);
}

std::string_view BytesView(const py::bytes& data) {
  char* raw = nullptr;
  Py_ssize_t size = 0;
  if (PyBytes_AsStringAndSize(data.ptr(), &raw, &size) != 0) throw py::error_already_set();
  return std::string_view(raw, static_cast<size_t>(size));  // kept alive by `data`
}

py::list DecodeDataPaths(py::bytes data, const std::vector<TagPath>& paths) {
  const std::string_view contents = BytesView(data);
  std::vector<std::string> values;
  Status status;
  {
    py::gil_scoped_release release;
    status = DecodeData(contents, paths, &values);
  }
  ThrowIfError(status);
  py::list out;
  for (const std::string& value : values) out.append(Utf8ToStr(value));
  return out;
}

// Integer tags, flattened, each (group << 16) | element.
py::list DecodeDataTagsPy(py::bytes data,
                          py::array_t<uint32_t, py::array::c_style | py::array::forcecast> tags) {
  std::vector<TagPath> paths;
  paths.reserve(static_cast<size_t>(tags.size()));
  const uint32_t* values = tags.data();
  for (py::ssize_t i = 0; i < tags.size(); ++i) paths.push_back(TagPathOf(values[i]));
  return DecodeDataPaths(data, paths);
}

// String tags (keywords, "(gggg,eeee)", paths into sequences), flattened.
// A malformed tag is the caller's mistake: ValueError, not a DICOM error.
py::list DecodeDataPathsPy(py::bytes data, py::sequence tags) {
  std::vector<TagPath> paths(tags.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string text = tags[i].cast<std::string>();
    const Status status = ParseTagPath(text, &paths[i]);
    if (!status.ok()) {
      throw py::value_error("decode_dicom_data: tags[" + std::to_string(i) + "] = '" + text +
                            "': " + status.message());
    }
  }
  return DecodeDataPaths(data, paths);
}

py::str DecodeJsonPy(py::bytes data) {
  const std::string_view contents = BytesView(data);
  std::string json;
  Status status;
  {
    py::gil_scoped_release release;
    status = DecodeJson(contents, &json);
  }
  ThrowIfError(status);
  return Utf8ToStr(json);
}

void AddDataBindings(py::module_& m) {
  m.def("decode_data_tags", &DecodeDataTagsPy, py::arg("data"), py::arg("tags"));
  m.def("decode_data_paths", &DecodeDataPathsPy, py::arg("data"), py::arg("tags"));
  m.def("decode_json", &DecodeJsonPy, py::arg("data"));
}

}  // namespace
}  // namespace tfdicom


PYBIND11_MODULE(_core, m) {
  m.doc() = "tfdicom's TensorFlow-free core (use tfdicom.numpy)";
  m.def("decode_image", &tfdicom::DecodeImagePy, py::arg("data"), py::arg("color_dim"),
        py::arg("on_error"), py::arg("scale"), py::arg("dtype"), py::arg("values"),
        py::arg("max_output_bytes"));
  m.attr("DEFAULT_MAX_OUTPUT_BYTES") = tfdicom::kDefaultMaxOutputBytes;
  m.def("describe_transfer_syntax", &tfdicom::DescribeTransferSyntax, py::arg("uid"),
        "'UID (name)' from tfdicom's transfer syntax table");
  m.def("_j2k_decoder_counts", [] {
    const tfdicom::J2kDecodersUsed used = tfdicom::J2kDecoderCounts();
    return py::dict(py::arg("openjpeg") = used.openjpeg,
                    py::arg("openjpeg_threaded") = used.openjpeg_threaded);
  }, "frames OpenJPEG has decoded in this process, and on several threads (for tests)");
  tfdicom::AddDataBindings(m);
}
