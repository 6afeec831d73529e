// Status: the one error type of the tfdicom core.
//
// Every failure inside the core is a Status with a code and a message that
// names the cause. It changes form in exactly three places: DCMTK -> core
// (dcmtk_status.h), core -> TensorFlow (cc/tf/tf_status.h) and core -> Python
// (cc/python/bindings.cc). No C++ exception crosses the core's API.
#ifndef TFDICOM_CC_CORE_STATUS_H_
#define TFDICOM_CC_CORE_STATUS_H_

#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace tfdicom {

enum class Code {
  kOk = 0,
  kInvalidArgument,    // bad input: not DICOM, no pixel data, bad tag
  kUnimplemented,      // transfer syntax or pixel format not supported
  kDataLoss,           // corrupt or truncated data
  kOutOfRange,         // values do not fit the requested dtype
  kResourceExhausted,  // size limit, allocation failure
  kInternal,           // a bug in tfdicom
};

// Returns "InvalidArgument", "DataLoss", ... for messages and tests.
const char* CodeName(Code code);

// Returns `text` unchanged when it is valid UTF-8; else with each byte that
// is not part of a valid UTF-8 sequence written as "\xNN".
std::string ValidUtf8(std::string text);

class [[nodiscard]] Status {
 public:
  Status() = default;
  // `message` may hold bytes from the input; it is kept as valid UTF-8
  // (each byte of an invalid sequence becomes "\xNN"), so that every
  // binding can pass it on as text.
  Status(Code code, std::string message)
      : code_(code), message_(ValidUtf8(std::move(message))) {}

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns this status with "context: " put before the message; ok stays ok.
  Status WithContext(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgument(std::string m) {
  return Status(Code::kInvalidArgument, std::move(m));
}
inline Status Unimplemented(std::string m) {
  return Status(Code::kUnimplemented, std::move(m));
}
inline Status DataLoss(std::string m) { return Status(Code::kDataLoss, std::move(m)); }
inline Status OutOfRange(std::string m) {
  return Status(Code::kOutOfRange, std::move(m));
}
inline Status ResourceExhausted(std::string m) {
  return Status(Code::kResourceExhausted, std::move(m));
}
inline Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

// Runs `body` (a callable returning Status) at one of the core's entry
// points: DCMTK and the standard containers allocate what an input declares,
// and an allocation that fails there (std::bad_alloc, std::length_error)
// becomes ResourceExhausted, so that no C++ exception crosses the core's API.
template <typename Body>
Status GuardAllocations(std::string_view op, Body&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
  } catch (const std::length_error&) {
  }
  return Status(Code::kResourceExhausted,
                std::string(op) + ": out of memory for what the input declares");
}

}  // namespace tfdicom

// Returns from the enclosing function when `expr` is not ok.
#define TFDICOM_RETURN_IF_ERROR(expr)            \
  do {                                           \
    ::tfdicom::Status tfdicom_status_ = (expr);  \
    if (!tfdicom_status_.ok()) return tfdicom_status_; \
  } while (0)

#endif  // TFDICOM_CC_CORE_STATUS_H_
