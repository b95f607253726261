"""Image quality metrics: MSE, PSNR and SSIM, with the variants the literature reports.

Every metric compares a `reference` (the clean ground truth) with an `estimate`
(a degraded or restored image) of the same shape, gray ``(H, W)`` or RGB
``(H, W, 3)``. Values slightly outside [0, 1] are accepted, so an unclipped noisy
image can be scored as it is.

* :func:`mse`, :func:`psnr`, :func:`ssim`: the whole image, as in denoising papers.
  :func:`psnr` and :func:`ssim` agree with ``skimage.metrics`` on the same settings.
* :func:`psnr_y`, :func:`ssim_y`: on the BT.601 luma Y (8-bit scale, ``data_range``
  255) with a border removed, as in super-resolution papers.
* :func:`mse_in_mask`, :func:`psnr_in_mask`, :func:`ssim_in_mask`: inside or outside
  an inpainting mask (True marks the missing pixels, the hole).
* :func:`compare`: PSNR and SSIM of several estimates at once, for figure titles.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from ._validation import (
    check_choice,
    check_image,
    check_integer,
    check_mask,
    check_positive,
    check_same_shape,
)
from .color import rgb_to_y

__all__ = [
    "mse",
    "psnr",
    "ssim",
    "crop_border",
    "psnr_y",
    "ssim_y",
    "mse_in_mask",
    "psnr_in_mask",
    "ssim_in_mask",
    "compare",
]

# The two small constants of Wang et al. (2004), eq. (13): C1 = (K1 L)^2, C2 = (K2 L)^2.
_K1 = 0.01
_K2 = 0.03
# scikit-image truncates the Gaussian window at 3.5 standard deviations, which gives
# the 11-tap window of Wang et al. for sigma = 1.5.
_GAUSSIAN_TRUNCATE = 3.5


def _check_pair(reference, estimate) -> tuple[np.ndarray, np.ndarray]:
    """Validate both images, check their shapes agree and return them as float64."""
    reference = check_image(reference, "reference")
    estimate = check_image(estimate, "estimate")
    check_same_shape(reference, estimate, "reference", "estimate")
    return reference.astype(np.float64), estimate.astype(np.float64)


def _mse_to_psnr(error: float, data_range: float) -> float:
    if error == 0:
        return float("inf")
    return float(10.0 * np.log10(data_range**2 / error))


def mse(reference, estimate) -> float:
    """Mean squared error between two images.

    Parameters
    ----------
    reference : numpy.ndarray
        The ground truth, gray ``(H, W)`` or RGB ``(H, W, 3)``.
    estimate : numpy.ndarray
        The image to score, same shape as `reference`.

    Returns
    -------
    float
        The mean of the squared differences over all pixels (and channels).

    Notes
    -----
    For images :math:`x` (`reference`) and :math:`\\hat x` (`estimate`) with
    :math:`N` values in total,

    .. math:: \\mathrm{MSE} = \\frac{1}{N} \\sum_i (x_i - \\hat x_i)^2 .

    The difference is computed in float64.

    Examples
    --------
    >>> import numpy as np
    >>> mse(np.zeros((2, 2)), np.full((2, 2), 0.5))
    0.25
    """
    reference, estimate = _check_pair(reference, estimate)
    return float(np.mean((reference - estimate) ** 2))


def psnr(reference, estimate, *, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in decibels.

    Parameters
    ----------
    reference : numpy.ndarray
        The ground truth, gray ``(H, W)`` or RGB ``(H, W, 3)``.
    estimate : numpy.ndarray
        The image to score, same shape as `reference`.
    data_range : float
        The distance between the smallest and largest possible value: 1.0 for
        images in [0, 1], 255 on the 8-bit scale.

    Returns
    -------
    float
        The PSNR in dB; ``inf`` when the two images are identical.

    Notes
    -----
    With :math:`L` = `data_range`,

    .. math:: \\mathrm{PSNR} = 10 \\log_{10} \\frac{L^2}{\\mathrm{MSE}} .

    Each halving of the RMS error adds about 6.02 dB. The value agrees with
    ``skimage.metrics.peak_signal_noise_ratio(reference, estimate, data_range=L)``.

    Examples
    --------
    >>> import numpy as np
    >>> round(psnr(np.zeros((4, 4)), np.full((4, 4), 0.1)), 6)
    20.0
    """
    data_range = check_positive(data_range, "data_range")
    return _mse_to_psnr(mse(reference, estimate), data_range)


