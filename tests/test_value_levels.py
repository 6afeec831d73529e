"""values='stored' | 'modality' | 'display' on every monochrome open file:
modality equals pydicom's apply_modality_lut exactly (float64); display as
uint8 with scale='auto' equals pydicom's VOI rendering within 1."""

import numpy as np
import pydicom
import pytest
from pydicom.pixels import apply_modality_lut, apply_voi_lut

from reference_files import OPEN_FILES, params, read_bytes

MONOCHROME = [f for f in OPEN_FILES
              if f.photometric in ("MONOCHROME1", "MONOCHROME2") and f.pydicom_ok]


def stored(f, ds):
    return ds.pixel_array.reshape(f.frames, ds.Rows, ds.Columns)


def header_and_stored(f):
    """The data set and its stored values: pydicom's where it decodes the
    file here, else tfdicom's own stored values (JPEG and JPEG-LS need
    pydicom plugins; test_decode_values.py checks those bit for bit against
    pydicom's hashes), so the value pipeline is tested on every file."""
    ds = pydicom.dcmread(f.path())
    # Lossy JPEG decoders differ in their last bit (which one pydicom picks
    # depends on the plugins installed): test the value pipeline on
    # tfdicom's own stored values there.
    lossy = f.ts_uid in ("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51",
                         "1.2.840.10008.1.2.4.81")
    try:
        if lossy:
            raise LookupError("lossy: use tfdicom's stored values")
        return ds, stored(f, ds)
    except Exception:
        import tfdicom.numpy

        return ds, tfdicom.numpy.decode_dicom_image(read_bytes(f.path()), dtype=f.dtype,
                                                    on_error="strict")


def functional_group_rescale(ds, frames):
    """Per-frame (slope, intercept) from the functional groups, as PS3.3
    C.7.6.16.2.9 defines them (pydicom 3.0.2's apply_modality_lut reads only
    the top level)."""
    out = []
    for i in range(frames):
        item = None
        for seq in ("PerFrameFunctionalGroupsSequence", "SharedFunctionalGroupsSequence"):
            groups = ds.get(seq)
            group = groups[i if seq.startswith("Per") else 0] if groups else None
            if group is not None and "PixelValueTransformationSequence" in group:
                item = group.PixelValueTransformationSequence[0]
                break
        source = item if item is not None else ds
        out.append((float(source.get("RescaleSlope", 1)), float(source.get("RescaleIntercept", 0))))
    return out


@pytest.mark.parametrize("f", params(MONOCHROME))
def test_modality_equals_pydicom(f, decode):
    ds, array = header_and_stored(f)
    image = decode(read_bytes(f.path()), values="modality", dtype="float64", on_error="strict")
    if "PerFrameFunctionalGroupsSequence" in ds or "SharedFunctionalGroupsSequence" in ds:
        expected = np.stack([a * s + i for a, (s, i) in
                             zip(array.astype(np.float64), functional_group_rescale(ds, f.frames))])
    else:
        expected = apply_modality_lut(array, ds).reshape(image.shape)
    np.testing.assert_array_equal(image, expected)


def display_range(ds):
    """The output range of pydicom's apply_voi_lut (the VOI LUT's bits, or
    apply_windowing's y_min/y_max), or the modality range without VOI."""
    voi = ds.get("VOILUTSequence")
    if voi and "LUTDescriptor" in voi[0] and "LUTData" in voi[0]:
        return 0.0, 2.0 ** voi[0].LUTDescriptor[2] - 1
    if ds.get("ModalityLUTSequence"):
        return 0.0, 2.0 ** ds.ModalityLUTSequence[0].LUTDescriptor[2] - 1
    bits = ds.BitsStored
    lo, hi = (-(2.0 ** (bits - 1)), 2.0 ** (bits - 1) - 1) if ds.PixelRepresentation else (0.0, 2.0 ** bits - 1)
    if "WindowCenter" in ds and "RescaleSlope" in ds and "RescaleIntercept" in ds:
        return lo * float(ds.RescaleSlope) + float(ds.RescaleIntercept), hi * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    slope, intercept = float(ds.get("RescaleSlope", 1)), float(ds.get("RescaleIntercept", 0))
    a, b = lo * slope + intercept, hi * slope + intercept
    return min(a, b), max(a, b)


