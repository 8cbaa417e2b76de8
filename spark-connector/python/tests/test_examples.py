"""The examples in examples/, run as scripts the way a user runs them."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def run_example(name, cwd):
    completed = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip().splitlines()


def test_basic_usage(tmp_path):
    lines = run_example("basic_usage.py", tmp_path)
    assert len(lines) == 10
    parsed = [re.fullmatch(r"Vector (\d+): distance=(\d+\.\d{4})", line) for line in lines]
    assert all(parsed), lines
    ids = [int(m.group(1)) for m in parsed]
    distances = [float(m.group(2)) for m in parsed]
    assert len(set(ids)) == 10 and all(0 <= i < 10000 for i in ids)
    assert distances == sorted(distances)
    assert (tmp_path / "vectors.vec").stat().st_size == 32 + 10000 * 128 * 4


def test_sentence_transformers_example(tmp_path):
    lines = run_example("sentence_transformers_example.py", tmp_path)
    assert len(lines) == 5
    parsed = [re.fullmatch(r"\[(-?\d\.\d{3})\] (.+)", line) for line in lines]
    assert all(parsed), lines
    similarities = [float(m.group(1)) for m in parsed]
    documents = [m.group(2) for m in parsed]
    assert similarities == sorted(similarities, reverse=True)
    # a real sentence model puts the AI sentences first for "artificial intelligence"
    assert documents[0] == "Machine learning is a subset of AI"
    assert set(documents[:3]) <= {
        "Machine learning is a subset of AI",
        "Deep learning uses neural networks",
        "Neural networks learn representations from examples",
        "Large language models generate text one token at a time",
    }
    assert (tmp_path / "documents.vec").stat().st_size == 32 + 30 * 384 * 4


def test_minilm_embeddings_are_unit_length_and_semantic():
    sys.path.insert(0, str(EXAMPLES))
    try:
        from minilm import MiniLM
    finally:
        sys.path.remove(str(EXAMPLES))
    model = MiniLM.from_maven()
    vectors = model.encode(
        ["A cat sleeps on the sofa", "A kitten is napping on the couch", "Stock prices fell today"]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    paraphrase, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert paraphrase > 0.6 and unrelated < 0.3, (paraphrase, unrelated)