def _resolve_window(window_size, gaussian_weights: bool, sigma: float) -> int:
    if window_size is None:
        if gaussian_weights:
            radius = int(_GAUSSIAN_TRUNCATE * sigma + 0.5)  # the radius scipy.ndimage uses
            return 2 * radius + 1
        return 7
    window_size = check_integer(window_size, "window_size", minimum=2)
    if window_size % 2 == 0:
        raise ValueError(f"window_size must be odd; got {window_size}")
    return window_size


def _ssim_map_2d(
    x: np.ndarray,
    y: np.ndarray,
    *,
    data_range: float,
    window_size: int,
    gaussian_weights: bool,
    sigma: float,
    use_sample_covariance: bool,
) -> np.ndarray:
    """The SSIM map of two float64 gray images (same formulas and order as scikit-image)."""
    if gaussian_weights:

        def local_mean(values):
            return ndimage.gaussian_filter(values, sigma, mode="reflect", truncate=_GAUSSIAN_TRUNCATE)

    else:

        def local_mean(values):
            return ndimage.uniform_filter(values, size=window_size, mode="reflect")

    count = window_size**2
    covariance_norm = count / (count - 1) if use_sample_covariance else 1.0

    mean_x = local_mean(x)
    mean_y = local_mean(y)
    variance_x = covariance_norm * (local_mean(x * x) - mean_x * mean_x)
    variance_y = covariance_norm * (local_mean(y * y) - mean_y * mean_y)
    covariance = covariance_norm * (local_mean(x * y) - mean_x * mean_y)

    c1 = (_K1 * data_range) ** 2
    c2 = (_K2 * data_range) ** 2
    numerator = (2 * mean_x * mean_y + c1) * (2 * covariance + c2)
    denominator = (mean_x**2 + mean_y**2 + c1) * (variance_x + variance_y + c2)
    return numerator / denominator


def _ssim_map(
    reference: np.ndarray,
    estimate: np.ndarray,
    *,
    data_range,
    window_size,
    gaussian_weights,
    sigma,
    use_sample_covariance,
) -> tuple[np.ndarray, int]:
    """Validate the SSIM options and return the map (per channel for RGB) and window size."""
    data_range = check_positive(data_range, "data_range")
    sigma = check_positive(sigma, "sigma")
    window_size = _resolve_window(window_size, bool(gaussian_weights), sigma)
    if min(reference.shape[:2]) < window_size:
        raise ValueError(
            f"window_size ({window_size}) exceeds the image size {reference.shape[:2]}; "
            "use a smaller odd window_size or a larger image"
        )
    options = dict(
        data_range=data_range,
        window_size=window_size,
        gaussian_weights=bool(gaussian_weights),
        sigma=sigma,
        use_sample_covariance=bool(use_sample_covariance),
    )
    if reference.ndim == 2:
        return _ssim_map_2d(reference, estimate, **options), window_size
    channels = [
        _ssim_map_2d(reference[..., c], estimate[..., c], **options) for c in range(reference.shape[-1])
    ]
    return np.stack(channels, axis=-1), window_size


