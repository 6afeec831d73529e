#include "cc/core/decode_data.h"

#include <algorithm>
#include <unordered_map>
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

// The elements of each item and the items of each sequence that lookups
// reach, read once: DCMTK's own search and getItem(i) walk a list from its
// start on every call, which made many lookups quadratic.
class Index {
 public:
  DcmElement* Find(DcmItem& item, uint32_t tag) {
    auto [it, added] = elements_.try_emplace(&item);
    std::vector<DcmElement*>& elements = it->second;
    if (added) {
      for (DcmObject* o = item.nextInContainer(nullptr); o != nullptr; o = item.nextInContainer(o)) {
        elements.push_back(static_cast<DcmElement*>(o));
      }
      // DCMTK keeps an item's elements in tag order; sort in case.
      std::stable_sort(elements.begin(), elements.end(), [](DcmElement* a, DcmElement* b) {
        return a->getTag() < b->getTag();
      });
    }
    const DcmTagKey key(static_cast<Uint16>(tag >> 16), static_cast<Uint16>(tag & 0xFFFF));
    auto found = std::lower_bound(elements.begin(), elements.end(), key,
                                  [](DcmElement* e, const DcmTagKey& k) { return e->getTag() < k; });
    if (found == elements.end() || (*found)->getTag() != key) return nullptr;
    return *found;
  }

  DcmItem* Item(DcmSequenceOfItems& sequence, int64_t index) {
    auto [it, added] = items_.try_emplace(&sequence);
    std::vector<DcmItem*>& items = it->second;
    if (added) {
      for (DcmObject* o = sequence.nextInContainer(nullptr); o != nullptr;
           o = sequence.nextInContainer(o)) {
        items.push_back(static_cast<DcmItem*>(o));
      }
    }
    if (index < 0 || static_cast<uint64_t>(index) >= items.size()) return nullptr;
    return items[static_cast<size_t>(index)];
  }

  // ItemCharacterSet, once per item (an item always inherits from the same
  // enclosing items).
  const CharacterSet& Charset(DcmItem& item, const CharacterSet& inherited) {
    auto found = charsets_.find(&item);
    if (found == charsets_.end()) {
      found = charsets_.emplace(&item, ItemCharacterSet(item, inherited)).first;
    }
    return found->second;
  }

 private:
  std::unordered_map<DcmItem*, CharacterSet> charsets_;
  std::unordered_map<DcmItem*, std::vector<DcmElement*>> elements_;
  std::unordered_map<DcmSequenceOfItems*, std::vector<DcmItem*>> items_;
};

// Pixel Representation of the innermost item on the path that has one.
bool SignedPixels(Index& index, const std::vector<DcmItem*>& items) {
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    DcmElement* element = index.Find(**it, 0x00280103);
    Uint16 representation = 0;
    if (element != nullptr && element->getUint16(representation, 0).good()) {
      return representation == 1;
    }
  }
  return false;
}

// Renders the element at `path`, or "" when the file does not have it.
Status Lookup(Dataset& file, Index& index, const TagPath& path, std::string* value) {
  value->clear();
  DcmItem* item = &file.dataset();
  std::vector<DcmItem*> items = {item};
  CharacterSet charset = index.Charset(*item, CharacterSet());
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    DcmElement* element = index.Find(*item, path[i].tag);
    if (element == nullptr || element->ident() != EVR_SQ) return OkStatus();
    item = index.Item(static_cast<DcmSequenceOfItems&>(*element), path[i].item);
    if (item == nullptr) return OkStatus();
    items.push_back(item);
    charset = index.Charset(*item, charset);
  }
  const uint32_t tag = path.back().tag;
  DcmElement* element = nullptr;
  if (path.size() == 1 && tag >> 16 == 0x0002) {
    element = index.Find(file.meta_info(), tag);
    if (element == nullptr) element = index.Find(*item, tag);
    if (element != nullptr) {  // the meta header is always in the default repertoire
      return RenderElement(*element, CharacterSet(), false, value);
    }
    return OkStatus();
  }
  element = index.Find(*item, tag);
  if (element == nullptr) return OkStatus();
  const bool signed_pixels = IsUsOrSs(*element) && SignedPixels(index, items);
  return RenderElement(*element, charset, signed_pixels, value);
}

Status DecodeDataUnguarded(std::string_view contents, const std::vector<TagPath>& paths,
                           std::vector<std::string>* values) {
  values->assign(paths.size(), std::string());
  Dataset::Depth depth = Dataset::Depth::kUntilPixelData;
  for (const TagPath& path : paths) {
    if (!path.empty() && path.front().tag >= kFirstPixelTag) depth = Dataset::Depth::kAll;
  }
  Dataset file;
  Index index;
  const Status parsed = file.Parse(contents, depth);
  if (!parsed.ok()) return parsed.WithContext("decode_dicom_data");
  for (size_t i = 0; i < paths.size(); ++i) {
    if (paths[i].empty()) return Internal("decode_dicom_data: empty tag path");
    const Status status = Lookup(file, index, paths[i], &(*values)[i]);
    if (!status.ok()) {
      return status.WithContext("decode_dicom_data: " + DescribeTagPath(paths[i]));
    }
  }
  return OkStatus();
}

}  // namespace

Status DecodeData(std::string_view contents, const std::vector<TagPath>& paths,
                  std::vector<std::string>* values) {
  return GuardAllocations("decode_dicom_data",
                          [&] { return DecodeDataUnguarded(contents, paths, values); });
}

}  // namespace tfdicom
