"""MATLAB-compatible bicubic resizing, the downsampling operator of super-resolution.

Super-resolution papers make their low-resolution inputs with MATLAB's
``imresize(hr, 1/scale, 'bicubic')`` and their bicubic baseline with
``imresize(lr, scale, 'bicubic')``. Other resizers (PIL, OpenCV,
``skimage.transform.resize``) use other kernels, centres or border rules, and
their PSNR differs by tenths of a dB, so the course reimplements MATLAB's
algorithm here, in NumPy, to quote numbers that compare with the literature.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import sparse

from .._validation import check_image, check_integer, check_positive

__all__ = [
    "cubic_kernel",
    "imresize",
    "crop_to_multiple",
    "bicubic_downscale",
    "bicubic_upscale",
]

# Support of the cubic kernel: it is non-zero on (-2, 2).
_CUBIC_WIDTH = 4.0


def cubic_kernel(x, a: float = -0.5) -> np.ndarray:
    """Evaluate Keys' cubic convolution kernel, the kernel of bicubic interpolation.

    Parameters
    ----------
    x : array_like
        Distances (in input pixels) at which to evaluate the kernel.
    a : float
        The free parameter of the family; ``a = -0.5`` (MATLAB, Keys) makes the
        interpolant third-order accurate.

    Returns
    -------
    numpy.ndarray
        Kernel values, float64, same shape as `x`.

    Notes
    -----
    With ``t = |x|``:

    .. math::

        k(t) = \\begin{cases}
            (a + 2) t^3 - (a + 3) t^2 + 1 & t \\le 1 \\\\
            a t^3 - 5 a t^2 + 8 a t - 4 a & 1 < t \\le 2 \\\\
            0 & t > 2
        \\end{cases}

    so ``k(0) = 1`` and ``k(n) = 0`` at every other integer: the interpolant
    passes through the samples.

    References
    ----------
    .. [1] R. Keys, "Cubic convolution interpolation for digital image processing",
           IEEE Transactions on Acoustics, Speech, and Signal Processing 29(6),
           1153-1160, 1981.

    Examples
    --------
    >>> cubic_kernel([0.0, 0.5, 1.0, 1.5, 2.0]).tolist()
    [1.0, 0.5625, 0.0, -0.0625, 0.0]
    """
    try:
        t = np.abs(np.asarray(x, dtype=np.float64))
    except (TypeError, ValueError):
        raise ValueError(f"x must be an array of numbers; got {type(x).__name__}") from None
    if not np.all(np.isfinite(t)):
        raise ValueError("x contains NaN or infinite values; expected finite distances")
    if isinstance(a, bool) or not isinstance(a, numbers.Real) or not math.isfinite(a):
        raise ValueError(f"a must be a finite number; got {a!r}")
    t2, t3 = t * t, t * t * t
    inner = (a + 2.0) * t3 - (a + 3.0) * t2 + 1.0
    outer = a * t3 - 5.0 * a * t2 + 8.0 * a * t - 4.0 * a
    return np.where(t <= 1.0, inner, np.where(t <= 2.0, outer, 0.0))


def _contributions(in_length: int, out_length: int, scale: float, antialiasing: bool):
    """Weights and source indices of a 1-D MATLAB bicubic resize.

    Returns ``(weights, indices)``, both of shape ``(out_length, taps)``:
    output sample ``i`` is ``sum_p weights[i, p] * input[indices[i, p]]``.
    This follows ``contributions`` in MATLAB's ``imresize.m``, with 0-based indices.
    """
    if scale < 1.0 and antialiasing:
        # Widen the kernel by 1/scale: the interpolation kernel becomes a low-pass
        # filter whose cut-off matches the new, coarser sampling grid.
        kernel_width = _CUBIC_WIDTH / scale

        def kernel(x):
            return scale * cubic_kernel(scale * x)
    else:
        kernel_width = _CUBIC_WIDTH
        kernel = cubic_kernel
    # Output pixel centres (1-based, as in MATLAB) mapped back to input coordinates,
    # so that 0.5 in output space maps to 0.5 in input space (pixel edges align).
    out_coords = np.arange(1, out_length + 1, dtype=np.float64)
    in_coords = out_coords / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(in_coords - kernel_width / 2.0)
    taps = int(math.ceil(kernel_width)) + 2
    indices = left[:, None] + np.arange(taps)[None, :]  # 1-based, may fall outside
    weights = kernel(in_coords[:, None] - indices)
    weights /= weights.sum(axis=1, keepdims=True)
    # Symmetric padding ("mirror with the edge pixel repeated"): index 0 -> 1,
    # -1 -> 2, n + 1 -> n, ... in 1-based terms.
    mirror = np.concatenate([np.arange(in_length), np.arange(in_length - 1, -1, -1)])
    indices = mirror[np.mod(indices.astype(np.int64) - 1, 2 * in_length)]
    # Drop taps whose weight is zero for every output sample.
    used = np.any(weights != 0.0, axis=0)
    return weights[:, used], indices[:, used]


def _resize_matrix(in_length: int, out_length: int, scale: float, antialiasing: bool):
    """The ``(out_length, in_length)`` sparse matrix of a 1-D MATLAB bicubic resize."""
    weights, indices = _contributions(in_length, out_length, scale, antialiasing)
    rows = np.repeat(np.arange(out_length), weights.shape[1])
    # Taps that mirror onto the same input pixel are summed by the constructor.
    return sparse.csr_array(
        (weights.ravel(), (rows, indices.ravel())), shape=(out_length, in_length)
    )


def _resize_axis(array: np.ndarray, axis: int, out_length: int, scale: float, antialiasing: bool):
    """Resize `array` along one axis: multiply by the resize matrix along that axis."""
    matrix = _resize_matrix(array.shape[axis], out_length, scale, antialiasing)
    moved = np.moveaxis(array, axis, 0)
    result = matrix @ moved.reshape(moved.shape[0], -1)
    return np.moveaxis(result.reshape((out_length,) + moved.shape[1:]), 0, axis)


def _output_length(length: int, scale: float) -> int:
    # ceil(scale * length), MATLAB's rule, with a tolerance for round-off: 1.1 * 50
    # is 55.00000000000001 in floating point and must give 55, not 56.
    return max(1, int(math.ceil(scale * length - 1e-9)))


def imresize(image, scale=None, *, output_shape=None, antialiasing: bool = True) -> np.ndarray:
    """Resize an image exactly like MATLAB's ``imresize(image, scale, 'bicubic')``.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` floating-point image. Any finite
        values are accepted (for example Y on the 8-bit scale, in [16, 235]).
    scale : float, optional
        Resize factor for both axes (``1/3`` shrinks by 3, ``3`` enlarges by 3).
        Give exactly one of `scale` and `output_shape`.
    output_shape : tuple of int, optional
        ``(rows, columns)`` of the result; the per-axis scales are then
        ``rows / H`` and ``columns / W``.
    antialiasing : bool
        Widen the kernel when shrinking (MATLAB's default, ``True``).

    Returns
    -------
    numpy.ndarray
        The resized image with ``ceil(scale * H)`` rows and ``ceil(scale * W)``
        columns (or `output_shape`), in the input's float dtype. Values are
        neither clipped nor rounded: callers that need 8-bit images do that.

    Notes
    -----
    Resizing is separable and linear: each axis is resized in turn by
    multiplying with a sparse ``(new length, old length)`` weight matrix.
    Output sample ``i`` (1-based) sits at input coordinate

    .. math:: u_i = i / s + (1 - 1/s) / 2

    and is ``sum_j h(u_i - j) x_j / sum_j h(u_i - j)`` over input samples ``j``,
    with ``h`` the cubic kernel ``k`` of :func:`cubic_kernel` (``a = -0.5``) when
    enlarging and ``h(x) = s k(s x)`` -- a kernel widened by ``1/s`` to act as
    an anti-aliasing low-pass filter -- when shrinking (``s < 1``). Samples
    outside the image are mirrored with the edge repeated (MATLAB's
    ``'symmetric'`` padding). The axis with the smaller scale is resized first
    (rows first on ties), MATLAB's order of operations.

    The course's super-resolution protocol, which reproduces the reference
    bicubic values on ``astronaut`` (x2: 31.702 dB, x3: 28.681, x4: 26.844):

    1. ``hr_y = np.round(rgb_to_y(hr))``: Y of BT.601 on the 8-bit scale,
       rounded to integers (as MATLAB's ``rgb2ycbcr`` does on ``uint8``);
    2. ``hr_y = crop_to_multiple(hr_y, scale)``;
    3. ``lr = imresize(hr_y, 1 / scale)``, kept in floating point;
    4. ``sr = np.round(np.clip(imresize(lr, scale), 0, 255))``;
    5. PSNR of ``sr`` against ``hr_y`` with ``data_range=255`` after removing
       ``scale`` pixels at each border.

    Rounding the low-resolution image as well lowers the x3 value to 28.678 dB;
    skipping the rounding of Y or of the output raises it to 28.682-28.688 dB.

    References
    ----------
    .. [1] R. Keys, "Cubic convolution interpolation for digital image processing",
           IEEE Transactions on Acoustics, Speech, and Signal Processing 29(6),
           1153-1160, 1981.
    .. [2] C. Dong, C. C. Loy, K. He and X. Tang, "Image super-resolution using deep
           convolutional networks", IEEE TPAMI 38(2), 295-307, 2016 (the
           protocol: MATLAB bicubic, Y channel, border cropped).

    Examples
    --------
    >>> import numpy as np
    >>> image = np.arange(36, dtype=np.float64).reshape(6, 6)
    >>> imresize(image, 0.5).shape
    (3, 3)
    >>> imresize(image, output_shape=(12, 9)).shape
    (12, 9)
    >>> bool(np.allclose(imresize(np.full((5, 7), 0.25), 3), 0.25))
    True
    """
    array = check_image(image, "image")
    in_shape = array.shape[:2]
    if (scale is None) == (output_shape is None):
        raise ValueError(
            "give exactly one of scale and output_shape; got "
            f"scale={scale!r} and output_shape={output_shape!r}"
        )
    if scale is not None:
        scale = check_positive(scale, "scale")
        scales = (scale, scale)
        out_shape = tuple(_output_length(n, scale) for n in in_shape)
    else:
        if (
            isinstance(output_shape, (str, bytes))
            or not hasattr(output_shape, "__len__")
            or len(output_shape) != 2
        ):
            raise ValueError(f"output_shape must be a pair (rows, columns); got {output_shape!r}")
        out_shape = tuple(check_integer(n, "output_shape", minimum=1) for n in output_shape)
        scales = tuple(out / n for out, n in zip(out_shape, in_shape))
    if not isinstance(antialiasing, (bool, np.bool_)):
        raise TypeError(f"antialiasing must be True or False; got {antialiasing!r}")

    result = array.astype(np.float64, copy=False)
    # MATLAB resizes the axis with the smaller scale first (a stable sort: rows on ties).
    for axis in sorted((0, 1), key=lambda axis: scales[axis]):
        if out_shape[axis] == result.shape[axis] and scales[axis] == 1.0:
            continue  # scale 1 is the identity: weights are exactly (0, 1, 0, 0)
        result = _resize_axis(result, axis, out_shape[axis], scales[axis], bool(antialiasing))
    return result.astype(array.dtype, copy=False)


def crop_to_multiple(image, scale: int) -> np.ndarray:
    """Crop the bottom and right edges so height and width are multiples of `scale`.

    This is MATLAB's ``modcrop`` of the super-resolution literature: after it, a
    ``1/scale`` downscale has exactly ``H / scale`` rows and ``W / scale`` columns.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` image.
    scale : int
        Integer factor, at least 1 and at most the image's smaller side.

    Returns
    -------
    numpy.ndarray
        ``image[:H - H % scale, :W - W % scale]`` (a view, same dtype).

    Examples
    --------
    >>> import numpy as np
    >>> crop_to_multiple(np.zeros((10, 11)), 3).shape
    (9, 9)
    """
    array = check_image(image, "image")
    scale = check_integer(scale, "scale", minimum=1, maximum=min(array.shape[:2]))
    height, width = array.shape[:2]
    return array[: height - height % scale, : width - width % scale]


def bicubic_downscale(image, scale: int) -> np.ndarray:
    """Make the low-resolution image of super-resolution: crop, then ``imresize(1/scale)``.

    Parameters
    ----------
    image : numpy.ndarray
        High-resolution gray or RGB image.
    scale : int
        Integer downscaling factor (2, 3, 4, ...).

    Returns
    -------
    numpy.ndarray
        The image cropped with :func:`crop_to_multiple`, then shrunk by `scale`
        with MATLAB-style antialiased bicubic (:func:`imresize`): shape
        ``(H // scale, W // scale[, 3])``. Not clipped or rounded.

    Examples
    --------
    >>> import numpy as np
    >>> bicubic_downscale(np.zeros((10, 11, 3)), 3).shape
    (3, 3, 3)
    """
    cropped = crop_to_multiple(image, scale)
    height, width = cropped.shape[:2]
    return imresize(cropped, output_shape=(height // scale, width // scale))


def bicubic_upscale(image, scale: int) -> np.ndarray:
    """Enlarge an image by an integer `scale` with MATLAB-style bicubic: the classic SR baseline.

    Parameters
    ----------
    image : numpy.ndarray
        Low-resolution gray or RGB image.
    scale : int
        Integer enlargement factor.

    Returns
    -------
    numpy.ndarray
        Shape ``(scale * H, scale * W[, 3])``, not clipped or rounded.

    Examples
    --------
    >>> import numpy as np
    >>> bicubic_upscale(np.zeros((3, 4)), 2).shape
    (6, 8)
    """
    array = check_image(image, "image")
    scale = check_integer(scale, "scale", minimum=1)
    return imresize(array, output_shape=(array.shape[0] * scale, array.shape[1] * scale))
