"""Video restoration: synthetic shaky sequences, frame alignment, temporal averaging, flicker.

A video is a stack of frames ``(T, H, W)`` (gray, float, values around [0, 1]).
Consecutive frames show nearly the same scene, so a pixel's noise can be averaged
away over *time* instead of over space, provided the frames are first aligned:

- :func:`synthetic_sequence` makes a test sequence with known motion: a still image
  seen by a shaking camera (:func:`random_shifts`, :func:`shift_frames`) plus seeded
  Gaussian noise, drawn independently for every frame;
- :func:`estimate_shifts` measures the motion between frames by phase correlation
  (:func:`skimage.registration.phase_cross_correlation`), to sub-pixel accuracy;
- :func:`align_frames` moves frames onto a reference frame, and
  :func:`temporal_average` restores each frame as the mean of its aligned neighbours;
- :func:`mean_temporal_difference` measures how much a sequence changes from frame
  to frame, and :func:`flicker` how much a restoration's *error* does: the
  "boiling" of a video restored one frame at a time.

Convention for shifts: ``shifts[t] = (rows, columns)`` is how far the content of
frame ``t`` has moved with respect to the reference scene, so that
``frame_t(p) = scene(p - shifts[t])``; positive values move it down and right.
This is the convention of :func:`scipy.ndimage.shift`, and the opposite sign of
what :func:`~skimage.registration.phase_cross_correlation` returns (the shift that
*registers* the moving image).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ._validation import check_float_array, check_image, check_integer, check_positive, make_rng

__all__ = [
    "SyntheticSequence",
    "random_shifts",
    "shift_frames",
    "synthetic_sequence",
    "estimate_shifts",
    "align_frames",
    "temporal_average",
    "mean_temporal_difference",
    "flicker",
]


# --------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------


def _check_frames(frames, name: str = "frames", *, min_frames: int = 1) -> np.ndarray:
    """A gray sequence ``(T, H, W)`` of finite floats, as float32 or float64."""
    if frames is not None and np.ndim(frames) == 2:
        raise ValueError(f"{name} must be a gray sequence of shape (frames, H, W); got shape {np.shape(frames)} "
                         "(a single image: stack frames with np.stack([...]))")
    array = check_float_array(frames, name, min_ndim=3, max_ndim=3,
                              integer_hint="convert with frames.astype(np.float32) / 255")
    if array.shape[0] < min_frames:
        raise ValueError(f"{name} must hold at least {min_frames} frames; got {array.shape[0]}")
    return array if array.dtype in (np.float32, np.float64) else array.astype(np.float32)


def _check_shifts(shifts, count: int | None, name: str = "shifts") -> np.ndarray:
    """Shifts ``(T, 2)`` of finite numbers, as float64; `count` frames if given."""
    if shifts is None:
        raise TypeError(f"{name} is None; expected an array of shape (frames, 2)")
    array = check_float_array(shifts, name, allow_integer=True)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{name} must have shape (frames, 2), one (rows, columns) pair per frame; "
                         f"got shape {array.shape}")
    if count is not None and array.shape[0] != count:
        raise ValueError(f"{name} must hold one (rows, columns) pair per frame, {count}; got {array.shape[0]}")
    return array.astype(np.float64)


def _check_reference(reference, count: int) -> int:
    return check_integer(reference, "reference", minimum=0, maximum=count - 1)


# --------------------------------------------------------------------------------------
# Making a sequence
# --------------------------------------------------------------------------------------


def random_shifts(count: int, *, max_step: float = 1.5, integer: bool = False, seed=None) -> np.ndarray:
    """A shaking camera's path: a random walk of 2-D shifts that starts at (0, 0).

    Parameters
    ----------
    count : int
        Number of frames (at least 1).
    max_step : float
        Largest move between two consecutive frames, per axis, in pixels.
    integer : bool
        Round every step to whole pixels (so frames are exact copies of each other,
        moved); otherwise steps are real numbers (sub-pixel motion).
    seed : int, numpy.random.Generator or None
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        ``(count, 2)`` float64: ``(rows, columns)`` of each frame; the first is (0, 0).

    Notes
    -----
    ``shifts[t] = sum_{u <= t} step_u`` with every step uniform in
    ``[-max_step, max_step]`` per axis (``step_0 = 0``). A random walk drifts like a
    hand-held camera: neighbouring frames are close, distant frames may be far apart.

    Examples
    --------
    >>> shifts = random_shifts(4, max_step=2, integer=True, seed=0)
    >>> shifts.shape, shifts[0].tolist()
    ((4, 2), [0.0, 0.0])
    """
    count = check_integer(count, "count", minimum=1)
    max_step = check_positive(max_step, "max_step", allow_zero=True)
    rng = make_rng(seed)
    steps = rng.uniform(-max_step, max_step, size=(count, 2))
    if integer:
        steps = np.round(steps)
    steps[0] = 0.0
    return np.cumsum(steps, axis=0) + 0.0  # + 0.0 turns -0.0 into 0.0


def _margin(shifts: np.ndarray, order: int) -> int:
    """Pixels to drop at each side so that no output pixel comes from beyond the image."""
    largest = float(np.max(np.abs(shifts))) if shifts.size else 0.0
    return int(math.ceil(largest)) + (order + 1) // 2 + 1


def shift_frames(image, shifts, *, size=None, order: int = 3) -> np.ndarray:
    """Frames of a still scene seen through a moving window: ``frame_t(p) = image(p - shifts[t])``.

    Parameters
    ----------
    image : numpy.ndarray
        The scene, a gray image ``(H, W)`` in [0, 1].
    shifts : array_like
        ``(T, 2)`` shifts ``(rows, columns)`` of the content of each frame, e.g. from
        :func:`random_shifts`. Sub-pixel values are interpolated.
    size : int, tuple of int or None
        Height and width of the frames, cut from the centre of the moved image. The
        default is the largest size for which every frame pixel comes from inside the
        image (the image minus a margin of ``ceil(max |shift|) + 3`` pixels per side).
    order : int
        Order of the spline interpolation (0-5; 3 is cubic). Whole-pixel shifts are
        exact with every order.

    Returns
    -------
    numpy.ndarray
        ``(T, size[0], size[1])`` float32.

    Notes
    -----
    Each frame is :func:`scipy.ndimage.shift` of the image by ``shifts[t]``, cropped to
    the centre, so the border of a frame shows real scene content that the other
    frames may not see, as with a real camera (no wrap-around).

    Examples
    --------
    >>> import numpy as np
    >>> image = np.random.default_rng(0).random((32, 32))
    >>> frames = shift_frames(image, [[0, 0], [1, 2]], size=16)
    >>> bool(np.allclose(frames[1][1:, 2:], frames[0][:-1, :-2], atol=1e-5))
    True
    """
    array = check_image(image, "image", allow_color=False).astype(np.float64)
    shifts = _check_shifts(shifts, None)
    if shifts.shape[0] < 1:
        raise ValueError("shifts must hold at least one (rows, columns) pair")
    order = check_integer(order, "order", minimum=0, maximum=5)
    margin = _margin(shifts, order)
    available = (array.shape[0] - 2 * margin, array.shape[1] - 2 * margin)
    if size is None:
        size = available
    else:
        size = (size, size) if isinstance(size, (int, np.integer)) and not isinstance(size, bool) else tuple(size)
        if len(size) != 2:
            raise ValueError(f"size must be an int or a (height, width) pair; got {size!r}")
        size = tuple(check_integer(value, "size", minimum=1) for value in size)
    if min(available) < 1 or size[0] > available[0] or size[1] > available[1]:
        raise ValueError(
            f"size {tuple(size)} does not fit: with shifts up to {float(np.max(np.abs(shifts))):.3g} pixels, frames "
            f"of this {array.shape[0]}x{array.shape[1]} image can be at most {max(available[0], 0)}x"
            f"{max(available[1], 0)} (use a larger image or smaller shifts)")
    top = (array.shape[0] - size[0]) // 2
    left = (array.shape[1] - size[1]) // 2
    frames = np.empty((shifts.shape[0], size[0], size[1]), dtype=np.float32)
    for index, shift in enumerate(shifts):
        moved = ndimage.shift(array, shift, order=order, mode="nearest")
        frames[index] = moved[top : top + size[0], left : left + size[1]]
    return frames


@dataclass(frozen=True)
class SyntheticSequence:
    """A test sequence with known truth.

    Attributes
    ----------
    clean : numpy.ndarray
        ``(T, H, W)`` float32, the frames without noise.
    noisy : numpy.ndarray
        ``(T, H, W)`` float32, ``clean`` plus Gaussian noise, not clipped.
    shifts : numpy.ndarray
        ``(T, 2)`` float64, the true motion of each frame (see the module docstring).
    sigma : float
        The noise level on the 8-bit scale.
    """

    clean: np.ndarray
    noisy: np.ndarray
    shifts: np.ndarray
    sigma: float


def synthetic_sequence(image, count: int, *, sigma: float = 25, max_step: float = 1.5, integer: bool = False,
                       size=None, seed=None) -> SyntheticSequence:
    """A still image filmed by a shaking camera, with independent noise in every frame.

    Parameters
    ----------
    image : numpy.ndarray
        The scene, a gray image ``(H, W)`` in [0, 1].
    count : int
        Number of frames.
    sigma : float
        Standard deviation of the Gaussian noise on the 8-bit scale, as in
        :func:`course_lib.degradations.add_gaussian_noise` (added without clipping).
    max_step, integer
        The camera's motion, see :func:`random_shifts`.
    size : int, tuple of int or None
        Frame size, see :func:`shift_frames`.
    seed : int, numpy.random.Generator or None
        One seed for the motion and the noise: the same seed gives the same sequence.

    Returns
    -------
    SyntheticSequence
        ``clean``, ``noisy``, ``shifts`` and ``sigma``.

    Notes
    -----
    ``noisy_t = clean_t + n_t`` with ``n_t ~ N(0, (sigma / 255)^2)`` drawn
    independently for every pixel of every frame. The scene does not change, only
    the camera moves, so aligned frames differ by their noise alone: the ideal case
    for temporal averaging. Real videos add moving objects, occlusions and lighting
    changes, where averaging along a single global motion blurs or ghosts.

    Examples
    --------
    >>> import numpy as np
    >>> sequence = synthetic_sequence(np.full((48, 48), 0.5), 3, sigma=25, size=32, seed=0)
    >>> sequence.noisy.shape, round(float((sequence.noisy - sequence.clean).std() * 255))
    ((3, 32, 32), 25)
    """
    rng = make_rng(seed)
    sigma = check_positive(sigma, "sigma", allow_zero=True)
    shifts = random_shifts(count, max_step=max_step, integer=integer, seed=rng)
    clean = shift_frames(image, shifts, size=size)
    noisy = (clean.astype(np.float64) + rng.standard_normal(clean.shape) * (sigma / 255.0)).astype(np.float32)
    return SyntheticSequence(clean=clean, noisy=noisy, shifts=shifts, sigma=sigma)


# --------------------------------------------------------------------------------------
# Aligning and averaging
# --------------------------------------------------------------------------------------


def estimate_shifts(frames, *, reference: int = 0, upsample_factor: int = 20) -> np.ndarray:
    """Measure each frame's motion with respect to a reference frame, by phase correlation.

    Parameters
    ----------
    frames : numpy.ndarray
        ``(T, H, W)`` gray frames (noisy frames are fine).
    reference : int
        Index of the frame whose shift is (0, 0).
    upsample_factor : int
        Sub-pixel precision: shifts are found to ``1 / upsample_factor`` of a pixel.

    Returns
    -------
    numpy.ndarray
        ``(T, 2)`` float64, ``shifts[t] = (rows, columns)`` of frame ``t``'s content
        with respect to the reference, in the convention of :func:`align_frames`.

    Notes
    -----
    Phase correlation: for ``f_t(p) = f_r(p - s)`` the Fourier transforms satisfy
    :math:`F_t(\\omega) = F_r(\\omega)\\, e^{-i \\omega \\cdot s}`, so the normalized
    cross-power spectrum :math:`F_t \\overline{F_r} / |F_t \\overline{F_r}|` is a pure phase
    ramp whose inverse transform is a spike at ``s``. scikit-image locates the spike,
    then refines it by an upsampled DFT around it (Guizar-Sicairos et al., 2008). Only
    the overlapping part of two frames agrees, so very large shifts, moving objects or
    strong noise make the spike weaker; the estimate is global (one shift per frame).

    References
    ----------
    .. [1] M. Guizar-Sicairos, S. T. Thurman and J. R. Fienup, "Efficient subpixel
           image registration algorithms", Optics Letters 33(2), 156-158, 2008.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.random.default_rng(0).random((64, 64))
    >>> frames = shift_frames(image, [[0, 0], [2, -3]], size=40)
    >>> estimate_shifts(frames).round(2).tolist()
    [[0.0, 0.0], [2.0, -3.0]]
    """
    from skimage.registration import phase_cross_correlation

    array = _check_frames(frames)
    reference = _check_reference(reference, array.shape[0])
    upsample_factor = check_integer(upsample_factor, "upsample_factor", minimum=1)
    target = array[reference].astype(np.float64)
    shifts = np.zeros((array.shape[0], 2))
    for index in range(array.shape[0]):
        if index == reference:
            continue
        registering, _, _ = phase_cross_correlation(target, array[index].astype(np.float64),
                                                    upsample_factor=upsample_factor)
        shifts[index] = -np.asarray(registering, dtype=np.float64)
    return shifts + 0.0


def align_frames(frames, shifts, *, reference: int = 0, order: int = 3) -> np.ndarray:
    """Move every frame onto the reference frame, undoing the motion ``shifts``.

    Parameters
    ----------
    frames : numpy.ndarray
        ``(T, H, W)`` gray frames.
    shifts : array_like
        ``(T, 2)`` motion of each frame (see :func:`estimate_shifts`); only the
        differences ``shifts[t] - shifts[reference]`` matter.
    reference : int
        The frame the others are aligned to.
    order : int
        Spline interpolation order (0-5) for sub-pixel shifts.

    Returns
    -------
    numpy.ndarray
        ``(T, H, W)`` float32: ``aligned_t(p) = frame_t(p + shifts[t] - shifts[reference])``.

    Notes
    -----
    A pixel whose source lies outside frame ``t`` (a strip as wide as the shift, at
    the border) has no data in that frame; it is filled with the nearest border
    pixel. Leave such strips out when you measure (see ``metrics.crop_border``).
    Interpolating a noisy frame by a sub-pixel amount also smooths its noise a
    little (a cubic spline is a low-pass filter).
    """
    array = _check_frames(frames)
    shifts = _check_shifts(shifts, array.shape[0])
    reference = _check_reference(reference, array.shape[0])
    order = check_integer(order, "order", minimum=0, maximum=5)
    aligned = np.empty(array.shape, dtype=np.float32)
    for index in range(array.shape[0]):
        move_back = -(shifts[index] - shifts[reference])
        if np.allclose(move_back, 0.0):
            aligned[index] = array[index]
        else:
            aligned[index] = ndimage.shift(array[index].astype(np.float64), move_back, order=order, mode="nearest")
    return aligned


def temporal_average(frames, shifts=None, *, radius: int = 2, order: int = 3) -> np.ndarray:
    """Restore every frame as the mean of its ``2 * radius + 1`` neighbours, aligned to it.

    Parameters
    ----------
    frames : numpy.ndarray
        ``(T, H, W)`` noisy gray frames.
    shifts : array_like or None
        ``(T, 2)`` motion of each frame (e.g. from :func:`estimate_shifts`). None
        averages without alignment (a static camera).
    radius : int
        Frames ``t - radius`` to ``t + radius`` are averaged (fewer at the ends of the
        sequence, where the window is cut).
    order : int
        Spline interpolation order used to align the neighbours.

    Returns
    -------
    numpy.ndarray
        ``(T, H, W)`` float32, the restored sequence.

    Notes
    -----
    With ``aligned_{u -> t}`` frame ``u`` moved onto frame ``t``,

    .. math:: \\hat x_t = \\frac{1}{|W_t|} \\sum_{u \\in W_t} \\mathrm{aligned}_{u \\to t},
              \\qquad W_t = \\{u : |u - t| \\le r,\\ 0 \\le u < T\\}.

    When the scene is static after alignment and the noise independent from frame
    to frame, its standard deviation drops by :math:`\\sqrt{|W_t|}` (about 2.2 times
    for ``radius=2``) and nothing of the image is lost: the averaging is over time,
    not space. Errors in the shifts, moving objects and occlusions break the first
    assumption and show as blur or ghosts.
    """
    array = _check_frames(frames)
    count = array.shape[0]
    shifts = np.zeros((count, 2)) if shifts is None else _check_shifts(shifts, count)
    radius = check_integer(radius, "radius", minimum=0)
    order = check_integer(order, "order", minimum=0, maximum=5)
    restored = np.empty(array.shape, dtype=np.float32)
    for index in range(count):
        window = range(max(0, index - radius), min(count, index + radius + 1))
        total = np.zeros(array.shape[1:], dtype=np.float64)
        for neighbour in window:
            move = shifts[index] - shifts[neighbour]  # from the neighbour's content position to this frame's
            if np.allclose(move, 0.0):
                total += array[neighbour]
            else:
                total += ndimage.shift(array[neighbour].astype(np.float64), move, order=order, mode="nearest")
        restored[index] = total / len(window)
    return restored


# --------------------------------------------------------------------------------------
# Flicker
# --------------------------------------------------------------------------------------


def mean_temporal_difference(frames) -> float:
    """The mean absolute change between consecutive frames.

    Parameters
    ----------
    frames : numpy.ndarray
        ``(T, H, W)`` gray frames, ``T >= 2``.

    Returns
    -------
    float
        :math:`\\mathrm{MTD}(f) = \\frac{1}{(T - 1) H W} \\sum_{t=0}^{T-2} \\sum_p |f_{t+1}(p) - f_t(p)|`,
        on the scale of the frames (0-1).

    Examples
    --------
    >>> import numpy as np
    >>> mean_temporal_difference(np.stack([np.zeros((2, 2)), np.ones((2, 2)), np.ones((2, 2))]))
    0.5
    """
    array = _check_frames(frames, min_frames=2).astype(np.float64)
    return float(np.mean(np.abs(np.diff(array, axis=0))))


def flicker(restored, clean, *, shifts=None) -> float:
    r"""Flicker: how much a restoration's error changes from one frame to the next.

    Parameters
    ----------
    restored : numpy.ndarray
        ``(T, H, W)`` restored (or noisy) frames, ``T >= 2``.
    clean : numpy.ndarray
        ``(T, H, W)`` the true frames.
    shifts : array_like or None
        ``(T, 2)`` motion of the frames (see :func:`estimate_shifts`). When given, both
        sequences are first aligned onto frame 0 (:func:`align_frames`) and a border of
        ``ceil(max |shifts[t] - shifts[0]|) + 2`` pixels is left out: motion
        compensation, so that an error that moves with the scene does not count.

    Returns
    -------
    float
        The mean temporal difference of the error :math:`e_t = \hat x_t - x_t`,

        .. math:: \mathrm{flicker} = \mathrm{MTD}(\hat x - x) = \frac{1}{(T - 1) H W}
                  \sum_{t=0}^{T-2} \sum_p \big| (\hat x_{t+1} - x_{t+1})(p) - (\hat x_t - x_t)(p) \big|,

        on the scale of the frames (multiply by 255 for gray levels). 0 means the
        error, whatever its size, stays the same from frame to frame.

    Notes
    -----
    A viewer forgives a small error that stays put but sees one that changes every
    frame as shimmering or "boiling", even when every single frame looks clean.
    A restoration made frame by frame (a denoiser applied to each frame alone) leaves
    errors that are independent from frame to frame; for independent errors of the
    same distribution :math:`E|e_{t+1} - e_t| = \sqrt 2\, E|e_t|` when they are
    Gaussian, so compare the flicker with the mean absolute error: their ratio goes
    from 0 (an error frozen in time) to about 1.41 (a new error every frame).

    When the camera moves, an error that is fixed to the scene (a blurred edge, a
    texture the method made up) moves with it, and pixel by pixel it changes from
    frame to frame although the viewer sees nothing flicker. Pass `shifts` to
    compare the frames after aligning them, as the warping error of Lai et al.
    (2018) does with optical flow. For a window average of ``N`` aligned frames that
    slides by one frame, consecutive errors share ``N - 1`` noises and the ratio is
    about :math:`\sqrt{2 / N}`.

    Subtracting the truth matters: ``MTD(restored) - MTD(clean)``, a tempting
    shortcut, rewards a method that blurs the moving edges (it then changes less
    than the truth) and can be negative.

    References
    ----------
    .. [1] W.-S. Lai, J.-B. Huang, O. Wang, E. Shechtman, E. Yumer and M.-H. Yang,
           "Learning blind video temporal consistency", ECCV 2018.

    Examples
    --------
    >>> import numpy as np
    >>> clean = np.zeros((3, 64, 64))
    >>> noisy = clean + np.random.default_rng(0).normal(0, 0.1, clean.shape)
    >>> round(flicker(noisy, clean), 2)  # E|n1 - n0| = 0.1 * sqrt(2) * sqrt(2 / pi) = 0.11
    0.11
    >>> flicker(clean + 0.3, clean)  # a constant error does not flicker
    0.0
    >>> scene = np.random.default_rng(1).random((40, 40))
    >>> moving = shift_frames(scene, [[0, 0], [0, 2], [0, 4]], size=24)  # a pan of 2 pixels a frame
    >>> blurred = shift_frames(ndimage.uniform_filter(scene, 3), [[0, 0], [0, 2], [0, 4]], size=24)
    >>> flicker(blurred, moving) > 0.05, flicker(blurred, moving, shifts=[[0, 0], [0, 2], [0, 4]]) < 1e-4
    (True, True)
    """
    restored = _check_frames(restored, "restored", min_frames=2)
    clean = _check_frames(clean, "clean", min_frames=2)
    if restored.shape != clean.shape:
        raise ValueError(f"restored and clean must have the same shape; got {restored.shape} and {clean.shape}")
    if shifts is not None:
        shifts = _check_shifts(shifts, restored.shape[0])
        border = int(math.ceil(float(np.max(np.abs(shifts - shifts[0]))))) + 2
        if 2 * border >= min(restored.shape[1:]):
            raise ValueError(f"shifts up to {border - 2} pixels leave nothing of {restored.shape[1]}x"
                             f"{restored.shape[2]} frames to compare")
        inside = (slice(None), slice(border, -border), slice(border, -border))
        restored = align_frames(restored, shifts)[inside]
        clean = align_frames(clean, shifts)[inside]
    return mean_temporal_difference(restored.astype(np.float64) - clean.astype(np.float64))
