"""The frequency domain: spectra, transfer functions, Wiener deconvolution, low-pass filters.

The discrete Fourier transform turns a *circular* convolution into a product,
:math:`\\mathcal{F}(h \\circledast x) = H \\cdot X`, so blurring, deblurring and
low-pass filtering all become one multiplication per frequency. Everything here
assumes that circular (``mode="wrap"``) boundary: a blur made with
``scipy.ndimage.convolve(image, psf, mode="wrap")`` is undone exactly, while a blur
with another boundary leaves small ringing at the image border.

Frequencies are measured in cycles per pixel, from -0.5 to 0.5 (the Nyquist
frequency is 0.5), as returned by :func:`numpy.fft.fftfreq`.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_image, check_integer, check_kernel, check_positive
from .color import rgb_to_gray

__all__ = [
    "spectrum",
    "psf_to_otf",
    "wiener_deconvolve",
    "ideal_lowpass",
    "gaussian_lowpass",
    "frequency_radius",
]


def spectrum(image) -> np.ndarray:
    """Centred log-magnitude of the 2-D Fourier transform, for display.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` float image; RGB is converted to
        gray first (:func:`course_lib.color.rgb_to_gray`).

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` float64 array :math:`\\log(1 + |X|)` with the zero frequency
        in the centre, at ``(H // 2, W // 2)``.

    Notes
    -----
    :math:`X[k, l] = \\sum_{m, n} x[m, n]\\, e^{-2\\pi i (k m / H + l n / W)}`.
    The magnitudes of natural images fall off roughly as :math:`1/f`, over many
    orders of magnitude, hence the logarithm; ``numpy.fft.fftshift`` moves the
    zero frequency (the image mean times :math:`H W`) from the corner to the
    centre, so low frequencies sit in the middle and edges show up as lines
    through it, perpendicular to the edge.

    Examples
    --------
    >>> import numpy as np
    >>> magnitude = spectrum(np.ones((4, 4)))
    >>> float(np.expm1(magnitude[2, 2])), float(magnitude.sum() - magnitude[2, 2])
    (16.0, 0.0)
    """
    array = check_image(image, "image")
    if array.ndim == 3:
        array = rgb_to_gray(array)
    transform = np.fft.fftshift(np.fft.fft2(array.astype(np.float64)))
    return np.log1p(np.abs(transform))


def psf_to_otf(psf, shape) -> np.ndarray:
    """Transfer function (OTF) of a point-spread function for images of a given size.

    Parameters
    ----------
    psf : array_like
        2-D blur kernel, the same array you would pass to
        ``scipy.ndimage.convolve``; its centre is the element
        ``(kh // 2, kw // 2)``.
    shape : tuple of int
        ``(H, W)`` of the images (a longer shape such as ``image.shape`` is
        accepted; only the first two entries are used). Must be at least the
        size of `psf`.

    Returns
    -------
    numpy.ndarray
        Complex ``(H, W)`` array :math:`H = \\mathcal{F}(h)`, with
        ``numpy.fft.fft2`` frequency order (zero frequency at ``[0, 0]``).

    Notes
    -----
    The PSF is zero-padded to ``shape`` and shifted circularly so that its centre
    lands on pixel ``(0, 0)``: :math:`h[m, n] = \\text{psf}[(m + c_h) \\bmod H,
    (n + c_w) \\bmod W]` (pixels left of or above the centre wrap to the far
    side). Without the shift the OTF would carry a phase ramp, i.e. the
    deblurred image would come out translated. With it,
    ``np.real(np.fft.ifft2(psf_to_otf(psf, x.shape) * np.fft.fft2(x)))`` equals
    ``scipy.ndimage.convolve(x, psf, mode="wrap")``. This is MATLAB's ``psf2otf``
    for odd-sized kernels.

    Examples
    --------
    >>> import numpy as np
    >>> delta = np.zeros((3, 3)); delta[1, 1] = 1.0
    >>> bool(np.allclose(psf_to_otf(delta, (8, 8)), 1.0))
    True
    """
    psf = check_kernel(psf, "psf")
    shape = _check_shape(shape, psf.shape)
    padded = np.zeros(shape)
    padded[: psf.shape[0], : psf.shape[1]] = psf
    centre = (psf.shape[0] // 2, psf.shape[1] // 2)
    padded = np.roll(padded, (-centre[0], -centre[1]), axis=(0, 1))
    return np.fft.fft2(padded)


def _check_shape(shape, psf_shape) -> tuple:
    try:
        values = tuple(shape)
    except TypeError:
        raise ValueError(f"shape must be a tuple (H, W); got {shape!r}") from None
    if len(values) < 2:
        raise ValueError(f"shape must be a tuple (H, W); got {shape!r}")
    height = check_integer(values[0], "shape[0]", minimum=1)
    width = check_integer(values[1], "shape[1]", minimum=1)
    if height < psf_shape[0] or width < psf_shape[1]:
        raise ValueError(f"shape {(height, width)} must be at least the psf's size {psf_shape}")
    return height, width


def _apply_transfer(array: np.ndarray, transfer: np.ndarray) -> np.ndarray:
    """Multiply each channel's spectrum by `transfer` and transform back (real part)."""
    values = array.astype(np.float64)
    if values.ndim == 3:
        spectra = np.fft.fft2(values, axes=(0, 1)) * transfer[..., np.newaxis]
        return np.real(np.fft.ifft2(spectra, axes=(0, 1)))
    return np.real(np.fft.ifft2(np.fft.fft2(values) * transfer))


def wiener_deconvolve(image, psf, *, balance: float, clip: bool = True) -> np.ndarray:
    """Undo a known blur with the Wiener filter (or, with ``balance=0``, the inverse filter).

    Parameters
    ----------
    image : numpy.ndarray
        Blurred (and possibly noisy) gray ``(H, W)`` or RGB ``(H, W, 3)`` image;
        RGB channels are deconvolved separately with the same `psf`.
    psf : array_like
        The 2-D blur kernel (point-spread function), as for
        ``scipy.ndimage.convolve``.
    balance : float
        The regularisation :math:`\\lambda \\ge 0` added to :math:`|H|^2`,
        roughly the noise-to-signal power ratio. 0 gives the naive inverse
        filter :math:`Y / H`, which amplifies noise without bound where
        :math:`|H|` is small; larger values suppress those frequencies instead.
    clip : bool
        Clip the result to [0, 1] (the default, ready to display and score).

    Returns
    -------
    numpy.ndarray
        The deconvolved image, same shape and dtype as `image`.

    Notes
    -----
    With :math:`Y = \\mathcal{F}(y)` and :math:`H` from :func:`psf_to_otf`,

    .. math::

        \\hat X = \\frac{\\overline{H}\\, Y}{|H|^2 + \\lambda}, \\qquad
        \\hat x = \\mathrm{Re}\\,\\mathcal{F}^{-1}(\\hat X).

    For :math:`y = h \\circledast x + n` with white noise of variance
    :math:`\\sigma^2` and a signal of power spectrum :math:`S_x`, the choice
    :math:`\\lambda = \\sigma^2 / S_x` minimises the expected squared error
    (Wiener, 1949); a constant :math:`\\lambda` is the usual simplification.
    Where :math:`H = 0` and :math:`\\lambda = 0` the frequency is set to 0.

    References
    ----------
    .. [1] N. Wiener, *Extrapolation, Interpolation, and Smoothing of Stationary
       Time Series*, MIT Press, 1949.
    .. [2] R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed.,
       Pearson, 2018, chapter 5.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import ndimage
    >>> image = np.random.default_rng(0).random((32, 32))
    >>> psf = np.outer([1, 4, 1], [1, 4, 1]) / 36  # its OTF has no zeros
    >>> blurred = ndimage.convolve(image, psf, mode="wrap")
    >>> restored = wiener_deconvolve(blurred, psf, balance=1e-12)
    >>> bool(np.abs(restored - image).max() < 1e-6)
    True
    """
    array = check_image(image, "image")
    psf = check_kernel(psf, "psf")
    balance = check_positive(balance, "balance", allow_zero=True)
    if psf.shape[0] > array.shape[0] or psf.shape[1] > array.shape[1]:
        raise ValueError(f"psf of shape {psf.shape} is larger than the image {array.shape[:2]}")
    otf = psf_to_otf(psf, array.shape[:2])
    denominator = np.abs(otf) ** 2 + balance
    with np.errstate(divide="ignore", invalid="ignore"):
        transfer = np.where(denominator > 0, np.conj(otf) / denominator, 0.0)
    result = _apply_transfer(array, transfer)
    if clip:
        result = np.clip(result, 0.0, 1.0)
    return result.astype(array.dtype)


def frequency_radius(shape) -> np.ndarray:
    """Distance of each DFT frequency from zero, in cycles per pixel.

    Parameters
    ----------
    shape : tuple of int
        ``(H, W)`` of the image.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` array :math:`\\sqrt{f_y^2 + f_x^2}` in ``numpy.fft.fft2``
        order, with :math:`f_y, f_x` from :func:`numpy.fft.fftfreq`
        (values in [-0.5, 0.5)).

    Examples
    --------
    >>> frequency_radius((4, 4))[0]
    array([0.  , 0.25, 0.5 , 0.25])
    """
    height, width = _check_shape(shape, (1, 1))
    frequency_y = np.fft.fftfreq(height)[:, np.newaxis]
    frequency_x = np.fft.fftfreq(width)[np.newaxis, :]
    return np.sqrt(frequency_y**2 + frequency_x**2)


def ideal_lowpass(image, cutoff: float) -> np.ndarray:
    """Keep the frequencies below `cutoff` and remove all the others.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` float image (channels separately).
    cutoff : float
        Radius of the pass band in cycles per pixel, in (0, 0.5 * sqrt(2)];
        0.5 is the Nyquist frequency along each axis.

    Returns
    -------
    numpy.ndarray
        The filtered image, same shape and dtype (not clipped).

    Notes
    -----
    The transfer function is the disc :math:`H(f) = 1` if
    :math:`\\sqrt{f_y^2 + f_x^2} \\le f_c` (`cutoff`) and 0 otherwise. Its
    sharp edge in frequency makes a sinc-like kernel in space, so edges in the
    image ring (the Gibbs phenomenon): compare :func:`gaussian_lowpass`.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.full((8, 8), 0.25)  # only the zero frequency
    >>> bool(np.allclose(ideal_lowpass(image, 0.1), 0.25))
    True
    """
    array = check_image(image, "image")
    cutoff = check_positive(cutoff, "cutoff")
    transfer = (frequency_radius(array.shape[:2]) <= cutoff).astype(np.float64)
    return _apply_transfer(array, transfer).astype(array.dtype)


def gaussian_lowpass(image, sigma_frequency: float) -> np.ndarray:
    """Attenuate high frequencies smoothly with a Gaussian transfer function.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` float image (channels separately).
    sigma_frequency : float
        Standard deviation :math:`\\sigma_f` of the Gaussian, in cycles per pixel.

    Returns
    -------
    numpy.ndarray
        The filtered image, same shape and dtype.

    Notes
    -----
    :math:`H(f) = \\exp(-(f_y^2 + f_x^2) / (2 \\sigma_f^2))`. The Fourier
    transform of a Gaussian is a Gaussian, so this is (up to sampling) a
    circular Gaussian blur with spatial standard deviation
    :math:`\\sigma_s = 1 / (2 \\pi \\sigma_f)` pixels: no ringing, unlike
    :func:`ideal_lowpass`.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import ndimage
    >>> image = np.random.default_rng(0).random((64, 64))
    >>> smooth = gaussian_lowpass(image, 1 / (2 * np.pi * 2.0))
    >>> bool(np.allclose(smooth, ndimage.gaussian_filter(image, 2.0, mode="wrap"), atol=1e-4))
    True
    """
    array = check_image(image, "image")
    sigma_frequency = check_positive(sigma_frequency, "sigma_frequency")
    radius = frequency_radius(array.shape[:2])
    transfer = np.exp(-(radius**2) / (2 * sigma_frequency**2))
    return _apply_transfer(array, transfer).astype(array.dtype)
