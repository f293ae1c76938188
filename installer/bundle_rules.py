"""Which collected files the bundle keeps: the Qt parts the app uses, nothing else.

Pure functions on PyInstaller TOC destination names (``PySide6/Qt/lib/libQt6Quick.so.6``,
``PySide6/Qt6Quick.dll``, ``PySide6/Qt/lib/QtQuick.framework/...``), so the spec and the
tests share one rule set. The spec imports this file from ``SPECPATH``.
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections.abc import Callable, Iterable

#: Qt modules the app never imports (QML/Quick, web, 3D, media, designer tooling...).
#: Matched against a library's name after the ``Qt6``/``Qt`` prefix, so Windows DLLs,
#: Linux .so files, macOS frameworks and PySide6 binding modules are all caught.
UNUSED_QT_MODULES: tuple[str, ...] = (
    "3D",
    "Bluetooth",
    "Charts",
    "Concurrent",
    "DataVisualization",
    "Designer",
    "EglFSDeviceIntegration",
    "EglFsKmsGbmSupport",
    "EglFsKmsSupport",
    "Graphs",
    "Help",
    "HttpServer",
    "Labs",
    "Location",
    "Lottie",
    "Multimedia",
    "NetworkAuth",
    "Nfc",
    "Pdf",
    "Positioning",
    "PrintSupport",
    "Qml",
    "Quick",
    "RemoteObjects",
    "Scxml",
    "Sensors",
    "SerialBus",
    "SerialPort",
    "ShaderTools",
    "SpatialAudio",
    "Sql",
    "StateMachine",
    "Test",
    "TextToSpeech",
    "UiTools",
    "VirtualKeyboard",
    "WaylandCompositor",
    "WaylandEglCompositor",
    "WebChannel",
    "WebEngine",
    "WebSockets",
    "WebView",
    "WlShellIntegration",
    "Xml",
)

#: Qt modules only the Windows build uses: QtNetwork serves the single-instance server
#: there (a named pipe, QLocalServer); on Linux/macOS the app talks over a standard-library
#: Unix socket (ui/appshell/instance.py), so QtNetwork, its TLS plugins and the
#: Kerberos/GSSAPI libraries it links (5.3 MB on Linux) stay out.
WINDOWS_ONLY_QT_MODULES: tuple[str, ...] = ("Network",)
#: Plugin folders that only a Windows-only module loads.
WINDOWS_ONLY_PLUGIN_DIRS: frozenset[str] = frozenset({"tls"})

#: Plugin folders the app needs: windowing (X11/Wayland/Windows/macOS/offscreen),
#: input methods, image decoders, SVG icons, styles, desktop portal theme, TLS (Windows).
KEPT_PLUGIN_DIRS: frozenset[str] = frozenset(
    {
        "platforms",
        "platformthemes",
        "platforminputcontexts",
        "imageformats",
        "iconengines",
        "styles",
        "xcbglintegrations",
        "tls",
        "wayland-shell-integration",
        "wayland-decoration-client",
        "wayland-graphics-integration-client",
    }
)

#: Plugins inside kept folders that the app doesn't use: platforms nobody runs a desktop
#: app on, the PDF image format (needs QtPdf), the QML virtual keyboard, the GTK3 theme
#: (pulls in GTK's cairo/pango/gdk-pixbuf from the build machine; the xdg-desktop-portal
#: theme gives native file dialogs instead) and Wayland compositor-side buffer plugins.
UNUSED_PLUGINS: tuple[str, ...] = (
    "qpdf",
    "qtvirtualkeyboardplugin",
    "qgtk3",
    "dmabuf-server",
    "drm-egl-server",
    "shm-emulation-server",
    "vulkan-server",
    "qminimal",
    "qminimalegl",
    "qvnc",
    "qlinuxfb",
    "qeglfs",
    "qvkkhrdisplay",
    "qdirect2d",
    # Wayland shells of in-vehicle, kiosk, Qt-compositor and pre-2018 compositors: desktop
    # compositors (GNOME, KDE, wlroots) speak xdg-shell.
    "ivi-shell",
    "fullscreen-shell-v1",
    "qt-shell",
    "wl-shell-plugin",
)

#: Qt's own translations kept (the app ships English and Russian).
KEPT_TRANSLATIONS: frozenset[str] = frozenset({"qtbase_en.qm", "qtbase_ru.qm"})

#: Parts of the app's dependencies that nothing the app runs imports (tests/packaging runs
#: the self-test and imports every module the app's code names with these blocked).
LIBRARY_PARTS_NEVER_IMPORTED: tuple[str, ...] = (
    # httpx's command-line client: `import httpx` tries it and falls back when it fails
    # (it needs rich, which is not installed); it drags in click and pygments' 1.7 MiB of
    # lexers. httpx2 (huggingface_hub's client) imports its CLI only on `httpx2.main`.
    "httpx._main",
    "httpx2._main",
    "pygments",
    "click",
    # huggingface_hub beyond HfApi.model_info / get_hf_file_metadata / hf_hub_url /
    # build_hf_headers (runtime/weights.py): its `hf` CLI, the inference client and the
    # fsspec file system are reached only through its lazy top-level attributes.
    "huggingface_hub.cli",
    "huggingface_hub.inference",
    "huggingface_hub.hf_file_system",
    "fsspec",
    # pikepdf's PDF/A converter (imported only on `pikepdf.pdfa`) with fontTools (1.4 MiB):
    # the searchable PDF (core/pdfout.py) writes plain PDF through pikepdf's core.
    "pikepdf.pdfa",
    "fontTools",
    # numpy imports these lazily (`np.random`, `np.fft`); nothing the app runs uses them
    # (2.5 + 0.5 MiB of extension modules).
    "numpy.random",
    "numpy.fft",
    # Masked arrays (only `np.genfromtxt(usemask=True)` imports them) and the polynomial
    # classes, both imported lazily by numpy.
    "numpy.ma",
    "numpy.polynomial",
    # numpy's test helpers (its own test runner imports them on `np.test()` only).
    "numpy.testing",
    "numpy._core._multiarray_tests",
    # A development dependency; onnxruntime asks for it only to print loaded DLLs on Windows.
    "psutil",
    # PySide6's D-Bus binding: Qt's own D-Bus library stays (QtGui links it for the
    # portal theme and the tray), but the app never calls D-Bus from Python.
    "PySide6.QtDBus",
)

#: Bytecode optimisation of the bundle's Python archive (``python -OO``: no docstrings, no
#: asserts): 1.8 MB of the 12 MB archive is docstrings. The app never reads a docstring
#: (its words are coded facts), and tests/packaging/test_bundle_excludes.py runs the self-test
#: and every export under -OO, as the frozen app runs.
BYTECODE_OPTIMIZE = 2

#: Python packages that must never end up in the bundle (dev tools, GUI toolkits we don't
#: use, heavy optional imports of our dependencies). Passed to Analysis(excludes=...).
EXCLUDED_PYTHON_MODULES: tuple[str, ...] = (
    "tkinter",
    "_tkinter",
    "turtle",
    "turtledemo",
    "idlelib",
    "readline",
    "lib2to3",
    "pydoc_data",
    "matplotlib",
    "IPython",
    "ipykernel",
    "jupyter_client",
    "notebook",
    "pytest",
    "_pytest",
    "pytestqt",
    "pytest_asyncio",
    "pytest_timeout",
    "hypothesis",
    "mypy",
    "mypyc",
    "ruff",
    "PyInstaller",
    "pip",
    "setuptools",
    "pkg_resources",
    "distutils",
    "Cython",
    "scipy",
    "pandas",
    "torch",
    "sympy",
    "onnx",
    "onnxruntime.transformers",
    "onnxruntime.quantization",
    "onnxruntime.tools",
    "onnxruntime.backend",
    "numpy.f2py",
    "numpy.distutils",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtMultimedia",
    "PySide6.QtDesigner",
    "PySide6.QtCharts",
    "PySide6.QtPdf",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtUiTools",
    # lxml beyond lxml.etree (python-docx and pikepdf use etree only): 4 MiB.
    "lxml.objectify",
    "lxml.html",
    "lxml.isoschematron",
    "lxml.sax",
    "lxml.builder",
    "tests",
    # huggingface_hub's Xet transfer (11 MB of Rust): the app fetches weights over plain HTTP
    # with its own resume (runtime/weights.py), so the Xet client is never loaded.
    "hf_xet",
    *LIBRARY_PARTS_NEVER_IMPORTED,
)

#: Binaries proven unused on Linux: onnxruntime's Python module links the runtime
#: statically, libonnxruntime.so is only for the C API (35 MB).
UNUSED_LINUX_BINARIES: tuple[str, ...] = ("onnxruntime/capi/libonnxruntime.so",)

#: Pillow extension modules the app never uses: AVIF (with its 5 MiB libavif), Tk, colour
#: management (littleCMS) and font rendering (FreeType/HarfBuzz). The formats the app reads
#: (PNG, JPEG, WebP, BMP, GIF, TIFF; PDF goes through pdfium) need ``_imaging`` and ``_webp``
#: only, and Pillow imports these four lazily: without them AVIF is just "not supported".
UNUSED_PILLOW_MODULES: tuple[str, ...] = ("_avif", "_imagingtk", "_imagingcms", "_imagingft")
#: auditwheel's folder of Pillow's own libraries (Linux), pruned once the modules go.
PILLOW_LIBS = "pillow.libs"

_QT_LIB = re.compile(
    r"^(?:lib)?Qt6?([A-Za-z0-9]+?)(?:\.framework|\.so|\.dll|\.dylib|\.abi3|\.pyi|\.pyd|$)"
)


def _norm(dest: str) -> str:
    return dest.replace("\\", "/")


def unused_qt_module(name: str, platform: str = sys.platform) -> bool:
    """True for a Qt library/framework/binding file name of a module the app never uses
    on ``platform`` (``sys.platform`` of the build: a bundle is built on its own OS)."""
    match = _QT_LIB.match(name)
    if not match:
        return False
    module = match.group(1)
    unused = UNUSED_QT_MODULES
    if platform != "win32":
        unused += WINDOWS_ONLY_QT_MODULES
    return any(module.startswith(prefix) for prefix in unused)


def keep(dest: str, platform: str = sys.platform) -> bool:
    """Whether the bundle keeps the file collected to ``dest`` (a TOC destination name)."""
    path = _norm(dest)
    parts = path.split("/")
    if any(path.startswith(p) for p in UNUSED_LINUX_BINARIES):
        return False
    # Qt libraries also get top-level links (``_internal/libQt6Quick.so.6``).
    if unused_qt_module(parts[-1], platform):
        return False
    if not parts or parts[0] != "PySide6":
        return True
    # Qt libraries and frameworks anywhere under PySide6/ (lib/, the root on Windows,
    # or inside a .framework on macOS), plus PySide6's own binding modules.
    if any(unused_qt_module(part, platform) for part in parts[1:]):
        return False
    if "plugins" in parts:
        i = parts.index("plugins")
        if i + 1 < len(parts) - 1:  # a file inside a plugin folder
            if parts[i + 1] not in KEPT_PLUGIN_DIRS:
                return False
            if platform != "win32" and parts[i + 1] in WINDOWS_ONLY_PLUGIN_DIRS:
                return False
            stem = parts[-1].removeprefix("lib").split(".")[0]
            return stem not in UNUSED_PLUGINS
    if "translations" in parts and parts[-1].endswith(".qm"):
        return parts[-1] in KEPT_TRANSLATIONS
    # QML modules and resources (qml/ folder) are never used.
    return "qml" not in parts


def _link_target(dest: str, src: str) -> str:
    """Where a SYMLINK entry points, as a destination name (``src`` is relative to it)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(_norm(dest)), _norm(src)))


