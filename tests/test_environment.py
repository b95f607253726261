import importlib.metadata
import os
import subprocess
import sys

import numpy as np
import pytest

import course_lib
from course_lib import environment


def test_import_sets_quiet_tensorflow_variables():
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    # oneDNN's kernels on (TensorFlow's default only on CPUs with AVX-512 VNNI or newer): faster notebooks.
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "1" or course_lib.ONEDNN_SET_BY_USER


def test_setup_seeds_and_reports(capsys):
    report = course_lib.setup(seed=7, tensorflow=False)
    first = np.random.rand(3)
    course_lib.setup(seed=7, tensorflow=False, verbose=False)
    np.testing.assert_array_equal(first, np.random.rand(3))
    printed = capsys.readouterr().out
    assert "numpy" in printed and "seed 7" in printed
    assert report.versions["numpy"] == importlib.metadata.version("numpy")
    assert report.ok, report.warnings


def test_missing_or_old_dependencies_are_reported(monkeypatch):
    real_version = environment._installed_version

    def fake_version(distribution):
        return {"jupyterlab_widgets": None, "scipy": "1.2.0"}.get(distribution, real_version(distribution))

    monkeypatch.setattr(environment, "_installed_version", fake_version)
    report = environment.environment_report()
    assert not report.ok
    assert any("jupyterlab_widgets" in warning and "Error" not in warning for warning in report.warnings)
    assert any("scipy 1.2.0 is older than the 1.10" in warning for warning in report.warnings)
    assert "WARNING: " in report.summary()


def test_missing_ipyevents_is_reported(monkeypatch):
    real_version = environment._installed_version
    monkeypatch.setattr(environment, "_installed_version",
                        lambda distribution: None if distribution == "ipyevents" else real_version(distribution))
    report = environment.environment_report()
    assert report.versions["ipyevents"] is None
    assert any("ipyevents" in warning and "mask painter" in warning and "'ipyevents>=2,<3'" in warning
               for warning in report.warnings)
    monkeypatch.setattr(environment, "_installed_version",
                        lambda distribution: "1.9.0" if distribution == "ipyevents" else real_version(distribution))
    warnings = environment.environment_report().warnings
    assert any("ipyevents 1.9.0 is older than the 2.0" in warning for warning in warnings)


def test_bad_arguments():
    import pytest

    with pytest.raises(ValueError, match="seed must be at least 0"):
        course_lib.setup(seed=-1, tensorflow=False)
    with pytest.raises(TypeError, match="threads must be an integer"):
        course_lib.setup(threads="two", tensorflow=False)


def test_tensorflow_start_up_is_silent():
    """In a fresh interpreter, import course_lib then setup(): nothing on stderr from TensorFlow."""
    program = "import course_lib; course_lib.setup(seed=1, threads=1)"
    environment_variables = {key: value for key, value in os.environ.items() if not key.startswith("TF_")}
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300,
                            env=environment_variables)
    assert result.returncode == 0, result.stderr
    assert "Environment OK" in result.stdout
    assert "oneDNN" not in result.stderr and "cpu_feature_guard" not in result.stderr, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_figure_format_is_validated_and_harmless_outside_jupyter():
    import pytest

    course_lib.setup(tensorflow=False, figure_format="png", verbose=False)
    with pytest.raises(ValueError, match="figure_format must be one of"):
        course_lib.setup(tensorflow=False, figure_format="gif", verbose=False)


def test_the_test_processes_share_the_cores():
    """tests/conftest.py gives each pytest-xdist worker its share of the cores."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        pytest.skip("runs in a pytest-xdist worker (make test); a run without workers keeps the defaults")
    workers = int(os.environ["PYTEST_XDIST_WORKER_COUNT"])
    expected = str(max(1, (os.cpu_count() or 1) // workers))
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        assert os.environ[variable] == expected, variable


def test_setup_chooses_the_cpu_kernels_before_tensorflow_loads():
    """setup(onednn=False) in a fresh interpreter gives TensorFlow's own kernels; the default, oneDNN's."""
    probe = ("from tensorflow.python.util import _pywrap_util_port as port; "
             "print('onednn', bool(port.IsMklEnabled()))")
    environment_variables = {key: value for key, value in os.environ.items() if key != "TF_ENABLE_ONEDNN_OPTS"}
    for argument, expected in (("", "onednn True"), ("onednn=False", "onednn False")):
        program = f"import course_lib; course_lib.setup(verbose=False, {argument}); {probe}"
        result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300,
                                env=environment_variables)
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout, (argument, result.stdout)


def test_setup_warns_when_tensorflow_already_runs_other_kernels(monkeypatch):
    import tensorflow  # noqa: F401  (the test session has imported it already)

    monkeypatch.setattr(course_lib, "ONEDNN_SET_BY_USER", False)
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    report = course_lib.setup(onednn=False, verbose=False)
    assert any("oneDNN kernels off" in warning for warning in report.warnings)
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "1"  # unchanged: it would not take effect
