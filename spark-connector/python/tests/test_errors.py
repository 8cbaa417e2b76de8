"""Errors raised inside Spark jobs reach a Python user as one short exception of the right type,
with the connector's message in Python's keywords and the JVM side kept as a one-line __cause__."""

import os

import numpy as np
import pytest

pyspark = pytest.importorskip("pyspark", reason="pyspark is in requirements-test.txt")

from zero_copy_search import calculate_distance  # noqa: E402
from zero_copy_search._errors import JavaError  # noqa: E402
from zero_copy_search.spark import knn_join, write_vectors  # noqa: E402


def short(error, *fragments):
    """The error is short, says what it is about, and keeps the JVM side as a JavaError cause."""
    text = str(error)
    assert len(text.splitlines()) <= 3, text
    assert len(text) < 600, text
    for fragment in fragments:
        assert fragment in text, text
    assert "Py4JJavaError" not in text and "\tat " not in text, text
    assert isinstance(error.__cause__, JavaError), repr(error.__cause__)
    assert len(str(error.__cause__).splitlines()) == 1
    assert "at " in error.__cause__.java_trace  # the whole JVM trace stays at hand


@pytest.fixture(scope="module")
def items(spark, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("errors") / "items")
    rng = np.random.default_rng(5)
    rows = [(i, rng.standard_normal(4).astype(float).tolist()) for i in range(50)]
    write_vectors(spark.createDataFrame(rows, "id long, embedding array<float>"), path, index="hnsw")
    return path


def queries(spark, *vectors):
    return spark.createDataFrame(list(enumerate(vectors)), "qid int, embedding array<float>")


def test_mixed_dimensions_on_write(spark, tmp_path):
    df = spark.createDataFrame([(1, [1.0, 2.0]), (2, [1.0, 2.0, 3.0])], "id long, embedding array<float>")
    with pytest.raises(ValueError) as caught:
        write_vectors(df.coalesce(1), str(tmp_path / "mixed"))
    short(caught.value, "dimension")
    assert not os.path.exists(tmp_path / "mixed" / "_manifests")


def test_a_query_of_the_wrong_dimension(spark, items):
    with pytest.raises(ValueError) as caught:
        knn_join(queries(spark, [1.0, 2.0, 3.0]), items, k=3).collect()
    short(caught.value, "dimension 3", "dimension 4")


def test_a_null_query_vector_names_the_keyword(spark, items):
    frame = spark.createDataFrame([(0, None)], "qid int, embedding array<float>")
    with pytest.raises(ValueError) as caught:
        knn_join(frame, items, k=3).collect()
    short(caught.value, "null vector", "on_null_vector='skip'")
    assert knn_join(frame, items, k=3, on_null_vector="skip").collect() == []


def test_a_nan_query_vector(spark, items):
    with pytest.raises(ValueError) as caught:
        knn_join(queries(spark, [float("nan"), 0.0, 0.0, 0.0]), items, k=3, exact=True).collect()
    short(caught.value, "NaN")


def test_a_missing_dataset_fails_at_analysis_as_spark_does_for_a_missing_path(spark, tmp_path):
    from pyspark.errors import AnalysisException

    with pytest.raises(AnalysisException) as caught:
        knn_join(queries(spark, [1.0, 2.0]), str(tmp_path / "nowhere"), k=3)
    text = str(caught.value)
    assert "no vec dataset at " + str(tmp_path / "nowhere") in text, text
    assert len(text.splitlines()) <= 3, text


def test_build_index_of_a_missing_dataset(spark, tmp_path):
    from zero_copy_search.spark import build_index

    with pytest.raises(FileNotFoundError) as caught:
        build_index(spark, str(tmp_path / "nowhere"))
    short(caught.value, "nowhere")


def test_a_corrupt_dataset(spark, tmp_path):
    path = str(tmp_path / "corrupt")
    rows = [(i, [float(i), 1.0]) for i in range(20)]
    write_vectors(spark.createDataFrame(rows, "id long, embedding array<float>").coalesce(1), path)
    vec = next(f for f in os.listdir(path) if f.endswith(".vec"))
    with open(os.path.join(path, vec), "r+b") as file:
        file.truncate(os.path.getsize(os.path.join(path, vec)) - 8)
    with pytest.raises(OSError) as caught:
        knn_join(queries(spark, [1.0, 2.0]), path, k=3, exact=True).collect()
    short(caught.value, vec)


def test_a_bad_option_fails_at_analysis_as_pysparks_analysis_exception(spark, items):
    from pyspark.errors import AnalysisException

    with pytest.raises(AnalysisException) as caught:
        knn_join(queries(spark, [1.0, 2.0, 3.0, 4.0]), items, k=3, strategy="sideways")
    text = str(caught.value)
    assert "option 'strategy': unknown value 'sideways'" in text, text
    assert len(text.splitlines()) <= 3, text


