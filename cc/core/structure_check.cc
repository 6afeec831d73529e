#include "cc/core/structure_check.h"

#include <cstring>
#include <string>
#include <vector>

#include "cc/core/dataset.h"
#include "cc/core/header_scan.h"

namespace tfdicom {
namespace {

constexpr uint32_t kItem = 0xFFFEE000;
constexpr uint32_t kItemEnd = 0xFFFEE00D;
constexpr uint32_t kSequenceEnd = 0xFFFEE0DD;
constexpr size_t kOpen = static_cast<size_t>(-1);  // ends at a delimiter

bool IsPixelTag(uint32_t tag) {
  return tag == 0x7FE00010 || tag == 0x7FE00008 || tag == 0x7FE00009;
}

bool VrIs(const Element& e, const char* vr) { return std::strcmp(e.vr, vr) == 0; }

// What is open at one level of the walk.
struct Frame {
  enum class Kind {
    kElements,   // the data set, or an item: elements up to `end` or an item delimiter
    kItems,      // a sequence: items up to `end` or a sequence delimiter
    kFragments,  // encapsulated pixel data: items whose content is opaque
  };
  Kind kind;
  size_t end;    // kOpen: undefined length
  size_t limit;  // the innermost defined end around this level (or the input's end)
  bool explicit_vr;
  bool big_endian;
};

class Walker {
 public:
  explicit Walker(std::string_view bytes) : bytes_(bytes) {}

  // Where and why the walk gave up at the top level (see ReadsToTheEnd).
  struct Stop {
    bool gave_up = false;
    size_t offset = 0;
    uint32_t tag = 0;
    const char* why = "";
  };
  const Stop& stop() const { return stop_; }

  // Makes the walk give up at a top-level tag that is not above the one
  // before it (DCMTK reads such a data set, out of order).
  void set_ascending_top_level() { ascending_ = true; }

  // Walks from `start`; OK when the structure is within the limits or when
  // the walk had to stop early (DCMTK then reads what it can and decides).
  Status Run(size_t start, bool explicit_vr, bool big_endian, bool stop_at_pixels) {
    stack_.clear();
    stack_.push_back({Frame::Kind::kElements, bytes_.size(), bytes_.size(), explicit_vr,
                      big_endian});
    pos_ = start;
    while (!stack_.empty()) {
      const Frame f = stack_.back();
      if (f.end != kOpen && pos_ >= f.end) {
        if (stack_.size() == 1 || pos_ > f.end) return OkStatus();
        stack_.pop_back();
        continue;
      }
      ElementReader reader(bytes_.substr(0, f.limit), pos_, f.big_endian);
      Element e;
      const bool elements = f.kind == Frame::Kind::kElements;
      if (!reader.Next(elements && f.explicit_vr, &e, /*read_unknown_vr=*/true)) {
        if (!Unwind()) return GiveUp(0, "an element header runs past the end of the input");
        continue;
      }
      bool ok = true;
      switch (f.kind) {
        case Frame::Kind::kElements: {
          if (stack_.size() == 1 && stop_at_pixels && e.tag >= 0x7FE00008) return OkStatus();
          if (e.tag == kItemEnd && f.end == kOpen && stack_.size() > 1) {
            pos_ = e.value;
            stack_.pop_back();
            continue;
          }
          if (e.tag >> 16 == 0xFFFE) {
            ok = false;
            why_ = "an item or delimiter tag among elements";
            break;
          }
          if (stack_.size() == 1 && ascending_) {
            if (e.tag <= previous_ && pos_ > start) {
              return GiveUp(e.tag, "a tag not above the one before it");
            }
            previous_ = e.tag;
          }
          TFDICOM_RETURN_IF_ERROR(Count(e));
          ok = OnElement(f, e);
          if (!ok_status_.ok()) return ok_status_;
          break;
        }
        case Frame::Kind::kItems:
        case Frame::Kind::kFragments: {
          if (e.tag == kSequenceEnd && f.end == kOpen) {
            pos_ = e.value;
            stack_.pop_back();
            continue;
          }
          if (e.tag != kItem) {
            ok = false;
            why_ = "a sequence holds something other than items";
            break;
          }
          TFDICOM_RETURN_IF_ERROR(Count(e));
          if (f.kind == Frame::Kind::kFragments) {
            ok = e.length != kUndefinedLength && e.length <= f.limit - e.value;
            if (ok) pos_ = e.value + e.length;
          } else if (e.length == kUndefinedLength) {
            stack_.push_back({Frame::Kind::kElements, kOpen, f.limit, f.explicit_vr,
                              f.big_endian});
            pos_ = e.value;
          } else {
            ok = e.length <= f.limit - e.value;
            if (ok) {
              const size_t end = e.value + e.length;
              stack_.push_back({Frame::Kind::kElements, end, end, f.explicit_vr, f.big_endian});
              pos_ = e.value;
            }
          }
          break;
        }
      }
      if (!ok && !Unwind()) return GiveUp(e.tag, why_);
    }
    return OkStatus();
  }

 private:
  // The element `e` in the elements of `f`: skipped, or opened as a
  // sequence or as encapsulated pixel data. False when it cannot be followed.
  // Sets ok_status_ when opening a sequence passes the nesting limit.
  Status GiveUp(uint32_t tag, const char* why) {
    stop_.gave_up = true;
    stop_.offset = pos_;
    stop_.tag = tag;
    stop_.why = why;
    return OkStatus();
  }

