"""A small lossless JPEG (T.81 process 14) encoder for tests: what DCMTK's
dcmcjpeg never writes (restart intervals, Huffman codes up to 16 bits,
differences of every category) with every predictor, point transform and
several components. Slow (pure Python), for small images."""

import numpy as np

# Code lengths of difference categories 0..16 in the order of SYMBOLS.
SHORT_LENGTHS = [2, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
# Most categories behind codes of 13 to 16 bits (a decoder's slow path).
LONG_LENGTHS = [3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]


def _predictions(image, predictor, initial, restart_rows):
    """T.81 H.1.2.1 predictions of `image` (rows, cols, components), int64."""
    a = np.zeros_like(image)  # left
    b = np.zeros_like(image)  # above
    c = np.zeros_like(image)  # above left
    a[:, 1:] = image[:, :-1]
    b[1:] = image[:-1]
    c[1:, 1:] = image[:-1, :-1]
    formulas = {1: a, 2: b, 3: c, 4: a + b - c, 5: a + ((b - c) >> 1), 6: b + ((a - c) >> 1),
                7: (a + b) >> 1}
    pred = formulas[predictor].copy()
    pred[:, 0] = b[:, 0]  # first column: from above
    rows = image.shape[0]
    for y in range(rows):
        if y == 0 or (restart_rows and y % restart_rows == 0):  # a line after a (re)start
            pred[y, 1:] = image[y, :-1]
            pred[y, 0] = initial
    return pred


def _canonical_codes(lengths, symbols):
    """Canonical Huffman codes (T.81 C.2) for symbols of the given lengths."""
    order = sorted(range(len(symbols)), key=lambda i: (lengths[i], i))
    codes, code, previous = {}, 0, lengths[order[0]]
    for i in order:
        code <<= lengths[i] - previous
        previous = lengths[i]
        codes[symbols[i]] = (code, lengths[i])
        code += 1
    counts = [sum(1 for n in lengths if n == length) for length in range(1, 17)]
    values = [symbols[i] for i in order]
    return codes, counts, values


def _segment(marker, body):
    return bytes([0xFF, marker]) + (len(body) + 2).to_bytes(2, "big") + body


def encode(image, *, precision, predictor=1, point_transform=0, restart_rows=0,
           lengths=SHORT_LENGTHS, symbol_order=None, table_per_component=False):
    """Encodes `image` ((rows, cols) or (rows, cols, components), values of
    `precision` bits) as one lossless JPEG frame. `restart_rows`: a restart
    interval of that many whole lines. Returns the codestream (bytes)."""
    image = np.asarray(image, dtype=np.int64)
    if image.ndim == 2:
        image = image[..., np.newaxis]
    rows, cols, ncomp = image.shape
    samples = image >> point_transform
    initial = 1 << (precision - point_transform - 1)
    pred = _predictions(samples, predictor, initial, restart_rows)
    diff = (samples - pred) % 65536
    diff = np.where(diff > 32768, diff - 65536, diff)  # 32768 stays: category 16

    symbols = list(symbol_order) if symbol_order is not None else list(range(17))
    codes, counts, values = _canonical_codes(lengths, symbols)
    ntables = ncomp if table_per_component else 1
    dht = b"".join(bytes([t]) + bytes(counts) + bytes(values) for t in range(ntables))

    out = bytearray(b"\xff\xd8")
    out += _segment(0xC4, dht)
    if restart_rows:
        out += _segment(0xDD, (restart_rows * cols).to_bytes(2, "big"))
    sof = bytes([precision]) + rows.to_bytes(2, "big") + cols.to_bytes(2, "big") + bytes([ncomp])
    sof += b"".join(bytes([i + 1, 0x11, 0]) for i in range(ncomp))
    out += _segment(0xC3, sof)
    sos = bytes([ncomp]) + b"".join(
        bytes([i + 1, (i if table_per_component else 0) << 4]) for i in range(ncomp))
    sos += bytes([predictor, 0, point_transform])
    out += _segment(0xDA, sos)

    interval = 0
    for y0 in range(0, rows, restart_rows or rows):
        if y0:
            out += bytes([0xFF, 0xD0 + interval % 8])
            interval += 1
        bits = []
        for d in diff[y0:y0 + (restart_rows or rows)].reshape(-1):
            d = int(d)
            category = 16 if d == 32768 else abs(d).bit_length()
            code, length = codes[category]
            bits.append(format(code, f"0{length}b"))
            if 0 < category < 16:
                bits.append(format(d if d > 0 else d + (1 << category) - 1, f"0{category}b"))
        text = "".join(bits)
        text += "1" * (-len(text) % 8)  # pad the last byte with 1-bits (F.1.2.3)
        data = int(text, 2).to_bytes(len(text) // 8, "big") if text else b""
        out += data.replace(b"\xff", b"\xff\x00")
    out += b"\xff\xd9"
    return bytes(out)
