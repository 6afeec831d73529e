#!/usr/bin/env python3
"""tfdicom's own mutation fuzzer: damaged copies of real DICOM files through
the NumPy path, in worker processes, with the contract checked on every
input. It complements the libFuzzer harness (cc/fuzz/fuzz_decode.cc, run by
tools/sanitize.sh), which finds memory errors under ASan in the C++ core;
this one runs the shipped Python extension with its real options and checks
what a user sees.

Seeds: the open test files with pixel data (pydicom's and pydicom-data's,
listed in open-test-files.tsv, read with pydicom.data.get_testdata_file(...,
download=False)), tfdicom/samples and tests/fuzz_regressions.

Mutations (1 to 4 per input, chosen by a random generator seeded with
"SEED/INDEX", so mutant INDEX of seed SEED is always the same bytes): bit
flips, bytes set to 0/0xFF/0x80/0x7F, element length fields (found by a
simple scan of the header) set to boundary values, values of image-describing
elements (Rows, BitsAllocated, PhotometricInterpretation, TransferSyntaxUID,
...) replaced, truncation, chunk and element duplication and deletion,
splicing two files at element boundaries, tag and VR swaps.

Every mutant runs through decode_dicom_image (one option set of a rotation
over on_error x color_dim x values x scale x dtype), decode_dicom_data (a few
tags, a sequence path among them) and decode_dicom_json, twice: in two
worker processes started with different MALLOC_PERTURB_ values, so that
uninitialised heap in an output shows up as a difference. A finding is:
a worker killed by a signal, a worker that exceeds the timeout, an exception
that is not a tfdicom.errors.DicomError, any exception under on_error='skip'
or 'lossy', a message or value that is not valid UTF-8, JSON that json.loads
refuses, an output of the wrong rank or dtype, or two runs that differ.
Findings are saved (input + options + symptom) under --out.

    python tools/mutation_fuzz.py --count 1000
    python tools/mutation_fuzz.py --seconds 1800 --jobs 1 --out build/mutation-findings
    python tools/mutation_fuzz.py --replay build/mutation-findings/<finding>/<n>.json

Prints the totals at the end (inputs, per entry point and outcome, findings)
and exits 1 if there was any finding.
"""

import argparse
import collections
import csv
import glob
import hashlib
import itertools
import json
import os
import pickle
import random
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPEN_TEST_FILES = "/work/shared/reference/open-test-files.tsv"

# ---------------------------------------------------------------------------
# Seeds


