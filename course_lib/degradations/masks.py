"""Inpainting masks: which pixels are missing.

A mask is a boolean ``(H, W)`` array in which ``True`` marks a missing pixel.
Generators take the image shape and a `seed`, so a data set of damaged images
can be rebuilt exactly. Three families cover the course's use cases: square
holes (:func:`rectangle_mask`), free-form brush strokes (:func:`stroke_mask`),
and thin cracks and scratches (:func:`scratch_mask`).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import ndimage
from skimage import draw

from .._validation import (
    check_image,
    check_in_range,
    check_integer,
    check_mask,
    make_rng,
)

__all__ = ["rectangle_mask", "stroke_mask", "scratch_mask", "apply_mask", "mask_coverage"]


def _check_shape(shape) -> tuple[int, int]:
    """Validate an image shape ``(H, W)`` or ``(H, W, C)`` and return ``(H, W)``."""
    if isinstance(shape, np.ndarray) and shape.ndim > 1:
        raise ValueError("shape must be a tuple (H, W); got an array (pass image.shape, not the image)")
    if (
        isinstance(shape, (str, bytes))
        or not hasattr(shape, "__len__")
        or len(shape) not in (2, 3)
        or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in shape)
    ):
        raise ValueError(f"shape must be a tuple of integers (H, W) or (H, W, C); got {shape!r}")
    height, width = int(shape[0]), int(shape[1])
    if height < 1 or width < 1:
        raise ValueError(f"shape must have a positive height and width; got {tuple(shape)}")
    return height, width


def _check_coverage(coverage) -> tuple[float, float]:
    if (
        isinstance(coverage, (str, bytes))
        or not hasattr(coverage, "__len__")
        or len(coverage) != 2
    ):
        raise ValueError(f"coverage must be a pair (low, high) of fractions; got {coverage!r}")
    low = check_in_range(coverage[0], "coverage", 0.0, 1.0)
    high = check_in_range(coverage[1], "coverage", 0.0, 1.0)
    if not low <= high or high == 0:
        raise ValueError(f"coverage must satisfy 0 <= low <= high and high > 0; got {tuple(coverage)}")
    return low, high


def mask_coverage(mask) -> float:
    """Return the fraction of missing (``True``) pixels of `mask`.

    Examples
    --------
    >>> import numpy as np
    >>> mask_coverage(np.eye(4, dtype=bool))
    0.25
    """
    return float(np.mean(check_mask(mask, "mask")))


def apply_mask(image, mask, *, fill: float = 0.0) -> np.ndarray:
    """Damage `image`: set the pixels where `mask` is True to `fill`.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` float image.
    mask : numpy.ndarray
        Boolean ``(H, W)`` mask, True = missing.
    fill : float
        Value given to the missing pixels (all channels). 0 (black) is the
        usual input of inpainting networks, which also receive the mask.

    Returns
    -------
    numpy.ndarray
        A damaged copy of `image`, same dtype.

    Examples
    --------
    >>> import numpy as np
    >>> apply_mask(np.ones((2, 2)), np.array([[True, False], [False, False]]))
    array([[0., 1.],
           [1., 1.]])
    """
    array = check_image(image, "image")
    mask = check_mask(mask, "mask", shape=array.shape)
    if isinstance(fill, bool) or not isinstance(fill, numbers.Real) or not math.isfinite(fill):
        raise ValueError(f"fill must be a finite number; got {fill!r}")
    damaged = array.copy()
    damaged[mask] = fill
    return damaged


def rectangle_mask(
    shape,
    *,
    count: int = 1,
    min_size: float = 0.1,
    max_size: float = 0.4,
    seed=None,
) -> np.ndarray:
    """Random axis-aligned rectangular holes.

    Parameters
    ----------
    shape : tuple of int
        Image shape ``(H, W)`` or ``(H, W, C)``.
    count : int
        Number of rectangles (they may overlap).
    min_size, max_size : float
        Range of each rectangle's side as a fraction of the image side, in
        (0, 1]: height ``~ U(min_size, max_size) * H``, width likewise with ``W``.
        Fractions make the same call work for any image size.
    seed : int, numpy.random.Generator or None
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        Boolean ``(H, W)`` mask, True = missing.

    Notes
    -----
    A single central square hole is the setting of Context Encoders; random
    rectangles are a harder and more common benchmark. Networks trained only
    on rectangles generalise poorly to free-form holes (Liu et al., 2018).

    References
    ----------
    .. [1] D. Pathak, P. Krahenbuhl, J. Donahue, T. Darrell and A. A. Efros,
           "Context encoders: feature learning by inpainting", CVPR 2016.

    Examples
    --------
    >>> mask = rectangle_mask((32, 32), count=2, seed=0)
    >>> mask.shape, mask.dtype
    ((32, 32), dtype('bool'))
    """
    height, width = _check_shape(shape)
    count = check_integer(count, "count", minimum=0)
    min_size = check_in_range(min_size, "min_size", 0.0, 1.0)
    max_size = check_in_range(max_size, "max_size", 0.0, 1.0)
    if min_size <= 0:
        raise ValueError(f"min_size must be greater than 0; got {min_size}")
    if min_size > max_size:
        raise ValueError(
            f"min_size must not exceed max_size; got min_size={min_size} and max_size={max_size}"
        )
    rng = make_rng(seed)
    mask = np.zeros((height, width), dtype=bool)
    for _ in range(count):
        rect_height = max(1, int(round(rng.uniform(min_size, max_size) * height)))
        rect_width = max(1, int(round(rng.uniform(min_size, max_size) * width)))
        top = int(rng.integers(0, height - rect_height + 1))
        left = int(rng.integers(0, width - rect_width + 1))
        mask[top : top + rect_height, left : left + rect_width] = True
    return mask


def _thick_polyline(mask: np.ndarray, vertices: np.ndarray, width: float) -> None:
    """Draw a polyline of the given width with round joints and caps into `mask`."""
    radius = width / 2.0
    for start, end in zip(vertices[:-1], vertices[1:]):
        delta = end - start
        norm = math.hypot(delta[0], delta[1])
        if norm > 0:
            normal = np.array([-delta[1], delta[0]]) / norm * radius
            corners = np.array([start + normal, end + normal, end - normal, start - normal])
            rows, cols = draw.polygon(corners[:, 0], corners[:, 1], shape=mask.shape)
            mask[rows, cols] = True
    for vertex in vertices:  # round joints (and caps at both ends)
        rows, cols = draw.disk((vertex[0], vertex[1]), max(radius, 0.5), shape=mask.shape)
        mask[rows, cols] = True


def _one_stroke(rng, height: int, width: int, max_vertices: int, min_width: float, max_width: float):
    """One DeepFill-v2-style brush stroke as a boolean mask."""
    mean_step = math.hypot(height, width) / 8.0
    # Zig-zagging walk: alternate turns around a mean angle of 2 pi / 5, as in
    # the free-form mask generator of Yu et al. (2019).
    mean_angle, angle_range = 2.0 * math.pi / 5.0, 2.0 * math.pi / 15.0
    angle_low = mean_angle - rng.uniform(0, angle_range)
    angle_high = mean_angle + rng.uniform(0, angle_range)
    vertex_count = int(rng.integers(1, max_vertices + 1))
    start_angle = rng.uniform(0, 2 * math.pi)
    vertices = [np.array([rng.uniform(0, height - 1), rng.uniform(0, width - 1)])]
    for index in range(vertex_count):
        turn = rng.uniform(angle_low, angle_high)
        angle = start_angle + (turn if index % 2 else -turn)
        step = float(np.clip(rng.normal(mean_step, mean_step / 2.0), 0.0, 2.0 * mean_step))
        previous = vertices[-1]
        vertex = previous + step * np.array([math.sin(angle), math.cos(angle)])
        vertices.append(np.clip(vertex, [0, 0], [height - 1, width - 1]))
    stroke = np.zeros((height, width), dtype=bool)
    _thick_polyline(stroke, np.array(vertices), rng.uniform(min_width, max_width))
    return stroke


def stroke_mask(
    shape,
    *,
    strokes: int = 4,
    max_vertices: int = 8,
    max_width: float | None = None,
    coverage=None,
    seed=None,
    max_attempts: int = 200,
) -> np.ndarray:
    """Free-form brush-stroke holes, like a user scribbling over an object.

    Parameters
    ----------
    shape : tuple of int
        Image shape ``(H, W)`` or ``(H, W, C)``.
    strokes : int
        Number of strokes (ignored when `coverage` is given).
    max_vertices : int
        Each stroke has between 1 and `max_vertices` segments.
    max_width : float, optional
        Largest brush width in pixels; widths are drawn from
        ``U(max_width / 3, max_width)``. By default 15 % of the image's smaller
        side (DeepFill v2 uses 12-40 pixels on 256-pixel images).
    coverage : tuple of float, optional
        ``(low, high)``: keep adding strokes until the missing fraction lies in
        ``[low, high]``; a stroke that would push it above `high` is discarded
        and another one drawn. ``(0.1, 0.25)`` is a "medium" hole.
    seed : int, numpy.random.Generator or None
        Source of randomness.
    max_attempts : int
        With `coverage`, the number of strokes drawn before giving up.

    Returns
    -------
    numpy.ndarray
        Boolean ``(H, W)`` mask, True = missing.

    Raises
    ------
    ValueError
        If `coverage` cannot be reached within `max_attempts` strokes (the
        range is too narrow for the brush width).

    Notes
    -----
    Each stroke is a random walk: a random start point, then up to
    `max_vertices` steps of length ``~ N(d / 8, d / 16)`` (``d`` the image
    diagonal) whose directions zig-zag around a mean turn of 72 degrees. The
    vertices are joined by lines of the brush width, with a disk at each
    vertex for round joints, as in the free-form masks of DeepFill v2.

    References
    ----------
    .. [1] J. Yu, Z. Lin, J. Yang, X. Shen, X. Lu and T. S. Huang, "Free-form
           image inpainting with gated convolution", ICCV 2019.
    .. [2] G. Liu, F. A. Reda, K. J. Shih, T.-C. Wang, A. Tao and B. Catanzaro,
           "Image inpainting for irregular holes using partial convolutions",
           ECCV 2018.

    Examples
    --------
    >>> mask = stroke_mask((64, 64), coverage=(0.1, 0.25), seed=0)
    >>> 0.1 <= mask_coverage(mask) <= 0.25
    True
    """
    height, width = _check_shape(shape)
    strokes = check_integer(strokes, "strokes", minimum=0)
    max_vertices = check_integer(max_vertices, "max_vertices", minimum=1)
    if max_width is None:
        max_width = max(1.0, 0.15 * min(height, width))
    elif isinstance(max_width, bool) or not isinstance(max_width, numbers.Real) or not max_width >= 1:
        raise ValueError(f"max_width must be a number of pixels >= 1; got {max_width!r}")
    max_width = float(max_width)
    min_width = max(1.0, max_width / 3.0)
    max_attempts = check_integer(max_attempts, "max_attempts", minimum=1)
    rng = make_rng(seed)

    def new_stroke():
        return _one_stroke(rng, height, width, max_vertices, min_width, max_width)

    mask = np.zeros((height, width), dtype=bool)
    if coverage is None:
        for _ in range(strokes):
            mask |= new_stroke()
        return mask

    low, high = _check_coverage(coverage)
    area = float(height * width)
    for _ in range(max_attempts):
        candidate = mask | new_stroke()
        fraction = np.count_nonzero(candidate) / area
        if fraction <= high:
            mask = candidate
            if fraction >= low:
                return mask
    raise ValueError(
        f"coverage {tuple(coverage)} was not reached after {max_attempts} strokes "
        f"(reached {np.count_nonzero(mask) / area:.3f}); widen the range or lower max_width"
    )


def scratch_mask(
    shape,
    *,
    count: int = 4,
    width: int = 1,
    branch_probability: float = 0.3,
    seed=None,
) -> np.ndarray:
    """Thin wandering cracks and scratches, as on an old photograph or painting.

    Parameters
    ----------
    shape : tuple of int
        Image shape ``(H, W)`` or ``(H, W, C)``.
    count : int
        Number of main scratches.
    width : int
        Line width in pixels (1 draws single-pixel 8-connected lines).
    branch_probability : float
        Probability, in [0, 1], that a scratch forks a shorter side branch
        (branches may fork again, up to two levels deep), which turns single
        scratches into crack networks (craquelure).
    seed : int, numpy.random.Generator or None
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        Boolean ``(H, W)`` mask, True = missing.

    Notes
    -----
    Each scratch is a random walk of short steps (2-4 pixels) whose heading
    drifts slowly (``N(0, 0.15 rad)`` per step), so it bends smoothly like a
    crack instead of zig-zagging like a brush stroke. Its length is 30-100 % of
    the image diagonal; it stops early when it leaves the image. Steps are
    joined with :func:`skimage.draw.line` and thickened with a disk-shaped
    dilation when ``width > 1``. Such masks cover little area (usually a few
    percent) but cross every structure, which is what makes them hard.

    Examples
    --------
    >>> mask = scratch_mask((64, 64), count=3, seed=0)
    >>> mask.dtype, bool(mask.any())
    (dtype('bool'), True)
    """
    height, width_px = _check_shape(shape)
    count = check_integer(count, "count", minimum=0)
    width = check_integer(width, "width", minimum=1)
    branch_probability = check_in_range(branch_probability, "branch_probability", 0.0, 1.0)
    rng = make_rng(seed)
    diagonal = math.hypot(height, width_px)
    lines = np.zeros((height, width_px), dtype=bool)

    # Work list of scratches still to draw: (start point, heading, length, depth).
    pending = [
        (
            np.array([rng.uniform(0, height - 1), rng.uniform(0, width_px - 1)]),
            rng.uniform(0, 2 * math.pi),
            rng.uniform(0.3, 1.0) * diagonal,
            0,
        )
        for _ in range(count)
    ]
    while pending:
        point, heading, length, depth = pending.pop(0)
        path, headings = [point], [heading]
        travelled = 0.0
        while travelled < length:
            step = rng.uniform(2.0, 4.0)
            heading += rng.normal(0.0, 0.15)
            point = path[-1] + step * np.array([math.sin(heading), math.cos(heading)])
            if not (0 <= point[0] <= height - 1 and 0 <= point[1] <= width_px - 1):
                break
            path.append(point)
            headings.append(heading)
            travelled += step
        for start, end in zip(path[:-1], path[1:]):
            rows, cols = draw.line(
                int(round(start[0])), int(round(start[1])), int(round(end[0])), int(round(end[1]))
            )
            lines[rows, cols] = True
        if len(path) == 1:
            lines[int(round(path[0][0])), int(round(path[0][1]))] = True
        if depth < 2 and len(path) > 2 and rng.random() < branch_probability:
            fork = int(rng.integers(1, len(path) - 1))
            side = 1.0 if rng.random() < 0.5 else -1.0
            branch_heading = headings[fork] + side * rng.uniform(0.35, 1.05)  # 20-60 degrees
            pending.append((path[fork], branch_heading, rng.uniform(0.3, 0.6) * length, depth + 1))
    if width > 1:
        offsets = np.arange(width) - (width - 1) / 2.0
        footprint = offsets[:, None] ** 2 + offsets[None, :] ** 2 <= (width / 2.0) ** 2
        lines = ndimage.binary_dilation(lines, structure=footprint)
    return lines
