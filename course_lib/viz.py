"""Figures for the notebooks: image grids with PSNR/SSIM titles, zoomed insets, histograms.

A figure beats a table beats a paragraph: every comparison in the course shows
the images side by side, each titled with its PSNR and SSIM against the clean
reference, and a zoomed inset where the differences are small.
"""

from __future__ import annotations

import io

import numpy as np

from ._validation import check_image, check_integer, check_positive

__all__ = [
    "show_images",
    "add_zoom_inset",
    "plot_histogram",
    "plot_training_curves",
    "image_to_png",
    "to_display",
    "metric_title",
]


def to_display(image) -> np.ndarray:
    """Clip a float image to [0, 1] for display (noisy images may leave the range)."""
    return np.clip(check_image(image, "image"), 0.0, 1.0)


def image_to_png(image, *, compress_level: int = 1) -> bytes:
    """Encode a float image in [0, 1] (clipped) or a uint8 image as PNG bytes.

    Parameters
    ----------
    image : numpy.ndarray
        ``(H, W)`` or ``(H, W, 3)``; float (clipped to [0, 1]) or uint8.
    compress_level : int
        zlib level 0-9; 1 is fast, which is what a live widget needs.
    """
    from PIL import Image

    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = np.round(to_display(array) * 255.0).astype(np.uint8)
    elif array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] != 3):
        raise ValueError(f"image must be (H, W) or (H, W, 3); got shape {array.shape}")
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


def metric_title(reference, estimate, *, name: str = "", data_range: float = 1.0) -> str:
    """A figure title with the PSNR and SSIM of `estimate` against `reference`.

    Returns ``"name\\nPSNR 28.31 dB | SSIM 0.812"`` (without the first line when
    `name` is empty). The metrics are computed on the images as given, unclipped.
    """
    from . import metrics

    psnr = metrics.psnr(reference, estimate, data_range=data_range)
    ssim = metrics.ssim(reference, estimate, data_range=data_range)
    psnr_text = "inf" if np.isinf(psnr) else f"{psnr:.2f}"
    line = f"PSNR {psnr_text} dB | SSIM {ssim:.3f}"
    return f"{name}\n{line}" if name else line


def _as_named_images(images, titles) -> list[tuple[str, np.ndarray]]:
    if isinstance(images, dict):
        pairs = list(images.items())
    else:
        if isinstance(images, np.ndarray):
            images = [images]  # one image; pass a list to show several
        images = list(images)
        if titles is None:
            titles = [""] * len(images)
        if len(titles) != len(images):
            raise ValueError(f"titles must have one entry per image ({len(images)}); got {len(titles)}")
        pairs = list(zip(titles, images))
    if not pairs:
        raise ValueError("images is empty; expected at least one image")
    return [(str(title), check_image(image, f"images[{title!r}]")) for title, image in pairs]


def add_zoom_inset(ax, image, box, *, location: str = "lower right", size: float = 0.42,
                   color: str = "yellow"):
    """Draw a rectangle around `box` and show it magnified in a corner of `ax`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes already showing `image`.
    image : numpy.ndarray
        The image shown in `ax`.
    box : tuple of int
        ``(top, left, height, width)`` of the region to magnify, in pixels.
    location : {"lower right", "lower left", "upper right", "upper left"}
    size : float
        Side of the inset as a fraction of the axes.
    color : str
        Colour of the rectangle and the inset's frame.

    Returns
    -------
    matplotlib.axes.Axes
        The inset axes.
    """
    from matplotlib.patches import Rectangle

    array = to_display(image)
    top, left, height, width = (check_integer(int(value), "box", minimum=0) for value in box)
    if height < 1 or width < 1 or top + height > array.shape[0] or left + width > array.shape[1]:
        raise ValueError(f"box {tuple(box)} must lie inside the image of shape {array.shape[:2]}")
    corners = {"lower right": (1 - size, 0.0), "lower left": (0.0, 0.0),
               "upper right": (1 - size, 1 - size), "upper left": (0.0, 1 - size)}
    if location not in corners:
        raise ValueError(f"location must be one of {sorted(corners)}; got {location!r}")
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False, edgecolor=color, linewidth=1.2))
    x0, y0 = corners[location]
    inset = ax.inset_axes([x0, y0, size, size])
    crop = array[top : top + height, left : left + width]
    inset.imshow(crop, cmap="gray" if crop.ndim == 2 else None, vmin=0, vmax=1, interpolation="nearest")
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_edgecolor(color)
        spine.set_linewidth(1.5)
    return inset