def _tsv_names(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return [row["name"] for row in csv.DictReader(f, delimiter="\t") if row.get("name")]


def load_seeds(max_bytes=2 << 20, names_file=OPEN_TEST_FILES, paths=None):
    """[(name, bytes)] sorted by name: the open test files (those present
    locally), the bundled samples and the fuzz regression files, each at
    most `max_bytes`. `paths` (files or folders) replaces that set."""
    found = {}
    if paths:
        for source in paths:
            files = sorted(glob.glob(os.path.join(source, "**", "*"), recursive=True)) \
                if os.path.isdir(source) else [source]
            for path in files:
                if os.path.isfile(path) and not path.endswith((".py", ".md", ".tsv")):
                    found[os.path.relpath(path, ROOT)] = path
    else:
        try:
            import pydicom.data
        except ImportError:
            pydicom = None
        for name in _tsv_names(names_file) if pydicom else []:
            try:
                path = pydicom.data.get_testdata_file(name, download=False)
            except Exception:  # noqa: BLE001 - a file that is not installed is no seed
                path = None
            if path and os.path.isfile(path):
                found[name] = path
        for pattern in ("tfdicom/samples/*/*.dcm", "tests/fuzz_regressions/*.dcm"):
            for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
                found[os.path.relpath(path, ROOT)] = path
    seeds = []
    for name in sorted(found):
        if os.path.getsize(found[name]) <= max_bytes:
            with open(found[name], "rb") as f:
                seeds.append((name, f.read()))
    return seeds


# ---------------------------------------------------------------------------
# A cheap scan of DICOM structure

VRS = (b"AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI "
       b"UL UN UR US UT UV").split()
LONG_VRS = {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT",
            b"UV"}
_EXPLICIT = re.compile(b"(?=(....)(" + b"|".join(VRS) + b"))", re.S)
_ITEM = re.compile(b"\xfe\xff(?:\x00\xe0|\x0d\xe0|\xdd\xe0)", re.S)
_IMPLICIT_GROUPS = re.compile(b"(?=(?:" + b"|".join(re.escape(struct.pack("<H", g)) for g in (
    0x0002, 0x0008, 0x0010, 0x0018, 0x0020, 0x0028, 0x7FE0)) + b")..)", re.S)
HEADER_SCAN_BYTES = 1 << 16


class Element:
    """One element header found by the scan: where its tag, VR and length
    are, and the length's size and byte order."""

    __slots__ = ("offset", "tag", "vr", "length_offset", "length_size", "big", "value_offset",
                 "length")

    def __init__(self, offset, tag, vr, length_offset, length_size, big, data):
        self.offset, self.tag, self.vr = offset, tag, vr
        self.length_offset, self.length_size, self.big = length_offset, length_size, big
        self.value_offset = length_offset + length_size
        fmt = (">" if big else "<") + ("H" if length_size == 2 else "I")
        self.length = struct.unpack_from(fmt, data, length_offset)[0]

    def end(self):
        return self.value_offset + (0 if self.length == 0xFFFFFFFF else self.length)


def scan(data):
    """Element headers in the first 64 KiB (explicit and implicit VR, either
    byte order where the VR says it) and item tags anywhere. Heuristic:
    candidates, not a parse; good enough to aim mutations at."""
    data = bytes(data)
    head = data[:HEADER_SCAN_BYTES]
    elements, seen = [], set()
    for m in _EXPLICIT.finditer(head):
        i = m.start()
        if i % 2 or i + 8 > len(data):
            continue
        group_le = struct.unpack_from("<H", data, i)[0]
        big = group_le > 0x00FF and (group_le & 0xFF) == 0 and group_le != 0xE07F
        vr = m.group(2)
        if vr in LONG_VRS:
            if i + 12 > len(data) or data[i + 6:i + 8] != b"\0\0":
                continue
            element = Element(i, data[i:i + 4], vr, i + 8, 4, big, data)
        else:
            element = Element(i, data[i:i + 4], vr, i + 6, 2, big, data)
        elements.append(element)
        seen.add(i)
    for m in _IMPLICIT_GROUPS.finditer(head):
        i = m.start()
        if i % 2 or i in seen or i + 8 > len(data):
            continue
        length = struct.unpack_from("<I", data, i + 4)[0]
        if length == 0xFFFFFFFF or length <= len(data) - i - 8:
            elements.append(Element(i, data[i:i + 4], None, i + 4, 4, False, data))
    for m in _ITEM.finditer(data):
        i = m.start()
        if i % 2 == 0 and i + 8 <= len(data):
            elements.append(Element(i, data[i:i + 4], None, i + 4, 4, False, data))
    elements.sort(key=lambda e: e.offset)
    return elements


def pixel_data_offset(data):
    i = bytes(data).find(b"\xe0\x7f\x10\x00")
    return i if i >= 0 else len(data)


# ---------------------------------------------------------------------------
# Mutations. Each takes (rng, data: bytearray, elements, seeds) and returns
# (bytearray, description).

INTERESTING_BYTES = (0x00, 0xFF, 0x80, 0x7F, 0x01, 0xFE)


def _interesting_lengths(old, data_len, offset, size):
    values = [0, 1, 2, 3, 0xFF, old + 1, max(old - 1, 0), old * 2, old // 2, old | 1,
              data_len, max(data_len - offset, 0), 0x7FFF, 0x8000, 0xFFFE, 0xFFFF]
    if size == 4:
        values += [0xFFFFFFFF, 0xFFFFFFFE, 0x7FFFFFFF, 0x80000000, 0x10000, 0x1000000,
                   0xFFFFFFFF, 0xFFFFFFFF]
    return [v & ((1 << (8 * size)) - 1) for v in values]


def _position(rng, data):
    """An offset, biased to the header (where one byte changes the most)."""
    if rng.random() < 0.7:
        return rng.randrange(min(len(data), pixel_data_offset(data) + 64))
    return rng.randrange(len(data))


def m_bitflip(rng, data, elements, seeds):
    n = rng.choice((1, 1, 2, 4, 8))
    positions = [_position(rng, data) for _ in range(n)]
    for p in positions:
        data[p] ^= 1 << rng.randrange(8)
    return data, f"bitflip x{n} at {positions[:4]}"


def m_interesting_byte(rng, data, elements, seeds):
    n = rng.choice((1, 1, 2, 4))
    changes = []
    for _ in range(n):
        p = _position(rng, data)
        data[p] = rng.choice(INTERESTING_BYTES)
        changes.append((p, data[p]))
    return data, f"bytes set {changes}"


def m_length(rng, data, elements, seeds):
    if not elements:
        return m_bitflip(rng, data, elements, seeds)
    e = rng.choice(elements)
    value = rng.choice(_interesting_lengths(e.length, len(data), e.value_offset, e.length_size))
    fmt = (">" if e.big else "<") + ("H" if e.length_size == 2 else "I")
    struct.pack_into(fmt, data, e.length_offset, value)
    return data, f"length of {e.tag.hex()} at {e.offset}: {e.length} -> {value}"


US_VALUES = (0, 1, 2, 3, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 63, 64, 255, 256, 4096, 0x7FFF,
             0x8000, 0xFFFF)
STRING_VALUES = {
    b"\x28\x00\x04\x00": [b"MONOCHROME1 ", b"MONOCHROME2 ", b"RGB ", b"PALETTE COLOR ",
                          b"YBR_FULL", b"YBR_FULL_422", b"YBR_ICT ", b"YBR_RCT ",
                          b"YBR_PARTIAL_420 ", b"HSV ", b"\x80\xff", b""],
    b"\x02\x00\x10\x00": [b"1.2.840.10008.1.2\0", b"1.2.840.10008.1.2.1\0",
                          b"1.2.840.10008.1.2.2\0", b"1.2.840.10008.1.2.1.99",
                          b"1.2.840.10008.1.2.5\0", b"1.2.840.10008.1.2.4.50",
                          b"1.2.840.10008.1.2.4.51", b"1.2.840.10008.1.2.4.57",
                          b"1.2.840.10008.1.2.4.70", b"1.2.840.10008.1.2.4.80",
                          b"1.2.840.10008.1.2.4.81", b"1.2.840.10008.1.2.4.90",
                          b"1.2.840.10008.1.2.4.91", b"1.2.840.10008.1.2.4.201\0",
                          b"1.2.840.10008.1.2.4.203\0", b"1.2.840.10008.1.2.1.98",
                          b"1.2.840.10008.1.2.8.1\0", b"1.2.840.10008.1.2.4.110",
                          b"1.2.\x80\xff", b""],
    b"\x28\x00\x08\x00": [b"0 ", b"1 ", b"2 ", b"3 ", b"100 ", b"4294967296", b"-1", b"1A",
                          b"99999999", b""],
    b"\x08\x00\x05\x00": [b"ISO_IR 100", b"ISO_IR 192", b"ISO 2022 IR 87", b"GB18030 ",
                          b"\x80\xfe", b"ISO_IR 999"],
    b"\x28\x00\x50\x10": [b"0 ", b"-1", b"nan ", b"1e308 ", b"40\\400 "],
    b"\x28\x00\x51\x10": [b"0 ", b"-1", b"nan ", b"1e308 ", b"1 "],
    b"\x28\x00\x53\x10": [b"0 ", b"-1", b"nan ", b"1e308 ", b"1.", b"1.e3", b"0.5 "],
    b"\x28\x00\x52\x10": [b"0 ", b"-1e308", b"nan ", b"-1024 ", b"1."],
}
US_TAGS = {b"\x28\x00\x10\x00", b"\x28\x00\x11\x00", b"\x28\x00\x00\x01", b"\x28\x00\x01\x01",
           b"\x28\x00\x02\x01", b"\x28\x00\x03\x01", b"\x28\x00\x02\x00", b"\x28\x00\x06\x00",
           b"\x28\x00\x01\x11", b"\x28\x00\x02\x11", b"\x28\x00\x03\x11"}


def _replace_value(data, e, value):
    """The element's value replaced, its length field updated (an even
    length, as DICOM wants, unless the value is odd on purpose)."""
    if e.length == 0xFFFFFFFF or e.end() > len(data):
        return None
    out = data[:e.value_offset] + value + data[e.end():]
    fmt = (">" if e.big else "<") + ("H" if e.length_size == 2 else "I")
    struct.pack_into(fmt, out, e.length_offset, len(value))
    return out


def m_value(rng, data, elements, seeds):
    """An image-describing value set to a boundary or another valid one."""
    candidates = [e for e in elements if e.tag in US_TAGS or e.tag in STRING_VALUES]
    if not candidates:
        return m_length(rng, data, elements, seeds)
    e = rng.choice(candidates)
    if e.tag in US_TAGS:
        if e.length < 2 or e.end() > len(data):
            return m_length(rng, data, elements, seeds)
        value = rng.choice(US_VALUES)
        struct.pack_into(">H" if e.big else "<H", data, e.value_offset, value)
        return data, f"value of {e.tag.hex()} -> {value}"
    value = rng.choice(STRING_VALUES[e.tag])
    out = _replace_value(data, e, value)
    if out is None:
        return m_length(rng, data, elements, seeds)
    return out, f"value of {e.tag.hex()} -> {value!r}"


def m_truncate(rng, data, elements, seeds):
    if elements and rng.random() < 0.5:
        e = rng.choice(elements)
        cut = min(len(data), rng.choice((e.offset, e.length_offset, e.value_offset,
                                         e.value_offset + 1, e.end() - 1)))
    elif rng.random() < 0.5:
        cut = len(data) - rng.randrange(1, min(len(data), 4096) + 1)
    else:
        cut = rng.randrange(len(data))
    return data[:max(cut, 0)], f"truncated at {cut}"


def _chunk(rng, data, elements):
    if elements and rng.random() < 0.5:
        e = rng.choice(elements)
        start, end = e.offset, min(len(data), e.end() if e.length != 0xFFFFFFFF else e.value_offset)
        if end - start <= 65536:
            return start, end
    start = rng.randrange(len(data))
    return start, min(len(data), start + rng.choice((1, 2, 4, 8, 16, 128, 1024)))


def m_duplicate(rng, data, elements, seeds):
    start, end = _chunk(rng, data, elements)
    at = rng.choice((end, start, _position(rng, data)))
    return data[:at] + data[start:end] + data[at:], f"bytes {start}:{end} copied to {at}"


def m_delete(rng, data, elements, seeds):
    start, end = _chunk(rng, data, elements)
    return data[:start] + data[end:], f"bytes {start}:{end} deleted"


def m_insert(rng, data, elements, seeds):
    at = _position(rng, data)
    n = rng.choice((1, 2, 4, 8, 64))
    return data[:at] + bytearray(rng.getrandbits(8) for _ in range(n)) + data[at:], \
        f"{n} random bytes inserted at {at}"


def m_splice(rng, data, elements, seeds):
    name, other = rng.choice(seeds)
    other_elements = scan(other)
    a = rng.choice(elements).offset if elements and rng.random() < 0.8 else rng.randrange(len(data))
    b = rng.choice(other_elements).offset if other_elements and rng.random() < 0.8 \
        else rng.randrange(len(other))
    return data[:a] + bytearray(other[b:]), f"spliced at {a} with {name} from {b}"


IMAGE_TAGS = [bytes.fromhex(t) for t in ("28001000", "28001100", "28000001", "28000101",
                                         "28000201", "28000301", "28000200", "28000400",
                                         "28000800", "e07f1000", "02001000", "28000600",
                                         "fffe00e0", "fffedde0", "fffe0de0")]


def m_tag(rng, data, elements, seeds):
    if len(elements) < 2:
        return m_bitflip(rng, data, elements, seeds)
    a = rng.choice(elements)
    if rng.random() < 0.5:
        b = rng.choice(elements)
        ta, tb = bytes(data[a.offset:a.offset + 4]), bytes(data[b.offset:b.offset + 4])
        data[a.offset:a.offset + 4], data[b.offset:b.offset + 4] = tb, ta
        return data, f"tags at {a.offset} and {b.offset} swapped"
    tag = rng.choice(IMAGE_TAGS)
    data[a.offset:a.offset + 4] = tag
    return data, f"tag at {a.offset} -> {tag.hex()}"


def m_vr(rng, data, elements, seeds):
    explicit = [e for e in elements if e.vr is not None]
    if not explicit:
        return m_bitflip(rng, data, elements, seeds)
    e = rng.choice(explicit)
    vr = rng.choice(VRS + [b"\0\0", b"??"])
    data[e.offset + 4:e.offset + 6] = vr
    return data, f"VR at {e.offset}: {e.vr.decode()} -> {vr!r}"


# (mutation, weight): the value changes reach the most decoder paths; the
# length, truncation and deletion changes mostly stop the parse.
MUTATIONS = [(m_bitflip, 3), (m_interesting_byte, 2), (m_length, 3), (m_value, 5),
             (m_truncate, 1), (m_duplicate, 1), (m_delete, 1), (m_insert, 1), (m_splice, 1),
             (m_tag, 2), (m_vr, 1)]


class Mutator:
    """Mutant `index` of `seed`: always the same bytes."""

    def __init__(self, seeds, seed=0):
        if not seeds:
            raise ValueError("mutation_fuzz: no seed files")
        self.seeds, self.seed = seeds, seed
        self.functions = [f for f, _ in MUTATIONS]
        self.weights = [w for _, w in MUTATIONS]

    def mutant(self, index):
        """(bytes, seed name, [descriptions])."""
        rng = random.Random(f"{self.seed}/{index}")
        name, data = rng.choice(self.seeds)
        data = bytearray(data)
        steps = []
        for _ in range(rng.choice((1, 1, 1, 1, 2, 2, 3, 4))):
            if not data:
                break
            mutation = rng.choices(self.functions, self.weights)[0]
            data, description = mutation(rng, bytearray(data), scan(data), self.seeds)
            steps.append(f"{mutation.__name__[2:]}: {description}")
        return bytes(data), name, steps


# ---------------------------------------------------------------------------
# What each mutant runs through

ON_ERROR = ("strict", "skip", "lossy")
VALUES = ("stored", "modality", "display")
SCALES = ("preserve", "auto")
DTYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float16",
          "float32", "float64", "bfloat16")
