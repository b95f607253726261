"""Contrast enhancement: histograms, histogram equalization, CLAHE, gamma, stretching, sharpening.

All functions take float images in [0, 1], gray ``(H, W)`` or RGB ``(H, W, 3)``,
and return images in [0, 1] of the same shape and dtype.

:func:`equalize_histogram` is written out step by step (histogram -> cumulative
histogram -> look-up) so the learner can follow it, and agrees with
:func:`skimage.exposure.equalize_hist`. :func:`clahe` and the rest wrap
scikit-image or are one-line formulas.

Colour images: equalisation and CLAHE work by default on the *value* channel
of HSV (:math:`V = \\max(R, G, B)`), which brightens and darkens pixels while
keeping their hue and saturation; ``color_mode="per_channel"`` in
:func:`equalize_histogram` equalises R, G and B separately instead, which
changes the colours (each channel's histogram is flattened on its own).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import ndimage

from ._validation import check_choice, check_image, check_in_range, check_integer, check_positive

__all__ = [
    "histogram",
    "cumulative_histogram",
    "equalize_histogram",
    "clahe",
    "gamma_correct",
    "contrast_stretch",
    "unsharp_mask",
]

_COLOR_MODES = ("value", "per_channel")


def _check_unit_image(image) -> np.ndarray:
    return check_image(image, "image", require_unit_range=True)


def _check_value_range(value_range):
    if value_range is None:
        return None
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise ValueError(f"value_range must be None or a pair (low, high); got {value_range!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"value_range must be finite with low < high; got {value_range!r}")
    return low, high


def histogram(image, bins: int = 256, *, value_range=None) -> tuple[np.ndarray, np.ndarray]:
    """Count how many pixels fall in each of `bins` equal intensity intervals.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` image in [0, 1].
    bins : int
        Number of equal-width bins.
    value_range : tuple of float or None
        ``(low, high)`` covered by the bins. ``None`` uses the image's own
        minimum and maximum (as :func:`skimage.exposure.histogram` does);
        ``(0, 1)`` gives histograms that compare across images.

    Returns
    -------
    counts : numpy.ndarray
        Integer counts, shape ``(bins,)`` for gray and ``(3, bins)`` for RGB
        (one row per channel, the same bins for all three).
    bin_centers : numpy.ndarray
        The centre of each bin, shape ``(bins,)``.

    Notes
    -----
    The bin edges are ``numpy.linspace(low, high, bins + 1)``; a value
    :math:`v` goes to bin :math:`k` when :math:`e_k \\le v < e_{k+1}`, and the
    last bin also holds :math:`v = e_{\\text{bins}}` (this is :func:`numpy.histogram`).
    A constant image gets the range ``(v - 0.5, v + 0.5)``.

    Examples
    --------
    >>> import numpy as np
    >>> counts, centers = histogram(np.array([[0.0, 0.1], [0.9, 1.0]]), bins=2, value_range=(0, 1))
    >>> counts, centers
    (array([2, 2]), array([0.25, 0.75]))
    """
    array = _check_unit_image(image)
    bins = check_integer(bins, "bins", minimum=1)
    value_range = _check_value_range(value_range)
    if array.ndim == 2:
        counts, edges = np.histogram(array, bins=bins, range=value_range)
    else:
        # One set of edges for all channels, so the three rows can be compared.
        edges = np.histogram_bin_edges(array, bins=bins, range=value_range)
        counts = np.stack([np.histogram(array[..., c], bins=edges)[0] for c in range(array.shape[-1])])
    bin_centers = (edges[:-1] + edges[1:]) / 2.0
    return counts, bin_centers


def cumulative_histogram(image, bins: int = 256, *, value_range=None) -> tuple[np.ndarray, np.ndarray]:
    """The normalised cumulative histogram: the empirical CDF at each bin.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` image in [0, 1].
    bins : int
        Number of equal-width bins.
    value_range : tuple of float or None
        As in :func:`histogram`.

    Returns
    -------
    cdf : numpy.ndarray
        float64, shape ``(bins,)`` (gray) or ``(3, bins)`` (RGB, per channel),
        rising to exactly 1 in the last bin.
    bin_centers : numpy.ndarray
        The centre of each bin.

    Notes
    -----
    With counts :math:`n_j` and :math:`N = \\sum_j n_j` pixels,
    :math:`\\mathrm{cdf}_k = \\frac{1}{N} \\sum_{j \\le k} n_j`, the fraction of
    pixels in bin :math:`k` or below.

    Examples
    --------
    >>> import numpy as np
    >>> cdf, _ = cumulative_histogram(np.array([[0.0, 0.1], [0.9, 1.0]]), bins=2, value_range=(0, 1))
    >>> cdf
    array([0.5, 1. ])
    """
    counts, bin_centers = histogram(image, bins, value_range=value_range)
    cdf = np.cumsum(counts, axis=-1).astype(np.float64)
    cdf /= cdf[..., -1:]
    return cdf, bin_centers


def _equalize_gray(values: np.ndarray, bins: int) -> np.ndarray:
    # 1. the CDF of the intensities, sampled at the bin centres;
    cdf, bin_centers = cumulative_histogram(values, bins)
    # 2. each pixel's new value is the CDF at its old value, interpolated
    #    linearly between the bin centres (and flat beyond the first and last centre).
    equalized = np.interp(values, bin_centers, cdf)
    return equalized.astype(values.dtype)


def equalize_histogram(image, bins: int = 256, *, color_mode: str = "value") -> np.ndarray:
    """Histogram equalization: map each intensity through the image's own CDF.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` image in [0, 1].
    bins : int
        Number of histogram bins.
    color_mode : {"value", "per_channel"}
        For RGB only. ``"value"`` equalises the V channel of HSV
        (:math:`\\max(R, G, B)`) and keeps hue and saturation, as
        :func:`clahe` does; ``"per_channel"`` equalises R, G and B separately,
        which also shifts the colours.

    Returns
    -------
    numpy.ndarray
        The equalised image in [0, 1], same shape and dtype.

    Notes
    -----
    If intensities :math:`v` have cumulative distribution :math:`F`, then
    :math:`F(v)` is uniformly distributed on [0, 1]: mapping every pixel through
    its CDF flattens the histogram and spreads crowded intensities apart. In
    the discrete version here, :math:`F` is the :func:`cumulative_histogram`
    over the image's own range, sampled at the bin centres :math:`c_k`, and
    each pixel gets the linear interpolation of :math:`(c_k, F_k)` at its
    value (``numpy.interp``). This reproduces
    ``skimage.exposure.equalize_hist(image, nbins=bins)`` for a gray image.
    The darkest pixels map to :math:`F_0 > 0` (the fraction in the first
    bin), not to 0.

    References
    ----------
    .. [1] R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed.,
       Pearson, 2018, section 3.3 (histogram processing).

    Examples
    --------
    >>> import numpy as np
    >>> image = np.array([[0.0, 0.0], [0.5, 1.0]])
    >>> equalize_histogram(image, bins=2)
    array([[0.5 , 0.5 ],
           [0.75, 1.  ]])
    """
    array = _check_unit_image(image)
    bins = check_integer(bins, "bins", minimum=1)
    check_choice(color_mode, "color_mode", _COLOR_MODES)
    if array.ndim == 2:
        return _equalize_gray(array, bins)
    if color_mode == "per_channel":
        channels = [_equalize_gray(array[..., c], bins) for c in range(array.shape[-1])]
        return np.stack(channels, axis=-1)
    return _on_hsv_value(array, lambda value: _equalize_gray(value, bins))


def _on_hsv_value(rgb: np.ndarray, function) -> np.ndarray:
    """Apply `function` to the V channel of HSV and convert back to RGB."""
    from skimage.color import hsv2rgb, rgb2hsv

    hsv = rgb2hsv(rgb)
    hsv[..., 2] = function(hsv[..., 2])
    return np.clip(hsv2rgb(hsv), 0.0, 1.0).astype(rgb.dtype)


def clahe(image, *, clip_limit: float = 0.01, kernel_size=None, bins: int = 256) -> np.ndarray:
    """Contrast-limited adaptive histogram equalization (CLAHE), scikit-image's implementation.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` image in [0, 1]. RGB images are
        processed on the V channel of HSV, as scikit-image does.
    clip_limit : float
        In [0, 1]: the histogram height, as a fraction of the tile's pixels,
        above which counts are clipped and redistributed. Higher means more
        contrast; 0 or 1 gives plain adaptive equalization (no limit).
    kernel_size : int, tuple of int or None
        Tile size in pixels (one int for square tiles). ``None`` means 1/8 of
        the image height by 1/8 of its width. On small images those tiles hold
        so few pixels that the clip limit rounds to about one count per bin and
        the result looks washed out: give tiles of at least ~25 pixels.
    bins : int
        Number of histogram bins per tile.

    Returns
    -------
    numpy.ndarray
        The enhanced image in [0, 1], same shape and dtype.

    Notes
    -----
    The image is cut into tiles; each tile gets its own equalization mapping
    (see :func:`equalize_histogram`), computed from a histogram whose bins are
    clipped at `clip_limit` with the excess spread evenly over all bins. The
    clip bounds the slope of the mapping, so the noise of flat regions is not
    amplified. Each pixel's value is bilinearly interpolated between the
    mappings of the four nearest tile centres, which hides the tile seams.
    Wraps :func:`skimage.exposure.equalize_adapthist`, which finally rescales
    the result to span [0, 1].

    References
    ----------
    .. [1] K. Zuiderveld, "Contrast limited adaptive histogram equalization",
       in P. S. Heckbert (ed.), *Graphics Gems IV*, Academic Press, 1994,
       pp. 474-485.
    .. [2] S. M. Pizer, E. P. Amburn, J. D. Austin et al., "Adaptive histogram
       equalization and its variations", Computer Vision, Graphics, and Image
       Processing, 39(3), 355-368, 1987.
    """
    from skimage.exposure import equalize_adapthist

    array = _check_unit_image(image)
    clip_limit = check_in_range(clip_limit, "clip_limit", 0.0, 1.0)
    bins = check_integer(bins, "bins", minimum=2)
    if kernel_size is not None:
        expected = f"kernel_size must be None, an int or a pair of ints; got {kernel_size!r}"
        sizes = (kernel_size, kernel_size) if isinstance(kernel_size, numbers.Integral) else kernel_size
        try:
            sizes = tuple(sizes)
        except TypeError:
            raise ValueError(expected) from None
        if len(sizes) != 2:
            raise ValueError(expected)
        kernel_size = tuple(check_integer(size, "kernel_size", minimum=1) for size in sizes)
    # equalize_adapthist converts to uint16 internally, so values a hair outside
    # [0, 1] (allowed by the range check) are clipped first.
    result = equalize_adapthist(
        np.clip(array, 0.0, 1.0), kernel_size=kernel_size, clip_limit=clip_limit, nbins=bins
    )
    return np.clip(result, 0.0, 1.0).astype(array.dtype)


def gamma_correct(image, gamma: float) -> np.ndarray:
    """Power-law (gamma) intensity transform, :math:`x^\\gamma`.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` image in [0, 1].
    gamma : float
        The exponent :math:`\\gamma > 0`. :math:`\\gamma < 1` brightens the
        dark tones (low-light images), :math:`\\gamma > 1` darkens the bright
        ones; 0 and 1 stay fixed.

    Returns
    -------
    numpy.ndarray
        :math:`x^\\gamma`, same shape and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> gamma_correct(np.array([[0.25, 1.0]]), 0.5)
    array([[0.5, 1. ]])
    """
    array = _check_unit_image(image)
    gamma = check_positive(gamma, "gamma")
    return np.power(np.clip(array, 0.0, 1.0), gamma).astype(array.dtype)


def contrast_stretch(image, *, low_percentile: float = 2, high_percentile: float = 98) -> np.ndarray:
    """Linearly stretch the intensities between two percentiles to fill [0, 1].

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` image in [0, 1].
    low_percentile, high_percentile : float
        Percentiles (0-100, low < high) mapped to 0 and 1. The few pixels
        beyond them saturate, so one very dark or bright outlier cannot
        dictate the stretch.

    Returns
    -------
    numpy.ndarray
        The stretched image, clipped to [0, 1], same shape and dtype. A
        (nearly) constant image, whose two percentiles coincide, is returned
        unchanged.

    Notes
    -----
    With :math:`a, b` the two percentiles of all the values (all channels
    together for RGB, so the colour balance is kept),
    :math:`y = \\mathrm{clip}((x - a) / (b - a), 0, 1)`. This equals
    ``skimage.exposure.rescale_intensity(image, in_range=(a, b), out_range=(0, 1))``.

    Examples
    --------
    >>> import numpy as np
    >>> contrast_stretch(np.array([[0.4, 0.5, 0.6]]), low_percentile=0, high_percentile=100)
    array([[0. , 0.5, 1. ]])
    """
    array = _check_unit_image(image)
    low_percentile = check_in_range(low_percentile, "low_percentile", 0.0, 100.0)
    high_percentile = check_in_range(high_percentile, "high_percentile", 0.0, 100.0)
    if low_percentile >= high_percentile:
        raise ValueError(
            f"low_percentile must be smaller than high_percentile; got {low_percentile} and {high_percentile}"
        )
    low, high = np.percentile(array.astype(np.float64), (low_percentile, high_percentile))
    if high <= low:
        return array.copy()
    return np.clip((array - low) / (high - low), 0.0, 1.0).astype(array.dtype)


def unsharp_mask(image, *, radius: float = 1.0, amount: float = 1.0) -> np.ndarray:
    """Sharpen by adding back the detail a Gaussian blur removes.

    Parameters
    ----------
    image : numpy.ndarray
        Gray ``(H, W)`` or RGB ``(H, W, 3)`` image in [0, 1]; RGB channels are
        sharpened separately.
    radius : float
        Standard deviation of the Gaussian blur, in pixels: the scale of the
        details that are boosted.
    amount : float
        How much of the detail to add (0 returns the image).

    Returns
    -------
    numpy.ndarray
        The sharpened image, clipped to [0, 1], same shape and dtype.

    Notes
    -----
    With :math:`G_r` the Gaussian filter of standard deviation `radius`
    (truncated at :math:`4r`, boundary ``"reflect"``) and :math:`a` = `amount`,

    .. math:: y = \\mathrm{clip}\\big(x + a\\,(x - G_r * x),\\, 0,\\, 1\\big).

    :math:`x - G_r * x` is a high-pass "mask" of the edges; adding it steepens
    them, with a light over- and undershoot on both sides of each edge. This
    equals ``skimage.filters.unsharp_mask(image, radius=radius, amount=amount)``,
    with ``channel_axis=2`` for RGB (not ``-1``: scikit-image up to at least
    0.26 mishandles a negative channel axis there, scikit-image issue #7264).

    Examples
    --------
    >>> import numpy as np
    >>> step = np.repeat([[0.25] * 4 + [0.75] * 4], 3, axis=0)
    >>> sharp = unsharp_mask(step, radius=1.0, amount=1.0)
    >>> bool(sharp[1, 3] < 0.25 < 0.75 < sharp[1, 4])
    True
    """
    array = _check_unit_image(image)
    radius = check_positive(radius, "radius")
    amount = check_positive(amount, "amount", allow_zero=True)
    sigmas = (radius, radius) if array.ndim == 2 else (radius, radius, 0.0)
    blurred = ndimage.gaussian_filter(array, sigmas, mode="reflect", truncate=4.0)
    sharpened = array + (array - blurred) * amount
    return np.clip(sharpened, 0.0, 1.0).astype(array.dtype)
