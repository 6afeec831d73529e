#include "cc/core/dataset.h"

#include <libdeflate.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "cc/core/codecs.h"
#include "cc/core/dcmtk_status.h"
#include "cc/core/header_scan.h"
#include "cc/core/structure_check.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcdicent.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcmetinf.h"
#include "dcmtk/dcmdata/dcxfer.h"

namespace tfdicom {
namespace {

constexpr size_t kPreambleLength = 128;

uint16_t ReadU16(const uint8_t* p, bool big_endian) {
  return big_endian ? static_cast<uint16_t>(p[0] << 8 | p[1])
                    : static_cast<uint16_t>(p[1] << 8 | p[0]);
}

uint32_t ReadU32(const uint8_t* p, bool big_endian) {
  const uint32_t hi = ReadU16(p + (big_endian ? 0 : 2), big_endian);
  const uint32_t lo = ReadU16(p + (big_endian ? 2 : 0), big_endian);
  return hi << 16 | lo;
}

bool HasPart10Prefix(std::string_view bytes) {
  return bytes.size() >= kPreambleLength + 4 &&
         bytes.substr(kPreambleLength, 4) == "DICM";
}

// A bare data set (no preamble) is accepted when its first element belongs to
// group 0002 (meta header) or 0008 (the first group of every IOD).
bool StartsLikeBareDataset(std::string_view bytes) {
  if (bytes.size() < 8) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  for (bool big_endian : {false, true}) {
    const uint16_t group = ReadU16(p, big_endian);
    if (group == 0x0002 || group == 0x0008) return true;
  }
  return false;
}

bool IsPixelTag(uint32_t tag) {
  return tag == 0x7FE00010 || tag == 0x7FE00008 || tag == 0x7FE00009;
}

bool IsLongVr(const uint8_t* vr) {
  return tfdicom::IsLongVr(static_cast<char>(vr[0]), static_cast<char>(vr[1]));
}

// Where the data set starts: after the preamble and the group 0002 meta
// elements (always explicit VR little endian). Sets `uid` to (0002,0010)
// TransferSyntaxUID when there is one.
size_t MetaHeaderEnd(std::string_view bytes, std::string* uid = nullptr) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t pos = HasPart10Prefix(bytes) ? kPreambleLength + 4 : 0;
  while (pos + 8 <= bytes.size() && ReadU16(p + pos, false) == 0x0002) {
    const bool long_form = IsLongVr(p + pos + 4);
    if (long_form && pos + 12 > bytes.size()) break;
    const uint64_t length = long_form ? ReadU32(p + pos + 8, false) : ReadU16(p + pos + 6, false);
    const size_t value = pos + (long_form ? 12 : 8);
    if (uid != nullptr && ReadU16(p + pos + 2, false) == 0x0010 && value + length <= bytes.size()) {
      std::string_view text = bytes.substr(value, length);
      while (!text.empty() && (text.back() == '\0' || text.back() == ' ')) text.remove_suffix(1);
      *uid = std::string(text);
    }
    pos = value + length;
  }
  return pos;
}

// Stops DCMTK's read of a deflated file after the meta header: every data
// set element's tag is at or after it.
const DcmTagKey kFirstDatasetTag(0x0000, 0x0001);

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// Inflates raw DEFLATE data whose size is unknown, growing the output.
Status Inflate(std::string_view compressed, std::string* out) {
  constexpr size_t kLimit = size_t{4} << 30;
  std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> decompressor(
      libdeflate_alloc_decompressor());
  if (!decompressor) return ResourceExhausted("cannot allocate a DEFLATE decompressor");
  size_t capacity = std::max<size_t>(compressed.size() * 4, 1 << 16);
  for (;;) {
    out->resize(capacity);
    size_t actual = 0;
    const libdeflate_result result = libdeflate_deflate_decompress(
        decompressor.get(), compressed.data(), compressed.size(), out->data(), capacity, &actual);
    if (result == LIBDEFLATE_SUCCESS) {
      out->resize(actual);
      return OkStatus();
    }
    if (result != LIBDEFLATE_INSUFFICIENT_SPACE || capacity >= kLimit) {
      return DataLoss("the deflated data set is corrupt or truncated (" +
                      std::to_string(compressed.size()) + " compressed bytes)");
    }
    capacity = std::min(capacity * 2, kLimit);
  }
}

}  // namespace

