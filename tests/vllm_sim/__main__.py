"""``python -m tests.vllm_sim [MODEL] [vLLM flags] [--sim-* flags]``."""

from __future__ import annotations

import sys

from .app import main

if __name__ == "__main__":
    sys.exit(main())
