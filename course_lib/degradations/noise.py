"""Noise models: the ``+ n`` of the forward model ``y = A(x) + n``.

Every function that adds noise takes a float image in [0, 1] (gray ``(H, W)`` or RGB
``(H, W, 3)``) and a `seed` (an int, a :class:`numpy.random.Generator` or None), and
returns a new float32 image; the input is never modified.

:func:`anscombe` and :func:`inverse_anscombe` turn Poisson noise into noise of
variance about 1 and back, so that a denoiser made for Gaussian noise can be used
on photon-counting images.
"""

from __future__ import annotations

import functools

import numpy as np

from .._validation import check_choice, check_image, check_in_range, check_positive, make_rng

__all__ = ["add_gaussian_noise", "add_poisson_noise", "add_salt_and_pepper", "estimate_sigma", "anscombe",
           "inverse_anscombe", "ANSCOMBE_INVERSES"]

#: The inverses :func:`inverse_anscombe` knows.
ANSCOMBE_INVERSES = ("exact_unbiased", "asymptotic", "algebraic")


def add_gaussian_noise(image, sigma, *, seed=None, clip: bool = False) -> np.ndarray:
    """Add white Gaussian noise of standard deviation ``sigma / 255``.

    Parameters
    ----------
    image : numpy.ndarray
        Clean gray or RGB image, float, values in [0, 1].
    sigma : float
        Noise level on the 8-bit scale (0-255), as in the denoising literature:
        ``sigma=25`` adds noise of standard deviation 25/255 ~ 0.098.
    seed : int, numpy.random.Generator or None
        Source of randomness; the same int gives the same noise.
    clip : bool
        Clip the result to [0, 1]. The default, False, is the protocol of the
        denoising papers (noise is added without clipping), so the noise stays
        zero-mean with exactly the stated standard deviation.

    Returns
    -------
    numpy.ndarray
        ``image + n`` as float32, same shape as `image`.

    Notes
    -----
    Each pixel (and each channel of an RGB pixel) receives an independent
    sample ``n ~ N(0, (sigma / 255)^2)``. Clipping makes the noise
    signal-dependent and biased near black and white, which is why the
    standard protocol does not clip.

    References
    ----------
    .. [1] K. Zhang, W. Zuo, Y. Chen, D. Meng and L. Zhang, "Beyond a Gaussian
           denoiser: residual learning of deep CNN for image denoising", IEEE
           Transactions on Image Processing 26(7), 3142-3155, 2017.

    Examples
    --------
    >>> import numpy as np
    >>> noisy = add_gaussian_noise(np.full((64, 64), 0.5), sigma=25, seed=0)
    >>> noisy.dtype, round(float(noisy.std() * 255))
    (dtype('float32'), 25)
    """
    array = check_image(image, "image")
    sigma = check_positive(sigma, "sigma", allow_zero=True)
    rng = make_rng(seed)
    noisy = array.astype(np.float64) + rng.standard_normal(array.shape) * (sigma / 255.0)
    if clip:
        noisy = np.clip(noisy, 0.0, 1.0)
    return noisy.astype(np.float32)


def add_poisson_noise(image, peak, *, seed=None) -> np.ndarray:
    """Simulate photon-counting (shot) noise: ``y = Poisson(peak * x) / peak``.

    Parameters
    ----------
    image : numpy.ndarray
        Clean gray or RGB image, float, non-negative (normally in [0, 1]).
    peak : float
        Expected photon count of a white pixel. Lower `peak` means fewer photons
        and a noisier image: ``peak=1000`` is nearly clean, ``peak=10`` is a
        low-dose medical or night-time image.
    seed : int, numpy.random.Generator or None
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        The noisy image, float32, same shape as `image`.

    Notes
    -----
    A pixel of intensity ``x`` collects ``k ~ Poisson(peak * x)`` photons and is
    read out as ``k / peak``, so ``E[y] = x`` and ``Var[y] = x / peak``: the noise
    grows with the signal, unlike Gaussian noise, and the signal-to-noise ratio
    ``sqrt(peak * x)`` improves with the dose.

    References
    ----------
    .. [1] M. Makitalo and A. Foi, "Optimal inversion of the Anscombe
           transformation in low-count Poisson image denoising", IEEE
           Transactions on Image Processing 20(1), 99-109, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> noisy = add_poisson_noise(np.full((100, 100), 0.5), peak=50, seed=0)
    >>> round(float(noisy.var()), 2)  # x / peak = 0.5 / 50
    0.01
    """
    array = check_image(image, "image")
    peak = check_positive(peak, "peak")
    low = float(array.min())
    if low < 0:
        raise ValueError(
            f"image must be non-negative for Poisson noise (intensities are photon counts); "
            f"got a minimum of {low:.4g} (clip it with np.clip(image, 0, 1))"
        )
    rng = make_rng(seed)
    counts = rng.poisson(peak * array.astype(np.float64))
    return (counts / peak).astype(np.float32)


