#include "cc/core/decode_data.h"

#include <vector>

#include "cc/core/charset.h"
#include "cc/core/dataset.h"
#include "cc/core/element_text.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcelem.h"
#include "dcmtk/dcmdata/dcitem.h"
#include "dcmtk/dcmdata/dcmetinf.h"
#include "dcmtk/dcmdata/dcsequen.h"

namespace tfdicom {
namespace {

constexpr uint32_t kFirstPixelTag = 0x7FE00008;  // Float Pixel Data

DcmElement* FindElement(DcmItem& item, uint32_t tag) {
  DcmElement* element = nullptr;
  const DcmTagKey key(static_cast<Uint16>(tag >> 16), static_cast<Uint16>(tag & 0xFFFF));
  if (item.findAndGetElement(key, element, OFFalse).bad()) return nullptr;
  return element;
}

// Pixel Representation of the innermost item on the path that has one.
bool SignedPixels(const std::vector<DcmItem*>& items) {
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    Uint16 representation = 0;
    if ((*it)->findAndGetUint16(DCM_PixelRepresentation, representation, 0, OFFalse).good()) {
      return representation == 1;
    }
  }
  return false;
}

// Renders the element at `path`, or "" when the file does not have it.
Status Lookup(Dataset& file, const TagPath& path, std::string* value) {
  value->clear();
  DcmItem* item = &file.dataset();
  std::vector<DcmItem*> items = {item};
  CharacterSet charset = ItemCharacterSet(*item, CharacterSet());
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    DcmElement* element = FindElement(*item, path[i].tag);
    if (element == nullptr || element->ident() != EVR_SQ) return OkStatus();
    auto& sequence = static_cast<DcmSequenceOfItems&>(*element);
    if (path[i].item < 0 || static_cast<uint64_t>(path[i].item) >= sequence.card()) {
      return OkStatus();
    }
    item = sequence.getItem(static_cast<unsigned long>(path[i].item));
    if (item == nullptr) return OkStatus();
    items.push_back(item);
    charset = ItemCharacterSet(*item, charset);
  }
  const uint32_t tag = path.back().tag;
  DcmElement* element = nullptr;
  if (path.size() == 1 && tag >> 16 == 0x0002) {
    element = FindElement(file.meta_info(), tag);
    if (element == nullptr) element = FindElement(*item, tag);
    if (element != nullptr) {  // the meta header is always in the default repertoire
      return RenderElement(*element, CharacterSet(), false, value);
    }
    return OkStatus();
  }
  element = FindElement(*item, tag);
  if (element == nullptr) return OkStatus();
  const bool signed_pixels = IsUsOrSs(*element) && SignedPixels(items);
  return RenderElement(*element, charset, signed_pixels, value);
}

}  // namespace

Status DecodeData(std::string_view contents, const std::vector<TagPath>& paths,
                  std::vector<std::string>* values) {
  values->assign(paths.size(), std::string());
  Dataset::Depth depth = Dataset::Depth::kUntilPixelData;
  for (const TagPath& path : paths) {
    if (!path.empty() && path.front().tag >= kFirstPixelTag) depth = Dataset::Depth::kAll;
  }
  Dataset file;
  const Status parsed = file.Parse(contents, depth);
  if (!parsed.ok()) return parsed.WithContext("decode_dicom_data");
  for (size_t i = 0; i < paths.size(); ++i) {
    if (paths[i].empty()) return Internal("decode_dicom_data: empty tag path");
    const Status status = Lookup(file, paths[i], &(*values)[i]);
    if (!status.ok()) {
      return status.WithContext("decode_dicom_data: " + DescribeTagPath(paths[i]));
    }
  }
  return OkStatus();
}

}  // namespace tfdicom
