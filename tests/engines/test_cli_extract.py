"""`dots-desktop extract` end to end against the simulator (in-process via desktop.cli.run)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from desktop.cli import run
from desktop.core.schemas import breaches, load_schema_file

REPO = Path(__file__).resolve().parents[2]
INVOICE = REPO / "resources" / "schemas" / "invoice.json"
QWEN = "Qwen/Qwen3-VL-4B-Instruct"


def _three_inputs(fixtures_dir: Path, tmp_path: Path) -> list[str]:
    tmp_path.mkdir()
    names = []
    for i, fixture in enumerate(("journal_page_tables.jpg", "russian_page.png")):
        target = tmp_path / f"in{i}{Path(fixture).suffix}"
        shutil.copy(fixtures_dir / fixture, target)
        names.append(str(target))
    third = tmp_path / "scan.jpg"  # a second copy under another name: a third row
    shutil.copy(fixtures_dir / "journal_page_tables.jpg", third)
    return [*names, str(third)]


def test_the_schema_travels_as_structured_output_and_the_answer_validates(
    vllm_sim: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a chat model behind the simulator and the shipped invoice template
    sim = vllm_sim(model=QWEN)
    page = fixtures_dir / "journal_page_tables.jpg"
    # WHEN one page is extracted to stdout
    code = run(["extract", str(page), "--schema", str(INVOICE), "--endpoint", sim.base_url])
    out, err = capsys.readouterr()
    # THEN the request carried the schema the vLLM way, and the JSON printed conforms
    assert code == 0, err
    body = sim.stats.chat_requests[-1]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "invoice"
    sent = fmt["json_schema"]["schema"]["properties"]["fields"]
    assert sent["properties"] == json.loads(INVOICE.read_text())["properties"]
    values = json.loads(out)
    assert breaches(load_schema_file(INVOICE), values) == []
    assert isinstance(values["total"], float)


def test_three_inputs_give_one_csv_of_three_rows_with_flattened_columns(
    vllm_sim: Any, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim(model=QWEN)
    inputs = _three_inputs(fixtures_dir, tmp_path / "in")
    out = tmp_path / "out"
    argv = ["extract", *inputs, "--schema", str(INVOICE), "--endpoint", sim.base_url]
    code = run([*argv, "--format", "csv", "--out", str(out)])
    _, err = capsys.readouterr()
    assert code == 0, err
    text = (out / "extracted.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][:4] == ["file", "invoice_number", "invoice_date", "due_date"]
    assert "seller.name" in rows[0] and "items.amount" in rows[0]
    assert [r[0] for r in rows[1:]] == ["in0.jpg", "in1.png", "scan.jpg"]
    total = rows[0].index("total")
    assert all(float(r[total]) > 0 for r in rows[1:])
    # WHEN the same command runs again THEN the first table is kept, a second one written
    assert run([*argv, "--format", "csv", "--out", str(out)]) == 0
    assert (out / "extracted-2.csv").is_file()


def test_xlsx_keeps_numbers_as_numbers(
    vllm_sim: Any, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim(model=QWEN)
    page = str(fixtures_dir / "journal_page_tables.jpg")
    argv = ["extract", page, "--schema", str(INVOICE), "--endpoint", sim.base_url]
    assert run([*argv, "--format", "xlsx", "--out", str(tmp_path)]) == 0
    sheet = load_workbook(tmp_path / "extracted.xlsx").active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    total = sheet.cell(row=2, column=header.index("total") + 1).value
    assert isinstance(total, int | float)


def test_a_schema_breach_fails_that_input_naming_the_field(
    vllm_sim: Any, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim(model=QWEN, faults=["schema-breach"])
    page = str(fixtures_dir / "journal_page_tables.jpg")
    code = run(
        [
            "extract",
            page,
            "--schema",
            str(INVOICE),
            "--endpoint",
            sim.base_url,
            "--out",
            str(tmp_path),
        ]
    )
    _, err = capsys.readouterr()
    assert code == 3
    assert "/invoice_number" in err and "breaks the schema" in err
    assert not list(tmp_path.glob("*.json"))  # nothing half-valid written


@pytest.mark.parametrize("fault", ["prose-answer", "invalid-json"])
def test_prose_or_broken_json_fails_the_input_in_one_line(
    vllm_sim: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    sim = vllm_sim(model=QWEN, faults=[fault])
    page = str(fixtures_dir / "journal_page_tables.jpg")
    code = run(["extract", page, "--schema", str(INVOICE), "--endpoint", sim.base_url])
    out, err = capsys.readouterr()
    assert code == 3 and out == ""
    assert "did not answer JSON" in err and "Traceback" not in err


def test_an_input_that_fails_to_decode_loses_its_row_only(
    vllm_sim: Any, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim(model=QWEN)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    good = str(fixtures_dir / "journal_page_tables.jpg")
    out = tmp_path / "out"
    argv = ["extract", str(broken), good, "--schema", str(INVOICE), "--endpoint", sim.base_url]
    code = run([*argv, "--format", "csv", "--out", str(out)])
    _, err = capsys.readouterr()
    assert code == 3
    assert "broken.png" in err
    rows = list(csv.reader((out / "extracted.csv").read_text("utf-8-sig").splitlines()))
    assert [r[0] for r in rows[1:]] == ["journal_page_tables.jpg"]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("{not json", "not valid JSON"),
        ('{"type": "object", "properties": {"a": {"type": 5}}}', "not a valid JSON Schema"),
        ('["a", "list"]', "must describe an object"),
        ('{"type": "string"}', "must describe an object"),
    ],
)
def test_a_schema_file_that_is_not_a_schema_is_one_sentence_exit_2(
    tmp_path: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture[str], content: str, said: str
) -> None:
    schema = tmp_path / "bad.json"
    schema.write_text(content)
    page = str(fixtures_dir / "journal_page_tables.jpg")
    code = run(["extract", page, "--schema", str(schema), "--endpoint", "http://127.0.0.1:9"])
    _, err = capsys.readouterr()
    assert code == 2
    assert said in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_dead_server_is_one_line_exit_1(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str], refused_port: int
) -> None:
    page = str(fixtures_dir / "journal_page_tables.jpg")
    url = f"http://127.0.0.1:{refused_port}"
    code = run(["extract", page, "--schema", str(INVOICE), "--endpoint", url])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.strip() and "Traceback" not in err and len(err.strip().splitlines()) <= 2


def test_dots_ocr_is_refused_with_the_fix(
    vllm_sim: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim()  # the simulator's default model is dots.ocr
    page = str(fixtures_dir / "journal_page_tables.jpg")
    code = run(["extract", page, "--schema", str(INVOICE), "--endpoint", sim.base_url])
    _, err = capsys.readouterr()
    assert code == 1
    assert "Qwen3-VL" in err and "dots.mocr" in err
    assert sim.requests_total == 0  # refused before any page was sent


def test_dots_mocr_gets_the_image_placeholder_and_boxes_in_model_pixels(
    vllm_sim: Any, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim(model="rednote-hilab/dots.mocr")
    page = str(fixtures_dir / "journal_page_tables.jpg")
    code = run(["extract", page, "--schema", str(INVOICE), "--endpoint", sim.base_url])
    assert code == 0, capsys.readouterr().err
    content = sim.stats.chat_requests[-1]["messages"][0]["content"]
    assert content[1]["text"].startswith("<|img|><|imgpad|><|endofimg|>")


def test_the_simulator_refuses_a_schema_it_cannot_compile(vllm_sim: Any) -> None:
    import httpx

    sim = vllm_sim(model=QWEN)
    body = {
        "messages": [{"role": "user", "content": "hi"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": 5}},
    }
    resp = httpx.post(sim.url("/v1/chat/completions"), json=body)
    assert resp.status_code == 400
    assert "not supported by xgrammar" in resp.text