def ssim(
    reference,
    estimate,
    *,
    data_range: float = 1.0,
    window_size: int | None = None,
    gaussian_weights: bool = False,
    sigma: float = 1.5,
    use_sample_covariance: bool = True,
    full: bool = False,
):
    """Structural similarity index (SSIM) of Wang et al. (2004).

    Parameters
    ----------
    reference : numpy.ndarray
        The ground truth, gray ``(H, W)`` or RGB ``(H, W, 3)``.
    estimate : numpy.ndarray
        The image to score, same shape as `reference`.
    data_range : float
        The dynamic range :math:`L` of the images (1.0 for [0, 1], 255 for 8-bit).
    window_size : int or None
        Side of the (odd) sliding window. ``None`` means 7 for the uniform window
        and :math:`2\\lfloor 3.5\\,\\sigma + 0.5 \\rfloor + 1` (11 for ``sigma=1.5``)
        for the Gaussian window, scikit-image's defaults. With
        ``gaussian_weights=True`` the Gaussian itself is always truncated at
        3.5 `sigma`, as in scikit-image; `window_size` then only sets the border
        left out of the mean and :math:`N` in the sample covariance.
    gaussian_weights : bool
        If True, local statistics are weighted by a Gaussian of width `sigma`;
        otherwise by a uniform ``window_size x window_size`` window.
    sigma : float
        Standard deviation of the Gaussian window, in pixels.
    use_sample_covariance : bool
        If True, (co)variances are normalised by :math:`N - 1` instead of
        :math:`N`, with :math:`N` = ``window_size ** 2``.
    full : bool
        If True, also return the SSIM map.

    Returns
    -------
    float
        The mean SSIM, in [-1, 1]; 1 for identical images. For RGB, the mean of
        the three per-channel values.
    numpy.ndarray
        Only if `full`: the SSIM map, float64, same shape as the images.

    Notes
    -----
    Local means :math:`\\mu_x, \\mu_y`, variances :math:`\\sigma_x^2, \\sigma_y^2`
    and covariance :math:`\\sigma_{xy}` are computed with the window (a filter
    from :mod:`scipy.ndimage`, boundary mode ``'reflect'``), and

    .. math::

        \\mathrm{SSIM}(x, y) = \\frac{(2 \\mu_x \\mu_y + C_1)(2 \\sigma_{xy} + C_2)}
                                    {(\\mu_x^2 + \\mu_y^2 + C_1)(\\sigma_x^2 + \\sigma_y^2 + C_2)},
        \\quad C_1 = (K_1 L)^2, \\; C_2 = (K_2 L)^2,

    with :math:`K_1 = 0.01`, :math:`K_2 = 0.03` and :math:`L` = `data_range`.
    The mean is taken over the map with a border of ``(window_size - 1) // 2``
    pixels removed, where the window would reach outside the image.

    This matches ``skimage.metrics.structural_similarity`` called with the same
    settings (``channel_axis=-1`` for RGB). The settings of Wang et al.'s own
    MATLAB code are ``gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False``.

    References
    ----------
    .. [1] Z. Wang, A. C. Bovik, H. R. Sheikh and E. P. Simoncelli, "Image quality
       assessment: from error visibility to structural similarity", IEEE
       Transactions on Image Processing, 13(4), 600-612, 2004.
       :doi:`10.1109/TIP.2003.819861`

    Examples
    --------
    >>> import numpy as np
    >>> image = np.random.default_rng(0).random((16, 16))
    >>> ssim(image, image)
    1.0
    """
    reference, estimate = _check_pair(reference, estimate)
    ssim_map, window_size = _ssim_map(
        reference,
        estimate,
        data_range=data_range,
        window_size=window_size,
        gaussian_weights=gaussian_weights,
        sigma=sigma,
        use_sample_covariance=use_sample_covariance,
    )
    pad = (window_size - 1) // 2
    inner = ssim_map[pad : ssim_map.shape[0] - pad, pad : ssim_map.shape[1] - pad]
    if ssim_map.ndim == 3:
        value = float(np.mean([inner[..., c].mean() for c in range(inner.shape[-1])]))
    else:
        value = float(inner.mean())
    if full:
        return value, ssim_map
    return value


def crop_border(image, border: int) -> np.ndarray:
    """Remove `border` pixels from each side of an image.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` image.
    border : int
        Pixels removed at the top, bottom, left and right; 0 returns the image.

    Returns
    -------
    numpy.ndarray
        A view of shape ``(H - 2 border, W - 2 border[, 3])``.

    Examples
    --------
    >>> import numpy as np
    >>> crop_border(np.zeros((10, 8)), 2).shape
    (6, 4)
    """
    array = check_image(image, "image")
    border = check_integer(border, "border", minimum=0)
    height, width = array.shape[:2]
    if 2 * border >= min(height, width):
        raise ValueError(
            f"border ({border}) removes the whole {height}x{width} image; "
            f"expected border < {(min(height, width) + 1) // 2}"
        )
    if border == 0:
        return array
    return array[border : height - border, border : width - border]


def _y_channel_pair(reference_rgb, estimate_rgb, border):
    reference = check_image(reference_rgb, "reference_rgb")
    estimate = check_image(estimate_rgb, "estimate_rgb")
    check_same_shape(reference, estimate, "reference_rgb", "estimate_rgb")
    border = check_integer(border, "border", minimum=0)
    reference_y = crop_border(rgb_to_y(reference), border)
    estimate_y = crop_border(rgb_to_y(estimate), border)
    return reference_y, estimate_y


