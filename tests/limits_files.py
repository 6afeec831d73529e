"""Raw-byte builders of DICOM files that stress structure limits: deeply
nested sequences, very many elements or items. Written byte by byte (pydicom
recurses on nesting and is slow on 10^6 items), in the three uncompressed
encodings."""

import struct

EXPLICIT_LE = "1.2.840.10008.1.2.1"
IMPLICIT_LE = "1.2.840.10008.1.2"
EXPLICIT_BE = "1.2.840.10008.1.2.2"

_SOP_CLASS = b"1.2.840.10008.5.1.4.1.1.7\x00"  # even length
CONTENT_SEQUENCE = 0x0040A730
UNDEFINED = 0xFFFFFFFF


class Writer:
    """Element headers in one transfer syntax."""

    def __init__(self, syntax):
        self.syntax = syntax
        self.explicit = syntax != IMPLICIT_LE
        self.order = ">" if syntax == EXPLICIT_BE else "<"

    def tag(self, tag):
        return struct.pack(self.order + "HH", tag >> 16, tag & 0xFFFF)

    def element(self, tag, vr, value):
        if len(value) % 2:
            value += b" " if vr not in ("UI", "OB", "UN") else b"\x00"
        return self.header(tag, vr, len(value)) + value

    def header(self, tag, vr, length):
        if not self.explicit:
            return self.tag(tag) + struct.pack(self.order + "I", length)
        if vr in ("OB", "OW", "OF", "SQ", "UT", "UN", "UC", "UR", "OD", "OL", "OV", "SV", "UV"):
            return self.tag(tag) + vr.encode() + b"\x00\x00" + struct.pack(self.order + "I", length)
        return self.tag(tag) + vr.encode() + struct.pack(self.order + "H", length)

    def item(self, length):
        return self.tag(0xFFFEE000) + struct.pack(self.order + "I", length)

    def item_end(self):
        return self.tag(0xFFFEE00D) + b"\x00" * 4

    def sequence_end(self):
        return self.tag(0xFFFEE0DD) + b"\x00" * 4


def part10(syntax, body):
    """Preamble, meta header (explicit VR LE) and the data set `body`."""
    uid = syntax.encode() + (b"\x00" if len(syntax) % 2 else b"")
    meta_writer = Writer(EXPLICIT_LE)
    meta = meta_writer.element(0x00020001, "OB", b"\x00\x01")
    meta += meta_writer.element(0x00020002, "UI", _SOP_CLASS)
    meta += meta_writer.element(0x00020003, "UI", b"1.2.3.4\x00")
    meta += meta_writer.element(0x00020010, "UI", uid)
    group_length = meta_writer.element(0x00020000, "UL", struct.pack("<I", len(meta)))
    return b"\x00" * 128 + b"DICM" + group_length + meta + body


def nested_sequences(depth, *, syntax=EXPLICIT_LE, defined_length=False, rows=True,
                     photometric=b"MONOCHROME2 ", item_lengths=None):
    """A file with (0040,A730) ContentSequence nested `depth` levels deep,
    one item per level; with Rows/Columns before it and a tiny image after
    it (`rows`) so that the image decode reaches DCMTK's parse too.
    `item_lengths` ({level: length}, level 0 the outermost) writes those
    defined-length items with another length than their content's."""
    w = Writer(syntax)
    head = w.element(0x00080016, "UI", _SOP_CLASS)
    if rows:
        head += w.element(0x00280002, "US", struct.pack(w.order + "H", 1))
        head += w.element(0x00280004, "CS", photometric)
        head += w.element(0x00280010, "US", struct.pack(w.order + "H", 1))
        head += w.element(0x00280011, "US", struct.pack(w.order + "H", 1))
        head += w.element(0x00280100, "US", struct.pack(w.order + "H", 8))
        head += w.element(0x00280101, "US", struct.pack(w.order + "H", 8))
        head += w.element(0x00280102, "US", struct.pack(w.order + "H", 7))
        head += w.element(0x00280103, "US", struct.pack(w.order + "H", 0))
    # The innermost item holds one element; each level wraps it.
    inner = w.element(0x0040A160, "UT", b"deep")
    if defined_length:
        for level in reversed(range(depth)):
            item = w.item((item_lengths or {}).get(level, len(inner))) + inner
            inner = w.header(CONTENT_SEQUENCE, "SQ", len(item)) + item
        nest = inner
    else:
        opening = w.header(CONTENT_SEQUENCE, "SQ", UNDEFINED) + w.item(UNDEFINED)
        closing = w.item_end() + w.sequence_end()
        nest = opening * depth + inner + closing * depth
    # ContentSequence (0040,A730) comes after (0028,xxxx), so the order is
    # ascending; the pixel data follows.
    tail = w.element(0x7FE00010, "OB" if w.explicit else "OB", b"\x80\x80")
    return part10(syntax, head + nest + tail)


def many_elements(count, *, syntax=EXPLICIT_LE):
    """A data set with `count` private elements (0009,xxxx)... spread over
    groups 0011, 0013, ... (each LO "v"), in ascending order."""
    w = Writer(syntax)
    parts = [w.element(0x00080016, "UI", _SOP_CLASS)]
    group, element = 0x0011, 0x1000
    for _ in range(count):
        parts.append(w.element(group << 16 | element, "LO", b"v "))
        element += 1
        if element > 0xFFFF:
            group += 2
            element = 0x1000
    return part10(syntax, b"".join(parts))


def many_items(count, *, syntax=EXPLICIT_LE, empty=False):
    """One (0040,A730) ContentSequence of undefined length with `count`
    items: empty defined-length items (8 bytes each) or items holding one
    (0040,A160) TextValue."""
    w = Writer(syntax)
    if empty:
        item = w.item(0)
    else:
        value = w.element(0x0040A160, "UT", b"t ")
        item = w.item(len(value)) + value
    body = (w.element(0x00080016, "UI", _SOP_CLASS) + w.header(CONTENT_SEQUENCE, "SQ", UNDEFINED)
            + item * count + w.sequence_end())
    return part10(syntax, body)


def with_elements(elements, *, syntax=EXPLICIT_LE):
    """A file of the given (tag, vr, value bytes) elements, in this order."""
    w = Writer(syntax)
    body = w.element(0x00080016, "UI", _SOP_CLASS)
    for tag, vr, value in elements:
        body += w.element(tag, vr, value)
    return part10(syntax, body)
