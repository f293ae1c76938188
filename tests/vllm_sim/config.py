"""Command line of the simulator: vLLM's own flags plus ``--sim-*`` knobs.

Every ``--sim-*`` flag also reads ``VLLM_SIM_<NAME>`` from the environment (the flag name
without ``--sim-``, upper-cased, dashes as underscores), e.g. ``VLLM_SIM_FAULT=loop``.
The command line wins over the environment. ``VLLM_SIM_HOST`` sets the default ``--host``
(the docker image sets it to 0.0.0.0; on the host the default is 127.0.0.1).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

FAULTS = (
    "startup-oom",
    "kv-too-small",
    "free-memory-low",
    "no-kernel-image",
    "crash-after",
    "slow-first-token",
    "loop",
    "loop-grounding",
    "truncated-json",
    "invalid-json",
    "http-500",
    "http-503",
    "hide-health",
    "no-gpu",
    "model-not-found",
    "schema-breach",
    "prose-answer",
    "stream-context",
)
STARTUP_FAULTS = frozenset(
    {
        "startup-oom",
        "kv-too-small",
        "free-memory-low",
        "no-kernel-image",
        "no-gpu",
        "model-not-found",
    }
)
DEFAULT_MODEL = "rednote-hilab/dots.ocr"
VLLM_VERSION = "0.11.0"


@dataclass(frozen=True, slots=True)
class SimConfig:
    """Everything the simulator was asked to do; field names match the flags."""

    model: str = DEFAULT_MODEL
    served_model_name: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    api_key: str | None = None
    max_model_len: int = 32768
    gpu_memory_utilization: float = 0.9
    max_num_seqs: int = 256
    enforce_eager: bool = False
    dtype: str = "auto"
    trust_remote_code: bool = False
    chat_template_content_format: str = "auto"
    limit_mm_per_prompt: str | None = None
    kv_cache_memory: int | None = None
    quantization: str | None = None
    kv_cache_dtype: str = "auto"
    mm_processor_kwargs: str | None = None
    # Simulator knobs.
    startup_seconds: float = 1.0
    prefill_tps: float = 50000.0
    decode_tps: float = 2000.0
    max_batch_tps: float = 0.0
    responses: str | None = None
    faults: frozenset[str] = frozenset()
    crash_after: int = 1
    first_token_delay: float = 2.0
    estimated_max_len: int = 8192
    fail_count: int = 0
    error_style: str = "new"
    gpu_total_gib: float = 23.99
    gpu_free_gib: float | None = None
    weights_gib: float = 5.7
    crash_linger: float = 0.0
    unknown_args: tuple[str, ...] = field(default=())
    explicit: tuple[str, ...] = field(default=())  # vLLM flags given on the command line

    @property
    def served_names(self) -> tuple[str, ...]:
        return self.served_model_name or (self.model,)

    @property
    def primary_name(self) -> str:
        return self.served_names[0]

    def has(self, fault: str) -> bool:
        return fault in self.faults

    def mm_limits(self) -> dict[str, int]:
        return _json_dict(self.limit_mm_per_prompt)

    def processor_kwargs(self) -> dict[str, Any]:
        return _json_dict(self.mm_processor_kwargs)


def _json_dict(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.vllm_sim",
        description="A standard-library stand-in for `vllm serve` (see tests/vllm_sim/README.md).",
    )
    vllm = parser.add_argument_group("vLLM flags")
    vllm.add_argument("--model", default=None)
    vllm.add_argument("--served-model-name", nargs="+", default=None)
    vllm.add_argument("--host", default=None)
    vllm.add_argument("--port", type=int, default=None)
    vllm.add_argument("--api-key", default=None)
    vllm.add_argument("--max-model-len", type=_parse_len, default=None)
    vllm.add_argument("--gpu-memory-utilization", type=float, default=None)
    vllm.add_argument("--max-num-seqs", type=int, default=None)
    vllm.add_argument("--enforce-eager", action=argparse.BooleanOptionalAction, default=None)
    vllm.add_argument("--dtype", default=None)
    vllm.add_argument("--trust-remote-code", action=argparse.BooleanOptionalAction, default=None)
    vllm.add_argument("--chat-template-content-format", default=None)
    vllm.add_argument("--limit-mm-per-prompt", default=None)
    # vLLM's flag is --kv-cache-memory-bytes; "--kv-cache-memory" only works as argparse's
    # abbreviation of it, here as there.
    vllm.add_argument(
        "--kv-cache-memory-bytes", dest="kv_cache_memory", type=_parse_len, default=None
    )
    vllm.add_argument("--quantization", "-q", default=None)
    vllm.add_argument("--kv-cache-dtype", default=None)
    vllm.add_argument("--mm-processor-kwargs", default=None)
    sim = parser.add_argument_group("simulator flags (also VLLM_SIM_<NAME> env vars)")
    sim.add_argument("--sim-startup-seconds", type=float, default=None)
    sim.add_argument("--sim-prefill-tps", type=float, default=None)
    sim.add_argument("--sim-decode-tps", type=float, default=None)
    sim.add_argument("--sim-max-batch-tps", type=float, default=None)
    sim.add_argument("--sim-responses", default=None)
    sim.add_argument("--sim-fault", action="append", default=None, help=", ".join(FAULTS))
    sim.add_argument("--sim-crash-after", type=int, default=None)
    sim.add_argument("--sim-first-token-delay", type=float, default=None)
    sim.add_argument("--sim-estimated-max-len", type=int, default=None)
    sim.add_argument("--sim-fail-count", type=int, default=None)
    sim.add_argument("--sim-error-style", choices=("new", "old"), default=None)
    sim.add_argument("--sim-gpu-total-gib", type=float, default=None)
    sim.add_argument("--sim-gpu-free-gib", type=float, default=None)
    sim.add_argument("--sim-weights-gib", type=float, default=None)
    sim.add_argument("--sim-crash-linger", type=float, default=None)
    return parser


def _positional(unknown: list[str]) -> str | None:
    """A model given after some flags: a bare word that is not the value of an unknown flag."""
    for index, token in enumerate(unknown):
        if token.startswith("-"):
            continue
        previous = unknown[index - 1] if index else ""
        if not (previous.startswith("--") and "=" not in previous):
            return token
    return None


def _parse_len(text: str) -> int:
    """vLLM accepts human sizes such as 8k / 1K / 2G for lengths and byte counts."""
    text = text.strip()
    units = {"k": 1000, "m": 1000**2, "g": 1000**3, "K": 1024, "M": 1024**2, "G": 1024**3}
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(float(text))


_SIM_TYPES: dict[str, type] = {
    "startup_seconds": float,
    "prefill_tps": float,
    "decode_tps": float,
    "max_batch_tps": float,
    "responses": str,
    "crash_after": int,
    "first_token_delay": float,
    "estimated_max_len": int,
    "fail_count": int,
    "error_style": str,
    "gpu_total_gib": float,
    "gpu_free_gib": float,
    "weights_gib": float,
    "crash_linger": float,
}


def parse_faults(items: list[str] | tuple[str, ...] | frozenset[str] | None) -> frozenset[str]:
    """Faults from repeated flags or comma lists; unknown names are an error."""
    names = {part.strip() for item in items or () for part in item.split(",") if part.strip()}
    unknown = names - set(FAULTS)
    if unknown:
        raise ValueError(
            f"unknown simulator fault(s) {sorted(unknown)}; known: {', '.join(FAULTS)}"
        )
    return frozenset(names)


def parse_config(
    argv: list[str] | None = None,
    environ: dict[str, str] | None = None,
    warn: TextIO | None = None,
) -> SimConfig:
    """Parse the command line (unknown flags are reported and ignored, never fatal)."""
    env = dict(os.environ if environ is None else environ)
    tokens = list(sys.argv[1:] if argv is None else argv)
    model_tag = None
    if tokens and not tokens[0].startswith("-"):
        model_tag = tokens.pop(0)  # `vllm serve MODEL --flags`
    args, unknown = build_parser().parse_known_args(tokens)
    if model_tag is None:
        model_tag = _positional(unknown)
        if model_tag is not None:
            unknown.remove(model_tag)
    if unknown and warn is not None:
        print(
            f"WARNING: ignoring unrecognised arguments: {' '.join(unknown)}", file=warn, flush=True
        )
    values: dict[str, Any] = {}
    for name, kind in _SIM_TYPES.items():
        flag_value = getattr(args, f"sim_{name}")
        env_value = env.get(f"VLLM_SIM_{name.upper()}")
        if flag_value is not None:
            values[name] = flag_value
        elif env_value not in (None, ""):
            values[name] = kind(env_value)
    faults = list(args.sim_fault or [])
    if env.get("VLLM_SIM_FAULT"):
        faults.append(env["VLLM_SIM_FAULT"])
    values["faults"] = parse_faults(faults)
    explicit: list[str] = []
    model = args.model or model_tag
    if model:
        values["model"] = model
        explicit.append("model")
    if args.served_model_name:
        values["served_model_name"] = tuple(args.served_model_name)
    values["host"] = args.host or env.get("VLLM_SIM_HOST") or "127.0.0.1"
    for name in (
        "port",
        "api_key",
        "max_model_len",
        "gpu_memory_utilization",
        "max_num_seqs",
        "dtype",
        "chat_template_content_format",
        "limit_mm_per_prompt",
        "kv_cache_memory",
        "quantization",
        "kv_cache_dtype",
        "mm_processor_kwargs",
    ):
        value = getattr(args, name)
        if value is not None:
            values[name] = value
    for name in ("enforce_eager", "trust_remote_code"):
        value = getattr(args, name)
        if value is not None:
            values[name] = bool(value)
    for name in (
        "served_model_name",
        "host",
        "port",
        "api_key",
        "max_model_len",
        "gpu_memory_utilization",
        "max_num_seqs",
        "enforce_eager",
        "dtype",
        "trust_remote_code",
        "chat_template_content_format",
        "limit_mm_per_prompt",
        "kv_cache_memory",
        "quantization",
        "kv_cache_dtype",
        "mm_processor_kwargs",
    ):
        if getattr(args, name) is not None:
            explicit.append(name)
    values["unknown_args"] = tuple(unknown)
    values["explicit"] = tuple(explicit)
    return SimConfig(**values)
