"""tfdicom.tags: generated from DCMTK's data dictionary by tools/gen_tags.py
(the committed file is what the generator writes), keywords agree with
pydicom's dictionary, tensorflow-io's dicom_tags names work as aliases, the
helpers work, and importing it needs no TensorFlow."""

import os
import re
import sys

import pytest
from pydicom.datadict import DicomDictionary, RepeatersDictionary, keyword_dict

from test_loader import run_python
from tfdicom import tags

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DICTIONARY = "/usr/share/libdcmtk17/dicom.dic"

sys.path.insert(0, os.path.join(ROOT, "tools"))
import gen_tags  # noqa: E402

# A sample of the 4023 names of tensorflow-io 0.37.1's dicom_tags
# (tensorflow_io/python/ops/dicom_ops.py), with the tags it gave them. All
# 4023 were checked once against that file (it is not a test dependency).
TFIO_NAMES = {
    "PatientsName": 0x00100010, "SamplesperPixel": 0x00280002, "NumberofFrames": 0x00280008,
    "StudyInstanceUID": 0x0020000D, "FileMetaInformationGroupLength": 0x00020000,
    "FilesetID": 0x00041130, "FilesetDescriptorFileID": 0x00041141,
    "SpecificCharacterSetofFilesetDescriptorFile": 0x00041142,
    "OffsetoftheFirstDirectoryRecordoftheRootDirectoryEntity": 0x00041200,
    "FilesetConsistencyFlag": 0x00041212, "RecordInuseFlag": 0x00041410,
    "OffsetofReferencedLowerLevelDirectoryEntity": 0x00041420,
    "ReferencedSOPClassUIDinFile": 0x00041510, "NumberofReferences": 0x00041600,
    "LengthtoEnd": 0x00080001, "IssuerofAccessionNumberSequence": 0x00080051,
    "ModalitiesinStudy": 0x00080061, "SOPClassesinStudy": 0x00080062,
    "ReferringPhysiciansName": 0x00080090, "ReferringPhysiciansAddress": 0x00080092,
    "ReferringPhysiciansTelephoneNumbers": 0x00080094, "ConsultingPhysiciansName": 0x0008009C,
    "TimezoneOffsetFromUTC": 0x00080201, "PhysiciansofRecord": 0x00081048,
    "NameofPhysiciansReadingStudy": 0x00081060, "OperatorsName": 0x00081070,
    "ManufacturersModelName": 0x00081090, "MultiframeSourceSOPInstanceUID": 0x00081167,
    "LossyImageCompressionRetired": 0x00082110, "HardcopyDeviceManufacturersModelName": 0x0018101B,
    "TriggerSourceorType": 0x00181061, "CardiacNumberofImages": 0x00181090,
    "DistanceSourcetoDetector": 0x00181110, "DistanceSourcetoPatient": 0x00181111,
    "CenterofRotationOffset": 0x00181145, "FieldofViewShape": 0x00181147,
    "ExposureinAs": 0x00181153, "ImageandFluoroscopyAreaDoseProduct": 0x0018115E,
    "TypeofFilters": 0x00181161, "CollimatorgridName": 0x00181180,
    "DateofLastCalibration": 0x00181200, "InplanePhaseEncodingDirection": 0x00181312,
    "dBdt": 0x00181318, "ExposuresonPlate": 0x00181404,
    "NumberofTomosynthesisSourceImages": 0x00181495, "CenterofCircularShutter": 0x00181610,
    "VerticesofthePolygonalShutter": 0x00181620, "RotationofScannedFilm": 0x00182030,
    "SoftTissuefocusThermalIndex": 0x00185028, "DepthofScanField": 0x00185050,
    "SequenceofUltrasoundRegions": 0x00186011, "DopplerSampleVolumeXPositionRetired": 0x00186038,
    "TMLinePositionX0Retired": 0x0018603C, "NumberofTableBreakPoints": 0x00186050,
    "TableofXBreakPoints": 0x00186052, "ExposuresonDetectorSinceLastCalibration": 0x00187010,
    # a leading digit spelled out
    "TwoDDegreeofFreedomSequence": 0x00686470, "ThreeDDegreeofFreedomAxis": 0x00686490,
    "TwoDDegreeofFreedomAxis": 0x006864F0,
    # attributes renamed since (tools/gen_tags.py RENAMED_TFIO_NAMES)
    "ExposureinAs": 0x00181153, "ExposureTimeinS": 0x00188150, "XRayTubeCurrentinA": 0x00188151,
    "ViewOrientationModifier": 0x006862F0, "Version": 0x4010103A,
    "PerframeFunctionalGroupsSequence": 0x52009230,
}


