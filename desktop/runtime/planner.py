"""Will this profile fit the GPU as it is right now, and with which vLLM flags?

The estimate mirrors how vLLM sizes itself (VLLM.md): it refuses to start unless the FREE
memory at start is at least ``total x --gpu-memory-utilization``; inside that budget go the
weights, the profiling (vision) peak, non-torch overhead, CUDA graphs (unless eager) and the
KV cache, which must hold at least one full ``--max-model-len`` sequence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from desktop.core.messages import Code, Msg, render
from desktop.runtime.profiles import GIB, ModelProfile

# CUDA context, NCCL and allocator slack vLLM counts as "non-torch" memory.
OVERHEAD_BYTES = int(0.8 * GIB)
# CUDA graph pool for batch sizes up to max_num_seqs (skipped with --enforce-eager).
GRAPHS_BASE_BYTES = int(0.5 * GIB)
GRAPHS_PER_SEQ_BYTES = int(0.02 * GIB)
# Other programs' VRAM moves (browser tabs, video): keep this much free beyond the gate.
SAFETY_MARGIN_BYTES = int(0.25 * GIB)
# Below this a document page cannot be read usefully.
MIN_MODEL_LEN = 2048
LEN_STEP = 256


@dataclass(frozen=True, slots=True)
class MemoryPlan:
    """The verdict: ``flags`` are the vLLM overrides to pass (empty when the profile fits as is)."""

    needed_bytes: int
    free_bytes: int
    fits: bool
    advice: str
    flags: dict[str, str] = field(default_factory=dict)
    total_bytes: int = 0
    utilization: float = 0.0
    max_model_len: int = 0
    full_length_sequences: int = 0
    shortfall: Msg | None = None  # when it does not fit: the fact (``advice`` adds the fix)
    verdict: Msg | None = None  # when it fits: ``advice`` as a fact (what was changed)


#: What to do when a profile does not fit.
NO_FIT_FIX = render(Msg(Code.FIX_NO_FIT))


def fixed_bytes(profile: ModelProfile) -> int:
    """Everything but the KV cache: weights + vision peak + overhead + CUDA graphs."""
    graphs = 0
    if not profile.enforce_eager:
        graphs = GRAPHS_BASE_BYTES + GRAPHS_PER_SEQ_BYTES * profile.max_num_seqs
    return int((profile.weights_gib + profile.vision_peak_gib) * GIB) + OVERHEAD_BYTES + graphs


def needed_bytes(profile: ModelProfile, max_model_len: int | None = None) -> int:
    """VRAM for the profile at ``max_num_seqs`` full-length sequences."""
    length = max_model_len or profile.max_model_len
    return fixed_bytes(profile) + profile.kv_bytes_per_token * length * profile.max_num_seqs


def plan_memory(
    profile: ModelProfile, free_bytes: int, total_bytes: int, *, fixed_kv: bool = False
) -> MemoryPlan:
    """Compare the profile with the memory free NOW; choose utilization / max length to fit.

    ``fixed_kv`` also pins ``--kv-cache-memory-bytes`` to the planned KV size, so vLLM's own
    profiling cannot take more than the plan allows.
    """
    need = needed_bytes(profile)
    if total_bytes <= 0:
        no_gpu = Msg(Code.NO_GPU)
        return MemoryPlan(need, 0, False, render(no_gpu), shortfall=no_gpu)
    fixed = fixed_bytes(profile)
    per_token = max(1, profile.kv_bytes_per_token)
    flags: dict[str, str] = {}
    notes: list[Msg] = []

    util = profile.gpu_memory_utilization
    usable = free_bytes - SAFETY_MARGIN_BYTES
    if total_bytes * util > usable:
        # vLLM's start gate would refuse: lower the utilization to what is free now.
        util = math.floor(max(0, usable) / total_bytes * 100) / 100
        flags["--gpu-memory-utilization"] = f"{util:.2f}"
        notes.append(
            Msg.of(
                Code.PLAN_UTIL_LOWERED,
                free_gib=free_bytes / GIB,
                total_gib=total_bytes / GIB,
                before=profile.gpu_memory_utilization,
                after=util,
            )
        )
    budget = int(total_bytes * util)
    kv_room = budget - fixed
    one_seq = per_token * profile.max_model_len
    max_len = profile.max_model_len
    if kv_room < per_token * MIN_MODEL_LEN:
        short = fixed + per_token * MIN_MODEL_LEN - budget
        facts = Msg.of(
            Code.NOT_ENOUGH_VRAM,
            profile=profile.display_name,
            need_gib=(fixed + per_token * MIN_MODEL_LEN) / GIB,
            free_gib=free_bytes / GIB,
            short_gib=short / GIB,
        )
        advice = f"{render(facts)} {NO_FIT_FIX}"
        return MemoryPlan(need, free_bytes, False, advice, {}, total_bytes, util, 0, 0, facts)
    if kv_room < one_seq:
        max_len = max(MIN_MODEL_LEN, kv_room // per_token // LEN_STEP * LEN_STEP)
        flags["--max-model-len"] = str(max_len)
        notes.append(Msg.of(Code.PLAN_LEN_LOWERED, before=profile.max_model_len, after=max_len))
    kv_bytes = min(kv_room, per_token * max_len * profile.max_num_seqs)
    sequences = int(kv_room // (per_token * max_len))
    if fixed_kv:
        flags["--kv-cache-memory-bytes"] = str(int(kv_bytes))
        notes.append(Msg.of(Code.PLAN_KV_PINNED, gib=kv_bytes / GIB))
    if sequences < profile.max_num_seqs:
        notes.append(Msg.of(Code.PLAN_FEW_SEQUENCES, count=sequences, allowed=profile.max_num_seqs))
    used = fixed + kv_bytes
    fits = {"need_gib": used / GIB, "free_gib": free_bytes / GIB}
    verdict = (
        Msg(Code.PLAN_FITS_CHANGED, {**fits, "changes": tuple(notes)})
        if notes
        else Msg(Code.PLAN_FITS, fits)
    )
    return MemoryPlan(
        need, free_bytes, True, render(verdict), flags, total_bytes, util, max_len, sequences,
        verdict=verdict,
    )  # fmt: skip


def retry_flags_for_kv(estimated_max_len: int) -> dict[str, str]:
    """Overrides after vLLM said 'the estimated maximum model length is N'."""
    return {"--max-model-len": str(max(256, estimated_max_len))}