def add_salt_and_pepper(image, amount, *, salt_fraction: float = 0.5, seed=None) -> np.ndarray:
    """Set a fraction `amount` of the pixels to white (salt) or black (pepper).

    Parameters
    ----------
    image : numpy.ndarray
        Clean gray or RGB image, float, values in [0, 1].
    amount : float
        Fraction of pixels to corrupt, in [0, 1]. Exactly
        ``round(amount * H * W)`` pixels are chosen, without replacement.
    salt_fraction : float
        Fraction of the corrupted pixels set to 1 (salt); the rest are set to 0
        (pepper).
    seed : int, numpy.random.Generator or None
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        The corrupted image, float32. For RGB images the whole pixel (all three
        channels) is set, as a dead or saturated sensor pixel would be.

    Notes
    -----
    Impulse noise destroys pixels instead of perturbing them: a corrupted pixel
    carries no information about the clean one. Averaging filters smear it;
    the median filter removes it, which is why it is the classic example for
    order-statistic filters.

    Examples
    --------
    >>> import numpy as np
    >>> noisy = add_salt_and_pepper(np.full((10, 10), 0.5), amount=0.2, seed=0)
    >>> int(np.sum(noisy != 0.5))
    20
    """
    array = check_image(image, "image")
    amount = check_in_range(amount, "amount", 0.0, 1.0)
    salt_fraction = check_in_range(salt_fraction, "salt_fraction", 0.0, 1.0)
    rng = make_rng(seed)
    height, width = array.shape[:2]
    count = int(round(amount * height * width))
    salt_count = int(round(salt_fraction * count))
    chosen = rng.choice(height * width, size=count, replace=False)
    noisy = array.astype(np.float32)  # a copy: the input is never modified
    flat = noisy.reshape(height * width, -1)
    flat[chosen[:salt_count]] = 1.0
    flat[chosen[salt_count:]] = 0.0
    return noisy


def estimate_sigma(image) -> float:
    """Estimate the standard deviation of additive Gaussian noise, on the 8-bit scale.

    Wraps :func:`skimage.restoration.estimate_sigma` (averaged over channels for
    RGB images) and multiplies by 255, so the result compares directly with the
    `sigma` of :func:`add_gaussian_noise`.

    Parameters
    ----------
    image : numpy.ndarray
        Noisy gray or RGB image, float.

    Returns
    -------
    float
        The estimated noise level ``sigma`` (0-255 scale).

    Notes
    -----
    The estimator is the robust median rule of wavelet denoising:
    ``sigma = median(|d|) / 0.6745`` over the finest diagonal wavelet
    coefficients ``d``, which are mostly noise in natural images. It
    overestimates the noise of strongly textured images.

    References
    ----------
    .. [1] D. L. Donoho and I. M. Johnstone, "Ideal spatial adaptation by wavelet
           shrinkage", Biometrika 81(3), 425-455, 1994.

    Examples
    --------
    >>> import numpy as np
    >>> noisy = add_gaussian_noise(np.full((128, 128), 0.5), sigma=20, seed=0)
    >>> abs(estimate_sigma(noisy) - 20) < 1.5
    True
    """
    from skimage.restoration import estimate_sigma as _skimage_estimate_sigma

    array = check_image(image, "image", min_size=2)
    channel_axis = -1 if array.ndim == 3 else None
    sigma = _skimage_estimate_sigma(
        array.astype(np.float64), channel_axis=channel_axis, average_sigmas=True
    )
    return float(sigma) * 255.0


def _check_values(values, name: str) -> np.ndarray:
    """A finite, real, numeric array (any shape), as float64."""
    if values is None:
        raise TypeError(f"{name} is None; expected a number or a NumPy array")
    array = np.asarray(values)
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ValueError(f"{name} has dtype {array.dtype}; expected real numbers")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values; expected finite numbers")
    return array


def anscombe(counts) -> np.ndarray:
    r"""The Anscombe transform, which makes Poisson noise nearly Gaussian with variance 1.

    Parameters
    ----------
    counts : array_like
        Non-negative photon counts ``k`` (any shape), e.g. ``peak * y`` for an image
        ``y`` from :func:`add_poisson_noise`. They need not be integers: a denoised
        estimate of the counts can be transformed too.

    Returns
    -------
    numpy.ndarray
        ``2 * sqrt(counts + 3/8)``, float64, same shape.

    Notes
    -----
    For ``k ~ Poisson(lambda)`` the variance, ``lambda``, grows with the mean. The
    transform :math:`A(k) = 2\sqrt{k + 3/8}` stabilizes it: by a Taylor expansion,
    :math:`\mathrm{Var}[A(k)] = 1 + O(\lambda^{-2})`, already within a few percent of 1
    for :math:`\lambda \gtrsim 4` (and below 1 for fewer counts). An image of counts
    becomes "signal plus noise of standard deviation 1", the setting of every Gaussian
    denoiser: denoise :math:`A(k)`, then undo the transform with :func:`inverse_anscombe`.
    The constant 3/8 is the one that makes the variance flattest (Anscombe, 1948).

    References
    ----------
    .. [1] F. J. Anscombe, "The transformation of Poisson, binomial and
           negative-binomial data", Biometrika 35(3/4), 246-254, 1948.

    Examples
    --------
    >>> import numpy as np
    >>> counts = np.random.default_rng(0).poisson(20.0, size=100_000)
    >>> round(float(np.var(anscombe(counts))), 2)
    1.0
    """
    array = _check_values(counts, "counts")
    if array.size and float(array.min()) < 0:
        raise ValueError(f"counts must be non-negative (photon counts); got a minimum of {float(array.min()):.4g}")
    return 2.0 * np.sqrt(array + 3.0 / 8.0)


