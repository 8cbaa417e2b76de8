import os

import pytest


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Runs a test inside its own temporary directory (the seed's snippets use relative paths)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
