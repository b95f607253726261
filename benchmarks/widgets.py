"""How long does one update of the course's live widgets take? Prints what it measured.

Run with::

    .venv/bin/python benchmarks/widgets.py

The target (issue 2) is that a 512x512 swipe update takes well under 100 ms: moving the
slider must feel immediate. An update is everything the slider's callback does: compose
the frame (divider position, shared zoom) and encode it as PNG for ``ipywidgets.Image``.
Best of several runs, so background load inflates it as little as possible.
"""

from __future__ import annotations

import time

import numpy as np

from course_lib import data, degradations, filters
from course_lib.widgets import ParameterExplorer, SwipeComparison


def best_time(function, repeats: int = 20) -> float:
    """Smallest wall-clock time of `repeats` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    clean = data.load_image("astronaut")
    noisy = np.clip(degradations.add_gaussian_noise(clean, 25, seed=0), 0, 1)
    swipe = SwipeComparison(noisy, clean)
    positions = iter(np.linspace(0, 1, 1000))
    zooms = iter(np.tile(np.arange(1.5, 8.01, 0.5), 100))  # every call changes the value

    def move_divider():
        swipe.position.value = float(next(positions))

    def move_zoom():
        swipe.zoom.value = float(next(zooms))

    print("512x512 RGB swipe comparison, one slider update (compose + PNG), best of 20:")
    print(f"  divider moved : {1000 * best_time(move_divider):6.1f} ms")
    print(f"  zoom changed  : {1000 * best_time(move_zoom):6.1f} ms")
    print(f"  frame only    : {1000 * best_time(swipe.frame):6.1f} ms")

    gray_clean = data.load_image("camera")
    gray_noisy = degradations.add_gaussian_noise(gray_clean, 25, seed=0)
    explorer = ParameterExplorer(filters.gaussian_filter, gray_noisy, {"sigma": (0.5, 3.0, 0.25, 1.0)},
                                 reference=gray_clean)
    sigmas = iter(np.tile(np.arange(0.5, 3.01, 0.25), 100))

    def move_sigma():
        explorer.controls["sigma"].value = float(next(sigmas))

    print("512x512 gray parameter explorer (Gaussian filter + PSNR/SSIM + PNG), best of 20:")
    print(f"  sigma changed : {1000 * best_time(move_sigma):6.1f} ms")


if __name__ == "__main__":
    main()
