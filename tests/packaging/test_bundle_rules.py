"""What the bundle keeps of PySide6/onnxruntime, for Linux, Windows and macOS file names."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

from tests.packaging.installer_modules import load_installer_module

rules = load_installer_module("bundle_rules")


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/lib/libQt6Svg.so.6",
        "PySide6/Qt/lib/libQt6DBus.so.6",
        "PySide6/Qt/lib/libQt6WaylandClient.so.6",
        "PySide6/Qt/lib/libicudata.so.73",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
        "PySide6/Qt/translations/qtbase_ru.qm",
        "PySide6/QtWidgets.abi3.so",
        "PySide6/Qt6Widgets.dll",
        "PySide6/plugins/platforms/qwindows.dll",
        "PySide6/plugins/styles/qmodernwindowsstyle.dll",
        "PySide6/Qt/lib/QtGui.framework/Versions/A/QtGui",
        "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
        "cv2/cv2.abi3.so",
        "onnxruntime/capi/onnxruntime_pybind11_state.cpython-311-x86_64-linux-gnu.so",
        "rapidocr/models/PP-OCRv6_det_small.onnx",
        "resources/sample/invoice.png",
        "model_profiles/dots-ocr.toml",
    ],
)
def test_what_the_app_uses_is_kept(dest: str) -> None:
    assert rules.keep(dest)


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt/lib/libQt6QuickControls2Material.so.6",
        "PySide6/Qt/lib/libQt6Qml.so.6",
        "PySide6/Qt/lib/libQt6Designer.so.6",
        "PySide6/Qt/lib/libQt6Pdf.so.6",
        "PySide6/Qt/lib/libQt6LabsAnimation.so.6",
        "libQt6EglFsKmsSupport.so.6",
        "PySide6/Qt6WebEngineCore.dll",
        "PySide6/Qt6Multimedia.dll",
        "PySide6/QtQuick.pyd",
        "PySide6/Qt/lib/Qt3DCore.framework/Versions/A/Qt3DCore",
        "PySide6/Qt/lib/QtCharts.framework/Resources/Info.plist",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/wayland-shell-integration/libivi-shell.so",
        "PySide6/Qt/plugins/wayland-shell-integration/libwl-shell-plugin.so",
        "PySide6/Qt/plugins/imageformats/libqpdf.so",
        "PySide6/Qt/plugins/sqldrivers/libqsqlite.so",
        "PySide6/Qt/plugins/qmltooling/libqmldbg_debugger.so",
        "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
        "PySide6/Qt/qml/QtQuick/Controls/qmldir",
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/Qt/translations/qtdeclarative_ru.qm",
        "PySide6/translations/designer_ru.qm",
        "onnxruntime/capi/libonnxruntime.so.1.32.0",
    ],
)
def test_what_the_app_never_uses_is_dropped(dest: str) -> None:
    assert not rules.keep(dest)


@pytest.mark.parametrize(
    ("dest", "platform"),
    [
        ("PySide6/Qt/lib/libQt6Network.so.6", "linux"),
        ("libQt6Network.so.6", "linux"),
        ("PySide6/QtNetwork.abi3.so", "linux"),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", "linux"),
        ("PySide6/Qt/lib/QtNetwork.framework/Versions/A/QtNetwork", "darwin"),
        ("PySide6/Qt/plugins/tls/libqsecuretransportbackend.dylib", "darwin"),
    ],
)
def test_qtnetwork_stays_out_where_the_instance_server_uses_a_unix_socket(
    dest: str, platform: str
) -> None:
    assert not rules.keep(dest, platform)


@pytest.mark.parametrize(
    "dest",
    ["PySide6/Qt6Network.dll", "PySide6/QtNetwork.pyd", "PySide6/plugins/tls/qschannelbackend.dll"],
)
def test_windows_keeps_qtnetwork_for_its_named_pipe_server(dest: str) -> None:
    assert rules.keep(dest, "win32")


def test_links_to_dropped_libraries_are_dropped_too() -> None:
    toc = [
        ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/site/PySide6/Qt/lib/libQt6Core.so.6", "BINARY"),
    ]
    kept = rules.filter_toc(toc)
    assert [e[0] for e in kept] == ["libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6"]


def test_libraries_only_a_dropped_plugin_needed_are_pruned() -> None:
    links = {
        "/s/libqgtk3.so": ["libcairo.so.2", "libglib-2.0.so.0", "libQt6Gui.so.6"],
        "/s/libcairo.so.2": ["libpixman-1.so.0"],
        "/s/libQt6Gui.so.6": ["libglib-2.0.so.0"],
        "/s/cv2.so": ["libavcodec.so"],
    }

    def imports_of(src: str) -> Iterable[str]:
        return links.get(src, [])

    kept = [
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/s/libQt6Gui.so.6", "BINARY"),
        ("libcairo.so.2", "/s/libcairo.so.2", "BINARY"),
        ("libpixman-1.so.0", "/s/libpixman-1.so.0", "BINARY"),
        ("libglib-2.0.so.0", "/s/libglib-2.0.so.0", "BINARY"),
        ("cv2/cv2.abi3.so", "/s/cv2.so", "EXTENSION"),
        ("libavcodec.so", "/s/libavcodec.so", "BINARY"),
        ("libcairo-link.so", "libcairo.so.2", "SYMLINK"),
    ]
    dropped = [("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/s/libqgtk3.so", "BINARY")]
    names = [e[0] for e in rules.prune_orphans(kept, dropped, imports_of)]
    assert names == [
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "libglib-2.0.so.0",
        "cv2/cv2.abi3.so",
        "libavcodec.so",
    ]


def test_dev_tools_and_unused_toolkits_are_excluded_from_analysis() -> None:
    for name in ("tkinter", "pytest", "hypothesis", "mypy", "matplotlib", "IPython"):
        assert name in rules.EXCLUDED_PYTHON_MODULES
    for needed in ("sqlite3", "unittest", "xml", "asyncio", "PySide6.QtNetwork"):
        assert needed not in rules.EXCLUDED_PYTHON_MODULES


def test_the_xet_client_is_left_out_and_the_app_never_imports_it() -> None:
    """hf_xet (11 MB) stays out of the bundle: weights come over HTTP (runtime/weights.py)."""
    assert "hf_xet" in rules.EXCLUDED_PYTHON_MODULES
    desktop = Path(__file__).resolve().parents[2] / "desktop"
    found = []
    for path in desktop.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            else:
                continue
            found += [f"{path.name}:{node.lineno}" for n in names if n.split(".")[0] == "hf_xet"]
    assert found == []
