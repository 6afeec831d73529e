// The only place that sets DCMTK up: silences its logger, checks that its
// data dictionary is loaded, and registers every pixel decoder (once,
// thread-safe, never cleaned up).
#ifndef TFDICOM_CC_CORE_CODECS_H_
#define TFDICOM_CC_CORE_CODECS_H_

#include "cc/core/status.h"

namespace tfdicom {

// Cheap after the first call. Fails (Internal) when DCMTK's data dictionary
// cannot be loaded, naming where it looked.
Status EnsureDcmtkReady();

}  // namespace tfdicom

#endif  // TFDICOM_CC_CORE_CODECS_H_
