"""Model profiles: one TOML file per model (model_profiles/*.toml plus the user's own).

A user profile in ``config_dir()/profiles`` with the same ``id`` replaces the shipped one;
a new ``id`` adds a model. Validation errors name the file and the key.
"""

from __future__ import annotations

import logging
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg
from desktop.core.paths import config_dir

logger = logging.getLogger(__name__)

MODES = ("layout", "text", "grounding", "chat")
BOX_CONVENTIONS = ("model_pixels", "grid_1000")
# Flags the controller and planner set from the profile's fields; a profile must not repeat them.
MANAGED_FLAGS = (
    "--model",
    "--served-model-name",
    "--port",
    "--host",
    "--api-key",
    "--max-model-len",
    "--max-num-seqs",
    "--gpu-memory-utilization",
)
GIB = 1024**3


class ProfileError(DotsError):
    """A profile file is missing a key, has a wrong value, or cannot be parsed."""


@dataclass(frozen=True, slots=True)
class ModelProfile:
    """Everything needed to run one model in a vLLM container and to plan its memory."""

    id: str
    display_name: str
    hf_model_id: str
    served_name: str
    image: str
    flags: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    shm_size: str = "8g"
    ipc_host: bool = False
    gpu: bool = True
    default: bool = False
    modes: tuple[str, ...] = MODES
    box_convention: str = "model_pixels"
    sampling: Mapping[str, float | int] = field(default_factory=dict)
    weights_gib: float = 0.0
    kv_bytes_per_token: int = 0
    vision_peak_gib: float = 0.0
    max_model_len: int = 8192
    max_num_seqs: int = 4
    gpu_memory_utilization: float = 0.85
    source: str = ""

    @property
    def enforce_eager(self) -> bool:
        return "--enforce-eager" in self.flags

    def vllm_args(
        self,
        *,
        port: int = 8000,
        api_key: str | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> list[str]:
        """``vllm serve``'s arguments: the model first (positional), managed flags, ``flags``.

        Positional, not ``--model``: 0.11.0's ``vllm serve`` rejects ``--model`` and an older
        image's ``api_server`` given a positional model serves its default one (VLLM.md), so
        the container's entrypoint is always ``vllm serve`` (``containers.ENTRYPOINT``)."""
        managed: dict[str, str] = {
            "--max-model-len": str(self.max_model_len),
            "--max-num-seqs": str(self.max_num_seqs),
            "--gpu-memory-utilization": f"{self.gpu_memory_utilization:g}",
        }
        managed.update(overrides or {})
        args = [self.hf_model_id, "--served-model-name", self.served_name]
        args += ["--port", str(port)]
        if api_key:
            args += ["--api-key", api_key]
        for flag, value in managed.items():
            args += [flag, value]
        return args + list(self.flags)


def shipped_profiles_dir() -> Path:
    """model_profiles/ beside the package (or inside a frozen build)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "model_profiles"
    return Path(__file__).resolve().parents[2] / "model_profiles"


def user_profiles_dir() -> Path:
    return config_dir() / "profiles"


def _req(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise ProfileError(
            Msg.of(Code.PROFILE_KEY_MISSING, where=where, key=key), fix=Msg(Code.FIX_ADD_KEY)
        )
    return _check(data[key], key, kind, where)


def _check(value: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # bool is an int subclass: never accept True for a number.
    ok = not (isinstance(value, bool) and bool not in kinds) and isinstance(value, kinds)
    if not ok:
        names = " or ".join(k.__name__ for k in kinds)
        raise ProfileError(
            Msg.of(Code.PROFILE_KEY_TYPE, where=where, key=key, kinds=names, value=repr(value))
        )
    return value


def _opt(
    data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str, default: Any
) -> Any:
    return _check(data[key], key, kind, where) if key in data else default


def parse_profile(data: Mapping[str, Any], source: str) -> ModelProfile:
    """Validate one profile's TOML table; errors name ``source`` and the key."""
    allowed = {
        "id", "display_name", "default", "hf_model_id", "served_name", "image", "flags", "env",
        "shm_size", "ipc_host", "gpu", "modes", "box_convention", "sampling", "memory",
    }  # fmt: skip
    for key in data:
        if key not in allowed:
            raise ProfileError(
                Msg.of(Code.PROFILE_KEY_UNKNOWN, where=source, key=key),
                fix=Msg(Code.FIX_CHECK_SPELLING),
            )
    pid = _req(data, "id", str, source).strip()
    if not pid:
        raise ProfileError(Msg.of(Code.PROFILE_ID_EMPTY, where=source))
    flags = tuple(_opt(data, "flags", list, source, []))
    for i, flag in enumerate(flags):
        _check(flag, f"flags[{i}]", str, source)
        name = flag.split("=", 1)[0]
        if name in MANAGED_FLAGS:
            raise ProfileError(
                Msg.of(Code.PROFILE_MANAGED_FLAG, where=source, flag=name),
                fix=Msg(Code.FIX_MANAGED_FLAG),
            )
    env = dict(_opt(data, "env", dict, source, {}))
    for k, v in env.items():
        _check(v, f"env.{k}", str, source)
    modes = tuple(_opt(data, "modes", list, source, list(MODES)))
    for m in modes:
        if m not in MODES:
            raise ProfileError(
                Msg.of(Code.PROFILE_MODE_UNKNOWN, where=source, mode=m, allowed=", ".join(MODES))
            )
    box = _opt(data, "box_convention", str, source, "model_pixels")
    if box not in BOX_CONVENTIONS:
        raise ProfileError(
            Msg.of(Code.PROFILE_BOX_CONVENTION, where=source, allowed=", ".join(BOX_CONVENTIONS))
        )
    sampling = dict(_opt(data, "sampling", dict, source, {}))
    for k, v in sampling.items():
        _check(v, f"sampling.{k}", (int, float), source)
    mem = _opt(data, "memory", dict, source, {})
    msrc = f"{source} [memory]"
    util = float(_opt(mem, "gpu_memory_utilization", (int, float), msrc, 0.85))
    if not 0.05 <= util <= 0.99:
        raise ProfileError(Msg.of(Code.PROFILE_UTILIZATION, where=msrc))
    max_len = _opt(mem, "max_model_len", int, msrc, 8192)
    seqs = _opt(mem, "max_num_seqs", int, msrc, 4)
    if max_len < 256 or seqs < 1:
        raise ProfileError(Msg.of(Code.PROFILE_LENGTHS, where=msrc))
    return ModelProfile(
        id=pid,
        display_name=_opt(data, "display_name", str, source, pid),
        hf_model_id=_req(data, "hf_model_id", str, source),
        served_name=_opt(data, "served_name", str, source, pid),
        image=_req(data, "image", str, source),
        flags=flags,
        env=env,
        shm_size=_opt(data, "shm_size", str, source, "8g"),
        ipc_host=_opt(data, "ipc_host", bool, source, False),
        gpu=_opt(data, "gpu", bool, source, True),
        default=_opt(data, "default", bool, source, False),
        modes=modes,
        box_convention=box,
        sampling=sampling,
        weights_gib=float(_opt(mem, "weights_gib", (int, float), msrc, 0.0)),
        kv_bytes_per_token=_opt(mem, "kv_bytes_per_token", int, msrc, 0),
        vision_peak_gib=float(_opt(mem, "vision_peak_gib", (int, float), msrc, 0.0)),
        max_model_len=max_len,
        max_num_seqs=seqs,
        gpu_memory_utilization=util,
        source=source,
    )


def load_profile_file(path: Path) -> ModelProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(Msg.of(Code.PROFILE_NOT_TOML, where=str(path), detail=str(exc))) from exc
    except OSError as exc:
        raise ProfileError(
            Msg.of(Code.PROFILE_UNREADABLE, where=str(path), detail=str(exc.strerror))
        ) from exc
    return parse_profile(data, str(path))


def load_profiles(
    dirs: Iterable[Path] | None = None, *, errors: list[ProfileError] | None = None
) -> dict[str, ModelProfile]:
    """Shipped profiles, then the user's (same id overrides); the default one first.

    A broken file raises ProfileError, or, when ``errors`` is given, is skipped and its
    error appended there (the GUI shows those instead of refusing to start).
    """
    folders = list(dirs) if dirs is not None else [shipped_profiles_dir(), user_profiles_dir()]
    found: dict[str, ModelProfile] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                profile = load_profile_file(path)
            except ProfileError as exc:
                if errors is None:
                    raise
                logger.info("skipping profile: %s", exc)  # ``errors`` tells it to the user
                errors.append(exc)
                continue
            if profile.id in found:
                logger.info(
                    "profile %s from %s overrides %s", profile.id, path, found[profile.id].source
                )
            found[profile.id] = profile
    return dict(sorted(found.items(), key=lambda kv: (not kv[1].default, kv[0])))


def default_profile(profiles: Mapping[str, ModelProfile]) -> ModelProfile:
    for profile in profiles.values():
        if profile.default:
            return profile
    if not profiles:
        raise ProfileError(Msg(Code.NO_PROFILES), fix=Msg(Code.FIX_NO_PROFILES))
    return next(iter(profiles.values()))


def find_profile(profiles: Mapping[str, ModelProfile], name: str) -> ModelProfile:
    """Profile by id (case-insensitive), or a ProfileError listing the known ones."""
    for pid, profile in profiles.items():
        if pid.lower() == name.lower():
            return profile
    raise ProfileError(
        Msg.of(Code.PROFILE_UNKNOWN, name=name),
        fix=Msg.of(Code.FIX_KNOWN_PROFILES, names=", ".join(profiles)),
    )