  bool OnElement(const Frame& f, const Element& e) {
    why_ = "a value runs past the end of the input or of its enclosing item";
    if (e.length == kUndefinedLength) {
      // Encapsulated pixel data (also inside an icon image item); DCMTK
      // refuses other OB and OW of undefined length.
      if (IsPixelTag(e.tag) || (f.explicit_vr && (VrIs(e, "OB") || VrIs(e, "OW")))) {
        stack_.push_back({Frame::Kind::kFragments, kOpen, f.limit, f.explicit_vr, f.big_endian});
        pos_ = e.value;
        return true;
      }
      // A sequence: SQ, UN (whose content is implicit VR little endian,
      // PS3.5 6.2.2), or any element under implicit VR.
      const bool un = f.explicit_vr && VrIs(e, "UN");
      return OpenSequence(e, kOpen, f.limit, f.explicit_vr && !un, un ? false : f.big_endian);
    }
    if (e.length > f.limit - e.value) return false;
    const size_t end = e.value + e.length;
    // A value of defined length that DCMTK may read as a sequence: SQ, UN
    // (as its dictionary says), a VR it does not know, anything under
    // implicit VR (as its dictionary says, for private tags as it guesses).
    // It is followed when it starts with an item; a value that turns out
    // not to be one is skipped by its length.
    const bool known_opaque = f.explicit_vr && IsKnownVr(e.vr[0], e.vr[1]) && !VrIs(e, "SQ") &&
                              !VrIs(e, "UN");
    if (!known_opaque && e.length >= 8) {
      const bool un = f.explicit_vr && VrIs(e, "UN");
      const bool big_endian = un ? false : f.big_endian;
      ElementReader reader(bytes_.substr(0, end), e.value, big_endian);
      if ((uint32_t{reader.U16(e.value)} << 16 | reader.U16(e.value + 2)) == kItem) {
        return OpenSequence(e, end, end, f.explicit_vr && !un, big_endian);
      }
    }
    pos_ = end;
    return true;
  }

  bool OpenSequence(const Element& e, size_t end, size_t limit, bool explicit_vr,
                    bool big_endian) {
    int depth = 1;
    for (const Frame& frame : stack_) depth += frame.kind == Frame::Kind::kItems;
    if (depth > kMaxSequenceNesting) {
      ok_status_ = InvalidArgument(
          "sequences nest deeper than " + std::to_string(kMaxSequenceNesting) +
          " levels at offset " + std::to_string(pos_) + " (" +
          DescribeTag(static_cast<uint16_t>(e.tag >> 16), static_cast<uint16_t>(e.tag)) +
          "; tfdicom's limit, DICOM files nest fewer than 10)");
      return true;
    }
    stack_.push_back({Frame::Kind::kItems, end, limit, explicit_vr, big_endian});
    pos_ = e.value;
    return true;
  }

  Status Count(const Element& e) {
    if (++count_ <= kMaxElementsAndItems) return OkStatus();
    return InvalidArgument(
        "more than " + std::to_string(kMaxElementsAndItems) +
        " elements and items at offset " + std::to_string(pos_) + " (" +
        DescribeTag(static_cast<uint16_t>(e.tag >> 16), static_cast<uint16_t>(e.tag)) +
        "; tfdicom's limit)");
  }

  // After something it cannot follow: skips the innermost value of defined
  // length (as DCMTK would fail inside it, or read it as opaque), or gives
  // up when there is none.
  bool Unwind() {
    for (size_t i = stack_.size(); i-- > 1;) {
      if (stack_[i].end != kOpen) {
        pos_ = stack_[i].end;
        stack_.resize(i);
        return true;
      }
    }
    return false;
  }

  std::string_view bytes_;
  bool ascending_ = false;
  uint32_t previous_ = 0;
  const char* why_ = "";
  Stop stop_;
  std::vector<Frame> stack_;
  size_t pos_ = 0;
  uint64_t count_ = 0;
  Status ok_status_;
};

struct Encoding {
  DatasetEncoding encoding;
  bool explicit_vr, big_endian;
};
constexpr Encoding kEncodings[] = {
    {DatasetEncoding::kExplicitLittle, true, false},
    {DatasetEncoding::kImplicitLittle, false, false},
    {DatasetEncoding::kExplicitBig, true, true},
};

}  // namespace

Status CheckStructure(std::string_view bytes, size_t start, DatasetEncoding encoding,
                      bool stop_at_pixels) {
  if (start >= bytes.size()) return OkStatus();
  for (const Encoding& candidate : kEncodings) {
    if (encoding != DatasetEncoding::kUnknown && encoding != candidate.encoding) continue;
    Walker walker(bytes);
    TFDICOM_RETURN_IF_ERROR(
        walker.Run(start, candidate.explicit_vr, candidate.big_endian, stop_at_pixels));
  }
  return OkStatus();
}


bool ReadsToTheEnd(std::string_view bytes, size_t start, DatasetEncoding encoding,
                   std::string* problem) {
  for (const Encoding& candidate : kEncodings) {
    if (encoding != candidate.encoding) continue;
    Walker walker(bytes);
    walker.set_ascending_top_level();
    const Status status = walker.Run(start, candidate.explicit_vr, candidate.big_endian, false);
    if (!status.ok()) {
      *problem = status.message();
      return false;
    }
    if (!walker.stop().gave_up) return true;
    const Walker::Stop& stop = walker.stop();
    *problem = "at offset " + std::to_string(stop.offset);
    if (stop.tag != 0) {
      *problem += " (" + DescribeTag(static_cast<uint16_t>(stop.tag >> 16),
                                     static_cast<uint16_t>(stop.tag)) + ")";
    }
    *problem += std::string(": ") + stop.why;
    return false;
  }
  return true;
}

}  // namespace tfdicom