OPTION_SETS = [dict(on_error=o, color_dim=c, values=v, scale=s, dtype=d)
               for d, o, c, v, s in itertools.product(DTYPES, ON_ERROR, (False, True), VALUES,
                                                      SCALES)]
DATA_TAGS = [0x00280010, 0x00280011, 0x00280008, 0x00020010, 0x00100010, 0x00080005,
             0x00281050, 0x00281201, "(0008,1140)[0].ReferencedSOPInstanceUID",
             "SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].PixelSpacing"]


# The output limit of the image decodes: a quarter of the library's default,
# so that the largest output allowed fits well within the workers' address
# space cap and fills quickly under MALLOC_PERTURB_.
MAX_OUTPUT_BYTES = 256 << 20


def spec_for(index):
    """The option set of mutant `index` (a rotation through all of them)."""
    image = dict(OPTION_SETS[index % len(OPTION_SETS)], max_output_bytes=MAX_OUTPUT_BYTES)
    return {"image": image, "data": DATA_TAGS, "json": True}


def unmutated_input(seeds, index):
    """--unmutated: input `index` is seed file index // 6 as it is, with
    on_error and color_dim chosen by index % 6 (all six pairs for every
    file) and the other options rotating with the file."""
    i, j = divmod(index, 6)
    name, data = seeds[i]
    image = dict(on_error=ON_ERROR[j % 3], color_dim=j >= 3, values=VALUES[i % 3],
                 scale=SCALES[i % 2], dtype=DTYPES[i % len(DTYPES)],
                 max_output_bytes=MAX_OUTPUT_BYTES)
    return data, name, [], {"image": image, "data": DATA_TAGS, "json": True}


