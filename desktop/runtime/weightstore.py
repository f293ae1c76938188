"""The weights folder on this computer: huggingface_hub's cache layout, listed and deleted.

``ROOT/hub/models--ORG--NAME/{blobs,snapshots/COMMIT,refs/REVISION}``: the layout
huggingface_hub documents for its cache, so the container (``HF_HOME`` = the mounted ROOT)
and ``huggingface_hub.scan_cache_dir`` read what is written here. Everything here blocks.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from desktop.core import paths
from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg

logger = logging.getLogger(__name__)


def default_root() -> Path:
    """Where weights go unless Settings name another folder (mounted as the container's HF_HOME)."""
    return paths.data_dir() / "huggingface"


def hub_folder(root: Path) -> Path:
    return root / "hub"


def repo_folder(root: Path, repo_id: str) -> Path:
    return hub_folder(root) / ("models--" + repo_id.replace("/", "--"))


def repo_of(folder: Path) -> str | None:
    name = folder.name
    if not name.startswith("models--"):
        return None
    return name.removeprefix("models--").replace("--", "/")


def link_snapshot(folder: Path, commit: str, name: str, etag: str) -> None:
    """``snapshots/COMMIT/NAME`` -> ``blobs/ETAG`` (relative), or the file itself where the
    system makes no symbolic links (Windows without developer mode), as huggingface_hub does."""
    target = folder / "snapshots" / commit / name
    blob = folder / "blobs" / etag
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.exists():
        if target.resolve() == blob.resolve() or not blob.exists():
            return
        target.unlink()
    try:
        target.symlink_to(os.path.relpath(blob, target.parent))
    except OSError:
        shutil.copyfile(blob, target)


def write_ref(folder: Path, revision: str, commit: str) -> None:
    if revision == commit:
        return
    ref = folder / "refs" / revision
    ref.parent.mkdir(parents=True, exist_ok=True)
    if ref.exists() and ref.read_text().strip() == commit:
        return
    tmp = ref.with_name(ref.name + ".tmp")
    tmp.write_text(commit)
    tmp.replace(ref)


def local_snapshot(root: Path, repo_id: str, revision: str = "main") -> Path | None:
    """The complete snapshot on disk for ``revision``: every link resolves, config.json is there."""
    folder = repo_folder(root, repo_id)
    ref = folder / "refs" / revision
    try:
        commit = ref.read_text().strip() if ref.exists() else revision
    except OSError:
        return None
    snap = folder / "snapshots" / commit
    if not (snap / "config.json").exists():
        return None
    for path in snap.rglob("*"):
        if path.is_symlink() and not path.exists():
            return None  # a blob was removed by hand
    return snap


@dataclass(frozen=True, slots=True)
class Downloaded:
    """One model in the weights folder: its id, bytes on disk, whether it is complete."""

    repo_id: str
    size: int
    complete: bool

    def fact(self) -> Msg:
        code = Code.WEIGHTS_ENTRY if self.complete else Code.WEIGHTS_ENTRY_PARTIAL
        return Msg.of(code, model=self.repo_id, size_gib=self.size / 1024**3)


def downloaded(root: Path) -> list[Downloaded]:
    """Every model in the folder, by id; sizes count each blob once (links are not files)."""
    found = []
    hub = hub_folder(root)
    if not hub.is_dir():
        return []
    for folder in sorted(hub.iterdir()):
        repo_id = repo_of(folder)
        if repo_id is None or not folder.is_dir():
            continue
        size = 0  # blobs, and files copied where links could not be made (not refs)
        for part in ("blobs", "snapshots"):
            for path in (folder / part).rglob("*"):
                if path.is_file() and not path.is_symlink():
                    size += path.stat().st_size
        complete = local_snapshot(root, repo_id) is not None and not any(
            (folder / "blobs").glob("*.incomplete")
        )
        found.append(Downloaded(repo_id, size, complete))
    return found


def delete(root: Path, repo_id: str, running: frozenset[str] = frozenset()) -> Msg:
    """Remove one model's folder; refused while that model runs. Returns what was done."""
    if repo_id in running:
        raise DotsError(
            Msg.of(Code.WEIGHTS_DELETE_RUNNING, model=repo_id),
            fix=Msg(Code.FIX_WEIGHTS_DELETE_RUNNING),
        )
    folder = repo_folder(root, repo_id)
    entry = next((d for d in downloaded(root) if d.repo_id == repo_id), None)
    if entry is None:
        return Msg.of(Code.WEIGHTS_DELETED, model=repo_id, size_gib=0.0)
    try:
        shutil.rmtree(folder)
    except OSError as exc:
        raise DotsError(
            Msg.of(Code.WEIGHTS_FOLDER_UNWRITABLE, folder=str(folder), detail=exc.strerror or ""),
            fix=Msg(Code.FIX_WEIGHTS_FOLDER),
        ) from exc
    logger.info("deleted %s (%d bytes)", repo_id, entry.size)
    return Msg.of(Code.WEIGHTS_DELETED, model=repo_id, size_gib=entry.size / 1024**3)
