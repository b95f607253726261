"""Shared test set-up: a headless matplotlib backend and small seeded images."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _threads_per_worker() -> int:
    """The CPU cores each pytest-xdist worker's numerical libraries may use: all of them when alone.

    ``make test`` runs one worker per core. OpenMP and OpenBLAS (NumPy's and SciPy's linear
    algebra) start a thread per core in every process, and their idle threads spin before they
    sleep, so the threads of two workers side by side (and of the notebook kernels and
    command-line runs they start, which inherit this environment) compete for the cores. In one
    A/B run of notebooks 04 and 05 side by side under two workers on 2 cores, one such thread each
    took 234 s against 286 s. TensorFlow keeps its threads (``course_lib.setup`` asks for every
    core): one TensorFlow thread per kernel as well measured slower, 280 s against 247 s (most
    likely because the neighbouring worker is often idle, e.g. between cells).
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return max(1, (os.cpu_count() or 1) // workers)


# Only in the workers: the controlling process sets nothing (its environment, which the workers
# inherit, keeps whatever the person running the tests chose), and a run without workers keeps
# the libraries' default of every core.
if "PYTEST_XDIST_WORKER" in os.environ:
    for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_variable, str(_threads_per_worker()))

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def gray_image(rng):
    """A 32x40 float32 gray image with smooth structure and an edge."""
    rows, columns = np.mgrid[0:32, 0:40]
    image = 0.5 + 0.3 * np.sin(rows / 5.0) * np.cos(columns / 7.0)
    image[:, 20:] += 0.15
    return np.clip(image + 0.02 * rng.standard_normal(image.shape), 0, 1).astype(np.float32)


@pytest.fixture
def rgb_image(gray_image):
    return np.stack([gray_image, gray_image[::-1], 1 - gray_image], axis=-1)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