# ---------------------------------------------------------------------------
# The worker: runs one input through every entry point, checks the results
# and sends back outcomes and digests.


def _utf8_problem(text, what):
    if not isinstance(text, str):
        return f"{what} is {type(text).__name__}, not str"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        return f"{what} is not valid UTF-8 ({e})"
    return None


def _exception_outcome(entry, exc, on_error):
    """(outcome, problems) of an exception raised by an entry point."""
    from tfdicom.errors import DicomError

    problems = []
    name = type(exc).__name__
    try:
        message = str(exc)
    except Exception as e:  # noqa: BLE001
        message, problems = "", [f"str() of the {name} raised {type(e).__name__}"]
    problem = _utf8_problem(message, f"the {name} message")
    if problem:
        problems.append(problem)
    if not isinstance(exc, DicomError):
        problems.append(f"stray exception {name}: {message[:300]}")
    elif on_error in ("skip", "lossy"):
        problems.append(f"on_error={on_error!r} raised {name}: {message[:300]}")
    return ("finding" if problems else name), problems, f"{name}: {message}"


def run_entry(entry, data, spec):
    """(outcome, digest, problems, detail) of one entry point on `data`."""
    import warnings

    import numpy as np

    import tfdicom.numpy as tdn

    h = hashlib.sha256()
    problems = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if entry == "image":
                o = spec["image"]
                image = tdn.decode_dicom_image(data, **o)
                h.update(f"{image.dtype}{image.shape}".encode())
                h.update(np.ascontiguousarray(image).view(np.uint8).tobytes())
                rank = 4 if o["color_dim"] else 3
                if image.ndim != rank:
                    problems.append(f"rank {image.ndim}, color_dim={o['color_dim']} promises "
                                    f"{rank}")
                if str(image.dtype) != o["dtype"]:
                    problems.append(f"dtype {image.dtype}, asked for {o['dtype']}")
                outcome, detail = "ok", f"{image.dtype}{image.shape}"
            elif entry == "data":
                values = tdn.decode_dicom_data(data, spec["data"])
                for tag, value in zip(spec["data"], values.reshape(-1)):
                    problem = _utf8_problem(value, f"the value of {tag}")
                    if problem:
                        problems.append(problem)
                    else:
                        h.update(value.encode("utf-8") + b"\0")
                outcome, detail = "ok", ""
            else:
                text = tdn.decode_dicom_json(data)
                problem = _utf8_problem(text, "the JSON")
                if problem:
                    problems.append(problem)
                else:
                    h.update(text.encode("utf-8"))
                    try:
                        json.loads(text)
                    except ValueError as e:
                        problems.append(f"invalid JSON: {e}")
                outcome, detail = "ok", f"{len(text)} chars"
        except BaseException as exc:  # noqa: BLE001 - every type is checked
            if isinstance(exc, KeyboardInterrupt):
                raise
            on_error = spec["image"]["on_error"] if entry == "image" else "strict"
            outcome, exc_problems, detail = _exception_outcome(entry, exc, on_error)
            problems += exc_problems
            h.update(detail.encode("utf-8", "backslashreplace"))
    for w in caught:
        message = str(w.message)
        problem = _utf8_problem(message, f"the {w.category.__name__} message")
        if problem:
            problems.append(problem)
        else:
            h.update(message.encode("utf-8"))
        if entry == "image" and w.category.__name__ == "DicomSkipWarning" and outcome == "ok":
            outcome = "skipped"
            detail = f"{detail} skipped: {message[:300]}"
            if image.size != 0:
                problems.append(f"skipped but {image.shape} is not empty")
    if problems:
        outcome = "finding"
    return outcome, h.hexdigest(), problems, detail


