#include "cc/core/options.h"

#include <string>

namespace tfdicom {
namespace {

template <typename Enum, size_t N>
Status ParseName(std::string_view what, std::string_view text,
                 const std::pair<const char*, Enum> (&names)[N], Enum* out) {
  std::string allowed;
  for (const auto& [name, value] : names) {
    if (text == name) {
      *out = value;
      return OkStatus();
    }
    if (!allowed.empty()) allowed += ", ";
    allowed += "'" + std::string(name) + "'";
  }
  return InvalidArgument(std::string(what) + " must be one of " + allowed +
                         ", got '" + std::string(text) + "'");
}

constexpr std::pair<const char*, DType> kDTypeNames[] = {
    {"uint8", DType::kUint8},     {"uint16", DType::kUint16},
    {"uint32", DType::kUint32},   {"uint64", DType::kUint64},
    {"int8", DType::kInt8},       {"int16", DType::kInt16},
    {"int32", DType::kInt32},     {"int64", DType::kInt64},
    {"float16", DType::kFloat16}, {"bfloat16", DType::kBFloat16},
    {"float32", DType::kFloat32}, {"float64", DType::kFloat64},
};

}  // namespace

Status ParseOnError(std::string_view text, OnError* out) {
  constexpr std::pair<const char*, OnError> kNames[] = {
      {"strict", OnError::kStrict},
      {"skip", OnError::kSkip},
      {"lossy", OnError::kLossy}};
  return ParseName("on_error", text, kNames, out);
}

Status ParseScale(std::string_view text, Scale* out) {
  constexpr std::pair<const char*, Scale> kNames[] = {
      {"preserve", Scale::kPreserve}, {"auto", Scale::kAuto}};
  return ParseName("scale", text, kNames, out);
}

Status ParseValues(std::string_view text, Values* out) {
  constexpr std::pair<const char*, Values> kNames[] = {
      {"stored", Values::kStored},
      {"modality", Values::kModality},
      {"display", Values::kDisplay}};
  return ParseName("values", text, kNames, out);
}

Status ParseDType(std::string_view text, DType* out) {
  return ParseName("dtype", text, kDTypeNames, out);
}

const char* DTypeName(DType dtype) {
  for (const auto& [name, value] : kDTypeNames) {
    if (value == dtype) return name;
  }
  return "unknown";
}

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kUint8: case DType::kInt8: return 1;
    case DType::kUint16: case DType::kInt16:
    case DType::kFloat16: case DType::kBFloat16: return 2;
    case DType::kUint32: case DType::kInt32: case DType::kFloat32: return 4;
    case DType::kUint64: case DType::kInt64: case DType::kFloat64: return 8;
  }
  return 0;
}

bool IsFloat(DType dtype) {
  return dtype == DType::kFloat16 || dtype == DType::kBFloat16 ||
         dtype == DType::kFloat32 || dtype == DType::kFloat64;
}

bool IsSigned(DType dtype) {
  return IsFloat(dtype) || dtype == DType::kInt8 || dtype == DType::kInt16 ||
         dtype == DType::kInt32 || dtype == DType::kInt64;
}

double DTypeMin(DType dtype) {
  switch (dtype) {
    case DType::kInt8: return -128.0;
    case DType::kInt16: return -32768.0;
    case DType::kInt32: return -2147483648.0;
    case DType::kInt64: return -9223372036854775808.0;
    default: return IsFloat(dtype) ? -DTypeMax(dtype) : 0.0;
  }
}

double DTypeMax(DType dtype) {
  switch (dtype) {
    case DType::kUint8: return 255.0;
    case DType::kUint16: return 65535.0;
    case DType::kUint32: return 4294967295.0;
    case DType::kUint64: return 18446744073709551615.0;
    case DType::kInt8: return 127.0;
    case DType::kInt16: return 32767.0;
    case DType::kInt32: return 2147483647.0;
    case DType::kInt64: return 9223372036854775807.0;
    case DType::kFloat16: return 65504.0;
    case DType::kBFloat16: return 3.3895313892515355e38;
    case DType::kFloat32: return 3.4028234663852886e38;
    case DType::kFloat64: return 1.7976931348623157e308;
  }
  return 0.0;
}

}  // namespace tfdicom
