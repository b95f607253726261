"""Blur: the linear operator ``A`` of a deblurring problem, ``y = k * x + n``.

Kernels are small 2-D arrays that sum to 1 (blur moves light around, it does
not create or absorb it); :func:`blur` convolves each channel of an image with one.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import ndimage

from .._validation import (
    check_choice,
    check_image,
    check_integer,
    check_kernel,
    check_positive,
)

__all__ = ["gaussian_kernel", "motion_kernel", "blur", "gaussian_blur", "motion_blur"]

_MODES = ("reflect", "nearest", "mirror", "wrap", "constant")


def gaussian_kernel(size: int, sigma: float) -> np.ndarray:
    """A normalised, isotropic 2-D Gaussian kernel.

    Parameters
    ----------
    size : int
        Side length, a positive odd number (the kernel is centred on its middle
        pixel). ``2 * ceil(3 * sigma) + 1`` keeps 99.7 % of the mass per axis.
    sigma : float
        Standard deviation in pixels, positive.

    Returns
    -------
    numpy.ndarray
        ``(size, size)`` float64 kernel that sums to 1.

    Notes
    -----
    ``k[i, j] = exp(-(i^2 + j^2) / (2 sigma^2)) / Z`` for offsets ``i, j`` from the
    centre, with ``Z`` the sum over the window (so truncation does not darken
    the image).

    Examples
    --------
    >>> kernel = gaussian_kernel(5, 1.0)
    >>> kernel.shape, round(float(kernel.sum()), 12)
    ((5, 5), 1.0)
    """
    size = check_integer(size, "size", minimum=1)
    if size % 2 == 0:
        raise ValueError(f"size must be odd so the kernel has a centre pixel; got {size}")
    sigma = check_positive(sigma, "sigma")
    offsets = np.arange(size) - size // 2
    profile = np.exp(-(offsets.astype(np.float64) ** 2) / (2.0 * sigma**2))
    kernel = np.outer(profile, profile)
    return kernel / kernel.sum()


def motion_kernel(length: float, angle: float = 0.0) -> np.ndarray:
    """A linear motion-blur kernel: an anti-aliased line segment of `length` pixels.

    Parameters
    ----------
    length : float
        Length of the motion in pixels, at least 1 (``1`` is no blur).
    angle : float
        Direction of the motion in degrees, counter-clockwise; ``0`` is
        horizontal, ``90`` vertical.

    Returns
    -------
    numpy.ndarray
        Square kernel of odd size, float64, summing to 1, point-symmetric about
        its centre pixel.

    Notes
    -----
    The segment of half-length ``(length - 1) / 2`` is centred on the middle
    pixel and points along ``(row, col) = (-sin(angle), cos(angle))`` (rows grow
    downwards). A pixel at distance ``d`` from the segment gets weight
    ``max(0, 1 - d)``, which anti-aliases slanted lines and gives fractional
    lengths partial end pixels: the middle row of ``motion_kernel(4, 0)`` is
    ``[0.125, 0.25, 0.25, 0.25, 0.125]`` (weights ``1/2, 1, 1, 1, 1/2`` over a
    total of 4).
    A camera moving at constant speed during the exposure smears each point
    of the scene along such a segment.

    Examples
    --------
    >>> motion_kernel(3, 0)
    array([[0.        , 0.        , 0.        ],
           [0.33333333, 0.33333333, 0.33333333],
           [0.        , 0.        , 0.        ]])
    """
    length = check_positive(length, "length")
    if length < 1:
        raise ValueError(f"length must be at least 1 pixel; got {length}")
    if isinstance(angle, bool) or not isinstance(angle, numbers.Real):
        raise TypeError(f"angle must be a number of degrees; got {type(angle).__name__}")
    if not math.isfinite(float(angle)):
        raise ValueError(f"angle must be a finite number of degrees; got {angle}")
    half = (length - 1.0) / 2.0
    radius = int(math.ceil(half)) + 1
    theta = math.radians(float(angle))
    direction = np.array([-math.sin(theta), math.cos(theta)])
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)
    rows, cols = np.meshgrid(offsets, offsets, indexing="ij")
    # Distance from each pixel centre to the segment [-half, half] * direction.
    along = np.clip(rows * direction[0] + cols * direction[1], -half, half)
    distance = np.hypot(rows - along * direction[0], cols - along * direction[1])
    kernel = np.clip(1.0 - distance, 0.0, None)
    kernel[np.abs(kernel) < 1e-12] = 0.0  # round-off from sin/cos at multiples of 90 degrees
    # Trim outer rings that are entirely zero (the kernel stays square and centred).
    while kernel.shape[0] > 1 and not (
        kernel[0].any() or kernel[-1].any() or kernel[:, 0].any() or kernel[:, -1].any()
    ):
        kernel = kernel[1:-1, 1:-1]
    return kernel / kernel.sum()


def blur(image, kernel, *, mode: str = "reflect") -> np.ndarray:
    """Convolve each channel of `image` with `kernel`.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` float image.
    kernel : array_like
        2-D blur kernel (normally summing to 1, e.g. from :func:`gaussian_kernel`
        or :func:`motion_kernel`). Odd sizes keep the image centred.
    mode : {'reflect', 'nearest', 'mirror', 'wrap', 'constant'}
        How the image is extended beyond its borders
        (see :func:`scipy.ndimage.convolve`); ``'wrap'`` gives circular
        convolution, the model that FFT-based deconvolution assumes.

    Returns
    -------
    numpy.ndarray
        The blurred image, same shape and float dtype as `image`.

    Notes
    -----
    ``y[m, n] = sum_{i, j} k[i, j] x[m - i, n - j]`` with offsets ``i, j`` measured
    from the kernel centre: a true convolution (the kernel is flipped), which
    matters for kernels that are not point-symmetric.

    Examples
    --------
    >>> import numpy as np
    >>> flat = np.full((8, 8), 0.3, dtype=np.float32)
    >>> bool(np.allclose(blur(flat, gaussian_kernel(5, 1.0)), 0.3))
    True
    """
    array = check_image(image, "image")
    kernel = check_kernel(kernel, "kernel")
    check_choice(mode, "mode", _MODES)
    if array.ndim == 2:
        return ndimage.convolve(array, kernel, mode=mode)
    return np.stack(
        [ndimage.convolve(array[..., channel], kernel, mode=mode) for channel in range(array.shape[-1])],
        axis=-1,
    )


def gaussian_blur(
    image, sigma: float, *, kernel_size: int | None = None, mode: str = "reflect"
) -> np.ndarray:
    """Blur with a Gaussian of standard deviation `sigma` pixels (defocus, atmosphere).

    Parameters
    ----------
    image : numpy.ndarray
        Gray or RGB float image.
    sigma : float
        Standard deviation of the kernel in pixels, positive.
    kernel_size : int, optional
        Odd side length of the kernel; by default ``2 * ceil(3 * sigma) + 1``.
    mode : str
        Border handling, see :func:`blur`.

    Returns
    -------
    numpy.ndarray
        ``blur(image, gaussian_kernel(kernel_size, sigma), mode=mode)``.

    Examples
    --------
    >>> import numpy as np
    >>> gaussian_blur(np.zeros((16, 16)), sigma=1.5).shape
    (16, 16)
    """
    sigma = check_positive(sigma, "sigma")
    if kernel_size is None:
        kernel_size = _default_kernel_size(sigma)
    return blur(image, gaussian_kernel(kernel_size, sigma), mode=mode)


def motion_blur(image, length: float, angle: float = 0.0, *, mode: str = "reflect") -> np.ndarray:
    """Blur along a straight line of `length` pixels at `angle` degrees (camera shake).

    Parameters
    ----------
    image : numpy.ndarray
        Gray or RGB float image.
    length : float
        Length of the motion in pixels, at least 1.
    angle : float
        Direction in degrees, counter-clockwise from horizontal.
    mode : str
        Border handling, see :func:`blur`.

    Returns
    -------
    numpy.ndarray
        ``blur(image, motion_kernel(length, angle), mode=mode)``.

    Examples
    --------
    >>> import numpy as np
    >>> motion_blur(np.zeros((16, 16, 3)), length=7, angle=45).shape
    (16, 16, 3)
    """
    return blur(image, motion_kernel(length, angle), mode=mode)


def _default_kernel_size(sigma: float) -> int:
    """The default odd kernel size for `sigma`: ``2 * ceil(3 * sigma) + 1``."""
    return 2 * int(math.ceil(3.0 * sigma)) + 1
