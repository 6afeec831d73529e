#include "cc/core/codecs.h"

#include "cc/core/frame_codec.h"

#include <cstdlib>
#include <string>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcobject.h"
#include "dcmtk/dcmdata/dcvr.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/oflog/oflog.h"

namespace tfdicom {
namespace {

Status SetUpOnce() {
  // DCMTK warns on stderr about many ordinary files; errors reach users
  // through Status instead.
  OFLog::configure(OFLogger::OFF_LOG_LEVEL);
  // Some files encode the data set in another transfer syntax than their
  // meta header says; read what is there, as pydicom does.
  dcmAutoDetectDatasetXfer.set(OFTrue);
  // An element written with VR UN whose tag the dictionary knows is read
  // with the dictionary's VR (PS3.5 6.2.2), as pydicom does: its text and
  // numbers come out as such, not as unknown bytes.
  dcmEnableUnknownVRConversion.set(OFTrue);
  if (!dcmDataDict.isDictionaryLoaded()) {
    const char* path = std::getenv("DCMDICTPATH");
    return Internal(
        std::string("DCMTK's data dictionary is not loaded (DCMDICTPATH=") +
        (path ? path : "<unset>") + ", default " + DCM_DICT_DEFAULT_PATH +
        "): reinstall tfdicom or DCMTK's data package");
  }
  // tfdicom's own decoders first: DCMTK uses the first codec registered
  // for a transfer syntax.
  TFDICOM_RETURN_IF_ERROR(RegisterFrameCodecs());
  DJDecoderRegistration::registerCodecs();
  return OkStatus();
}

}  // namespace

Status EnsureDcmtkReady() {
  static const Status* const status = new Status(SetUpOnce());
  return *status;
}

}  // namespace tfdicom