def filter_toc(toc: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The TOC entries to keep, in order; links whose target is dropped go too."""
    return [
        (dest, src, kind)
        for dest, src, kind in toc
        if keep(dest) and (kind != "SYMLINK" or keep(_link_target(dest, src)))
    ]


TocEntry = tuple[str, str, str]


def _key(name: str) -> str:
    base = _norm(name).rsplit("/", 1)[-1]
    return base.lower() if base.lower().endswith(".dll") else base


def prune_orphans(
    kept: list[TocEntry],
    dropped: Iterable[TocEntry],
    imports_of: Callable[[str], Iterable[str]],
) -> list[TocEntry]:
    """Drop shared libraries that only the dropped files needed (e.g. GTK's cairo/pango).

    ``imports_of(src)`` lists the library names a binary links against. Candidates are
    the top-level BINARY entries (system libraries PyInstaller collected only as
    dependencies) reachable from a dropped file; every other kept file is a root, and a
    candidate survives when any root (directly or through other libraries) links to it.
    """
    dropped = list(dropped)
    by_name: dict[str, TocEntry] = {}  # kept libraries
    for entry in kept:
        if entry[2] == "BINARY":
            by_name.setdefault(_key(entry[0]), entry)
    everything = dict(by_name)  # the dropped ones too, to walk through them
    for entry in dropped:
        if entry[2] == "BINARY":
            everything.setdefault(_key(entry[0]), entry)

    def closure(starts: Iterable[TocEntry], index: dict[str, TocEntry]) -> set[str]:
        seen: set[str] = set()
        stack = [e for e in starts if e[2] != "SYMLINK"]
        while stack:
            entry = stack.pop()
            for name in imports_of(entry[1]):
                key = _key(name)
                if key in index and key not in seen:
                    seen.add(key)
                    stack.append(index[key])
        return seen

    top_level = {k for k, e in by_name.items() if "/" not in _norm(e[0])}
    candidates = closure(dropped, everything) & top_level
    roots = [e for e in kept if e[2] != "BINARY" or _key(e[0]) not in candidates]
    needed = closure(roots, by_name)
    removed = {by_name[k][0] for k in candidates - needed}
    return [
        (dest, src, kind)
        for dest, src, kind in kept
        if dest not in removed and not (kind == "SYMLINK" and _link_target(dest, src) in removed)
    ]


def prune_folder(
    entries: list[TocEntry], folder: str, imports_of: Callable[[str], Iterable[str]]
) -> list[TocEntry]:
    """Drop the libraries in ``folder`` (e.g. ``opencv_python_headless.libs``) that no
    other collected binary links to any more, directly or through each other, and the
    links pointing at them. ``imports_of(src)`` lists the library names a binary needs.
    """
    inside = {
        _key(dest): (dest, src, kind)
        for dest, src, kind in entries
        if kind == "BINARY" and _norm(dest).rpartition("/")[0] == folder
    }
    needed: set[str] = set()
    members = {entry[0] for entry in inside.values()}
    stack = [e for e in entries if e[2] != "SYMLINK" and e[0] not in members]
    while stack:
        entry = stack.pop()
        for name in imports_of(entry[1]):
            key = _key(name)
            if key in inside and key not in needed:
                needed.add(key)
                stack.append(inside[key])
    removed = {inside[k][0] for k in inside.keys() - needed}
    return [
        (dest, src, kind)
        for dest, src, kind in entries
        if dest not in removed and not (kind == "SYMLINK" and _link_target(dest, src) in removed)
    ]


def unused_pillow_module(dest: str) -> bool:
    """True for ``PIL/_avif.cpython-311-x86_64-linux-gnu.so`` and the like (any OS)."""
    folder, _, name = _norm(dest).rpartition("/")
    return folder == "PIL" and name.split(".", 1)[0] in UNUSED_PILLOW_MODULES


def drop_unused_pillow(entries: list[TocEntry]) -> list[TocEntry]:
    """``entries`` without Pillow's unused extension modules (see UNUSED_PILLOW_MODULES)."""
    return [e for e in entries if not unused_pillow_module(e[0])]