DISPLAY = [f for f in MONOCHROME if f.name != "eCT_Supplemental.dcm"]


@pytest.mark.parametrize("f", params(DISPLAY))
def test_display_uint8_auto_equals_pydicom_voi_rendering_within_one(f, decode):
    ds, array = header_and_stored(f)
    image = decode(read_bytes(f.path()), values="display", dtype="uint8", scale="auto",
                   on_error="strict")
    values = apply_voi_lut(apply_modality_lut(array, ds), ds).astype(np.float64)
    lo, hi = display_range(ds)
    expected = (values - lo) / (hi - lo) * 255
    if ds.PhotometricInterpretation == "MONOCHROME1":
        expected = 255 - expected
    assert np.abs(image.astype(np.float64) - expected.reshape(image.shape)).max() <= 1


def test_display_covers_windows_voi_luts_modality_luts_and_monochrome1():
    names = {f.name for f in DISPLAY}
    assert {"vlut_04.dcm", "mlut_18.dcm", "CT_small.dcm", "RG1_UNCI.dcm", "MR_small.dcm"} <= names


def test_per_frame_rescale_in_functional_groups_is_applied():
    f = next(f for f in OPEN_FILES if f.name == "eCT_Supplemental.dcm")
    ds = pydicom.dcmread(f.path())
    assert "RescaleIntercept" not in ds  # only the functional groups hold it
    import tfdicom.numpy

    hu = tfdicom.numpy.decode_dicom_image(read_bytes(f.path()), values="modality", dtype="int32",
                                          on_error="strict")
    assert functional_group_rescale(ds, 2) == [(1.0, -1024.0), (1.0, -1024.0)]
    np.testing.assert_array_equal(hu, stored(f, ds).astype(np.int32) - 1024)


# Extreme rescales and windows (issue #13): a rescale whose declared range
# leaves a double is refused; otherwise no value is ever NaN.

def rescaled_file(**attrs):
    from synthetic import dataset, phantom, to_bytes

    image = phantom(1, 4, 6, 0, 4095, np.uint16, seed=11)[0]
    image.flat[:2] = (0, 4095)
    return to_bytes(dataset(image, bits_stored=12, **attrs)), image


def expect_error(decode, fragment):
    if decode.interface == "numpy":
        from tfdicom import errors

        return pytest.raises(errors.InvalidDicomError, match=fragment)
    import tensorflow as tf

    return pytest.raises(tf.errors.InvalidArgumentError, match=fragment)


@pytest.mark.parametrize("slope, intercept, shown", [
    ("1e308", "0", r"RescaleSlope=1e\+308 and \(0028,1052\) RescaleIntercept=0"),
    ("-1e308", "0", r"RescaleSlope=-1e\+308 and \(0028,1052\) RescaleIntercept=0"),
    ("1", "1e308", r"RescaleSlope=1 and \(0028,1052\) RescaleIntercept=1e\+308"),
    ("1", "-1.5e308", r"RescaleSlope=1 and \(0028,1052\) RescaleIntercept=-1.5e\+308"),
    ("1e305", "-1e308", r"RescaleSlope=1e\+305 and \(0028,1052\) RescaleIntercept=-1e\+308"),
    ("-1e305", "1e308", r"RescaleSlope=-1e\+305 and \(0028,1052\) RescaleIntercept=1e\+308"),
], ids=["slope_1e308", "slope_-1e308", "intercept_1e308", "intercept_-1.5e308", "both",
        "both_negative"])
@pytest.mark.parametrize("values", ["modality", "display"])
@pytest.mark.parametrize("scale", ["preserve", "auto"])
def test_rescale_beyond_a_double_is_refused(slope, intercept, shown, values, scale, decode):
    data, _ = rescaled_file(RescaleSlope=slope, RescaleIntercept=intercept,
                            WindowCenter="100", WindowWidth="50")
    with expect_error(decode, r"rescale out of range: \(0028,1053\) " + shown +
                              r" take the stored range \[0, 4095\] beyond the range of a double"):
        decode(data, values=values, scale=scale, dtype="float64", on_error="strict")
    # 'stored' reads no rescale
    assert decode(data, dtype="uint16", on_error="strict").max() == 4095


def test_display_window_overflowing_its_linear_form_equals_pydicom(decode):
    """LINEAR_EXACT with width 1e-300: range / width overflows; each value
    is then windowed on its own (a step at the center), as pydicom does."""
    data, image = rescaled_file(RescaleSlope="1", RescaleIntercept="0", WindowCenter="2000",
                                WindowWidth="1e-300", VOILUTFunction="LINEAR_EXACT")
    ds = pydicom.dcmread(__import__("io").BytesIO(data))
    expected = apply_voi_lut(image.astype(np.float64), ds)
    got = decode(data, values="display", dtype="float64", on_error="strict")
    assert not np.isnan(got).any()
    np.testing.assert_array_equal(got[0], expected)
    assert set(np.unique(got)) == {0.0, 4095.0}


@pytest.mark.parametrize("slope", ["1e300", "-1e300", "1e-300", "1e-310", "1", "-3.5"])
@pytest.mark.parametrize("intercept", ["0", "5e307", "-5e307", "1e-320"])
@pytest.mark.parametrize("window", [("0", "1e-300", "LINEAR_EXACT"), ("1e308", "1e300", "LINEAR"),
                                    ("-1e308", "1", "LINEAR_EXACT"), ("3", "1e-300", "SIGMOID"),
                                    ("1e300", "1e308", "SIGMOID"), None],
                         ids=["narrow", "wide", "far", "sigmoid_narrow", "sigmoid_wide", "none"])
def test_extreme_finite_rescales_and_windows_never_give_nan(slope, intercept, window):
    """Every combination either decodes without a NaN (float64 and uint8,
    scale 'preserve' and 'auto', both levels) or raises a DicomError."""
    import tfdicom.numpy
    from tfdicom import errors

    attrs = {"RescaleSlope": slope, "RescaleIntercept": intercept}
    if window:
        attrs.update(WindowCenter=window[0], WindowWidth=window[1], VOILUTFunction=window[2])
    data, _ = rescaled_file(**attrs)
    for values in ("modality", "display"):
        for scale in ("preserve", "auto"):
            for dtype in ("float64", "uint8"):
                try:
                    got = tfdicom.numpy.decode_dicom_image(data, values=values, scale=scale,
                                                           dtype=dtype, on_error="lossy")
                except errors.DicomError as e:
                    assert "out of range" in str(e) or "overflow" in str(e), str(e)
                    continue
                assert got.shape == (1, 4, 6)
                assert not np.isnan(got.astype(np.float64)).any(), (values, scale, dtype)
                if scale == "auto" and dtype == "float64":  # within rounding
                    assert got.min() >= -1e-12 and got.max() <= 1 + 1e-12


def test_tiny_rescale_slope_still_stretches_under_scale_auto(decode):
    """Slope 1e-305: the declared range is 4e-302 wide, and uint64's
    1.8e19 / width overflows a double; the stretch is then computed in an
    order that stays finite. (DCMTK reads a subnormal slope such as 1e-310
    as 0: a constant image.)"""
    data, image = rescaled_file(RescaleSlope="1e-305", RescaleIntercept="0")
    got = decode(data, values="modality", scale="auto", dtype="float64", on_error="strict")
    np.testing.assert_allclose(got[0], image / 4095.0, rtol=1e-9, atol=1e-12)
    got = decode(data, values="modality", scale="auto", dtype="uint64", on_error="strict")
    assert got.min() == 0 and got.max() > 2 ** 63
    np.testing.assert_allclose(got[0].astype(np.float64) / 2.0 ** 64, image / 4095.0, atol=1e-9)
