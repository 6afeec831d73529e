"""Generates tfdicom/tags.py from DCMTK's data dictionary.

    python tools/gen_tags.py            # rewrite tfdicom/tags.py
    python tools/gen_tags.py --check    # exit 1 if tfdicom/tags.py is stale

Sources, read at generation time only (tfdicom/tags.py needs neither):

- DCMTK's public data dictionary (``dicom.dic``, default
  /usr/share/libdcmtk17/dicom.dic from Debian's libdcmtk17): every entry
  becomes a constant under its keyword. DCMTK writes retired keywords as
  ``RETIRED_<keyword>``; the prefix is dropped, which gives the standard's
  keyword. Entries over odd or all groups (private creators, generic group
  lengths: versions PRIVATE, GENERIC, ILLEGAL) name no single attribute and
  are skipped. Repeating groups (50xx curves, 60xx overlays, (0020,31xx))
  get their first tag, as pydicom's ``tag_for_keyword`` does.
- pydicom's data dictionary (``pydicom.datadict``), only for the attribute
  NAMES that tensorflow-io's ``dicom_tags`` aliases were made of: the name
  with every character but ASCII letters and digits removed ("Patient's
  Name" -> ``PatientsName``, "Samples per Pixel" -> ``SamplesperPixel``),
  a leading digit spelled out as tensorflow-io did ("2D Mating Point" ->
  ``TwoDMatingPoint``). An alias that equals a keyword is skipped.
- RENAMED_TFIO_NAMES below: tensorflow-io's names for the few attributes
  renamed since the edition it was made from.
"""

import argparse
import keyword
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DICTIONARY = "/usr/share/libdcmtk17/dicom.dic"
DEFAULT_OUTPUT = os.path.normpath(os.path.join(HERE, "..", "tfdicom", "tags.py"))
SKIPPED_VERSIONS = {"PRIVATE", "GENERIC", "ILLEGAL"}
TAG = re.compile(
    r"\((?P<g>[0-9A-F]{4})(?:-(?P<gr>[ou]-)?(?P<g2>[0-9A-F]{4}))?,"
    r"(?P<e>[0-9A-F]{4})(?:-(?P<er>[ou]-)?(?P<e2>[0-9A-F]{4}))?\)"
)


def read_dcmtk_dictionary(path):
    """Yields (tag, keyword, vr, vm, version, repeating) for each entry."""
    with open(path, encoding="ascii") as f:
        for number, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            fields = [x for x in fields if x != ""]
            if len(fields) != 5:
                raise ValueError(f"{path}:{number}: expected 5 tab-separated fields: {line!r}")
            tag_text, vr, name, vm, version = fields
            if version in SKIPPED_VERSIONS:
                continue
            m = TAG.fullmatch(tag_text)
            if m is None:
                raise ValueError(f"{path}:{number}: unexpected tag {tag_text!r}")
            if m.group("gr") or m.group("er"):  # odd or all groups: not one attribute
                continue
            tag = int(m.group("g") + m.group("e"), 16)
            repeating = bool(m.group("g2") or m.group("e2"))
            yield tag, name, vr, vm, version, repeating


def pydicom_name(tag):
    """The attribute name in pydicom's dictionary (repeaters included)."""
    from pydicom.datadict import DicomDictionary, RepeatersDictionary

    if tag in DicomDictionary:
        return DicomDictionary[tag][2]
    text = f"{tag:08X}"
    for mask, entry in RepeatersDictionary.items():
        if all(m in "xX" or m == t for m, t in zip(mask.upper(), text)):
            return entry[2]
    return None


# tensorflow-io 0.37.1's dicom_tags (tensorflow_io/python/ops/dicom_ops.py,
# 4023 names) was made from an older edition of the standard. Compared with
# it, the rule in tfio_alias() derives every name from pydicom 3's attribute
# names except these, whose attributes have been renamed since.
RENAMED_TFIO_NAMES = {
    "ExposureinAs": 0x00181153,  # was "Exposure in µAs", now "... in uAs"
    "ExposureTimeinS": 0x00188150,  # was "Exposure Time in µS", now "... in uS"
    "XRayTubeCurrentinA": 0x00188151,  # was "X-Ray Tube Current in µA", now "... in uA"
    "ViewOrientationModifier": 0x006862F0,  # now "View Orientation Modifier Code Sequence"
    "Version": 0x4010103A,  # now "DICOS Version"
    "PerframeFunctionalGroupsSequence": 0x52009230,  # now "Per-Frame Functional ..."
}

DIGIT_WORDS = ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"]


def tfio_alias(name):
    """An attribute name as tensorflow-io's dicom_tags wrote it: letters and
    digits only, a leading digit spelled out ("2D ..." -> "TwoD...")."""
    alias = re.sub(r"[^A-Za-z0-9]", "", name)
    if alias[:1].isdigit():
        alias = DIGIT_WORDS[int(alias[0])] + alias[1:]
    return alias


def describe_source(path):
    with open(path, encoding="ascii") as f:
        for line in f:
            if line.startswith("# Generated automatically from"):
                return line[2:].strip().rstrip(".").replace("Generated automatically from ", "")
    return "an unknown DICOM edition"


