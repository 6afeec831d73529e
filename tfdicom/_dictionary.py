"""DCMTK's data dictionary inside the package.

A wheel made by build_pip_pkg.sh carries the dictionary files of the DCMTK
it bundles in ``tfdicom/dcmtk/`` (``dicom.dic`` and ``private.dic``, the
files DCMTK's default path names). DCMTK loads its global dictionary once,
lazily, at its first use (not when the library is loaded), from the files
that the environment variable DCMDICTPATH lists, else from the default path
compiled into it (Debian: /usr/share/libdcmtk17/...). So pointing DCMDICTPATH
at the bundled files before tfdicom decodes anything makes the bundled
dictionary win whatever DCMDICTPATH or the system says. The variable stays
set in this process (and so in its child processes): it names the
dictionary of the same DCMTK release, for any DCMTK loaded later.

A source or development build has no ``tfdicom/dcmtk/``: nothing changes,
and DCMTK uses DCMDICTPATH or its default path as usual.
"""

import os
import warnings

DIRECTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dcmtk")
# In DCMTK's default order: the standard's dictionary, then private tags.
FILES = ("dicom.dic", "private.dic")


def bundled_paths():
    """The bundled dictionary files, or None when the package has none."""
    paths = [os.path.join(DIRECTORY, name) for name in FILES]
    return paths if all(os.path.isfile(p) for p in paths) else None


def use_bundled_dictionary():
    """Sets DCMDICTPATH to the bundled dictionary, if there is one; returns
    the value set, or None."""
    paths = bundled_paths()
    if paths is None:
        return None
    if any(os.pathsep in p for p in paths):
        # DCMTK splits DCMDICTPATH at ':' with no escape.
        warnings.warn(
            f"tfdicom is installed under a path with {os.pathsep!r} ({DIRECTORY}), which "
            f"DCMDICTPATH cannot name; DCMTK's data dictionary comes from DCMDICTPATH "
            f"or the system instead", RuntimeWarning, stacklevel=3)
        return None
    value = os.pathsep.join(paths)
    os.environ["DCMDICTPATH"] = value
    return value
