import os

import pytest


@pytest.fixture(scope="module")
def spark():
    """A classic local session configured by configure_spark_with_zero_copy, one per module."""
    pytest.importorskip("pyspark", reason="pyspark is in requirements-test.txt")
    from pyspark.sql import SparkSession

    from zero_copy_search.spark import configure_spark_with_zero_copy

    builder = (
        SparkSession.builder.master("local[2]")
        .appName("zero-copy-search-pytest")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
    )
    session = configure_spark_with_zero_copy(builder).getOrCreate()
    yield session
    session.stop()


@pytest.fixture
def java_knn_join(spark):
    """Java's KnnJoin.knnJoin(queries, vector_column, path, k, options) on the classic session,
    through py4j: what the Python knn_join must equal."""
    from pyspark.sql import DataFrame

    def join(queries, vector_column, path, k, options):
        java_options = spark._jvm.java.util.HashMap()
        for key, value in options.items():
            java_options.put(key, value)
        joined = spark._jvm.io.zerocopy.spark.join.KnnJoin.knnJoin(
            queries._jdf, vector_column, path, k, java_options
        )
        return DataFrame(joined, spark)

    return join


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