def worker_main():
    """Reads (id, data, spec) messages from stdin, answers on stdout."""
    import faulthandler

    faulthandler.enable()  # a crash leaves the Python stack in the worker's log
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the pipe
    import tfdicom.numpy  # noqa: F401 - load the extension before the first input

    limit_address_space(int(os.environ.get("MUTATION_FUZZ_HEADROOM_MB", "0")))
    _send(stdout, ("ready",))
    while True:
        header = stdin.read(8)
        if len(header) < 8:
            return 0
        job, data, spec = pickle.loads(stdin.read(struct.unpack("<Q", header)[0]))
        results = {}
        for entry in ("image", "data", "json"):
            _send(stdout, ("begin", job, entry))
            if spec.get("self_test") == entry:
                _self_test_fault(spec["fault"])
            results[entry] = run_entry(entry, data, spec)
        _send(stdout, ("done", job, results))


def limit_address_space(headroom_mb):
    """Caps this process's virtual memory at what it uses now plus
    `headroom_mb`: larger allocations fail, as under strict overcommit (the
    libFuzzer harness does the same with max_allocation_size_mb). Without
    it, MALLOC_PERTURB_ would fill every reservation DCMTK makes for a
    declared length (up to 4 GiB for a damaged length field) and turn a
    cheap error into seconds of work and gigabytes of resident memory."""
    if headroom_mb <= 0:
        return
    import resource

    with open("/proc/self/status") as f:
        size_kib = next(int(line.split()[1]) for line in f if line.startswith("VmSize:"))
    limit = (size_kib << 10) + (headroom_mb << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _self_test_fault(fault):
    """Deliberate faults for --self-test: the harness must report each."""
    if fault == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif fault == "hang":
        time.sleep(3600)


def _send(stream, message):
    payload = pickle.dumps(message)
    stream.write(struct.pack("<Q", len(payload)) + payload)
    stream.flush()


# ---------------------------------------------------------------------------
# The parent: worker processes, two runs per input, findings, totals.


class WorkerDied(Exception):
    pass


class WorkerTimeout(Exception):
    pass


STARTUP_SECONDS = 300


class Worker:
    """One worker process with a fixed MALLOC_PERTURB_."""

    def __init__(self, perturb, log_dir, headroom_mb=1024):
        self.perturb, self.log_dir, self.headroom_mb = perturb, log_dir, headroom_mb
        self.proc = None
        self.entry = None

    def start(self):
        env = dict(os.environ, MALLOC_PERTURB_=str(self.perturb), TF_CPP_MIN_LOG_LEVEL="2",
                   MUTATION_FUZZ_HEADROOM_MB=str(self.headroom_mb),
                   PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.stderr = tempfile.TemporaryFile(dir=self.log_dir)
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, env=env, cwd=ROOT)
        self.buffer = b""
        try:  # the start-up (imports) is not timed as part of an input
            size = struct.unpack("<Q", self._read(8, time.monotonic() + STARTUP_SECONDS))[0]
            self._read(size, time.monotonic() + STARTUP_SECONDS)
        except (WorkerDied, WorkerTimeout):
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("mutation_fuzz: a worker did not start:\n" + self.stderr_tail())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
            self.proc.stdin.close()
            self.proc.stdout.close()
            self.stderr.close()
        self.proc = None

    def stderr_tail(self):
        self.stderr.seek(0)
        return self.stderr.read()[-1500:].decode("utf-8", "replace")

    def _read(self, n, deadline):
        fd = self.proc.stdout.fileno()
        while len(self.buffer) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerTimeout()
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise WorkerDied()
                self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def run(self, job, data, spec, timeout):
        """The worker's results for one input, or WorkerDied/WorkerTimeout
        (self.entry says in which entry point; the process is gone)."""
        if self.proc is None:
            self.start()
        self.entry = None
        deadline = time.monotonic() + timeout
        try:
            _send(self.proc.stdin, (job, data, spec))
            while True:
                size = struct.unpack("<Q", self._read(8, deadline))[0]
                message = pickle.loads(self._read(size, deadline))
                if message[0] == "begin":  # each entry point has `timeout` seconds
                    self.entry = message[2]
                    deadline = time.monotonic() + timeout
                else:
                    return message[2]
        except (WorkerDied, BrokenPipeError):
            self.proc.wait()
            code = self.proc.returncode
            tail = self.stderr_tail()
            self.stop()
            raise WorkerDied(code, tail)
        except WorkerTimeout:
            self.stop()
            raise


def _memory_bound(outcome, detail):
    """Whether a result depends on the memory a worker had left: under the
    address-space cap, one worker may get an allocation that the other is
    refused, so such results are not compared."""
    words = ("DicomTooLargeError", "out of memory", "Virtual Memory exhausted",
             "cannot allocate")
    return outcome == "DicomTooLargeError" or any(w in detail for w in words)


def signal_name(code):
    if code is not None and code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


class Campaign:
    def __init__(self, args, seeds):
        self.args = args
        self.mutator = Mutator(seeds, args.seed)
        self.lock = threading.Lock()
        self.next_index = 0
        self.inputs = 0
        self.outcomes = {e: collections.Counter() for e in ("image", "data", "json")}
        self.findings = collections.OrderedDict()  # signature -> [count, first example]
        self.finding_count = 0
        self.broken = False
        self.stop_at = time.monotonic() + args.seconds if args.seconds else None
        os.makedirs(args.out, exist_ok=True)

    def take(self):
        with self.lock:
            if self.args.count is not None and self.next_index >= self.args.start + self.args.count:
                return None
            if self.stop_at is not None and time.monotonic() >= self.stop_at:
                return None
            if self.next_index < self.args.start:
                self.next_index = self.args.start
            index = self.next_index
            self.next_index += 1
            return index

    def job_loop(self, job):
        log_dir = os.path.join(self.args.out, ".worker-logs")
        os.makedirs(log_dir, exist_ok=True)
        pair = [Worker(p, log_dir, self.args.headroom_mb) for p in (0x55, 0xAA)]
        try:
            while True:
                index = self.take()
                if index is None:
                    return
                if self.args.unmutated:
                    data, name, steps, spec = unmutated_input(self.mutator.seeds, index)
                else:
                    data, name, steps = self.mutator.mutant(index)
                    spec = spec_for(index)
                if self.args.self_test:
                    spec = dict(spec, **self.args.self_test(index))
                self.check(pair, index, data, spec, {"seed_file": name, "mutations": steps})
        except RuntimeError as e:  # a worker that cannot start: no campaign
            print(e, file=sys.stderr)
            self.broken = True
        finally:
            for worker in pair:
                worker.stop()

    def check(self, pair, index, data, spec, about):  # noqa: C901
        runs = []
        for worker in pair:
            try:
                runs.append(worker.run(index, data, spec, self.args.timeout))
            except WorkerDied as e:
                code, tail = e.args
                self.finding(index, data, spec, about, worker.entry or "startup",
                             f"worker died: {signal_name(code)}", tail, worker.perturb)
                return self.count(index, {worker.entry or "image": "finding"})
            except WorkerTimeout:
                self.finding(index, data, spec, about, worker.entry or "startup",
                             f"no answer within {self.args.timeout:g} s", "", worker.perturb)
                return self.count(index, {worker.entry or "image": "finding"})
        first, second = runs
        outcomes = {}
        for entry in ("image", "data", "json"):
            outcome, digest, problems, detail = first[entry]
            outcome2, digest2, problems2, detail2 = second[entry]
            if digest != digest2 and not (_memory_bound(outcome, detail) or
                                          _memory_bound(outcome2, detail2)):
                problems = problems + [f"two runs differ (MALLOC_PERTURB_ 0x55: {detail[:200]}; "
                                       f"0xAA: {detail2[:200]})"]
            for problem in problems:
                self.finding(index, data, spec, about, entry, problem, detail, None)
            outcomes[entry] = "finding" if problems else outcome
        self.count(index, outcomes)

    def count(self, index, outcomes):
        with self.lock:
            self.inputs += 1
            for entry in ("image", "data", "json"):
                self.outcomes[entry][outcomes.get(entry, "not run")] += 1
            if self.args.progress and self.inputs % self.args.progress == 0:
                print(f"mutation_fuzz: {self.inputs} inputs, {self.finding_count} findings",
                      file=sys.stderr, flush=True)

    def finding(self, index, data, spec, about, entry, symptom, detail, perturb):
        signature = f"{entry}: " + re.sub(r"0x[0-9a-f]+|\d+", "N", symptom)[:120]
        with self.lock:
            self.finding_count += 1
            record = self.findings.setdefault(signature, [0, None])
            record[0] += 1
            if record[0] > self.args.keep:
                return
            slug = hashlib.sha1(signature.encode()).hexdigest()[:10]
            folder = os.path.join(self.args.out, f"{entry}-{slug}")
            os.makedirs(folder, exist_ok=True)
            base = os.path.join(folder, f"{self.args.seed}-{index}")
            with open(base + ".dcm", "wb") as f:
                f.write(data)
            info = {"signature": signature, "symptom": symptom, "entry": entry,
                    "detail": detail[-1500:], "seed": self.args.seed, "index": index,
                    "malloc_perturb": perturb, "spec": spec, **about,
                    "replay": f"python tools/mutation_fuzz.py --replay {base}.json"}
            with open(base + ".json", "w") as f:
                json.dump(info, f, indent=1)
            if record[1] is None:
                record[1] = base + ".dcm"
                print(f"mutation_fuzz: finding: {signature} ({base}.dcm)", file=sys.stderr,
                      flush=True)

    def report(self, elapsed):
        lines = [f"mutation_fuzz: seed {self.args.seed}, {len(self.mutator.seeds)} seed files, "
                 f"{elapsed:.0f} s"]
        for entry, name in (("image", "decode_dicom_image"), ("data", "decode_dicom_data"),
                            ("json", "decode_dicom_json")):
            counts = self.outcomes[entry]
            parts = [f"{k}={counts[k]}" for k in sorted(counts, key=lambda k: (
                k != "ok", k != "skipped", k == "finding", k))]
            lines.append(f"  {name}: " + " ".join(parts))
        for signature, (count, example) in self.findings.items():
            lines.append(f"  finding x{count}: {signature} (e.g. {example})")
        lines.append(f"totals: inputs={self.inputs} findings={self.finding_count} "
                     f"distinct={len(self.findings)}")
        summary = {"seed": self.args.seed, "inputs": self.inputs, "seconds": round(elapsed),
                   "outcomes": {e: dict(c) for e, c in self.outcomes.items()},
                   "findings": {s: {"count": c, "example": e}
                                for s, (c, e) in self.findings.items()}}
        with open(os.path.join(self.args.out, "summary.json"), "w") as f:
            json.dump(summary, f, indent=1)
        return "\n".join(lines)


def replay(paths, timeout, headroom_mb):
    """Runs saved findings again (their .json beside the .dcm)."""
    status = 0
    log_dir = tempfile.mkdtemp(prefix="mutation-replay-")
    pair = [Worker(p, log_dir, headroom_mb) for p in (0x55, 0xAA)]
    try:
        for path in paths:
            info = json.load(open(path))
            data = open(os.path.splitext(path)[0] + ".dcm", "rb").read()
            digests = {}
            for worker in pair:
                try:
                    results = worker.run(0, data, info["spec"], timeout)
                except WorkerDied as e:
                    print(f"{path}: MALLOC_PERTURB_={worker.perturb:#x}: worker died "
                          f"({signal_name(e.args[0])})\n{e.args[1]}")
                    status = 1
                    continue
                except WorkerTimeout:
                    print(f"{path}: MALLOC_PERTURB_={worker.perturb:#x}: no answer in {timeout} s")
                    status = 1
                    continue
                for entry, (outcome, digest, problems, detail) in results.items():
                    print(f"{path}: {worker.perturb:#x} {entry}: {outcome} {digest[:16]} "
                          f"{detail[:200]}")
                    if digests.setdefault(entry, digest) != digest:
                        problems = problems + ["two runs differ"]
                    for problem in problems:
                        print(f"    {problem}")
                        status = 1
    finally:
        for worker in pair:
            worker.stop()
    return status


SELF_TEST_FAULTS = {0: {"self_test": "image", "fault": "crash"},
                    1: {"self_test": "data", "fault": "hang"}}


def self_test(args):
    """Feeds the harness deliberate faults (a worker killed by SIGSEGV, a
    worker that hangs) and checks that it reports both, and that a clean
    input is no finding."""
    args.self_test = lambda index: SELF_TEST_FAULTS.get(index, {})
    args.count, args.start, args.timeout = 3, 0, min(args.timeout, 5.0)
    campaign = Campaign(args, load_seeds(paths=[os.path.join(ROOT, "tfdicom", "samples")]))
    campaign.job_loop(0)
    if campaign.broken:
        return 2
    signatures = list(campaign.findings)
    ok = (campaign.inputs == 3 and campaign.finding_count == 2
          and any("image: worker died: SIGSEGV" in s for s in signatures)
          and any(s.startswith("data: no answer within") for s in signatures))
    print("self-test: " + ("ok" if ok else "FAILED") + f" (findings: {signatures})")
    return 0 if ok else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, help="inputs to run (default 1000 unless --seconds)")
    parser.add_argument("--seconds", type=float, help="stop after this long")
    parser.add_argument("--seed", type=int, default=0, help="mutant i of seed s is always the same")
    parser.add_argument("--start", type=int, default=0, help="first mutant index")
    parser.add_argument("--jobs", type=int, default=2, help="pairs of worker processes")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds per entry point and run")
    parser.add_argument("--out", default=os.path.join(ROOT, "build", "mutation-findings"),
                        help="where findings and summary.json go")
    parser.add_argument("--seeds", nargs="+", metavar="PATH",
                        help="seed files or folders instead of the open test files, samples "
                        "and fuzz regressions")
    parser.add_argument("--max-seed-bytes", type=int, default=2 << 20,
                        help="leave out larger seed files (default 2 MiB)")
    parser.add_argument("--headroom-mb", type=int, default=1024,
                        help="a worker's virtual memory is capped at its size after start-up "
                        "plus this (0: no cap); see limit_address_space")
    parser.add_argument("--keep", type=int, default=5, help="inputs saved per distinct finding")
    parser.add_argument("--progress", type=int, default=0, help="a line every N inputs")
    parser.add_argument("--unmutated", action="store_true",
                        help="run every seed file as it is, under each on_error with and "
                        "without color_dim, instead of mutants")
    parser.add_argument("--replay", nargs="+", metavar="JSON", help="run saved findings again")
    parser.add_argument("--self-test", action="store_true",
                        help="check that the harness reports a crash and a hang")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker_main()
    if args.replay:
        return replay(args.replay, args.timeout, args.headroom_mb)
    if args.self_test:
        args.out = tempfile.mkdtemp(prefix="mutation-self-test-")
        return self_test(args)
    args.self_test = None
    seeds = load_seeds(args.max_seed_bytes, paths=args.seeds)
    if args.unmutated:
        args.start, args.count = 0, 6 * len(seeds)
    elif args.count is None and args.seconds is None:
        args.count = 1000
    campaign = Campaign(args, seeds)
    start = time.monotonic()
    threads = [threading.Thread(target=campaign.job_loop, args=(j,), daemon=True)
               for j in range(max(1, args.jobs))]
    for t in threads:
        t.start()
    try:
        for t in threads:
            t.join()
    except KeyboardInterrupt:
        with campaign.lock:
            campaign.args.count, campaign.stop_at = 0, 0
        for t in threads:
            t.join()
    print(campaign.report(time.monotonic() - start), flush=True)
    if campaign.broken:
        return 2
    return 1 if campaign.finding_count else 0


if __name__ == "__main__":
    sys.exit(main())
