"""pydicom as the oracle for decode_dicom_data and decode_dicom_json.

What pydicom reads is turned into the forms tfdicom documents, and these are
ALL the normalisations the comparisons apply (each is a documented decision
of tfdicom, or a place where pydicom's reading is not DICOM's):

Values (decode_dicom_data):
1. Text: each value of pydicom's str() without trailing spaces and NULs, and
   without leading spaces for AE, AS, CS, DA, DS, DT, IS, LO, SH, TM, UI
   (the VRs whose leading spaces are padding). pydicom strips only the end
   of the whole element, so it keeps 'DERIVED ' inside 'DERIVED \\PRIMARY'.
   Several values are joined by a backslash; DS and IS are pydicom's
   original strings (as the file writes them).
2. US, SS, UL, SL, UV, SV: str(int); FL, FD: repr(float) (FL widened to
   double, which is what pydicom holds); AT: '(gggg,eeee)', pydicom's
   str(Tag).
3. Binary VRs (OB, OW, OF, OD, OL, OV, UN, pixel data): base64 of pydicom's
   raw bytes, byte-swapped per word (2, 4 or 8 bytes by VR) for big-endian
   files: pydicom keeps the file's byte order, tfdicom always gives little
   endian. Encapsulated pixel data is pydicom's value (items, no delimiter).
4. SQ: the number of items.
5. Absent, empty (no value), or a path through a missing item: ''.
6. Group 0002 comes from pydicom's file_meta.

JSON (decode_dicom_json against pydicom's per-element to_json_dict):
7. pydicom's group length elements (gggg,0000) are dropped: DCMTK does not
   write them.
8. Elements at or after (7FE0,0008) are dropped: tfdicom leaves pixel data
   and what follows it out.
9. Every (0008,0005) whose value is not 'ISO_IR 192' reads ['ISO_IR 192'] in
   tfdicom's output (the JSON text is UTF-8).
10. Text values trimmed as in 1; an empty value of a multi-valued element is
    null (DICOM JSON, PS3.18 F.2.5) where pydicom writes ''.
11. PN groups without trailing '^' (DCMTK leaves empty trailing components
    out: 'OB^^^^' -> 'OB').
12. Numbers compared as Python floats (pydicom writes an IS as int, DCMTK
    as a JSON number; FL and FD are the same doubles on both sides).
13. InlineBinary: as 3 (little endian).
14. An element that pydicom cannot convert (IS '1A') is compared with
    decode_dicom_data's text: DCMTK writes it as a JSON string.
15. A binary value of odd length (invalid DICOM) is padded with one NUL byte
    by DCMTK when it reads the file; pydicom keeps the odd length.

Both:
16. A private data element that an explicit VR file writes as UN stays UN in
    tfdicom unless DCMTK's private dictionary knows its creator; pydicom's
    private dictionary knows more (AGFA, in pydicom's charset files) and
    converts it. The oracle takes such an element as the file has it: UN,
    raw bytes.
"""

import base64

import numpy as np
import pydicom
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.datadict import tag_for_keyword
from pydicom.tag import Tag
from pydicom.multival import MultiValue

BINARY_VRS = {"OB", "OW", "OF", "OD", "OL", "OV", "UN", "OB or OW", "US or OW"}
WORD_SIZE = {"OW": 2, "OF": 4, "OD": 8, "OL": 4, "OV": 8, "OB or OW": 2, "US or OW": 2}
LEADING_PADDING_VRS = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "SH", "TM", "UI"}
FIRST_PIXEL_TAG = 0x7FE00008
NUMBER_VRS = {"FL", "FD", "DS", "IS", "US", "SS", "UL", "SL", "UV", "SV"}


def read(path):
    ds = pydicom.dcmread(path, force=True)
    for tag in list(ds.keys()):  # 16: before any access converts the raw elements
        raw = ds.get_item(tag)
        if (isinstance(raw, RawDataElement) and raw.VR == "UN" and Tag(tag).is_private
                and not Tag(tag).is_private_creator):
            ds[tag] = DataElement(tag, "UN", raw.value)
    return ds


def is_big_endian(ds):
    return ds.is_little_endian is False


def _parse_step(step):
    index = None
    if step.endswith("]"):
        step, index = step[:-1].split("[")
        index = int(index)
    if step.startswith("("):
        tag = int(step[1:5] + step[6:10], 16)
    else:
        tag = tag_for_keyword(step)
        assert tag is not None, f"pydicom does not know the keyword {step!r}"
    return tag, index


def find(ds, path):
    """pydicom's element at a tfdicom tag path ('A[0].B', '(0010,0010)'),
    or None; and whether it came from the meta header."""
    steps = path.split(".")
    item = ds
    for i, step in enumerate(steps):
        tag, index = _parse_step(step)
        last = i == len(steps) - 1
        if last and len(steps) == 1 and tag >> 16 == 0x0002:
            meta = getattr(ds, "file_meta", None)
            return (meta.get(tag) if meta is not None else None), True
        if tag not in item:
            return None, False
        element = item[tag]
        if last:
            return element, False
        if element.VR != "SQ" or index >= len(element.value):
            return None, False
        item = element.value[index]
    return None, False