std::string DescribeTag(uint16_t group, uint16_t element) {
  char text[16];
  std::snprintf(text, sizeof(text), "(%04X,%04X)", group, element);
  std::string description(text);
  const DcmDataDictionary& dictionary = dcmDataDict.rdlock();
  const DcmDictEntry* entry =
      dictionary.findEntry(DcmTagKey(group, element), nullptr);
  if (entry != nullptr && entry->getTagName() != nullptr) {
    description += " ";
    description += entry->getTagName();
  }
  dcmDataDict.rdunlock();
  return description;
}

Dataset::Dataset() : file_(std::make_unique<DcmFileFormat>()) {}
Dataset::~Dataset() = default;

DcmDataset& Dataset::dataset() { return *file_->getDataset(); }

Status Dataset::InsertString(uint32_t tag, std::string_view value) {
  TFDICOM_RETURN_IF_ERROR(EnsureDcmtkReady());
  const DcmTag key(static_cast<Uint16>(tag >> 16), static_cast<Uint16>(tag & 0xFFFF));
  const OFCondition condition = dataset().putAndInsertOFStringArray(
      key, OFString(value.data(), value.size()));
  return FromCondition(condition, "cannot add " + DescribeTag(key.getGroup(), key.getElement()));
}
DcmMetaInfo& Dataset::meta_info() { return *file_->getMetaInfo(); }

Status Dataset::Parse(std::string_view bytes, Depth depth) {
  TFDICOM_RETURN_IF_ERROR(EnsureDcmtkReady());
  bytes_ = bytes;
  if (bytes.empty()) return InvalidArgument("not DICOM: the input is empty");
  if (!HasPart10Prefix(bytes) && !StartsLikeBareDataset(bytes)) {
    return InvalidArgument(
        "not DICOM: no 'DICM' prefix at byte 128 and no data set start (group "
        "0002 or 0008) at byte 0 (input is " +
        std::to_string(bytes.size()) + " bytes)");
  }

  // DCMTK reads sequences recursively: check the structure first (nesting,
  // element and item counts; structure_check.h). A deflated data set is
  // checked once inflated, and DCMTK reads only its meta header here.
  std::string declared_uid;
  const size_t start = MetaHeaderEnd(bytes, &declared_uid);
  const TransferSyntax* declared = FindTransferSyntax(declared_uid);
  const bool deflated = declared != nullptr && declared->encoding == PixelEncoding::kDeflated;
  if (!deflated) {
    // To the end of the input even when DCMTK stops at the pixel data, and
    // in every encoding, not only the declared one (DCMTK detects the data
    // set's real encoding where it differs from the meta header's). To the end:
    // where DCMTK reads the meta header further than MetaHeaderEnd (an
    // element of another group inside it), the check would otherwise stop at
    // a pixel tag that DCMTK takes for meta information, and DCMTK would go
    // on into unchecked nesting (found by tools/mutation_fuzz.py).
    TFDICOM_RETURN_IF_ERROR(CheckStructure(bytes, start, DatasetEncoding::kUnknown,
                                           /*stop_at_pixels=*/false));
  }

  DcmInputBufferStream stream;
  stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
  stream.setEos();
  file_->transferInit();
  const OFCondition condition =
      deflated ? file_->readUntilTag(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                     kFirstDatasetTag)
      : depth == Depth::kAll
          ? file_->read(stream)
          : file_->readUntilTag(stream, EXS_Unknown, EGL_noChange,
                                DCM_MaxReadLength, DCM_FloatPixelData);
  file_->transferEnd();
  // DCMTK reports a cut-short input as "premature end of stream" or, for an
  // element longer than what is left, "invalid stream": both end at eos.
  if (condition.bad() && (condition == EC_StreamNotifyClient || stream.eos())) {
    return DataLoss(
        std::string(condition == EC_StreamNotifyClient ? "truncated" : "truncated or malformed") +
        ": the data set ends inside an element, or an element's length runs past the end "
        "of the input (" + std::to_string(bytes.size()) + " bytes; DCMTK: " +
        condition.text() + ")");
  }
  if (condition.bad()) {
    const Status status = FromCondition(condition, "cannot parse the data set");
    // DCMTK met something it cannot read inside a data set that started
    // well (after a damaged length field, say): the data set is damaged.
    if (status.code() == Code::kInvalidArgument && stream.tell() > static_cast<offile_off_t>(start)) {
      return DataLoss("data set damaged at offset " + std::to_string(stream.tell()) +
                      ": DCMTK cannot read on (" + condition.text() + ")");
    }
    return status;
  }

  OFString uid;
  if (meta_info().findAndGetOFString(DCM_TransferSyntaxUID, uid).good() &&
      !uid.empty()) {
    transfer_syntax_uid_ = uid.c_str();
  } else {
    transfer_syntax_uid_ = DcmXfer(dataset().getOriginalXfer()).getXferID();
  }
  transfer_syntax_ = FindTransferSyntax(transfer_syntax_uid_);
  if (deflated) {
    // The data set is inflated because the meta header's first (0002,0010)
    // says so; DCMTK may have kept another value (a second (0002,0010), or
    // garbage): the inflated data set is read as what was decided here.
    transfer_syntax_uid_ = declared_uid;
    transfer_syntax_ = declared;
    return InflateAndReparse(depth);
  }
  if (depth == Depth::kUntilPixelData && transfer_syntax_ != nullptr) {
    TFDICOM_RETURN_IF_ERROR(LocatePixelElement(stream.tell()));
  }
  return OkStatus();
}

