"""Model profiles: the shipped set, user overrides, and errors that name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.paths import config_dir
from desktop.runtime.profiles import (
    ProfileError,
    default_profile,
    find_profile,
    load_profile_file,
    load_profiles,
)

MINIMAL = """
id = "{id}"
hf_model_id = "org/model"
image = "vllm/vllm-openai:v0.11.0"
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_profiles_cover_the_models_the_brief_names_with_dots_ocr_first() -> None:
    profiles = load_profiles()
    assert {
        "dots.ocr", "dots.mocr", "qwen3-vl-2b", "qwen3-vl-4b", "qwen3-vl-4b-fp8", "qwen3-vl-8b-fp8"
    } <= set(profiles)  # fmt: skip
    assert next(iter(profiles)) == "dots.ocr"
    assert default_profile(profiles).id == "dots.ocr"


def test_every_shipped_profile_pins_an_image_tag_and_has_memory_figures() -> None:
    for profile in load_profiles().values():
        assert ":" in profile.image and not profile.image.endswith(":latest"), profile.id
        assert profile.weights_gib > 0 and profile.kv_bytes_per_token > 0, profile.id
        assert profile.box_convention in ("model_pixels", "grid_1000")


def test_dots_profiles_use_model_pixels_and_qwen_profiles_the_1000_grid() -> None:
    profiles = load_profiles()
    assert profiles["dots.ocr"].box_convention == "model_pixels"
    assert "layout" in profiles["dots.ocr"].modes
    assert profiles["qwen3-vl-4b-fp8"].box_convention == "grid_1000"


def test_dots_ocr_command_is_the_vllm_serve_line_with_trust_remote_code() -> None:
    profile = load_profiles()["dots.ocr"]
    args = profile.vllm_args(port=8000, api_key="k")
    # vllm serve takes the model as its first, positional argument (VLLM.md).
    assert args[0] == "rednote-hilab/dots.ocr"
    assert "--model" not in args
    assert args[args.index("--api-key") + 1] == "k"
    assert "--trust-remote-code" in args
    assert args[args.index("--chat-template-content-format") + 1] == "string"
    assert args[args.index("--max-model-len") + 1] == str(profile.max_model_len)


def test_overrides_replace_the_profile_values_in_the_command() -> None:
    profile = load_profiles()["dots.ocr"]
    args = profile.vllm_args(overrides={"--max-model-len": "5000"})
    assert args[args.index("--max-model-len") + 1] == "5000"
    assert args.count("--max-model-len") == 1


def test_a_user_profile_with_the_same_id_overrides_the_shipped_one() -> None:
    _write(
        config_dir() / "profiles",
        "mine.toml",
        MINIMAL.format(id="dots.ocr") + 'display_name = "My dots"\n',
    )
    profiles = load_profiles()
    assert profiles["dots.ocr"].display_name == "My dots"
    assert profiles["dots.ocr"].source.endswith("mine.toml")


def test_a_user_profile_with_a_new_id_is_added() -> None:
    _write(config_dir() / "profiles", "extra.toml", MINIMAL.format(id="my-model"))
    profiles = load_profiles()
    assert "my-model" in profiles and "dots.ocr" in profiles
    assert find_profile(profiles, "MY-MODEL").id == "my-model"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('id = "x"\nimage = "i:1"\n', "hf_model_id"),
        (MINIMAL.format(id="x") + "flags = [1]\n", "flags[0]"),
        (MINIMAL.format(id="x") + '[memory]\nmax_model_len = "long"\n', "max_model_len"),
        (
            MINIMAL.format(id="x") + "[memory]\ngpu_memory_utilization = 1.5\n",
            "gpu_memory_utilization",
        ),
        (MINIMAL.format(id="x") + 'box_convention = "inches"\n', "box_convention"),
        (MINIMAL.format(id="x") + 'modes = ["dance"]\n', "modes"),
        (MINIMAL.format(id="x") + 'colour = "red"\n', "colour"),
        (MINIMAL.format(id="x") + 'flags = ["--max-model-len", "9"]\n', "flags"),
        (MINIMAL.format(id="x") + "gpu = 1\n", "gpu"),
    ],
)
def test_a_broken_profile_error_names_the_file_and_the_key(
    tmp_path: Path, text: str, key: str
) -> None:
    path = _write(tmp_path, "broken.toml", text)
    with pytest.raises(ProfileError) as err:
        load_profile_file(path)
    assert "broken.toml" in str(err.value)
    assert f"'{key}'" in str(err.value)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.toml", "id = \n")
    with pytest.raises(ProfileError, match=r"bad\.toml"):
        load_profile_file(path)


def test_unknown_profile_name_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError) as err:
        find_profile(load_profiles(), "nope")
    assert "dots.ocr" in str(err.value)


def test_a_broken_user_profile_can_be_skipped_and_reported_instead() -> None:
    _write(config_dir() / "profiles", "broken.toml", 'id = "x"\n')
    with pytest.raises(ProfileError):
        load_profiles()
    errors: list[ProfileError] = []
    profiles = load_profiles(errors=errors)
    assert "dots.ocr" in profiles and "x" not in profiles
    assert len(errors) == 1 and "broken.toml" in str(errors[0])
