"""A PEP 517 build backend for the groklab Python package that needs nothing but the standard library.

`pip install ./python` (or `pip install .` from the repository root) builds a wheel holding python/groklab,
libgroklab.so and the groklab binary, so the installed package runs without the source tree, LD_LIBRARY_PATH
or PYTHONPATH. The build needs no package from an index (requires = []): it works offline, in a plain venv, and
with --no-build-isolation.

Where the library comes from, first match wins:
  GROKLAB_LIB (a built libgroklab.so; GROKLAB_BIN then names the groklab binary, optional),
  GROKLAB_BUILD_DIR or <repo>/build: brought up to date with `cmake --build` (configured first if it is not),
  so a fresh clone builds the library here (a few minutes on 2 cores).
"""
import base64
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))  # python/
REPO = os.path.dirname(HERE)
PACKAGE = os.path.join(HERE, "groklab")
NAME = "groklab"


def _version():
    with open(os.path.join(REPO, "CMakeLists.txt")) as f:
        m = re.search(r"project\(groklab VERSION ([0-9.]+)", f.read())
    return m.group(1) if m else "0.0.0"


def _metadata(version):
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n"
            "Summary: A laboratory for grokking: the small models of the grokking literature beside their theory references\n"
            "Requires-Python: >=3.8\n"
            "Provides-Extra: frames\nRequires-Dist: numpy; extra == \"frames\"\nRequires-Dist: pandas; extra == \"frames\"\n"
            "Provides-Extra: plot\nRequires-Dist: matplotlib; extra == \"plot\"\n" % (NAME, version))


def _say(msg):
    sys.stderr.write("groklab build: %s\n" % msg)


def _cmake_build(build_dir):
    """Brings build_dir's library and binary up to date (configures it first when it has no CMakeCache.txt)."""
    if shutil.which("cmake") is None:
        raise RuntimeError("cmake is not installed (bash scripts/install-deps.sh installs it), and GROKLAB_LIB "
                           "does not name a built libgroklab.so")
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        _say("configuring %s (cmake -S %s -B %s)" % (build_dir, REPO, build_dir))
        subprocess.run(["cmake", "-S", REPO, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release"], check=True,
                       stdout=sys.stderr)
    jobs = str(max(1, len(os.sched_getaffinity(0))))
    _say("building libgroklab and groklab in %s" % build_dir)
    subprocess.run(["cmake", "--build", build_dir, "--target", "groklab_shared", "groklab_cli", "-j", jobs],
                   check=True, stdout=sys.stderr)


def _native_files():
    """(path of libgroklab.so, path of the groklab binary or None)."""
    lib = os.environ.get("GROKLAB_LIB")
    if lib:
        if not os.path.exists(lib):
            raise RuntimeError("GROKLAB_LIB=%s: no such file" % lib)
        exe = os.environ.get("GROKLAB_BIN") or os.path.join(os.path.dirname(lib), "groklab")
        return lib, exe if os.path.exists(exe) else None
    build_dir = os.environ.get("GROKLAB_BUILD_DIR") or os.path.join(REPO, "build")
    _cmake_build(build_dir)
    return os.path.join(build_dir, "libgroklab.so"), os.path.join(build_dir, "groklab")


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (arcname, digest, len(data))


class _Wheel:
    def __init__(self, path):
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
        self.records = []

    def add(self, arcname, data, executable=False):
        info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        self.records.append(_record_line(arcname, data))

    def close(self, dist_info):
        record = dist_info + "/RECORD"
        self.records.append(record + ",,")
        self.zip.writestr(zipfile.ZipInfo(record, date_time=(2020, 1, 1, 0, 0, 0)), "\n".join(self.records) + "\n")
        self.zip.close()


def _tag(native):
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return "py3-none-%s" % plat if native else "py3-none-any"


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _start(wheel_directory, native):
    version = _version()
    tag = _tag(native)
    filename = "%s-%s-%s.whl" % (NAME, version, tag)
    dist_info = "%s-%s.dist-info" % (NAME, version)
    w = _Wheel(os.path.join(wheel_directory, filename))
    w.add(dist_info + "/METADATA", _metadata(version).encode())
    w.add(dist_info + "/WHEEL", ("Wheel-Version: 1.0\nGenerator: groklab_build\nRoot-Is-Purelib: false\nTag: %s\n"
                                 % tag).encode())
    return w, filename, dist_info, version


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    lib, exe = _native_files()
    w, filename, dist_info, version = _start(wheel_directory, True)
    for f in sorted(os.listdir(PACKAGE)):
        if f.endswith(".py") or f == "py.typed":
            w.add("groklab/" + f, _read(os.path.join(PACKAGE, f)))
    # The real file under the soname's name: ctypes loads it by path, its own dependencies are Debian's.
    w.add("groklab/libgroklab.so.0", _read(os.path.realpath(lib)), executable=True)
    if exe:
        w.add("groklab/bin/groklab", _read(exe), executable=True)  # sweep(jobs=N) runs it
        w.add("%s-%s.data/scripts/groklab" % (NAME, version), _read(exe), executable=True)
    w.close(dist_info)
    return filename


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """pip install -e: a .pth file puts python/ on sys.path; the package finds build/libgroklab.so itself."""
    w, filename, dist_info, _ = _start(wheel_directory, False)
    w.add("groklab_source.pth", (HERE + "\n").encode())
    w.close(dist_info)
    return filename


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []
