// The only place where a DCMTK OFCondition becomes a tfdicom Status.
// Internal to the core: only cc/core/*.cc include DCMTK.
#ifndef TFDICOM_CC_CORE_DCMTK_STATUS_H_
#define TFDICOM_CC_CORE_DCMTK_STATUS_H_

#include <string_view>

#include "cc/core/status.h"

class OFCondition;

namespace tfdicom {

// Returns ok for a good condition; otherwise a Status whose code follows the
// DCMTK error (premature end of stream -> DataLoss, unsupported -> Unimplemented,
// ...) and whose message is "<what>: <DCMTK's text>".
Status FromCondition(const OFCondition& condition, std::string_view what);

// A Status as an OFCondition, for tfdicom's code that DCMTK calls (the JPEG
// 2000 codec); FromCondition restores its code.
OFCondition ToCondition(const Status& status);

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_DCMTK_STATUS_H_
