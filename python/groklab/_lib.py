"""ctypes declarations of libgroklab's public API (include/groklab.h)."""
import ctypes
import ctypes.util
import os
from typing import List

c_char_p, c_int, c_long, c_double, c_size_t, c_void_p = (ctypes.c_char_p, ctypes.c_int, ctypes.c_long,
                                                         ctypes.c_double, ctypes.c_size_t, ctypes.c_void_p)
GK_OK, GK_EINVAL, GK_EIO, GK_ENOMEM, GK_ENONFINITE, GK_EINTERRUPTED = 0, 1, 2, 3, 4, 5


class Err(ctypes.Structure):
    _fields_ = [("msg", ctypes.c_char * 512)]


class PresetInfo(ctypes.Structure):
    _fields_ = [(k, c_char_p) for k in ("name", "experiment", "paper", "figure", "shows")]


class ParamInfo(ctypes.Structure):
    _fields_ = [("key", c_char_p), ("kind", c_int), ("kind_name", c_char_p), ("default", ctypes.c_char * 128),
                ("range", ctypes.c_char * 160), ("help", c_char_p)]


class Progress(ctypes.Structure):
    _fields_ = [("preset", c_char_p), ("step", c_long), ("steps", c_long), ("elapsed", c_double),
                ("eta", c_double), ("ncols", c_int), ("names", ctypes.POINTER(c_char_p)),
                ("row", ctypes.POINTER(c_double))]


PROGRESS_FN = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(Progress))
POINT_FN = ctypes.CFUNCTYPE(None, c_void_p, c_size_t, c_size_t, c_char_p, c_int)


class RunOptions(ctypes.Structure):
    _fields_ = [("out_dir", c_char_p), ("save_data", c_int), ("stop", ctypes.POINTER(c_int)),
                ("progress", PROGRESS_FN), ("ud", c_void_p), ("checkpoint_every", c_double)]


class SweepOptions(ctypes.Structure):
    _fields_ = [("out_dir", c_char_p), ("seeds", c_int), ("steps_per_tstar", c_double), ("zkey", c_char_p),
                ("stop", ctypes.POINTER(c_int)), ("point_done", POINT_FN), ("ud", c_void_p), ("force", c_int),
                ("checkpoint_every", c_double)]


def _candidates() -> List[str]:
    env = os.environ.get("GROKLAB_LIB")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    out = [os.path.join(here, "libgroklab.so.0")]  # bundled by `pip install ./python`
    try:
        from . import _installed  # written by `cmake --install`
        out.append(os.path.join(_installed.LIBDIR, "libgroklab.so"))
    except ImportError:
        pass
    out.append(os.path.join(here, "..", "..", "build", "libgroklab.so"))  # the source tree after the build
    found = ctypes.util.find_library("groklab")
    if found:
        out.append(found)
    return out


def load() -> ctypes.CDLL:
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        lib = ctypes.CDLL(path)
        lib._path = os.path.realpath(path) if os.path.exists(path) else path
        _declare(lib)
        return lib
    raise ImportError("groklab: libgroklab.so not found (tried %s); build it (bash scripts/build.sh) or set "
                      "GROKLAB_LIB to its path, or pip install ./python" % ", ".join(tried or ["nothing"]))


def _declare(lib):
    P, E = c_void_p, ctypes.POINTER(Err)
    argv = ctypes.POINTER(c_char_p)
    sigs = {
        "gk_version": (c_char_p, []),
        "gk_free": (None, [c_void_p]),
        "gk_status_str": (c_char_p, [c_int]),
        "gk_preset_count": (c_size_t, []),
        "gk_preset_at": (P, [c_size_t]),
        "gk_preset_find": (P, [c_char_p]),
        "gk_preset_describe": (None, [P, ctypes.POINTER(PresetInfo)]),
        "gk_preset_nparams": (c_int, [P]),
        "gk_preset_param": (c_int, [P, c_int, ctypes.POINTER(ParamInfo), E]),
        "gk_run_preset": (c_int, [c_char_p, argv, c_int, ctypes.POINTER(RunOptions), ctypes.POINTER(c_int), E]),
        "gk_preset_columns": (c_int, [c_char_p, argv, c_int, ctypes.POINTER(c_void_p), E]),
        "gk_theory_preset": (c_int, [c_char_p, argv, c_int, ctypes.POINTER(c_void_p), E]),
        "gk_sweep_preset": (c_int, [c_char_p, argv, c_int, ctypes.POINTER(SweepOptions), ctypes.POINTER(c_size_t), E]),
        "gk_table_ncols": (c_int, [P]),
        "gk_table_nrows": (c_size_t, [P]),
        "gk_table_name": (c_char_p, [P, c_int]),
        "gk_table_column": (ctypes.POINTER(c_double), [P, c_int]),
        "gk_result_open": (c_int, [c_char_p, ctypes.POINTER(c_void_p), E]),
        "gk_result_metrics": (P, [P]),
        "gk_result_summary": (c_char_p, [P]),
        "gk_result_config": (c_char_p, [P]),
        "gk_result_close": (None, [P]),
    }
    for name, (res, args) in sigs.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args
