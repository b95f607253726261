"""How fast is the NumPy MATLAB-style ``imresize``? Prints what it measured.

Run with::

    .venv/bin/python benchmarks/resize.py

Each case resizes a 512x512 RGB float32 image (the size of ``astronaut``) and
reports the best of several runs, so background load inflates it as little as
possible. There is no pass/fail: the numbers are for the reader (the course's
notebooks resize a few such images per cell, so tens of milliseconds is fine).
"""

from __future__ import annotations

import time

import numpy as np

from course_lib.degradations import imresize


def best_time(function, repeats: int = 5) -> float:
    """Smallest wall-clock time of `repeats` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    image = np.random.default_rng(0).random((512, 512, 3), dtype=np.float32)
    gray = image[..., 0].copy()
    print(f"imresize on {image.shape} float32 (best of 5 runs)")
    for scale in (1 / 4, 1 / 3, 1 / 2, 2, 3, 4):
        for name, array in (("RGB ", image), ("gray", gray)):
            seconds = best_time(lambda array=array, scale=scale: imresize(array, scale))
            out_shape = imresize(array, scale).shape
            print(f"  {name} scale {scale:6.4f} -> {str(out_shape):16s} {1000 * seconds:8.1f} ms")


if __name__ == "__main__":
    main()
