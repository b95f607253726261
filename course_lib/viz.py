"""Figures for the notebooks: image grids with PSNR/SSIM titles, zoomed insets, histograms.

A figure beats a table beats a paragraph: every comparison in the course shows
the images side by side, each titled with its PSNR and SSIM against the clean
reference, and a zoomed inset where the differences are small.
"""

from __future__ import annotations

import io

import numpy as np

from ._validation import check_float_array, check_image, check_integer, check_positive

__all__ = [
    "show_images",
    "add_zoom_inset",
    "plot_histogram",
    "plot_training_curves",
    "show_gan_losses_and_samples",
    "show_point_clouds_through_training",
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


def show_gan_losses_and_samples(losses: dict, samples, row_labels, *, samples_title: str = "",
                                gap: int = 2, figsize=(10.0, 3.6)):
    """Show a GAN's two losses per epoch beside a grid of its samples, one row per snapshot.

    Left, each loss against the epoch, with the values of the balanced game drawn as gray
    lines: when the discriminator answers :math:`D = 1/2` for every image, its
    cross-entropy is :math:`-\\log\\tfrac12 - \\log\\tfrac12 = 2\\log 2` (dotted) and the
    generator's non-saturating loss :math:`-\\log\\tfrac12 = \\log 2` (dashed). Right, the
    samples, each row labelled with its snapshot (say ``"epoch 25"``): when every column
    comes from the same latent vector, a column follows one sample through training.

    Parameters
    ----------
    losses : dict
        ``{name: values}``, one value per epoch (``"discriminator_loss"``,
        ``"generator_loss"``); each list becomes a curve labelled with its name.
    samples : numpy.ndarray
        A gray image in [0, 1], of shape ``(H, W)``: the samples tiled in
        ``len(row_labels)`` rows of equal height, with `gap` pixels between rows.
    row_labels : sequence of str
        One label per row of `samples`, written at the middle of the row:
        row :math:`i` of :math:`R` is centred at :math:`(i + 1/2)(H + g)/R - g/2`
        for a gap :math:`g`.
    samples_title : str
        The title over the samples.
    gap : int
        Pixels between two rows of `samples`.
    figsize : tuple of float
        Width and height of the figure in inches.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with the losses on ``figure.axes[0]`` and the samples on
        ``figure.axes[1]``.

    Raises
    ------
    ValueError
        If `losses` is empty, `samples` is not a gray image, or `row_labels` is empty.

    Examples
    --------
    >>> import numpy as np
    >>> figure = show_gan_losses_and_samples(
    ...     {"discriminator_loss": [1.5, 1.4], "generator_loss": [0.6, 0.7]},
    ...     np.zeros((50, 74)), ["epoch 1", "epoch 2"], samples_title="3 latent vectors")
    >>> [label.get_text() for label in figure.axes[1].get_yticklabels()]
    ['epoch 1', 'epoch 2']
    """
    import matplotlib.pyplot as plt

    if not isinstance(losses, dict) or not losses:
        raise ValueError("losses must be a non-empty dict of loss name -> list of values per epoch")
    samples = check_image(samples, "samples")
    if samples.ndim != 2:
        raise ValueError(f"samples must be a gray image (H, W); got shape {samples.shape}")
    row_labels = [str(label) for label in row_labels]
    if not row_labels:
        raise ValueError("row_labels is empty; expected one label per row of samples")
    gap = check_integer(gap, "gap", minimum=0)

    figure, (loss_axis, sample_axis) = plt.subplots(1, 2, figsize=figsize, width_ratios=(1, 1.4))
    for name, values in losses.items():
        loss_axis.plot(np.arange(1, len(values) + 1), values, label=name)
    loss_axis.axhline(2 * np.log(2), color="gray", linestyle=":", linewidth=1, label="2 log 2")
    loss_axis.axhline(np.log(2), color="gray", linestyle="--", linewidth=1, label="log 2")
    loss_axis.set_xlabel("epoch")
    loss_axis.legend(fontsize=8)
    sample_axis.imshow(samples, cmap="gray", vmin=0, vmax=1)
    rows = len(row_labels)
    row_centres = (np.arange(rows) + 0.5) * (samples.shape[0] + gap) / rows - gap / 2
    sample_axis.set_yticks(row_centres, row_labels, fontsize=8)
    sample_axis.set_xticks([])
    sample_axis.set_title(samples_title, fontsize=10)
    figure.tight_layout()
    return figure


def show_point_clouds_through_training(runs: dict, data, *, describe=None, colors=("tab:blue", "tab:red"),
                                       limit: float = 3.0, panel_size=(2.2, 2.45), dpi: int = 72):
    """Show 2-D generated points through training: one row per run, one panel per snapshot.

    The picture of mode collapse on a toy problem: every panel draws the data in light
    gray and, on top, the generator's points at one training step, inside the square
    :math:`[-\\ell, \\ell]^2` for :math:`\\ell` = `limit`. A generator that spreads over every
    mode and one that hops between a few look nothing alike here, while their loss values
    can be the same.

    Parameters
    ----------
    runs : dict
        ``{run name: {step: points}}``, each `points` an ``(N, 2)`` array of generated
        points. A run is one row, labelled with its name; its snapshots go from left to
        right in the order of the dict.
    data : numpy.ndarray
        ``(M, 2)`` points of the data, drawn in light gray in every panel.
    describe : callable, optional
        ``describe(points) -> str``, added to each panel's title ``"step 200"`` after a
        colon (say, how many modes the points cover).
    colors : sequence of str
        One matplotlib colour per run, used in turn.
    limit : float
        Half the side of the square that every panel shows, centred on the origin.
    panel_size : tuple of float
        Width and height of one panel in inches.
    dpi : int
        Dots per inch of the figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with one axes per panel, row by row.

    Raises
    ------
    ValueError
        If `runs` is empty or a run has no snapshot, or if `data` or a snapshot is not
        an ``(N, 2)`` array of finite numbers.

    Examples
    --------
    >>> import numpy as np
    >>> data = np.array([[1.0, 0.0], [-1.0, 0.0]])
    >>> figure = show_point_clouds_through_training({"run": {100: data * 0.5, 200: data}}, data)
    >>> [axis.get_title() for axis in figure.axes]
    ['step 100', 'step 200']
    """
    import matplotlib.pyplot as plt

    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs must be a non-empty dict of run name -> {step: (N, 2) points}")
    if any(not isinstance(snapshots, dict) or not snapshots for snapshots in runs.values()):
        raise ValueError("every run must be a non-empty dict of step -> (N, 2) points")

    def points_2d(values, name):
        array = check_float_array(values, name, min_ndim=2, max_ndim=2, allow_integer=True)
        if array.shape[1] != 2:
            raise ValueError(f"{name} must be (N, 2) points; got shape {array.shape}")
        return array

    data = points_2d(data, "data")
    limit = check_positive(limit, "limit")
    columns = max(len(snapshots) for snapshots in runs.values())
    width, height = panel_size
    figure, axes = plt.subplots(len(runs), columns, figsize=(width * columns, height * len(runs)), dpi=dpi,
                                squeeze=False)
    for row, (name, snapshots) in enumerate(runs.items()):
        for axis, (step, points) in zip(axes[row], snapshots.items()):
            points = points_2d(points, f"runs[{name!r}][{step!r}]")
            axis.scatter(*data.T, s=2, color="0.8")
            axis.scatter(*points.T, s=2, color=colors[row % len(colors)])
            axis.set_xlim(-limit, limit)
            axis.set_ylim(-limit, limit)
            axis.set_aspect("equal")
            axis.set_xticks([])
            axis.set_yticks([])
            title = f"step {step}" if describe is None else f"step {step}: {describe(points)}"
            axis.set_title(title, fontsize=9)
        axes[row, 0].set_ylabel(name, fontsize=8)
    figure.tight_layout()
    return figure
