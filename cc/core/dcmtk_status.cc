#include "cc/core/dcmtk_status.h"

#include <string>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcerror.h"

namespace tfdicom {
namespace {
constexpr unsigned short kTfdicomModule = 0x7466;  // 'tf'
}  // namespace

OFCondition ToCondition(const Status& status) {
  if (status.ok()) return EC_Normal;
  return makeOFCondition(kTfdicomModule, static_cast<unsigned short>(status.code()), OF_error,
                         status.message().c_str());
}

Status FromCondition(const OFCondition& condition, std::string_view what) {
  if (condition.good()) return OkStatus();
  std::string message(what);
  message += ": ";
  message += condition.text();
  if (condition.module() == kTfdicomModule) {
    return Status(static_cast<Code>(condition.code()), std::move(message));
  }
  if (condition == EC_StreamNotifyClient || condition == EC_EndOfStream ||
      condition == EC_CorruptedData || condition == EC_InvalidBasicOffsetTable ||
      condition == EC_ElemLengthLargerThanItem ||
      condition == EC_SequDelimitationItemMissing ||
      condition == EC_ItemDelimitationItemMissing ||
      condition == EC_PrematureSequDelimitationItem ||
      condition == EC_InvalidOffset || condition == EC_TooManyBytesRequested) {
    return DataLoss(std::move(message));
  }
  if (condition == EC_UnsupportedEncoding ||
      condition == EC_CannotChangeRepresentation ||
      condition == EC_UnknownTransferSyntax) {
    return Unimplemented(std::move(message));
  }
  if (condition == EC_MemoryExhausted) return ResourceExhausted(std::move(message));
  return InvalidArgument(std::move(message));
}

}  // namespace tfdicom
