#include "cc/core/structure_check.h"

#include <cstring>
#include <string>
#include <vector>

#include "cc/core/dataset.h"
#include "cc/core/header_scan.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctag.h"

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
  size_t end;    // kOpen: undefined length. DCMTK reads a defined-length
                 // sequence or item while it has read less than its length:
                 // the last element or item may run past `end`.
  size_t limit;  // how far the walk may read here: the input's end, or the
                 // end of a value that DCMTK may read as opaque bytes
  bool explicit_vr;
  bool big_endian;
  bool hard = false;  // a value DCMTK may read as opaque: `end` is exact
};

// Whether DCMTK reads the element as a sequence, whatever its content: SQ,
// or under implicit VR (and for UN, which DCMTK reads with the dictionary's
// VR) a public tag that the dictionary says is SQ. Private tags depend on
// their creator and are guessed from their content instead.
bool SurelySequence(bool explicit_vr, const Element& e) {
  if (explicit_vr && VrIs(e, "SQ")) return true;
  if (explicit_vr && !VrIs(e, "UN")) return false;
  const uint16_t group = static_cast<uint16_t>(e.tag >> 16);
  if (group & 1) return false;
  return DcmTag(group, static_cast<uint16_t>(e.tag)).getEVR() == EVR_SQ;
}

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

  // Makes the walk read every value of defined length that starts with an
  // item, and whose VR it cannot tell, as DCMTK reads a sequence: past its
  // end when its content runs on (the first walk skips such a value by its
  // length, as DCMTK reads opaque bytes).
  void set_follow_guessed() { follow_guessed_ = true; }

  // Whether the walk skipped a value it had guessed to be a sequence
  // because its content ran past its length.
  bool skipped_guessed() const { return skipped_guessed_; }

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
        if (stack_.size() == 1) return OkStatus();
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
          // An item delimiter ends an item of defined length too.
          if (e.tag == kItemEnd && stack_.size() > 1) {
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
          // DCMTK fails on an element whose header ends inside an item of
          // defined length and whose value runs past it (a header that
          // ends past the item is read on, with a warning).
          if (stack_.size() > 1 && f.end != kOpen && e.value <= f.end &&
              e.length != kUndefinedLength && e.length > f.end - e.value) {
            ok = false;
            why_ = "a value runs past the end of its item";
            break;
          }
          TFDICOM_RETURN_IF_ERROR(Count(e));
          ok = OnElement(f, e);
          if (!ok_status_.ok()) return ok_status_;
          break;
        }
        case Frame::Kind::kItems:
        case Frame::Kind::kFragments: {
          // A sequence delimiter ends a sequence of defined length too.
          if (e.tag == kSequenceEnd) {
            pos_ = e.value;
            stack_.pop_back();
            continue;
          }
          // DCMTK ends the sequence and the item around it at an item
          // delimiter among items.
          if (e.tag == kItemEnd && f.kind == Frame::Kind::kItems) {
            pos_ = e.value;
            stack_.pop_back();
            if (stack_.size() == 1) return GiveUp(e.tag, "an item delimiter among items");
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
            // DCMTK reads its elements while it has read less than its
            // length, up to the end of the input.
            const size_t end = e.length <= bytes_.size() - e.value ? e.value + e.length
                                                                   : bytes_.size();
            stack_.push_back({Frame::Kind::kElements, end, f.limit, f.explicit_vr,
                              f.big_endian});
            pos_ = e.value;
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
      return OpenSequence(e, kOpen, f.limit, f.explicit_vr && !un, un ? false : f.big_endian,
                          /*hard=*/false);
    }
    const bool un = f.explicit_vr && VrIs(e, "UN");
    const bool big_endian = un ? false : f.big_endian;
    const bool explicit_vr = f.explicit_vr && !un;
    // A value of defined length past the end of the input: DCMTK reads a
    // sequence's items up to the end of the input.
    const size_t end = e.length <= bytes_.size() - e.value ? e.value + e.length : bytes_.size();
    // A sequence for sure: its items are read as DCMTK reads them, also
    // past its length when they run on (DCMTK warns and reads on).
    if (SurelySequence(f.explicit_vr, e)) {
      return OpenSequence(e, end, f.limit, explicit_vr, big_endian, /*hard=*/false);
    }
    // A value of defined length that DCMTK may read as a sequence: UN (as
    // its dictionary says), a VR it does not know, anything under implicit
    // VR (for private tags as DCMTK guesses). It is followed when it starts
    // with an item; the first walk skips a value that does not read as a
    // sequence within its length, and the second (set_follow_guessed) reads
    // it on as DCMTK reads a sequence.
    const bool known_opaque = f.explicit_vr && IsKnownVr(e.vr[0], e.vr[1]) && !un;
    if (!known_opaque && e.length >= 8 && e.value + 4 <= f.limit) {
      ElementReader reader(bytes_.substr(0, f.limit), e.value, big_endian);
      if ((uint32_t{reader.U16(e.value)} << 16 | reader.U16(e.value + 2)) == kItem) {
        const bool hard = !follow_guessed_ && e.length <= f.limit - e.value;
        return OpenSequence(e, end, hard ? end : f.limit, explicit_vr, big_endian, hard);
      }
    }
    if (e.length > f.limit - e.value) return false;
    pos_ = end;
    return true;
  }

  bool OpenSequence(const Element& e, size_t end, size_t limit, bool explicit_vr,
                    bool big_endian, bool hard) {
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
    stack_.push_back({Frame::Kind::kItems, end, limit, explicit_vr, big_endian, hard});
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

  // After something it cannot follow: skips the innermost value that it
  // guessed to be a sequence (DCMTK may read it as opaque bytes), or gives
  // up when there is none (DCMTK fails there too, or reads on where the
  // walk cannot follow).
  bool Unwind() {
    for (size_t i = stack_.size(); i-- > 1;) {
      if (stack_[i].hard) {
        pos_ = stack_[i].end;
        stack_.resize(i);
        skipped_guessed_ = true;
        return true;
      }
    }
    return false;
  }

  std::string_view bytes_;
  bool ascending_ = false;
  bool follow_guessed_ = false;
  bool skipped_guessed_ = false;
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
    if (!walker.skipped_guessed()) continue;
    // A value it guessed to be a sequence ran past its length: DCMTK reads
    // it as opaque bytes or reads on; walk the other way too.
    Walker follow(bytes);
    follow.set_follow_guessed();
    TFDICOM_RETURN_IF_ERROR(
        follow.Run(start, candidate.explicit_vr, candidate.big_endian, stop_at_pixels));
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
