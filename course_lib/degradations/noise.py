"""Noise models: the ``+ n`` of the forward model ``y = A(x) + n``.

Every function takes a float image in [0, 1] (gray ``(H, W)`` or RGB ``(H, W, 3)``)
and a `seed` (an int, a :class:`numpy.random.Generator` or None), and returns a
new float32 image; the input is never modified.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_image, check_in_range, check_positive, make_rng

__all__ = ["add_gaussian_noise", "add_poisson_noise", "add_salt_and_pepper", "estimate_sigma"]


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
