"""The notebooks in notebooks/, executed on a small sample; any cell error fails the test."""

import json
import sys
from pathlib import Path

import nbclient
import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"


def execute(name, tmp_path, monkeypatch, **environment):
    for key, value in environment.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.setenv("MPLBACKEND", "Agg")  # no display: figures are drawn and saved
    # a kernel on this interpreter, whatever "python3" kernels the machine or user has installed
    kernels = tmp_path / "jupyter" / "kernels" / "zcs-tests"
    kernels.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (kernels / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "zcs", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    # stored without outputs, so that diffs show code, not results
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="zcs-tests", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    return notebook


def test_bulk_similarity_join(tmp_path, monkeypatch):
    work = tmp_path / "work"
    notebook = execute(
        "bulk_similarity_join.ipynb",
        tmp_path,
        monkeypatch,
        ZCS_NOTEBOOK_ITEMS=6000,
        ZCS_NOTEBOOK_QUERIES=200,
        ZCS_NOTEBOOK_WORK_DIR=work,
    )
    summary = json.loads((work / "summary.json").read_text())
    assert (summary["items"], summary["queries"], summary["k"]) == (6000, 200, 10)
    sweep = summary["sweep"]
    assert [s["ef"] for s in sweep] == [10, 20, 40, 80, 160]
    assert all(s["rows"] == 200 * 10 for s in sweep)
    recalls = [s["recall"] for s in sweep]
    # HNSW on 6,000 Fashion-MNIST images: near-exact at ef=160, and recall grows with ef
    assert recalls[-1] >= 0.97, recalls
    assert recalls[-1] >= recalls[0], recalls
    assert summary["chosen_ef"] in [10, 20, 40, 80, 160]
    # exact L2 neighbours share the query's label most of the time on Fashion-MNIST (~80%)
    assert summary["label_agreement"] >= 0.7
    assert (work / "recall_time_vs_ef.png").stat().st_size > 10_000
    printed = "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )
    assert "neighbour_label" in printed and "Ankle boot" in printed
