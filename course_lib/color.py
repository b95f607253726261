"""Colour conversions: RGB, gray and the YCbCr used by the super-resolution literature.

All functions take float images in [0, 1] (gray ``(H, W)`` or RGB ``(H, W, 3)``).
"""

from __future__ import annotations

import numpy as np

from ._validation import check_image

__all__ = ["rgb_to_gray", "rgb_to_ycbcr", "ycbcr_to_rgb", "rgb_to_y", "to_gray"]

# ITU-R BT.601 luma weights, the ones MATLAB's rgb2gray and scikit-image's rgb2gray
# (0.2125, 0.7154, 0.0721 are Rec. 709 in scikit-image) differ on; we use BT.601.
_GRAY_WEIGHTS = np.array([0.299, 0.587, 0.114])

# MATLAB's rgb2ycbcr for RGB in [0, 1], giving Y in [16, 235] and Cb, Cr in [16, 240]
# on the 8-bit scale. Each row is (R, G, B) weights; the offset is added afterwards.
_YCBCR_MATRIX = np.array(
    [
        [65.481, 128.553, 24.966],
        [-37.797, -74.203, 112.0],
        [112.0, -93.786, -18.214],
    ]
)
_YCBCR_OFFSET = np.array([16.0, 128.0, 128.0])


def rgb_to_gray(image: np.ndarray) -> np.ndarray:
    """Convert an RGB image to gray with the ITU-R BT.601 luma weights.

    Parameters
    ----------
    image : numpy.ndarray
        RGB image of shape ``(H, W, 3)`` with values in [0, 1].

    Returns
    -------
    numpy.ndarray
        Gray image of shape ``(H, W)``, float32:
        ``gray = 0.299 R + 0.587 G + 0.114 B``.
    """
    array = check_image(image, "image")
    if array.ndim != 3:
        raise ValueError(f"image must be RGB (H, W, 3); got shape {array.shape}")
    return (array @ _GRAY_WEIGHTS).astype(np.float32)


def to_gray(image: np.ndarray) -> np.ndarray:
    """Return `image` as gray: RGB is converted with :func:`rgb_to_gray`, gray is returned as is."""
    array = check_image(image, "image")
    return rgb_to_gray(array) if array.ndim == 3 else array.astype(np.float32)


def rgb_to_ycbcr(image: np.ndarray) -> np.ndarray:
    """Convert RGB in [0, 1] to YCbCr on the 8-bit scale, as MATLAB's ``rgb2ycbcr``.

    Parameters
    ----------
    image : numpy.ndarray
        RGB image ``(H, W, 3)`` with values in [0, 1].

    Returns
    -------
    numpy.ndarray
        ``(H, W, 3)`` float64 array of (Y, Cb, Cr) with

        .. math::

            Y  &= 16 + 65.481 R + 128.553 G + 24.966 B \\\\
            Cb &= 128 - 37.797 R - 74.203 G + 112 B \\\\
            Cr &= 128 + 112 R - 93.786 G - 18.214 B

        so Y lies in [16, 235] (ITU-R BT.601 "studio swing").
    """
    array = check_image(image, "image")
    if array.ndim != 3:
        raise ValueError(f"image must be RGB (H, W, 3); got shape {array.shape}")
    return array.astype(np.float64) @ _YCBCR_MATRIX.T + _YCBCR_OFFSET


def ycbcr_to_rgb(image: np.ndarray) -> np.ndarray:
    """Invert :func:`rgb_to_ycbcr`: (Y, Cb, Cr) on the 8-bit scale back to RGB in [0, 1].

    The result is clipped to [0, 1] (YCbCr values produced by a network may fall
    outside the RGB cube) and returned as float32.
    """
    array = np.asarray(image, dtype=np.float64)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(f"image must be YCbCr (H, W, 3); got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError("image contains NaN or infinite values")
    rgb = (array - _YCBCR_OFFSET) @ np.linalg.inv(_YCBCR_MATRIX).T
    return np.clip(rgb, 0.0, 1.0).astype(np.float32)


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """Return the BT.601 luma Y of an RGB image in [0, 1], on the 8-bit scale [16, 235].

    A gray image is treated as R = G = B, so its Y is ``16 + 219 * image``.
    This is the channel on which super-resolution papers report PSNR.
    """
    array = check_image(image, "image")
    if array.ndim == 2:
        return 16.0 + _YCBCR_MATRIX[0].sum() * array.astype(np.float64)
    return array.astype(np.float64) @ _YCBCR_MATRIX[0] + 16.0
