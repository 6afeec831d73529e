#include "cc/core/tag_path.h"

#include <cstdio>
#include <string>
#include <unordered_map>

#include "cc/core/codecs.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcdicent.h"
#include "dcmtk/dcmdata/dchashdi.h"

namespace tfdicom {
namespace {

constexpr std::string_view kRetiredPrefix = "RETIRED_";

// Keyword -> tag for every public entry of DCMTK's dictionary. A repeating
// group entry (60xx, 50xx) maps to its first group, as tfdicom.tags does.
// Ranges over odd or all groups (private creators, generic group lengths)
// are not keywords of single attributes and are left out.
class KeywordTable {
 public:
  KeywordTable() {
    if (!EnsureDcmtkReady().ok()) return;
    DcmDataDictionary& dictionary = const_cast<DcmDataDictionary&>(dcmDataDict.rdlock());
    for (auto it = dictionary.normalBegin(); it != dictionary.normalEnd(); ++it) Add(*it);
    for (auto it = dictionary.repeatingBegin(); it != dictionary.repeatingEnd(); ++it) {
      const DcmDictEntry* entry = *it;
      if ((entry->isRepeatingGroup() &&
           entry->getGroupRangeRestriction() != DcmDictRange_Even) ||
          (entry->isRepeatingElement() &&
           entry->getElementRangeRestriction() != DcmDictRange_Even)) {
        continue;
      }
      Add(entry);
    }
    dcmDataDict.rdunlock();
  }

  bool Find(std::string_view keyword, uint32_t* tag) const {
    auto it = tags_.find(std::string(keyword));
    if (it == tags_.end()) return false;
    *tag = it->second;
    return true;
  }

 private:
  void Add(const DcmDictEntry* entry) {
    if (entry == nullptr || entry->getTagName() == nullptr ||
        entry->getPrivateCreator() != nullptr) {
      return;
    }
    const std::string name = entry->getTagName();
    const uint32_t tag = static_cast<uint32_t>(entry->getGroup()) << 16 | entry->getElement();
    tags_.emplace(name, tag);
    if (name.compare(0, kRetiredPrefix.size(), kRetiredPrefix) == 0) {
      tags_.emplace(name.substr(kRetiredPrefix.size()), tag);
    }
  }

  std::unordered_map<std::string, uint32_t> tags_;
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseHex(std::string_view text, uint32_t* value) {
  if (text.empty()) return false;
  uint32_t v = 0;
  for (char c : text) {
    const int d = HexDigit(c);
    if (d < 0) return false;
    v = v << 4 | static_cast<uint32_t>(d);
  }
  *value = v;
  return true;
}

// "(0010,0010)", "0010,0010" or "00100010".
bool ParseNumericTag(std::string_view text, uint32_t* tag) {
  if (text.size() == 11 && text.front() == '(' && text.back() == ')') {
    text = text.substr(1, 9);
  }
  uint32_t group = 0, element = 0;
  if (text.size() == 9 && text[4] == ',') {
    if (!ParseHex(text.substr(0, 4), &group) || !ParseHex(text.substr(5, 4), &element)) {
      return false;
    }
    *tag = group << 16 | element;
    return true;
  }
  return text.size() == 8 && ParseHex(text, tag);
}

bool IsKeyword(std::string_view text) {
  if (text.empty()) return false;
  const char first = text.front();
  if (!((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z'))) return false;
  for (char c : text) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

Status ParseStep(std::string_view step, bool last, TagPathStep* out) {
  std::string_view name = step;
  out->item = -1;
  const size_t open = step.find('[');
  if (open != std::string_view::npos) {
    if (step.back() != ']') {
      return InvalidArgument("'" + std::string(step) + "' does not end with ']'");
    }
    const std::string_view index = step.substr(open + 1, step.size() - open - 2);
    if (index.empty() || index.size() > 9 ||
        index.find_first_not_of("0123456789") != std::string_view::npos) {
      return InvalidArgument("item index '" + std::string(index) + "' in '" +
                             std::string(step) + "' is not a number >= 0");
    }
    out->item = std::stoll(std::string(index));
    name = step.substr(0, open);
    if (last) {
      return InvalidArgument("'" + std::string(step) +
                             "' ends the path with an item; name an element inside it "
                             "(e.g. '" + std::string(step) + ".SOPInstanceUID')");
    }
  } else if (!last) {
    return InvalidArgument("item index missing after '" + std::string(step) +
                           "': write '" + std::string(step) + "[0]' for its first item");
  }
  if (name.empty()) return InvalidArgument("empty step in the path");
  if (ParseNumericTag(name, &out->tag)) return OkStatus();
  if (!IsKeyword(name)) {
    return InvalidArgument("'" + std::string(name) +
                           "' is neither a keyword nor a tag like (0010,0010) or 00100010");
  }
  if (!FindKeyword(name, &out->tag)) {
    return InvalidArgument("unknown keyword '" + std::string(name) +
                           "' (not in DCMTK's data dictionary; keywords are case-sensitive)");
  }
  return OkStatus();
}

}  // namespace

bool FindKeyword(std::string_view keyword, uint32_t* tag) {
  static const KeywordTable* const table = new KeywordTable();
  return table->Find(keyword, tag);
}

Status ParseTagPath(std::string_view text, TagPath* path) {
  path->clear();
  if (text.empty()) return InvalidArgument("the tag is an empty string");
  size_t start = 0;
  while (true) {
    const size_t dot = text.find('.', start);
    const bool last = dot == std::string_view::npos;
    const std::string_view step = text.substr(start, last ? std::string_view::npos : dot - start);
    TagPathStep parsed;
    TFDICOM_RETURN_IF_ERROR(ParseStep(step, last, &parsed));
    path->push_back(parsed);
    if (last) break;
    start = dot + 1;
  }
  return OkStatus();
}

std::string DescribeTagPath(const TagPath& path) {
  std::string text;
  for (size_t i = 0; i < path.size(); ++i) {
    char step[32];
    std::snprintf(step, sizeof(step), "(%04X,%04X)", path[i].tag >> 16, path[i].tag & 0xFFFF);
    if (i > 0) text += '.';
    text += step;
    if (path[i].item >= 0) text += "[" + std::to_string(path[i].item) + "]";
  }
  return text;
}

}  // namespace tfdicom
