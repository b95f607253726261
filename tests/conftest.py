"""Shared test set-up: a headless matplotlib backend and small seeded images."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

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
