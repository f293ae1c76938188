"""A standard-library stand-in for ``vllm serve`` (see README.md in this folder).

It runs on the host (``python -m tests.vllm_sim``), inside the tests (the ``vllm_sim``
fixture in fixtures.py) and in a bare Debian Python image (scripts/build_sim_image.sh).
Only the standard library may be imported here, fixtures.py excepted.
"""