#: Beyond this mean count the asymptotic inverse is exact to better than 2e-6 counts.
_EXACT_TABLE_LIMIT = 100.0


@functools.lru_cache(maxsize=1)
def _exact_unbiased_table() -> tuple[np.ndarray, np.ndarray]:
    """``(expectations, means)``: E[A(k) | lambda] on a grid of lambda from 0 to 100."""
    from scipy.special import gammaln

    means = np.concatenate([np.linspace(0.0, 2.0, 201)[:-1], np.geomspace(2.0, _EXACT_TABLE_LIMIT, 800)])
    counts = np.arange(int(_EXACT_TABLE_LIMIT + 12 * np.sqrt(_EXACT_TABLE_LIMIT) + 30), dtype=np.float64)
    positive = means[1:, None]  # lambda = 0 (every count is 0) is the first row, set below
    pmf = np.zeros((means.size, counts.size))
    pmf[0, 0] = 1.0
    pmf[1:] = np.exp(counts[None, :] * np.log(positive) - positive - gammaln(counts + 1.0)[None, :])
    expectations = pmf @ (2.0 * np.sqrt(counts + 3.0 / 8.0))
    return expectations, means


def inverse_anscombe(values, *, method: str = "exact_unbiased") -> np.ndarray:
    r"""Map (denoised) Anscombe-domain values back to mean photon counts.

    Parameters
    ----------
    values : array_like
        Values ``D`` in the Anscombe domain, typically a denoised :func:`anscombe` image.
    method : {"exact_unbiased", "asymptotic", "algebraic"}
        ``"algebraic"`` inverts the formula, :math:`(D/2)^2 - 3/8`; it is biased: it
        underestimates the counts, badly at low counts. ``"asymptotic"``,
        :math:`(D/2)^2 - 1/8`, is unbiased for large counts. ``"exact_unbiased"`` (the
        default) is the inverse of Mäkitalo and Foi: the mean count :math:`\lambda`
        whose *expected* transform :math:`E[A(k) \mid \lambda]` equals `D`.

    Returns
    -------
    numpy.ndarray
        The estimated mean counts, float64, same shape, never negative.

    Notes
    -----
    A denoiser estimates :math:`E[A(k)]`, not :math:`A(\lambda)`; because the square
    root is concave, :math:`E[A(k)] < A(\lambda)` (Jensen's inequality), so inverting
    the formula (the algebraic inverse) gives too few counts. The exact unbiased
    inverse instead solves

    .. math:: D = E[A(k) \mid \lambda] = \sum_{k \ge 0} 2 \sqrt{k + 3/8}\,
              \frac{\lambda^k e^{-\lambda}}{k!}

    for :math:`\lambda`. Here the sum is tabulated for :math:`0 \le \lambda \le 100` and
    inverted by linear interpolation (accurate to about 1e-3 counts); above 100 the
    asymptotic inverse agrees with it to better than 2e-6. Values below
    :math:`E[A(k) \mid 0] = 2\sqrt{3/8}` map to 0 with every method.

    References
    ----------
    .. [1] M. Mäkitalo and A. Foi, "Optimal inversion of the Anscombe
           transformation in low-count Poisson image denoising", IEEE
           Transactions on Image Processing 20(1), 99-109, 2011.
    .. [2] F. J. Anscombe, "The transformation of Poisson, binomial and
           negative-binomial data", Biometrika 35(3/4), 246-254, 1948.

    Examples
    --------
    >>> import numpy as np
    >>> counts = np.random.default_rng(0).poisson(2.0, size=200_000)
    >>> mean_transform = anscombe(counts).mean()  # what a perfect denoiser would return
    >>> round(float(inverse_anscombe(mean_transform)), 2)
    2.0
    >>> round(float(inverse_anscombe(mean_transform, method="algebraic")), 2)  # biased
    1.77
    """
    array = _check_values(values, "values")
    check_choice(method, "method", ANSCOMBE_INVERSES)
    if method == "algebraic":
        counts = (array / 2.0) ** 2 - 3.0 / 8.0
    elif method == "asymptotic":
        counts = (array / 2.0) ** 2 - 1.0 / 8.0
    else:
        expectations, means = _exact_unbiased_table()
        counts = np.where(array <= expectations[-1], np.interp(array, expectations, means),
                          (array / 2.0) ** 2 - 1.0 / 8.0)
    floor = 2.0 * np.sqrt(3.0 / 8.0)
    return np.where(array <= floor, 0.0, np.maximum(counts, 0.0))