def show_images(images, *, reference=None, titles=None, columns: int | None = None, size: float = 3.0,
                zoom_box=None, metrics: bool = True, suptitle: str | None = None, cmap: str = "gray"):
    """Show images side by side; with a `reference`, each title gets its PSNR and SSIM.

    Parameters
    ----------
    images : dict or list of numpy.ndarray
        ``{"noisy": y, "Gaussian filter": x_hat, ...}`` (keys become titles) or a list.
    reference : numpy.ndarray, optional
        The clean image. Every image of the same shape that is not the
        reference itself is titled with ``PSNR .. dB | SSIM ..`` against it.
    titles : list of str, optional
        Titles when `images` is a list.
    columns : int, optional
        Images per row (default: all in one row, at most 4).
    size : float
        Width of each panel in inches.
    zoom_box : tuple of int, optional
        ``(top, left, height, width)``: magnify this region in every panel
        (see :func:`add_zoom_inset`).
    metrics : bool
        Put PSNR/SSIM in the titles when a reference is given.
    suptitle : str, optional
        A title over the whole figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    pairs = _as_named_images(images, titles)
    if reference is not None:
        reference = check_image(reference, "reference")
    count = len(pairs)
    columns = min(count, 4) if columns is None else check_integer(columns, "columns", minimum=1)
    size = check_positive(size, "size")
    rows = int(np.ceil(count / columns))
    first = pairs[0][1]
    aspect = first.shape[0] / first.shape[1]
    figure, axes = plt.subplots(rows, columns, figsize=(size * columns, size * aspect * rows + 0.5 * rows),
                                squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (title, image) in zip(axes.ravel(), pairs):
        ax.imshow(to_display(image), cmap=cmap if image.ndim == 2 else None, vmin=0, vmax=1,
                  interpolation="nearest")
        if metrics and reference is not None and image.shape == reference.shape and image is not reference:
            title = metric_title(reference, image, name=title)
        ax.set_title(title, fontsize=9)
        if zoom_box is not None:
            add_zoom_inset(ax, image, zoom_box)
    if suptitle:
        figure.suptitle(suptitle, fontsize=11)
    figure.tight_layout()
    return figure


def plot_histogram(image, *, ax=None, bins: int = 256, cdf: bool = True, title: str | None = None,
                   color: str = "0.3"):
    """Plot the histogram of a float image in [0, 1], with its cumulative distribution.

    Parameters
    ----------
    image : numpy.ndarray
        Gray image (an RGB image is converted to gray first).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure otherwise.
    bins : int
        Number of equal bins over [0, 1].
    cdf : bool
        Overlay the normalised cumulative histogram (right axis, 0 to 1): the
        curve that histogram equalization uses as its mapping.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from .color import to_gray

    array = to_gray(check_image(image, "image"))
    bins = check_integer(bins, "bins", minimum=2)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 2.6))
    counts, edges = np.histogram(np.clip(array, 0, 1), bins=bins, range=(0.0, 1.0))
    ax.bar(edges[:-1], counts, width=edges[1] - edges[0], align="edge", color=color)
    ax.set_xlim(0, 1)
    ax.set_xlabel("intensity")
    ax.set_ylabel("pixels")
    if cdf:
        cumulative = np.cumsum(counts) / counts.sum()
        twin = ax.twinx()
        twin.plot(edges[1:], cumulative, color="tab:red", linewidth=1.5)
        twin.set_ylim(0, 1.02)
        twin.set_ylabel("CDF", color="tab:red")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_training_curves(history: dict, *, keys=None, ax=None, title: str | None = None):
    """Plot per-epoch curves from a Keras ``History.history``-like dict of lists."""
    import matplotlib.pyplot as plt

    if not isinstance(history, dict) or not history:
        raise ValueError("history must be a non-empty dict of metric name -> list of values")
    keys = list(history) if keys is None else list(keys)
    missing = [key for key in keys if key not in history]
    if missing:
        raise ValueError(f"keys {missing} are not in history (it has {sorted(history)})")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3))
    for key in keys:
        values = list(history[key])
        ax.plot(range(1, len(values) + 1), values, marker="o", markersize=3, label=key)
    ax.set_xlabel("epoch")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return ax