def psnr_y(reference_rgb, estimate_rgb, *, border: int = 0) -> float:
    """PSNR on the BT.601 luma Y, the super-resolution literature's metric.

    Parameters
    ----------
    reference_rgb : numpy.ndarray
        Ground truth, RGB ``(H, W, 3)`` (or gray ``(H, W)``) in [0, 1].
    estimate_rgb : numpy.ndarray
        The image to score, same shape.
    border : int
        Pixels removed at each side before scoring; super-resolution papers use
        the scale factor.

    Returns
    -------
    float
        PSNR in dB of the Y channels with ``data_range=255``.

    Notes
    -----
    Both images are converted with :func:`course_lib.color.rgb_to_y`
    (MATLAB's ``rgb2ycbcr``: :math:`Y = 16 + 65.481 R + 128.553 G + 24.966 B`,
    on the 8-bit scale [16, 235]; a gray image counts as R = G = B), cropped by
    `border` and compared with :func:`psnr` at :math:`L = 255`. The Y values are
    not rounded to integers; round the estimate to 8 bits first if your protocol
    asks for it.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.random.default_rng(0).random((12, 12, 3))
    >>> psnr_y(image, image, border=2)
    inf
    """
    reference_y, estimate_y = _y_channel_pair(reference_rgb, estimate_rgb, border)
    return _mse_to_psnr(float(np.mean((reference_y - estimate_y) ** 2)), 255.0)


def ssim_y(
    reference_rgb,
    estimate_rgb,
    *,
    border: int = 0,
    gaussian_weights: bool = True,
    use_sample_covariance: bool = False,
) -> float:
    """SSIM on the BT.601 luma Y, as reported by super-resolution papers.

    Parameters
    ----------
    reference_rgb : numpy.ndarray
        Ground truth, RGB ``(H, W, 3)`` (or gray ``(H, W)``) in [0, 1].
    estimate_rgb : numpy.ndarray
        The image to score, same shape.
    border : int
        Pixels removed at each side before scoring (the scale factor in papers).
    gaussian_weights : bool
        Use the 11x11 Gaussian window (sigma 1.5) of Wang et al.; if False, a
        uniform 7x7 window.
    use_sample_covariance : bool
        Normalise (co)variances by N - 1 instead of N.

    Returns
    -------
    float
        The mean SSIM of the Y channels with ``data_range=255``.

    Notes
    -----
    Y is computed as in :func:`psnr_y`. The defaults are the settings of Wang
    et al.'s reference code (Gaussian window, sigma 1.5, population covariance,
    only windows that lie fully inside the image), the ones the
    super-resolution literature uses. See :func:`ssim` for the formula.

    References
    ----------
    .. [1] Z. Wang, A. C. Bovik, H. R. Sheikh and E. P. Simoncelli, "Image quality
       assessment: from error visibility to structural similarity", IEEE
       Transactions on Image Processing, 13(4), 600-612, 2004.
    """
    reference_y, estimate_y = _y_channel_pair(reference_rgb, estimate_rgb, border)
    return ssim(
        reference_y,
        estimate_y,
        data_range=255.0,
        gaussian_weights=gaussian_weights,
        use_sample_covariance=use_sample_covariance,
    )


def _region(mask, shape, region: str) -> np.ndarray:
    """The boolean (H, W) region selected by `region`, or a ValueError if it is empty."""
    mask = check_mask(mask, "mask", shape=shape)
    check_choice(region, "region", ("inside", "outside"))
    selected = mask if region == "inside" else ~mask
    if not selected.any():
        raise ValueError(
            f"region={region!r} of mask is empty (mask has {int(mask.sum())} of {mask.size} "
            "pixels set); there is nothing to score"
        )
    return selected


def mse_in_mask(reference, estimate, mask, *, region: str = "inside") -> float:
    """Mean squared error over the pixels inside (or outside) a mask.

    Parameters
    ----------
    reference : numpy.ndarray
        Ground truth, gray ``(H, W)`` or RGB ``(H, W, 3)``.
    estimate : numpy.ndarray
        The image to score, same shape.
    mask : numpy.ndarray
        Boolean ``(H, W)`` array; True marks the missing pixels (the hole).
    region : {"inside", "outside"}
        Score the pixels where `mask` is True ("inside", the filled-in hole) or
        False ("outside", the known pixels).

    Returns
    -------
    float
        The MSE over the selected pixels (all channels).

    Notes
    -----
    With :math:`\\Omega` the selected pixels and :math:`C` channels,
    :math:`\\mathrm{MSE}_\\Omega = \\frac{1}{C |\\Omega|} \\sum_{i \\in \\Omega} \\sum_c
    (x_{i,c} - \\hat x_{i,c})^2`.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.zeros((4, 4), bool); mask[:2] = True
    >>> estimate = np.zeros((4, 4)); estimate[:2] = 0.5
    >>> clean = np.zeros((4, 4))
    >>> mse_in_mask(clean, estimate, mask), mse_in_mask(clean, estimate, mask, region="outside")
    (0.25, 0.0)
    """
    reference, estimate = _check_pair(reference, estimate)
    selected = _region(mask, reference.shape, region)
    return float(np.mean((reference[selected] - estimate[selected]) ** 2))