@pytest.mark.parametrize(
    "arguments, keyword",
    [
        ({"on_null_vector": "bogus"}, "on_null_vector (option 'onNullVector')"),
        ({"query_block_rows": 0}, "query_block_rows (option 'queryBlockRows')"),
        ({"vector_column": "vec"}, "vector_column (option 'vectorColumn')"),
    ],
)
def test_an_analysis_error_names_the_python_keyword(spark, items, arguments, keyword):
    from pyspark.errors import AnalysisException

    with pytest.raises(AnalysisException) as caught:
        knn_join(queries(spark, [1.0, 2.0, 3.0, 4.0]), items, k=3, **arguments)
    text = str(caught.value)
    assert keyword in text, text
    # the helper's SQL is not the user's: no position in it, no class of raise_error
    assert "line 1 pos" not in text and "USER_RAISED_EXCEPTION" not in text, text
    assert len(text.splitlines()) <= 3, text


def test_a_python_user_sees_no_jvm_boot_noise(tmp_path):
    """Neither JVM's incubator warning nor Spark's WARN lines before spark.log.level applies reach
    stderr; errors do, and setLogLevel brings Spark's lines back."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        f"""
        import numpy as np
        from pyspark.sql import SparkSession
        from zero_copy_search import VectorStore
        from zero_copy_search.spark import configure_spark_with_zero_copy, knn_join, write_vectors

        VectorStore.create("{tmp_path}/v.vec", np.ones((20, 4), dtype=np.float32))  # engine JVM
        spark = configure_spark_with_zero_copy(SparkSession.builder.master("local[1]")).getOrCreate()
        frame = spark.createDataFrame([(1, [1.0, 2.0])], "id long, embedding array<float>")
        write_vectors(frame, "{tmp_path}/items")
        knn_join(frame, "{tmp_path}/items", k=1, exact=True).collect()
        try:
            knn_join(frame, "{tmp_path}/items", k=1, exact=True, vector_column="nope")
        except Exception as error:
            print("caught", type(error).__name__)
        spark.sparkContext.setLogLevel("INFO")
        spark.range(2).collect()
        spark.stop()
        """
    )
    env = dict(os.environ)
    env.pop("SPARK_CONF_DIR", None)
    env.pop("SPARK_LOCAL_IP", None)  # Spark's loopback-hostname WARN is one of the lines in question
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "caught AnalysisException" in done.stdout, done.stdout
    before, _, after = done.stderr.partition(" INFO ")
    assert after, "setLogLevel('INFO') shows Spark's INFO lines: " + done.stderr[-2000:]
    for noise in ("Using incubator modules", " WARN ", "log4j", "Setting default log level", "Setting Spark log level"):
        assert noise not in before, before[-3000:]


def test_an_unknown_write_option_lists_only_user_options(spark, tmp_path):
    df = spark.createDataFrame([(1, [1.0, 2.0])], "id long, embedding array<float>")
    with pytest.raises(ValueError) as caught:
        write_vectors(df, str(tmp_path / "opt"), colour="blue")
    short(caught.value, "colour", "vectorColumn")
    assert "__zcs" not in str(caught.value)


def test_errors_the_connector_has_no_part_in_are_pysparks(spark):
    from pyspark.errors import AnalysisException

    with pytest.raises(AnalysisException):
        spark.sql("SELECT no_such_column FROM range(1)").collect()


def test_calculate_distance_rejects_nan_as_search_does():
    with pytest.raises(ValueError, match="non-finite"):
        calculate_distance([float("nan"), 1.0], [1.0, 1.0])
    assert calculate_distance([3.0, 4.0], [0.0, 0.0]) == pytest.approx(5.0)


def test_the_engine_jvm_keeps_its_errors_after_a_spark_session_stopped(tmp_path):
    """PySpark's py4j hook outlives its session and would take calls to the engine's own JVM."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        f"""
        import numpy as np
        from pyspark.sql import SparkSession
        from zero_copy_search import HNSWIndex, VectorStore
        from zero_copy_search.spark import configure_spark_with_zero_copy, write_vectors

        spark = configure_spark_with_zero_copy(
            SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")).getOrCreate()
        frame = spark.createDataFrame([(1, [1.0, 2.0])], "id long, embedding array<float>")
        write_vectors(frame, "{tmp_path}/items")
        spark.stop()
        VectorStore.create("{tmp_path}/v.vec", np.ones((20, 4), dtype=np.float32))
        index = HNSWIndex(VectorStore.open("{tmp_path}/v.vec"))
        index.build()
        caught = 0
        for attempt in range(30):  # object ids of the two JVMs collide only now and then
            try:
                index.search([1, 1, 1, 1], k=5, ef=3)
            except ValueError as error:
                caught += 1
                message = str(error)
        print(caught, "ValueError:", message)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "30 ValueError: ef must be >= k (5), got 3" in done.stdout, done.stdout + done.stderr[-3000:]