def little_endian_bytes(value, vr, big_endian):
    """pydicom's raw bytes as tfdicom gives them: little endian (3), and
    padded to even length (15)."""
    value = bytes(value)
    if len(value) % 2:
        value += b"\0"
    word = WORD_SIZE.get(vr, 1)
    if big_endian and word > 1 and len(value) % word == 0:
        return np.frombuffer(value, dtype=f">u{word}").astype(f"<u{word}").tobytes()
    return value


def trim(text, vr):
    text = text.rstrip(" \0")
    return text.lstrip(" ") if vr in LEADING_PADDING_VRS else text


def render(element, big_endian):
    """The text decode_dicom_data documents for a pydicom element."""
    if element is None or element.value is None:
        return ""
    vr = element.VR
    if vr == "SQ":
        return str(len(element.value))
    value = element.value
    if vr in BINARY_VRS and isinstance(value, (bytes, bytearray)):
        return base64.b64encode(little_endian_bytes(value, vr, big_endian)).decode()
    values = value if isinstance(value, (MultiValue, list, tuple)) else [value]
    out = []
    for v in values:
        if vr == "AT":
            out.append(f"({v >> 16:04X},{v & 0xFFFF:04X})")
        elif vr in ("FL", "FD"):
            out.append(repr(float(v)))
        elif vr in ("US", "SS", "UL", "SL", "UV", "SV"):
            out.append(str(int(v)))
        else:
            out.append(trim(str(v), vr))
    return "\\".join(out)


def element_paths(ds, prefix=""):
    """(path, element) for every element of `ds` before the pixel data,
    and of every item of its sequences, as '(gggg,eeee)[i].(gggg,eeee)'."""
    for element in ds:
        if not prefix and element.tag >= FIRST_PIXEL_TAG:
            continue
        path = f"{prefix}({element.tag.group:04X},{element.tag.element:04X})"
        yield path, element
        if element.VR == "SQ":
            for i, item in enumerate(element.value):
                yield from element_paths(item, f"{path}[{i}].")


# --- JSON -----------------------------------------------------------------


class Unconvertible:
    """An element pydicom's to_json_dict raises on (normalisation 14)."""

    def __init__(self, element, big_endian):
        self.text = render(element, big_endian)


def pydicom_json(ds, big_endian, top=True):
    """pydicom's DICOM JSON of `ds`, element by element, normalised."""
    out = {}
    for element in ds:
        tag = int(element.tag)
        if tag & 0xFFFF == 0:  # 7: group length
            continue
        if top and tag >= FIRST_PIXEL_TAG:  # 8
            continue
        key = f"{tag:08X}"
        if element.VR == "SQ":
            entry = {"vr": "SQ"}
            if element.value:
                entry["Value"] = [pydicom_json(item, big_endian, top=False)
                                  for item in element.value]
            out[key] = entry
            continue
        try:
            entry = element.to_json_dict(bulk_data_element_handler=None,
                                         bulk_data_threshold=1 << 40)
        except (ValueError, TypeError):
            out[key] = Unconvertible(element, big_endian)
            continue
        out[key] = normalise_entry(entry, element.VR, big_endian)
    if "00080005" in out and not isinstance(out["00080005"], Unconvertible):
        values = out["00080005"].get("Value")
        if values and values != ["ISO_IR 192"] and any(values):  # 9
            out["00080005"] = {"vr": "CS", "Value": ["ISO_IR 192"]}
    return out


def _text(value, vr):
    if value is None or value == "":
        return None  # 10: empty values are null
    return trim(value, vr)


def _person_name(value):
    if value is None:
        return None
    groups = {k: v.rstrip("^") for k, v in value.items()}  # 11
    groups = {k: v for k, v in groups.items() if v}
    return groups or None


def normalise_entry(entry, vr, big_endian):
    entry = dict(entry)
    entry["vr"] = str(entry["vr"])
    if "InlineBinary" in entry:  # 13
        raw = base64.b64decode(entry["InlineBinary"])
        entry["InlineBinary"] = base64.b64encode(little_endian_bytes(raw, vr, big_endian)).decode()
    if "Value" in entry:
        values = entry["Value"]
        if vr == "PN":
            values = [_person_name(v) for v in values]
        elif vr in NUMBER_VRS:
            values = [None if v is None else float(v) for v in values]
        elif vr != "AT":
            values = [_text(v, vr) for v in values]
        entry["Value"] = values
        if all(v is None for v in values):
            del entry["Value"]
    return entry


def normalise_ours(ours):
    """tfdicom's JSON with the comparable number types (12)."""
    out = {}
    for key, entry in ours.items():
        entry = dict(entry)
        vr = entry["vr"]
        if vr == "SQ":
            if entry.get("Value"):
                entry["Value"] = [normalise_ours(item) for item in entry["Value"]]
            else:
                entry.pop("Value", None)
        elif "Value" in entry:
            values = entry["Value"]
            if vr == "PN":
                values = [_person_name(v) for v in values]
            elif vr in NUMBER_VRS:
                values = [v if v is None or isinstance(v, str) else float(v) for v in values]
            elif vr != "AT":
                values = [_text(v, vr) for v in values]
            entry["Value"] = values
            if all(v is None for v in values):
                del entry["Value"]
        if "InlineBinary" in entry and entry["InlineBinary"] == "":
            del entry["InlineBinary"]
        out[key] = entry
    return out
