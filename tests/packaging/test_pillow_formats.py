"""The bundle drops Pillow's AVIF/Tk/CMS/font modules and their libraries: every format the app
reads still decodes, and only libraries nothing needs any more leave pillow.libs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import PIL
import pytest

from tests.packaging.installer_modules import load_installer_module

ROOT = Path(__file__).resolve().parents[2]


rules = load_installer_module("bundle_rules")
elf_strip = load_installer_module("elf_strip")
formats = load_installer_module("image_formats")

SITE = Path(PIL.__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("dest", "dropped"),
    [
        ("PIL/_avif.cpython-311-x86_64-linux-gnu.so", True),
        ("PIL/_imagingcms.cpython-311-darwin.so", True),
        ("PIL\\_imagingft.cp311-win_amd64.pyd", True),
        ("PIL/_imagingtk.cpython-311-x86_64-linux-gnu.so", True),
        ("PIL/_imaging.cpython-311-x86_64-linux-gnu.so", False),
        ("PIL/_webp.cpython-311-x86_64-linux-gnu.so", False),
        ("PIL/_imagingmath.cpython-311-x86_64-linux-gnu.so", False),
        ("other/_avif.so", False),
    ],
)
def test_unused_pillow_modules_are_recognised_on_every_os(dest: str, dropped: bool) -> None:
    assert rules.unused_pillow_module(dest) is dropped


def _stem(dest: str) -> str:
    return dest.replace("\\", "/").rsplit("/", 1)[-1].split("-", 1)[0].split(".", 1)[0]


@pytest.mark.skipif(
    not (SITE / rules.PILLOW_LIBS).is_dir(), reason="a manylinux Pillow wheel (pillow.libs)"
)
def test_the_wheels_libavif_lcms_and_freetype_go_and_the_decoders_stay() -> None:
    toc = [(f"PIL/{p.name}", str(p), "EXTENSION") for p in sorted((SITE / "PIL").glob("_*.so"))]
    toc += [
        (f"{rules.PILLOW_LIBS}/{p.name}", str(p), "BINARY")
        for p in sorted((SITE / rules.PILLOW_LIBS).iterdir())
    ]
    kept = rules.prune_folder(
        rules.drop_unused_pillow(toc), rules.PILLOW_LIBS, elf_strip.needed_libraries
    )
    stems = {_stem(dest) for dest, _src, _kind in kept}
    assert {"_imaging", "_webp", "libjpeg", "libtiff", "libwebp", "libwebpmux"} <= stems
    assert {"libwebpdemux", "libsharpyuv", "libopenjp2", "libzstd", "liblzma", "libxcb"} <= stems
    for gone in ("_avif", "_imagingcms", "_imagingft", "_imagingtk", "libavif", "liblcms2"):
        assert gone not in stems
    assert not {"libfreetype", "libharfbuzz", "libbrotlidec", "libbrotlicommon"} & stems
    removed = sum(Path(src).stat().st_size for _d, src, _k in set(toc) - set(kept))
    assert removed > 5 * 2**20  # libavif alone is 5 MiB


_DECODE_WITHOUT_DROPPED = """
import json, sys
for name in {modules!r}:
    sys.modules["PIL." + name] = None  # as in the bundle: importing them fails
sys.path.insert(0, {root!r})
sys.path.insert(0, {installer!r})
from pathlib import Path
import image_formats
from desktop.core.images import iter_pages
from PIL import AvifImagePlugin, Image, ImageCms, ImageFont  # import softly without them
sizes = {{}}
for path in image_formats.make_samples(Path(sys.argv[1])):
    page = next(iter(iter_pages(path)))
    sizes[path.name] = [page.width, page.height]
Image.init()
print(json.dumps({{"sizes": sizes, "avif": AvifImagePlugin.SUPPORTED}}))
"""


@pytest.mark.timeout(120)
def test_every_accepted_format_decodes_without_the_dropped_modules(tmp_path: Path) -> None:
    script = _DECODE_WITHOUT_DROPPED.format(
        modules=rules.UNUSED_PILLOW_MODULES, root=str(ROOT), installer=str(ROOT / "installer")
    )
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=100,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["avif"] is False
    assert set(result["sizes"]) == set(formats.SAMPLES)
    width, height = formats.CROP[2] - formats.CROP[0], formats.CROP[3] - formats.CROP[1]
    for name, (w, h) in result["sizes"].items():
        assert abs(w - width) <= 2 and abs(h - height) <= 2, name  # PDF: rendered at 200 DPI


def test_the_ci_check_names_each_sample_that_was_not_read() -> None:
    good = {"pages": [{"blocks": [{"text": "Northwind Paper Supply, 12 Harbour Road"}]}]}
    docs = [dict(good, source=f"/tmp/x/{name}") for name in formats.SAMPLES]
    assert formats.check_results(docs) == []
    docs[1] = dict(docs[1], pages=[{"blocks": [{"text": ""}]}])
    problems = formats.check_results(docs[:-1])
    assert any(p.startswith(f"{list(formats.SAMPLES)[1]}:") for p in problems)
    assert any(p == f"{list(formats.SAMPLES)[-1]}: no result" for p in problems)