def keywords():
    return {name: value for name, value in vars(tags).items()
            if isinstance(value, int) and not name.startswith("_") and name not in tags.ALIASES}


def test_committed_file_is_what_the_generator_writes():
    with open(os.path.join(ROOT, "tfdicom", "tags.py"), encoding="utf-8") as f:
        committed = f.read()
    assert committed == gen_tags.generate(DICTIONARY), "run: python tools/gen_tags.py"
    assert gen_tags.main(["--check"]) == 0


def test_every_dcmtk_dictionary_entry_has_its_keyword():
    entries = list(gen_tags.read_dcmtk_dictionary(DICTIONARY))
    table = keywords()
    assert len(table) == len(entries) > 4900
    for tag, name, *_ in entries:
        assert table[re.sub("^RETIRED_", "", name)] == tag


def test_keywords_agree_with_pydicom():
    table = keywords()
    shared = [name for name in table if name in keyword_dict]
    assert len(shared) > 4900
    wrong = [name for name in shared if keyword_dict[name] != table[name]]
    assert not wrong
    # pydicom's keywords for repeating groups map to the first group, as ours do.
    assert tags.OverlayData == 0x60003000 and tags.OverlayRows == 0x60000010
    assert tags.CurveData == 0x50003000 and tags.SourceImageIDs == 0x00203100


def test_plain_and_retired_examples():
    assert tags.PatientName == 0x00100010
    assert tags.Rows == 0x00280010
    assert tags.PixelData == 0x7FE00010
    assert tags.TransferSyntaxUID == 0x00020010
    assert tags.RecognitionCode == 0x00080010  # retired: no RETIRED_ prefix
    assert not hasattr(tags, "RETIRED_RecognitionCode")
    assert all(isinstance(v, int) and 0 <= v <= 0xFFFFFFFF for v in keywords().values())


@pytest.mark.parametrize("name", sorted(TFIO_NAMES))
def test_tensorflow_io_names_are_aliases(name):
    assert getattr(tags, name) == TFIO_NAMES[name]
    if name not in keywords():
        assert name in tags.ALIASES


def test_aliases_are_pydicom_names_without_punctuation():
    renamed = gen_tags.RENAMED_TFIO_NAMES
    for alias in tags.ALIASES:
        value = getattr(tags, alias)
        assert alias not in keywords()
        if alias in renamed:
            assert renamed[alias] == value
            continue
        entry = DicomDictionary.get(value)
        if entry is None:  # a repeating group
            entry = next(e for mask, e in RepeatersDictionary.items()
                         if all(m in "xX" or m == t for m, t in zip(mask.upper(), f"{value:08X}")))
        name = re.sub(r"[^A-Za-z0-9]", "", entry[2])
        name = {"2": "Two", "3": "Three"}.get(name[0], name[0]) + name[1:]
        assert name == alias


def test_keyword_and_tag_helpers():
    assert tags.keyword(0x00100010) == "PatientName"
    assert tags.keyword(tags.PatientsName) == "PatientName"  # the keyword, not the alias
    assert tags.keyword(0x00181318) == "dBdt"
    assert tags.keyword(0x00091001) is None
    assert tags.tag("PatientName") == tags.tag("PatientsName") == 0x00100010
    assert tags.tag("(0028,0010)") == tags.tag("0028,0010") == tags.tag("00280010") == 0x00280010
    assert tags.tag("(7fe0,0010)") == 0x7FE00010
    for bad in ("PatientNam", "(0028,001)", "ALIASES", "keyword", "_BY_TAG"):
        with pytest.raises(KeyError):
            tags.tag(bad)


def test_every_keyword_is_known_to_the_core():
    import pydicom.data

    import tfdicom.numpy

    data = open(pydicom.data.get_testdata_file("CT_small.dcm", download=False), "rb").read()
    names = sorted(keywords())
    values = tfdicom.numpy.decode_dicom_data(data, names)  # raises for an unknown keyword
    by_number = tfdicom.numpy.decode_dicom_data(data, [getattr(tags, n) for n in names])
    assert list(values) == list(by_number)
    assert values[names.index("Rows")] == "128"


def test_importing_tags_needs_no_tensorflow():
    out = run_python("""
        import sys
        from tfdicom import tags
        import tfdicom.numpy
        print(tags.PatientName, "tensorflow" in sys.modules)
    """)
    assert out.split() == [str(0x00100010), "False"]
