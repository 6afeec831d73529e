"""Realistic benchmark files, made once into a cache directory.

Pixel content is synthetic but shaped like the real thing, so that the
compressed sizes (and so the decode work) are realistic: a CT slice with
tissue texture and quantum noise, a chest CR, a mammogram with half the field
empty, an ultrasound cine with speckle. Compression is done by the tools that
real archives use: DCMTK's dcmcjpeg / dcmcjpls / dcmcrle / dcmconv, OpenJPH's
ojph_compress (HTJ2K) and OpenJPEG through pylibjpeg-openjpeg (JPEG 2000).

Each file is written once as <cache>/<key>.dcm; a file already there is
reused (delete the directory to regenerate). Generation is deterministic
(fixed seeds), apart from the UIDs.
"""

import io
import os
import shutil
import subprocess
import tempfile

import numpy as np

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
CR_IMAGE = "1.2.840.10008.5.1.4.1.1.1"
MG_IMAGE = "1.2.840.10008.5.1.4.1.1.1.2"  # Digital Mammography X-Ray, For Presentation
US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"

EXPLICIT_LE = "1.2.840.10008.1.2.1"
J2K_LOSSLESS = "1.2.840.10008.1.2.4.90"
HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201"


# --------------------------------------------------------------- pixel content

def _smooth_noise(rng, shape, sigma):
    """Gaussian-filtered white noise (FFT), unit standard deviation."""
    white = rng.standard_normal(shape)
    fy = np.fft.fftfreq(shape[0])[:, None]
    fx = np.fft.rfftfreq(shape[1])[None, :]
    kernel = np.exp(-2 * (np.pi * sigma) ** 2 * (fx ** 2 + fy ** 2))
    field = np.fft.irfft2(np.fft.rfft2(white) * kernel, s=shape)
    return field / field.std()


def ct_slice(rows=512, cols=512, seed=1):
    """Hounsfield units of an axial chest slice: -2000 padding outside the
    scan circle, air, body with fat rim, lungs, mediastinum, spine;
    organ texture and about 12 HU of quantum noise. int16."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float64)
    cy, cx = rows / 2, cols / 2
    s = min(rows, cols) / 512
    hu = np.full((rows, cols), -1000.0)
    body = ((x - cx) / (225 * s * cols / min(rows, cols))) ** 2 + ((y - cy) / (170 * s)) ** 2
    hu[body < 1] = -100.0                                  # subcutaneous fat
    hu[body < 0.8] = 40.0                                  # soft tissue
    for side in (-1, 1):                                   # lungs
        lung = ((x - cx - side * 95 * s) / (75 * s)) ** 2 + ((y - cy + 10 * s) / (110 * s)) ** 2
        hu[lung < 1] = -850.0
    heart = ((x - cx - 20 * s) / (60 * s)) ** 2 + ((y - cy) / (55 * s)) ** 2
    hu[heart < 1] = 50.0
    spine = (x - cx) ** 2 + (y - cy - 120 * s) ** 2
    hu[spine < (28 * s) ** 2] = 300.0
    hu[(spine < (28 * s) ** 2) & (spine > (20 * s) ** 2)] = 1100.0
    inside = body < 1
    texture = _smooth_noise(rng, (rows, cols), 3.0)
    hu += np.where(inside, 25.0 * texture, 0.0)
    vessels = _smooth_noise(rng, (rows, cols), 1.5)
    hu += np.where((hu < -700) & (vessels > 1.8), 700.0, 0.0)  # lung vessels
    hu += rng.normal(0.0, 12.0, (rows, cols))
    fov = (x - cx) ** 2 + (y - cy) ** 2 > (min(rows, cols) / 2) ** 2
    hu[fov] = -2000.0
    return np.clip(np.rint(hu), -2048, 3071).astype(np.int16)


def radiograph(rows, cols, seed, *, mammo=False):
    """A 12-bit projection image (unsigned, 0..4095): smooth anatomy,
    fine texture, Poisson-like noise. A mammogram keeps its right half
    (outside the breast) at zero, as real ones do."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    yn, xn = y / rows, x / cols
    if mammo:
        breast = (xn / 0.55) ** 2 + ((yn - 0.5) / 0.48) ** 2 < 1
        thick = np.sqrt(np.clip(1 - (xn / 0.55) ** 2 - ((yn - 0.5) / 0.48) ** 2, 0, 1))
        signal = 600 + 2200 * thick
        tissue = _smooth_noise(rng, (rows, cols), 12.0).astype(np.float32)
        signal += 350 * tissue * thick
    else:
        lungs = np.exp(-(((xn - 0.3) / 0.15) ** 2 + ((yn - 0.5) / 0.3) ** 2)) + \
            np.exp(-(((xn - 0.7) / 0.15) ** 2 + ((yn - 0.5) / 0.3) ** 2))
        signal = 3200 - 1800 * lungs - 900 * np.exp(-((xn - 0.5) / 0.06) ** 2)
        ribs = np.sin(yn * 60 + np.sin(xn * 6)) > 0.7
        signal += 250 * ribs
        signal += 120 * _smooth_noise(rng, (rows, cols), 8.0).astype(np.float32)
    signal += rng.normal(0.0, 1.0, (rows, cols)).astype(np.float32) * np.sqrt(np.maximum(signal, 1)) * 0.6
    if mammo:
        signal = np.where(breast, signal, 0)
    return np.clip(np.rint(signal), 0, 4095).astype(np.uint16)