Status Dataset::InflateAndReparse(Depth depth) {
  const size_t start = MetaHeaderEnd(bytes_);
  if (start > bytes_.size()) return DataLoss("truncated: the meta header runs past the end");
  TFDICOM_RETURN_IF_ERROR(Inflate(bytes_.substr(start), &inflated_));
  bytes_ = inflated_;
  TFDICOM_RETURN_IF_ERROR(CheckStructure(inflated_, 0, DatasetEncoding::kExplicitLittle,
                                         depth == Depth::kUntilPixelData));
  DcmInputBufferStream stream;
  stream.setBuffer(inflated_.data(), static_cast<offile_off_t>(inflated_.size()));
  stream.setEos();
  dataset().clear();
  dataset().transferInit();
  const OFCondition condition =
      depth == Depth::kAll
          ? dataset().read(stream, EXS_LittleEndianExplicit, EGL_noChange, DCM_MaxReadLength)
          : dataset().readUntilTag(stream, EXS_LittleEndianExplicit, EGL_noChange,
                                   DCM_MaxReadLength, DCM_FloatPixelData);
  dataset().transferEnd();
  if (condition.bad() && (condition == EC_StreamNotifyClient || stream.eos())) {
    return DataLoss(std::string("truncated or malformed deflated data set (DCMTK: ") +
                    condition.text() + ")");
  }
  TFDICOM_RETURN_IF_ERROR(FromCondition(condition, "cannot parse the inflated data set"));
  if (depth == Depth::kAll) return OkStatus();
  return LocatePixelElement(stream.tell());
}