def generate(dictionary_path):
    import pydicom

    entries = []
    keywords = {}
    for tag, name, vr, vm, version, repeating in read_dcmtk_dictionary(dictionary_path):
        kw = name[len("RETIRED_"):] if name.startswith("RETIRED_") else name
        if kw in keywords:
            raise ValueError(f"keyword {kw} names two tags: {keywords[kw]:08X} and {tag:08X}")
        keywords[kw] = tag
        entries.append((tag, kw, vr, vm, version, repeating))
    entries.sort()

    aliases = {}
    for tag, kw, *_ in entries:
        name = pydicom_name(tag)
        if name is None:
            continue
        alias = tfio_alias(name)
        if alias == kw or alias in keywords or not alias or keyword.iskeyword(alias):
            continue
        if alias in aliases and aliases[alias] != tag:
            raise ValueError(f"alias {alias} names two tags: {aliases[alias]:08X} and {tag:08X}")
        aliases[alias] = tag
    for alias, tag in RENAMED_TFIO_NAMES.items():
        if alias in keywords or aliases.get(alias, tag) != tag or tag not in keywords.values():
            raise ValueError(f"RENAMED_TFIO_NAMES: {alias} clashes or names no dictionary tag")
        aliases[alias] = tag

    out = [HEADER.format(
        source=describe_source(dictionary_path),
        dictionary=os.path.basename(dictionary_path),
        pydicom=pydicom.__version__,
        count=len(entries),
        alias_count=len(aliases),
    )]
    for tag, kw, vr, vm, version, repeating in entries:
        notes = [f"({tag >> 16:04X},{tag & 0xFFFF:04X})", vr, f"VM {vm}"]
        if version.endswith("/retired"):
            notes.append("retired")
        if repeating:
            notes.append("repeating group: first tag")
        out.append(f"{kw} = 0x{tag:08X}  # {', '.join(notes)}\n")
    out.append(ALIAS_HEADER)
    for alias, tag in sorted(aliases.items(), key=lambda item: (item[1], item[0])):
        target = next(kw for t, kw, *_ in entries if t == tag)
        out.append(f"{alias} = {target}\n")
    out.append("\nALIASES = frozenset({\n")
    for alias in sorted(aliases):
        out.append(f"    {alias!r},\n")
    out.append("})\n")
    out.append(FOOTER)
    return "".join(out)


HEADER = '''\
"""DICOM tags as integer constants: ``(group << 16) | element``.

GENERATED by tools/gen_tags.py from DCMTK's data dictionary
({dictionary}: {source})
and from pydicom {pydicom}'s attribute names. Do not edit: rerun
``python tools/gen_tags.py``.

- {count} attributes under their standard keywords: ``tags.PatientName ==
  0x00100010``, ``tags.Rows == 0x00280010``. Retired attributes too, without
  DCMTK's ``RETIRED_`` prefix.
- Repeating groups (50xx curves, 60xx overlays, (0020,31xx)) hold their first
  tag: ``tags.OverlayData == 0x60003000``; the n-th further overlay is
  ``tags.OverlayData + (2 * n << 16)``.
- {alias_count} aliases with the names of tensorflow-io's ``dicom_tags``: the
  attribute's name with everything but letters and digits removed
  (``tags.PatientsName``, ``tags.SamplesperPixel``, ``tags.NumberofFrames``),
  listed in ``ALIASES``; every one of the 4023 names of tensorflow-io 0.37's
  ``dicom_tags`` is here, with the same tag.

The constants are plain ``int`` values in [0, 2**32); ``decode_dicom_data``
takes them as a scalar, a (nested) list or any integer tensor.

>>> from tfdicom import tags
>>> hex(tags.PatientName), tags.PatientsName == tags.PatientName
('0x100010', True)
>>> tags.keyword(0x00280010), hex(tags.tag("(0028,0010)"))
('Rows', '0x280010')
"""

# fmt: off
'''

ALIAS_HEADER = '''
# tensorflow-io's dicom_tags names: attribute names without punctuation.
'''

FOOTER = '''
# fmt: on

_BY_TAG = None


def keyword(tag):
    """The standard keyword of `tag` (an int), e.g. ``keyword(0x00100010) ==
    'PatientName'``; None for a tag the dictionary does not have."""
    global _BY_TAG
    if _BY_TAG is None:
        _BY_TAG = {
            value: name for name, value in globals().items()
            if isinstance(value, int) and not name.startswith("_") and name not in ALIASES
        }
    return _BY_TAG.get(int(tag))


def tag(name):
    """The tag of a keyword or alias (``'PatientName'``, ``'PatientsName'``)
    or of a tag written as ``'(0010,0010)'``, ``'0010,0010'`` or
    ``'00100010'``. Raises KeyError for an unknown name."""
    text = name.strip()
    if text[:1].isdigit() or text[:1] == "(" or "," in text:
        digits = text.removeprefix("(").removesuffix(")").replace(",", "")
        if len(digits) == 8 and all(c in "0123456789abcdefABCDEF" for c in digits):
            return int(digits, 16)
        raise KeyError(f"not a tag: {name!r}")
    value = globals().get(text)
    if not isinstance(value, int) or text.startswith("_"):
        raise KeyError(f"no DICOM keyword {name!r}")
    return value
'''


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dictionary", default=DEFAULT_DICTIONARY)
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the output file differs from what would be generated")
    args = parser.parse_args(argv)
    text = generate(args.dictionary)
    if args.check:
        with open(args.output, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{args.output} is stale: run python tools/gen_tags.py", file=sys.stderr)
                return 1
        print(f"{args.output} is up to date")
        return 0
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
