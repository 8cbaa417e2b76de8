import os

import pytest


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Runs a test inside its own temporary directory (the seed's snippets use relative paths)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI a skip is a failure: a missing dependency must not pass as 'skipped'."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI (not allowed): {report.longrepr}"
