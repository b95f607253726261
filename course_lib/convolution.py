"""2-D correlation and convolution, written so a learner can read how they work.

:func:`correlate2d` and :func:`convolve2d` use the "shift and add" idea: pad the
image once, then for every kernel tap add ``weight * (the padded image shifted by
that tap)``. That is a loop over the few kernel taps only, each step a whole-image
NumPy operation, so it runs within a small factor of :mod:`scipy.ndimage` (see
``benchmarks/convolution.py``) and gives the same numbers, boundary modes and
kernel-centre conventions as :func:`scipy.ndimage.correlate` and
:func:`scipy.ndimage.convolve`.

:func:`convolve2d_loops` is the four nested loops a learner writes first: the
definition made literal, and very slow. Use it on tiny images only.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import check_choice, check_image, check_kernel

__all__ = ["BOUNDARY_MODES", "correlate2d", "convolve2d", "convolve2d_loops"]

#: SciPy's boundary mode -> the ``numpy.pad`` mode that extends the image the same way.
#: Beware the names: SciPy's ``'reflect'`` repeats the edge pixel (d c b a | a b c d),
#: which NumPy calls ``'symmetric'``; SciPy's ``'mirror'`` does not (d c b | a b c d),
#: which NumPy calls ``'reflect'``.
BOUNDARY_MODES = {
    "reflect": "symmetric",  # d c b a | a b c d | d c b a
    "mirror": "reflect",  # d c b | a b c d | c b a
    "nearest": "edge",  # a a a | a b c d | d d d
    "wrap": "wrap",  # b c d | a b c d | a b c
    "constant": "constant",  # k k k | a b c d | k k k  (k = cval)
}


def _shift_and_add(
    image: np.ndarray, kernel: np.ndarray, anchor: tuple, mode: str, cval: float
) -> np.ndarray:
    """Return ``out[i, j] = sum_{p, q} kernel[p, q] * image[i + p - anchor[0], j + q - anchor[1]]``.

    `image` is float64 ``(H, W)`` or ``(H, W, C)``; pixels outside the image come
    from padding it with `mode`.
    """
    kernel_height, kernel_width = kernel.shape
    anchor_row, anchor_col = anchor
    # Enough padding that every shifted view below stays inside the padded array:
    # `anchor` rows/columns before the image and the rest of the kernel after it.
    pad_width = [(anchor_row, kernel_height - 1 - anchor_row), (anchor_col, kernel_width - 1 - anchor_col)]
    pad_width += [(0, 0)] * (image.ndim - 2)  # never pad across colour channels
    pad_options = {"constant_values": cval} if mode == "constant" else {}
    padded = np.pad(image, pad_width, mode=BOUNDARY_MODES[mode], **pad_options)

    height, width = image.shape[:2]
    output = np.zeros_like(image)
    term = np.empty_like(image)  # reused buffer, so the loop allocates nothing
    for row in range(kernel_height):
        for col in range(kernel_width):
            weight = kernel[row, col]
            if weight == 0:
                continue
            # padded[row + i, col + j] == image[i + row - anchor_row, j + col - anchor_col]
            np.multiply(padded[row : row + height, col : col + width], weight, out=term)
            output += term
    return output


def _prepare(image, kernel, mode, cval):
    array = check_image(image, "image")
    kernel = check_kernel(kernel, "kernel")
    check_choice(mode, "mode", BOUNDARY_MODES)
    if isinstance(cval, bool) or not isinstance(cval, numbers.Real) or not np.isfinite(cval):
        raise ValueError(f"cval must be a finite number; got {cval!r}")
    return array, kernel, float(cval)


def correlate2d(image, kernel, *, mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
    """Correlate an image with a 2-D kernel (a sliding weighted sum).

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` float image; RGB channels are
        filtered separately with the same kernel.
    kernel : array_like
        2-D array of weights, any size (odd or even, larger than the image too).
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}
        How the image is extended beyond its border, with SciPy's meanings (see
        :data:`BOUNDARY_MODES`).
    cval : float
        The value outside the image when ``mode="constant"``.

    Returns
    -------
    numpy.ndarray
        The filtered image, same shape and dtype as `image` (computed in float64).

    Notes
    -----
    For a :math:`K_h \\times K_w` kernel :math:`w` with centre
    :math:`(c_h, c_w) = (\\lfloor K_h/2 \\rfloor, \\lfloor K_w/2 \\rfloor)`,

    .. math:: y[i, j] = \\sum_{p=0}^{K_h-1} \\sum_{q=0}^{K_w-1} w[p, q]\\; x[i + p - c_h,\\, j + q - c_w].

    The double sum is computed tap by tap: the image is padded once, and each
    term :math:`w[p, q]\\, x[\\cdot + p - c_h, \\cdot + q - c_w]` is a shifted
    view of the padded image times one number. The result equals
    ``scipy.ndimage.correlate(image, kernel, mode=mode, cval=cval)`` (per
    channel for RGB).

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((5, 5)); image[2, 2] = 1.0
    >>> kernel = np.array([[1.0, 2.0, 3.0]])
    >>> correlate2d(image, kernel)[2]  # correlation flips the kernel on an impulse
    array([0., 3., 2., 1., 0.])
    """
    array, kernel, cval = _prepare(image, kernel, mode, cval)
    anchor = (kernel.shape[0] // 2, kernel.shape[1] // 2)
    return _shift_and_add(array.astype(np.float64), kernel, anchor, mode, cval).astype(array.dtype)


def convolve2d(image, kernel, *, mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
    """Convolve an image with a 2-D kernel: correlation with the kernel flipped.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` float image; RGB channels are
        filtered separately.
    kernel : array_like
        2-D array of weights, any size.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant"}
        Boundary handling, with SciPy's meanings (see :data:`BOUNDARY_MODES`).
    cval : float
        The value outside the image when ``mode="constant"``.

    Returns
    -------
    numpy.ndarray
        The filtered image, same shape and dtype as `image`.

    Notes
    -----
    With the kernel centre :math:`(c_h, c_w) = (\\lfloor K_h/2 \\rfloor, \\lfloor K_w/2 \\rfloor)`,

    .. math:: y[i, j] = \\sum_{p, q} w[p, q]\\; x[i - p + c_h,\\, j - q + c_w],

    which is :func:`correlate2d` with :math:`w` flipped in both directions,
    :math:`w'[p, q] = w[K_h - 1 - p, K_w - 1 - q]`. For an even size the
    flipped kernel's centre moves by one, to :math:`K - 1 - c = \\lfloor (K-1)/2 \\rfloor`.
    An impulse comes out as a copy of the kernel (the point-spread function).
    The result equals ``scipy.ndimage.convolve(image, kernel, mode=mode, cval=cval)``.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((5, 5)); image[2, 2] = 1.0
    >>> convolve2d(image, np.array([[1.0, 2.0, 3.0]]))[2]  # the impulse response is the kernel
    array([0., 1., 2., 3., 0.])
    """
    array, kernel, cval = _prepare(image, kernel, mode, cval)
    flipped = kernel[::-1, ::-1]
    anchor = ((kernel.shape[0] - 1) // 2, (kernel.shape[1] - 1) // 2)
    return _shift_and_add(array.astype(np.float64), flipped, anchor, mode, cval).astype(array.dtype)


def convolve2d_loops(image, kernel) -> np.ndarray:
    """Convolution written as four nested loops: the definition, made literal.

    This is the version a learner writes first. It is about a thousand times
    slower than :func:`convolve2d` (pure Python does one multiply-add at a
    time), so keep to tiny images (say 32x32) and use :func:`convolve2d` or
    :func:`scipy.ndimage.convolve` for real work.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` float image (RGB: one channel at a time).
    kernel : array_like
        2-D array of weights.

    Returns
    -------
    numpy.ndarray
        The same result as ``convolve2d(image, kernel)`` (boundary mode
        ``"reflect"``), same dtype as `image`.

    Notes
    -----
    .. math:: y[i, j] = \\sum_{p, q} w[p, q]\\; x[i - p + c_h,\\, j - q + c_w],
              \\quad (c_h, c_w) = (\\lfloor K_h/2 \\rfloor, \\lfloor K_w/2 \\rfloor),

    with the image extended by reflection at its border (edge pixel repeated).

    Examples
    --------
    >>> import numpy as np
    >>> image = np.arange(16.0).reshape(4, 4)
    >>> kernel = np.ones((3, 3)) / 9
    >>> bool(np.allclose(convolve2d_loops(image, kernel), convolve2d(image, kernel)))
    True
    """
    array = check_image(image, "image")
    kernel = check_kernel(kernel, "kernel")
    if array.ndim == 3:
        channels = [convolve2d_loops(array[..., c], kernel) for c in range(array.shape[-1])]
        return np.stack(channels, axis=-1)

    height, width = array.shape
    kernel_height, kernel_width = kernel.shape
    center_row, center_col = kernel_height // 2, kernel_width // 2
    # Pad so that every index i - p + center_row is inside: up to kernel_height - 1 - center_row
    # rows are needed above the image and center_row below it.
    top, left = kernel_height - 1 - center_row, kernel_width - 1 - center_col
    padded = np.pad(
        array.astype(np.float64),
        ((top, center_row), (left, center_col)),
        mode="symmetric",  # SciPy's "reflect"
    )
    output = np.zeros((height, width))
    for i in range(height):
        for j in range(width):
            total = 0.0
            for p in range(kernel_height):
                for q in range(kernel_width):
                    total += kernel[p, q] * padded[i - p + center_row + top, j - q + center_col + left]
            output[i, j] = total
    return output.astype(array.dtype)