def ultrasound_cine(frames, rows, cols, seed=3):
    """RGB frames: a grey speckle sector that moves from frame to frame, a
    colour-Doppler box, black surround. uint8 [frames, rows, cols, 3]."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    apex_x, apex_y = cols / 2, rows * 0.04
    r = np.hypot(x - apex_x, y - apex_y)
    theta = np.arctan2(x - apex_x, y - apex_y)
    sector = (r < rows * 0.92) & (np.abs(theta) < 0.75)
    big = rng.rayleigh(1.0, (rows + frames * 2, cols)).astype(np.float32)
    # Speckle is correlated over a few pixels, longer laterally.
    big = (big + np.roll(big, 1, 1) + np.roll(big, 2, 1) + np.roll(big, 1, 0)) / 4
    big = np.clip(big * 70, 0, 255)
    out = np.zeros((frames, rows, cols, 3), np.uint8)
    depth_gain = np.clip(1.2 - r / (rows * 1.2), 0.2, 1.0)
    box = (np.abs(x - cols * 0.55) < cols * 0.1) & (np.abs(y - rows * 0.45) < rows * 0.1) & sector
    for f in range(frames):
        speckle = big[f * 2:f * 2 + rows] * depth_gain
        grey = np.where(sector, speckle, 0).astype(np.uint8)
        frame = np.repeat(grey[..., None], 3, axis=-1)
        flow = np.sin(x / 9 + f / 5) * np.cos(y / 11)
        red = box & (flow > 0.3)
        blue = box & (flow < -0.3)
        frame[red] = (220, 40, 30)
        frame[blue] = (30, 60, 230)
        frame[8:20, 10:120] = 200  # burned-in text band
        out[f] = frame
    return out


# ------------------------------------------------------------------ DICOM sets

def _dataset(array, sop_class, modality, *, bits_stored, signed, samples=1,
             photometric="MONOCHROME2", **attrs):
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import generate_uid

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = EXPLICIT_LE
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = modality
    ds.PatientName = "Bench^Synthetic"
    ds.PatientID = "BENCH"
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    if samples == 3:
        ds.PlanarConfiguration = 0
    frames = array.shape[0] if array.ndim == (4 if samples == 3 else 3) else 1
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.Rows, ds.Columns = array.shape[-3:-1] if samples == 3 else array.shape[-2:]
    ds.BitsAllocated = array.dtype.itemsize * 8
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = int(signed)
    for key, value in attrs.items():
        setattr(ds, key, value)
    ds.PixelData = array.astype(array.dtype.newbyteorder("<")).tobytes()
    return ds


def _to_bytes(ds):
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def ct_dataset(hu, **extra):
    return _dataset(hu, CT_IMAGE, "CT", bits_stored=16, signed=True,
                    RescaleIntercept="0", RescaleSlope="1", RescaleType="HU",
                    WindowCenter="40", WindowWidth="400", KVP="120",
                    SliceThickness="1.0", PixelSpacing=[0.7, 0.7], **extra)


def _dcmtk(tool, data, *options):
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.dcm"), os.path.join(tmp, "out.dcm")
        with open(src, "wb") as f:
            f.write(data)
        subprocess.run([tool, *options, src, dst], check=True, capture_output=True)
        with open(dst, "rb") as f:
            return f.read()


def _encapsulated(ds, codestreams, uid):
    from pydicom.encaps import encapsulate

    ds.file_meta.TransferSyntaxUID = uid
    ds.PixelData = encapsulate(codestreams, has_bot=True)
    ds["PixelData"].VR = "OB"
    return _to_bytes(ds)


def _j2k(array, ds):
    import openjpeg

    stream = openjpeg.encode(array, bits_stored=int(ds.BitsStored), photometric_interpretation=2,
                             use_mct=False)
    return _encapsulated(ds, [bytes(stream)], J2K_LOSSLESS)


def _htj2k(array, ds):
    """ojph_compress reversible; 12-bit unsigned data as a PGM whose maxval
    gives the bit depth."""
    if shutil.which("ojph_compress") is None:
        raise RuntimeError("ojph_compress not found (Debian: apt-get install openjph-tools)")
    bits = int(ds.BitsStored)
    if array.dtype.kind != "u":
        raise ValueError("ojph_compress reads unsigned PGM")
    header = f"P5\n{array.shape[1]} {array.shape[0]}\n{(1 << bits) - 1}\n".encode()
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.pgm"), os.path.join(tmp, "out.j2c")
        with open(src, "wb") as f:
            f.write(header + array.astype(">u2").tobytes())
        subprocess.run(["ojph_compress", "-i", src, "-o", dst, "-reversible", "true"],
                       check=True, capture_output=True)
        with open(dst, "rb") as f:
            stream = f.read()
    return _encapsulated(ds, [stream], HTJ2K_LOSSLESS)


# -------------------------------------------------------------------- catalogue

def _ct():
    return _to_bytes(ct_dataset(ct_slice()))


def _ct_wide_unsigned():
    """CT stored as unsigned 12-bit with intercept -1024 (the other common
    encoding), 512 rows x 1024 columns: 1 MiB of output."""
    hu = ct_slice(512, 1024, seed=2)
    stored = np.clip(hu.astype(np.int32) + 1024, 0, 4095).astype(np.uint16)
    ds = _dataset(stored, CT_IMAGE, "CT", bits_stored=12, signed=False,
                  RescaleIntercept="-1024", RescaleSlope="1", RescaleType="HU",
                  WindowCenter="40", WindowWidth="400")
    return stored, ds


def _cr():
    image = radiograph(2048, 2048, seed=4)
    return image, _dataset(image, CR_IMAGE, "CR", bits_stored=12, signed=False,
                           PhotometricInterpretation="MONOCHROME2")


def _mammo():
    image = radiograph(3000, 3000, seed=5, mammo=True)
    return image, _dataset(image, MG_IMAGE, "MG", bits_stored=12, signed=False,
                           PresentationIntentType="FOR PRESENTATION")


def _cine(frames):
    def make():
        video = ultrasound_cine(frames, 480, 640)
        ds = _dataset(video, US_MULTIFRAME, "US", bits_stored=8, signed=False, samples=3,
                      photometric="RGB", CineRate="30", FrameTime="33.3")
        return _dcmtk("dcmcjpeg", _to_bytes(ds), "+eb", "+q", "90")
    return make


def _cache(builder):
    """Memoise the uncompressed source shared by several entries."""
    value = []

    def get():
        if not value:
            value.append(builder())
        return value[0]
    return get


def catalogue(cine_frames=100):
    """[(key, label, make)] in table order; make() returns the file's bytes."""
    ct = _cache(_ct)
    wide = _cache(_ct_wide_unsigned)
    cr = _cache(_cr)
    mammo = _cache(_mammo)
    return [
        ("ct_explicit_le", "CT 512x512 16-bit signed, explicit LE", ct),
        ("ct_deflated", "CT, deflated", lambda: _dcmtk("dcmconv", ct(), "+td")),
        ("ct_jpeg_ls_sv1", "CT, JPEG lossless SV1",
         lambda: _dcmtk("dcmcjpeg", ct(), "+e1")),
        ("ct_jpegls", "CT, JPEG-LS lossless", lambda: _dcmtk("dcmcjpls", ct())),
        ("ct_rle", "CT, RLE", lambda: _dcmtk("dcmcrle", ct())),
        ("ct_j2k", "CT 512x1024 12-bit, JPEG 2000 lossless",
         lambda: _j2k(wide()[0], wide()[1])),
        ("ct_htj2k", "CT 512x1024 12-bit, HTJ2K lossless",
         lambda: _htj2k(wide()[0], wide()[1])),
        ("cr_explicit_le", "CR 2048x2048 12-bit, explicit LE", lambda: _to_bytes(cr()[1])),
        ("cr_jpeg_ls_sv1", "CR 2048x2048 12-bit, JPEG lossless SV1",
         lambda: _dcmtk("dcmcjpeg", _to_bytes(cr()[1]), "+e1")),
        ("mg_explicit_le", "MG 3000x3000 12-bit, explicit LE", lambda: _to_bytes(mammo()[1])),
        ("mg_j2k", "MG 3000x3000 12-bit, JPEG 2000 lossless",
         lambda: _j2k(mammo()[0], mammo()[1])),
        (f"us_cine{cine_frames}_jpeg_baseline",
         f"US cine {cine_frames}x640x480 RGB, JPEG baseline (YBR_FULL_422)", _cine(cine_frames)),
    ]


def generate(cache_dir, keys=None, cine_frames=100, log=print):
    """Makes the files that are missing; returns [(key, label, path)]."""
    os.makedirs(cache_dir, exist_ok=True)
    out = []
    for key, label, make in catalogue(cine_frames):
        if keys is not None and key not in keys:
            continue
        path = os.path.join(cache_dir, key + ".dcm")
        if not os.path.exists(path):
            log(f"generating {path}")
            data = make()
            tmp = path + ".part"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        out.append((key, label, path))
    return out