def psnr_in_mask(reference, estimate, mask, *, region: str = "inside", data_range: float = 1.0) -> float:
    """PSNR over the pixels inside (or outside) a mask.

    Parameters
    ----------
    reference, estimate : numpy.ndarray
        Ground truth and the image to score, same shape.
    mask : numpy.ndarray
        Boolean ``(H, W)`` array; True marks the missing pixels (the hole).
    region : {"inside", "outside"}
        Score where `mask` is True ("inside") or False ("outside").
    data_range : float
        The dynamic range :math:`L` (1.0 for images in [0, 1]).

    Returns
    -------
    float
        :math:`10 \\log_{10}(L^2 / \\mathrm{MSE}_\\Omega)` in dB, with
        :math:`\\mathrm{MSE}_\\Omega` from :func:`mse_in_mask`; ``inf`` if the
        region is reproduced exactly.
    """
    data_range = check_positive(data_range, "data_range")
    return _mse_to_psnr(mse_in_mask(reference, estimate, mask, region=region), data_range)


def ssim_in_mask(
    reference,
    estimate,
    mask,
    *,
    region: str = "inside",
    data_range: float = 1.0,
    window_size: int | None = None,
    gaussian_weights: bool = False,
    sigma: float = 1.5,
    use_sample_covariance: bool = True,
) -> float:
    """Mean of the SSIM map over the pixels inside (or outside) a mask.

    Parameters
    ----------
    reference, estimate : numpy.ndarray
        Ground truth and the image to score, same shape.
    mask : numpy.ndarray
        Boolean ``(H, W)`` array; True marks the missing pixels (the hole).
    region : {"inside", "outside"}
        Average where `mask` is True ("inside") or False ("outside").
    data_range, window_size, gaussian_weights, sigma, use_sample_covariance
        As in :func:`ssim`.

    Returns
    -------
    float
        The mean of the SSIM map of :func:`ssim` over the region (and over the
        channels for RGB).

    Notes
    -----
    The SSIM map is computed on the whole image, so windows centred in the
    region still see the pixels around it. Unlike :func:`ssim`, no border is
    left out: a hole touching the image edge is scored in full.
    """
    reference, estimate = _check_pair(reference, estimate)
    selected = _region(mask, reference.shape, region)
    ssim_map, _ = _ssim_map(
        reference,
        estimate,
        data_range=data_range,
        window_size=window_size,
        gaussian_weights=gaussian_weights,
        sigma=sigma,
        use_sample_covariance=use_sample_covariance,
    )
    return float(np.mean(ssim_map[selected]))


def compare(reference, estimates: dict, *, data_range: float = 1.0) -> dict:
    """PSNR and SSIM of several estimates against one reference.

    Parameters
    ----------
    reference : numpy.ndarray
        Ground truth, gray ``(H, W)`` or RGB ``(H, W, 3)``.
    estimates : dict
        Maps a name (e.g. ``"noisy"``, ``"BM3D"``) to an image of the same shape.
    data_range : float
        The dynamic range (1.0 for images in [0, 1]).

    Returns
    -------
    dict
        ``{name: {"psnr": float, "ssim": float}}`` in the order of `estimates`,
        computed with :func:`psnr` and :func:`ssim` (default window).

    Examples
    --------
    >>> import numpy as np
    >>> clean = np.zeros((8, 8))
    >>> scores = compare(clean, {"same": clean, "offset": clean + 0.1})
    >>> round(scores["offset"]["psnr"], 6), scores["same"]["ssim"]
    (20.0, 1.0)
    """
    if not isinstance(estimates, dict) or not estimates:
        raise ValueError(
            "estimates must be a non-empty dict mapping a name to an image, e.g. {'noisy': noisy}"
        )
    results = {}
    for name, estimate in estimates.items():
        try:
            value_psnr = psnr(reference, estimate, data_range=data_range)
            value_ssim = ssim(reference, estimate, data_range=data_range)
        except ValueError as error:
            raise ValueError(f"estimates[{name!r}]: {error}") from None
        results[name] = {"psnr": value_psnr, "ssim": value_ssim}
    return results