// DCMTK stops before the pixel data at the first element whose tag is at or
// after (7FE0,0008), whatever that element is. After a damaged length field
// DCMTK reads on from inside a value, takes its bytes for elements, and
// stops silently at the first garbage tag that high: the rest of the
// header, the image attributes and the pixel data among them, is lost and
// the file would seem to have no pixel data. Where DCMTK stopped at an
// element that is not pixel data and the input goes on, what follows must
// read as elements to the end (trailing padding, private groups 7FE1 and
// up); else the data set is damaged.
Status Dataset::CheckStopBeforeEnd(uint64_t stream_offset, bool implicit) {
  if (stream_offset >= bytes_.size()) return OkStatus();  // read to the end
  const bool big_endian = transfer_syntax_->big_endian;
  // The header DCMTK stopped after: 12 bytes (explicit, long form) or 8.
  size_t start = 0;
  uint32_t tag = 0;
  for (const size_t header : {size_t{12}, size_t{8}}) {
    if (stream_offset < header || (implicit && header == 12)) continue;
    ElementReader reader(bytes_, stream_offset - header, big_endian);
    Element e;
    if (reader.Next(!implicit, &e, /*read_unknown_vr=*/true) && e.value == stream_offset) {
      start = stream_offset - header;
      tag = e.tag;
      break;
    }
  }
  if (tag == 0) return OkStatus();  // not where we can see it: DCMTK's call
  const DatasetEncoding encoding =
      implicit ? DatasetEncoding::kImplicitLittle
               : big_endian ? DatasetEncoding::kExplicitBig : DatasetEncoding::kExplicitLittle;
  std::string problem;
  if (ReadsToTheEnd(bytes_, start, encoding, &problem)) return OkStatus();
  return DataLoss("data set damaged at offset " + std::to_string(start) + " (" +
                  DescribeTag(static_cast<uint16_t>(tag >> 16), static_cast<uint16_t>(tag)) +
                  "): reading stopped there, before any pixel data, and what follows is not "
                  "DICOM elements (" + problem + "); a length field before it is probably "
                  "wrong");
}

// readUntilTag leaves the stream just past the header of the first element at
// or after (7FE0,0008). Read that header back from the input to learn the
// tag and the value length.
Status Dataset::LocatePixelElement(uint64_t stream_offset) {
  pixel_span_ = PixelElementSpan();
  if (transfer_syntax_ == nullptr) {
    return Unimplemented("unsupported transfer syntax " +
                         DescribeTransferSyntax(transfer_syntax_uid_));
  }
  const bool big_endian = transfer_syntax_->big_endian;
  const bool implicit = transfer_syntax_uid_ == "1.2.840.10008.1.2";
  const auto* base = reinterpret_cast<const uint8_t*>(bytes_.data());
  if (stream_offset > bytes_.size()) return Internal("stream past its end");

  uint32_t tag = 0;
  uint32_t length = 0;
  bool found = false;
  if (implicit) {
    if (stream_offset >= 8) {
      const uint8_t* h = base + stream_offset - 8;
      tag = static_cast<uint32_t>(ReadU16(h, big_endian)) << 16 | ReadU16(h + 2, big_endian);
      length = ReadU32(h + 4, big_endian);
      found = IsPixelTag(tag);
    }
  } else {
    if (stream_offset >= 12 && IsLongVr(base + stream_offset - 8)) {
      const uint8_t* h = base + stream_offset - 12;
      pixel_span_.vr[0] = static_cast<char>(h[4]);
      pixel_span_.vr[1] = static_cast<char>(h[5]);
      tag = static_cast<uint32_t>(ReadU16(h, big_endian)) << 16 | ReadU16(h + 2, big_endian);
      length = ReadU32(h + 8, big_endian);
      found = IsPixelTag(tag);
    }
    if (!found && stream_offset >= 8) {  // short explicit form (odd VR)
      const uint8_t* h = base + stream_offset - 8;
      tag = static_cast<uint32_t>(ReadU16(h, big_endian)) << 16 | ReadU16(h + 2, big_endian);
      length = ReadU16(h + 6, big_endian);
      found = IsPixelTag(tag);
    }
  }
  if (!found) {  // no pixel data, or not where we can see it
    pixel_span_ = PixelElementSpan();
    return CheckStopBeforeEnd(stream_offset, implicit);
  }
  pixel_span_.tag = tag;
  pixel_span_.undefined_length = length == 0xFFFFFFFFu;
  pixel_span_.value_offset = stream_offset;
  pixel_span_.declared_length = length;
  return OkStatus();
}

}  // namespace tfdicom
