"""Live comparisons for the notebooks (ipywidgets 8).

Four widgets carry most of the course's interactivity:

- :class:`SwipeComparison`: one frame, ``before`` on the left of a divider and
  ``after`` on the right; a slider moves the divider, and a zoom (shared by both
  sides, so they always show the same region) magnifies a detail.
- :class:`ParameterExplorer`: sliders for the parameters of a function (a filter,
  a degradation, an enhancement); every change re-runs it and shows the result
  with its PSNR/SSIM against a reference.
- :class:`NoiseLevelExplorer`: a noise-level slider; every change adds that much
  noise to a clean image and re-runs several denoisers on it side by side.
- :class:`MaskPainter`: the learner paints a hole on an image with the mouse
  (through ``ipyevents``) and has it filled by an inpainting function.

Their drawing logic is plain NumPy functions (:func:`compose_swipe_frame`,
:func:`side_by_side`, :func:`render_histogram`, :func:`paint_disk`) so it is
tested without a browser; the widgets only wire sliders to those functions and
feed an ``ipywidgets.Image`` PNG bytes. The mask painter's mouse handler,
:meth:`MaskPainter.handle_event`, takes the plain dict ``ipyevents`` sends, so
it is tested with synthetic events.
"""

from __future__ import annotations

import html
import numbers
import time
from typing import Callable

import numpy as np

from ._validation import (
    check_image,
    check_in_range,
    check_integer,
    check_mask,
    check_positive,
    check_same_shape,
)
from .viz import image_to_png, to_display

__all__ = [
    "to_rgb8",
    "zoom_window",
    "compose_swipe_frame",
    "side_by_side",
    "render_histogram",
    "SwipeComparison",
    "ParameterExplorer",
    "NoiseLevelExplorer",
    "paint_disk",
    "MaskPainter",
]


def to_rgb8(image) -> np.ndarray:
    """A float image in [0, 1] (clipped), gray or RGB, as an ``(H, W, 3)`` uint8 frame.

    A uint8 image is taken as already on the 0-255 scale (a frame drawn by this module).
    """
    array = np.asarray(image)
    if array.dtype == np.uint8 and (array.ndim == 2 or (array.ndim == 3 and array.shape[-1] == 3)):
        array = array.copy()
    else:
        array = np.round(to_display(array) * 255.0).astype(np.uint8)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    return array


def zoom_window(shape, zoom: float, center=(0.5, 0.5)) -> tuple[slice, slice]:
    """The rows and columns a `zoom` x magnification around `center` shows.

    Parameters
    ----------
    shape : tuple
        ``(H, W, ...)`` of the image.
    zoom : float
        1 shows everything; 4 shows a quarter of the height and width.
    center : tuple of float
        ``(row, column)`` of the window's centre as fractions of the image
        size; the window is moved inwards when it would leave the image.
    """
    zoom = check_in_range(zoom, "zoom", 1.0, 64.0)
    center_row = check_in_range(center[0], "center[0]", 0.0, 1.0)
    center_column = check_in_range(center[1], "center[1]", 0.0, 1.0)
    height, width = shape[:2]
    window_height = max(1, int(round(height / zoom)))
    window_width = max(1, int(round(width / zoom)))
    top = int(round(center_row * height - window_height / 2))
    left = int(round(center_column * width - window_width / 2))
    top = min(max(top, 0), height - window_height)
    left = min(max(left, 0), width - window_width)
    return slice(top, top + window_height), slice(left, left + window_width)


def _magnify(frame: np.ndarray, rows: slice, columns: slice) -> np.ndarray:
    """Crop `frame` to (rows, columns) and scale it back to the frame's size (nearest neighbour)."""
    height, width = frame.shape[:2]
    crop = frame[rows, columns]
    row_index = (np.arange(height) * crop.shape[0]) // height
    column_index = (np.arange(width) * crop.shape[1]) // width
    return crop[row_index][:, column_index]


def compose_swipe_frame(before, after, position: float, *, zoom: float = 1.0, center=(0.5, 0.5),
                        divider_color=(255, 215, 0)) -> np.ndarray:
    """One frame of the swipe comparison: `before` left of the divider, `after` right of it.

    Parameters
    ----------
    before, after : numpy.ndarray
        Float images in [0, 1] of the same shape (gray or RGB; mixed is fine).
    position : float
        Where the divider stands, from 0 (all `after`) to 1 (all `before`).
    zoom : float
        Magnification, the same for both sides, so they show the same region.
    center : tuple of float
        Centre of the zoomed region as fractions ``(row, column)``.
    divider_color : tuple of int
        RGB colour of the 2-pixel divider line.

    Returns
    -------
    numpy.ndarray
        ``(H, W, 3)`` uint8 frame, the size of the inputs.
    """
    before = check_image(before, "before")
    after = check_image(after, "after")
    check_same_shape(before[..., 0] if before.ndim == 3 else before,
                     after[..., 0] if after.ndim == 3 else after, "before", "after")
    return _compose_rgb8(to_rgb8(before), to_rgb8(after), position, zoom, center, divider_color)


def _compose_rgb8(before8, after8, position, zoom, center, divider_color) -> np.ndarray:
    position = check_in_range(position, "position", 0.0, 1.0)
    rows, columns = zoom_window(before8.shape, zoom, center)
    left_frame = _magnify(before8, rows, columns)
    frame = _magnify(after8, rows, columns)
    width = frame.shape[1]
    split = int(round(position * width))
    frame[:, :split] = left_frame[:, :split]
    if 0 < split < width:
        frame[:, max(split - 1, 0) : min(split + 1, width)] = np.asarray(divider_color, dtype=np.uint8)
    return frame


def side_by_side(images, *, gap: int = 4, background: int = 255) -> np.ndarray:
    """Join images of the same height into one uint8 RGB frame, separated by `gap` pixels."""
    frames = [to_rgb8(image) for image in images]
    if not frames:
        raise ValueError("images is empty; expected at least one image")
    height = frames[0].shape[0]
    if any(frame.shape[0] != height for frame in frames):
        raise ValueError(f"images must all have the same height; got {[frame.shape[0] for frame in frames]}")
    gap = check_integer(gap, "gap", minimum=0)
    spacer = np.full((height, gap, 3), background, dtype=np.uint8)
    pieces = []
    for index, frame in enumerate(frames):
        if index:
            pieces.append(spacer)
        pieces.append(frame)
    return np.concatenate(pieces, axis=1)


def render_histogram(image, *, height: int = 100, width: int = 256, bins: int = 64) -> np.ndarray:
    """Draw the histogram of an image (values clipped to [0, 1]) as a small uint8 RGB picture.

    Drawn with NumPy, not matplotlib, so it is fast enough to redraw on every
    slider move. Bars are gray on white; the cumulative distribution is a red line.
    """
    from .color import to_gray

    array = np.clip(to_gray(check_image(image, "image")), 0.0, 1.0)
    height = check_integer(height, "height", minimum=8)
    width = check_integer(width, "width", minimum=8)
    bins = check_integer(bins, "bins", minimum=2, maximum=width)
    counts, _ = np.histogram(array, bins=bins, range=(0.0, 1.0))
    column_bin = np.minimum((np.arange(width) * bins) // width, bins - 1)
    bar_heights = np.round(counts[column_bin] / max(counts.max(), 1) * (height - 1)).astype(int)
    rows = np.arange(height)[:, None]
    picture = np.full((height, width, 3), 255, dtype=np.uint8)
    picture[rows >= height - bar_heights[None, :]] = (110, 110, 110)
    cumulative = np.cumsum(counts) / counts.sum()
    cdf_rows = np.round((1.0 - cumulative[column_bin]) * (height - 1)).astype(int)
    picture[cdf_rows, np.arange(width)] = (220, 30, 30)
    return picture


def _import_widgets():
    try:
        import ipywidgets
    except ImportError as error:  # pragma: no cover - ipywidgets is a dependency
        raise ImportError("the course's widgets need ipywidgets 8: pip install 'ipywidgets>=8'") from error
    return ipywidgets


class SwipeComparison:
    """Before/after comparison with a swipe slider and a shared zoom.

    Parameters
    ----------
    before, after : numpy.ndarray
        Float images in [0, 1], same height and width.
    labels : tuple of str
        Names of the two sides, shown above the frame.
    display_width : int
        Width of the picture on screen, in CSS pixels.

    Examples
    --------
    >>> import numpy as np
    >>> comparison = SwipeComparison(np.zeros((8, 8)), np.ones((8, 8)))
    >>> comparison.position.value = 0.25
    >>> comparison.frame()[0, 0].tolist(), comparison.frame()[0, -1].tolist()
    ([0, 0, 0], [255, 255, 255])
    """

    def __init__(self, before, after, *, labels=("before", "after"), display_width: int = 512):
        widgets = _import_widgets()
        self.before = check_image(before, "before")
        self.after = check_image(after, "after")
        compose_swipe_frame(self.before, self.after, 0.5)  # validates the pair once, up front
        self._before8, self._after8 = to_rgb8(self.before), to_rgb8(self.after)
        self.labels = tuple(labels)
        if len(self.labels) != 2:
            raise ValueError(f"labels must be two names (before, after); got {labels!r}")
        display_width = check_integer(display_width, "display_width", minimum=32)
        slider_layout = widgets.Layout(width=f"{display_width}px")
        self.position = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.01, description="swipe",
                                            readout_format=".2f", layout=slider_layout)
        self.zoom = widgets.FloatSlider(value=1.0, min=1.0, max=8.0, step=0.5, description="zoom",
                                        layout=slider_layout)
        self.center_row = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.01, description="zoom row",
                                              layout=slider_layout)
        self.center_column = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.01,
                                                 description="zoom col", layout=slider_layout)
        self.title = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{display_width}px"))
        for slider in (self.position, self.zoom, self.center_row, self.center_column):
            slider.observe(self.update, names="value")
        self.widget = widgets.VBox([self.title, self.image, self.position, self.zoom,
                                    self.center_row, self.center_column])
        self.update()

    def frame(self) -> np.ndarray:
        """The frame for the sliders' current values (uint8 RGB)."""
        return _compose_rgb8(self._before8, self._after8, self.position.value, self.zoom.value,
                             (self.center_row.value, self.center_column.value), (255, 215, 0))

    def update(self, change=None) -> None:
        """Redraw: called by every slider."""
        self.image.value = image_to_png(self.frame())
        self.title.value = (f"<b>{self.labels[0]}</b> &larr; {self.position.value:.0%} | "
                            f"{1 - self.position.value:.0%} &rarr; <b>{self.labels[1]}</b>"
                            f" &nbsp; (zoom {self.zoom.value:g}x)")

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _make_slider(widgets, name: str, spec):
    if isinstance(spec, widgets.Widget):
        return spec
    if isinstance(spec, (list, tuple)) and spec and all(isinstance(item, str) for item in spec):
        return widgets.Dropdown(options=list(spec), value=spec[0], description=name)
    if not isinstance(spec, (list, tuple)) or len(spec) not in (3, 4) or not all(
        isinstance(value, numbers.Real) for value in spec
    ):
        raise ValueError(
            f"parameters[{name!r}] must be (min, max, step), (min, max, step, start), a list of "
            f"option strings, or an ipywidgets widget; got {spec!r}"
        )
    low, high, step = spec[:3]
    start = spec[3] if len(spec) == 4 else low
    if not low < high or step <= 0 or not low <= start <= high:
        raise ValueError(f"parameters[{name!r}] needs min < max, step > 0 and min <= start <= max; got {spec!r}")
    if all(isinstance(value, numbers.Integral) for value in spec):
        return widgets.IntSlider(value=int(start), min=int(low), max=int(high), step=int(step), description=name)
    return widgets.FloatSlider(value=float(start), min=float(low), max=float(high), step=float(step),
                               description=name)


class ParameterExplorer:
    """Sliders for a function's parameters; each change re-runs it and shows the result.

    Parameters
    ----------
    function : callable
        Called as ``function(image, **values)``; returns an image of the same
        height and width (a filter, a degradation or an enhancement).
    image : numpy.ndarray
        The input given to `function` (for a filter: the degraded image).
    parameters : dict
        Parameter name to ``(min, max, step)`` or ``(min, max, step, start)``
        (integers give an IntSlider, floats a FloatSlider), a list of option
        strings (a Dropdown), or a ready-made ipywidgets widget.
    reference : numpy.ndarray, optional
        The clean image: the result's PSNR and SSIM against it are shown (and,
        for comparison, those of `image` itself when shapes match).
    show_input : bool
        Show `image` left of the result.
    show_histogram : bool
        Show the result's histogram and CDF under it (for enhancement).
    continuous_update : bool
        Re-run while a slider is dragged; set False for slow functions.
    display_width : int
        Width of the picture on screen, in CSS pixels.
    """

    def __init__(self, function: Callable, image, parameters: dict, *, reference=None, show_input: bool = True,
                 show_histogram: bool = False, continuous_update: bool = True, display_width: int = 640):
        widgets = _import_widgets()
        if not callable(function):
            raise TypeError(f"function must be callable; got {type(function).__name__}")
        if not isinstance(parameters, dict) or not parameters:
            raise ValueError("parameters must be a non-empty dict of name -> slider specification")
        self.function = function
        self.image = check_image(image, "image")
        self.reference = None if reference is None else check_image(reference, "reference")
        self.show_input = bool(show_input)
        self.show_histogram = bool(show_histogram)
        self.controls = {name: _make_slider(widgets, name, spec) for name, spec in parameters.items()}
        for control in self.controls.values():
            if hasattr(control, "continuous_update"):
                control.continuous_update = continuous_update
            control.observe(self.update, names="value")
        display_width = check_integer(display_width, "display_width", minimum=32)
        self.picture = widgets.Image(format="png", layout=widgets.Layout(width=f"{display_width}px"))
        self.readout = widgets.HTML()
        self.widget = widgets.VBox([*self.controls.values(), self.readout, self.picture])
        self.last_result = None
        self.update()

    @property
    def values(self) -> dict:
        """The current parameter values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def compute(self, **values):
        """Run the function for `values` and return ``(result, frame, text)``; no widget is touched."""
        result = check_image(self.function(self.image, **values), "the function's result")
        if result.shape[:2] != self.image.shape[:2]:
            raise ValueError(f"the function must return an image of the input's size {self.image.shape[:2]}; "
                             f"got {result.shape[:2]}")
        panels = [self.image, result] if self.show_input else [result]
        frame = side_by_side(panels)
        if self.show_histogram:
            histograms = [render_histogram(panel, width=panel.shape[1], height=max(48, panel.shape[0] // 4),
                                           bins=min(64, panel.shape[1]))
                          for panel in panels]
            frame = np.concatenate([frame, side_by_side(histograms)], axis=0)
        text = ", ".join(f"{name} = {value:g}" if isinstance(value, numbers.Real) else f"{name} = {value}"
                         for name, value in values.items())
        if self.reference is not None and self.reference.shape == result.shape:
            from . import metrics

            scores = f"PSNR {metrics.psnr(self.reference, result):.2f} dB, SSIM {metrics.ssim(self.reference, result):.3f}"
            if self.reference.shape == self.image.shape and not np.array_equal(self.reference, self.image):
                # the input's score, for comparison; not when the input is the reference itself (infinite PSNR),
                # as when the function degrades and restores a clean image
                scores += f" (input: {metrics.psnr(self.reference, self.image):.2f} dB)"
            text += f" &rarr; {scores}"
        return result, frame, text

    def update(self, change=None) -> None:
        """Re-run with the sliders' current values and redraw (called by every control)."""
        self.last_result, frame, text = self.compute(**self.values)
        self.picture.value = image_to_png(frame)
        self.readout.value = f"<span style='font-family:monospace'>{text}</span>"

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class NoiseLevelExplorer:
    """A live noise-level slider: noisy image and several denoisers' results, with their PSNR.

    Parameters
    ----------
    clean : numpy.ndarray
        The clean gray image (kept small, e.g. 192x192, so updates stay quick).
    denoisers : dict
        ``{name: function(noisy, sigma) -> estimate}``, for example a DnCNN trained
        for one noise level, a blind one, and BM3D told the true level.
    sigma_range : tuple
        ``(min, max, step, start)`` of the slider, on the 8-bit scale.
    seed : int
        The noise pattern is fixed and only scaled by the slider, so what changes
        between two positions is the noise level alone.
    display_width : int
        Width of the picture on screen, in CSS pixels.

    Notes
    -----
    The noisy image is ``clean + (sigma / 255) * z`` with one fixed standard-normal
    field ``z`` (unclipped, as in the denoising protocol); outputs are clipped to
    [0, 1] and rounded to 8 bits before their PSNR is taken. :meth:`compute` does
    the work without touching any widget, so it is tested without a browser.
    """

    def __init__(self, clean, denoisers: dict, *, sigma_range=(5, 75, 5, 25), seed: int = 0,
                 display_width: int = 900):
        widgets = _import_widgets()
        self.clean = check_image(clean, "clean", allow_color=False, require_unit_range=True)
        if not isinstance(denoisers, dict) or not denoisers:
            raise ValueError("denoisers must be a non-empty dict of name -> function(noisy, sigma)")
        for name, function in denoisers.items():
            if not callable(function):
                raise TypeError(f"denoisers[{name!r}] must be callable; got {type(function).__name__}")
        self.denoisers = dict(denoisers)
        self.noise_field = np.random.default_rng(check_integer(seed, "seed", minimum=0)).standard_normal(
            self.clean.shape).astype(np.float32)
        self.slider = _make_slider(widgets, "sigma", tuple(sigma_range))
        self.slider.continuous_update = False
        self.slider.observe(self.update, names="value")
        display_width = check_integer(display_width, "display_width", minimum=32)
        self.picture = widgets.Image(format="png", layout=widgets.Layout(width=f"{display_width}px"))
        self.readout = widgets.HTML()
        self.widget = widgets.VBox([self.slider, self.readout, self.picture])
        self.last_scores: dict = {}
        self.update()

    def compute(self, sigma: float):
        """Noise the clean image at `sigma`, run every denoiser; return ``(frame, scores, text)``."""
        from . import metrics

        sigma = check_in_range(sigma, "sigma", 0, 255)
        noisy = (self.clean + self.noise_field * (sigma / 255.0)).astype(np.float32)
        panels = {"noisy": noisy}
        for name, function in self.denoisers.items():
            result = check_image(function(noisy, sigma), f"the result of denoisers[{name!r}]")
            if result.shape != self.clean.shape:
                raise ValueError(f"denoisers[{name!r}] returned shape {result.shape}; expected {self.clean.shape}")
            panels[name] = result
        scores = {}
        for name, panel in panels.items():
            rounded = np.round(np.clip(panel, 0.0, 1.0) * 255.0) / 255.0
            scores[name] = metrics.psnr(self.clean, rounded)
        frame = side_by_side(list(panels.values()))
        text = f"sigma = {sigma:g}: " + " | ".join(f"{name} {value:.2f} dB" for name, value in scores.items())
        return frame, scores, text

    def update(self, change=None) -> None:
        """Re-run for the slider's value and redraw."""
        frame, self.last_scores, text = self.compute(self.slider.value)
        self.picture.value = image_to_png(frame)
        self.readout.value = f"<span style='font-family:monospace'>{text}</span>"

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


# --- the mask painter ------------------------------------------------------------------------------


def _check_coordinate(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number (a pixel coordinate); got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite pixel coordinate; got {value}")
    return value


def _check_writable_mask(mask) -> np.ndarray:
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"mask must be a NumPy boolean array of shape (H, W), painted in place; "
                        f"got {type(mask).__name__}")
    if mask.dtype != bool or mask.ndim != 2:
        raise ValueError(f"mask must be a boolean array of shape (H, W), painted in place; got shape {mask.shape} "
                         f"and dtype {mask.dtype} (convert with mask.astype(bool) first)")
    return mask


def _paint_segment(mask: np.ndarray, start, end, radius: float, value: bool) -> bool:
    """Set every pixel within `radius` of the segment `start`-`end` to `value`; say whether any pixel changed.

    Only the segment's bounding box (grown by `radius`) is computed, so a stroke
    costs its own area, not the image's.
    """
    height, width = mask.shape
    (row0, column0), (row1, column1) = start, end
    top = max(0, int(np.ceil(min(row0, row1) - radius)))
    bottom = min(height, int(np.floor(max(row0, row1) + radius)) + 1)
    left = max(0, int(np.ceil(min(column0, column1) - radius)))
    right = min(width, int(np.floor(max(column0, column1) + radius)) + 1)
    if top >= bottom or left >= right:
        return False
    rows = np.arange(top, bottom, dtype=np.float64)[:, None] - row0
    columns = np.arange(left, right, dtype=np.float64)[None, :] - column0
    step_row, step_column = row1 - row0, column1 - column0
    length_squared = step_row**2 + step_column**2
    if length_squared > 0:
        # the closest point of the segment: start + t (end - start), t clipped to [0, 1]
        along = np.clip((rows * step_row + columns * step_column) / length_squared, 0.0, 1.0)
    else:
        along = 0.0
    inside = (rows - along * step_row) ** 2 + (columns - along * step_column) ** 2 <= radius**2
    window = mask[top:bottom, left:right]
    changed = bool(np.any(window[inside] != value))
    window[inside] = value
    return changed


def paint_disk(mask, row, column, radius, value: bool = True) -> np.ndarray:
    """Set the pixels of a disk in a boolean mask, in place (one dab of the brush).

    Parameters
    ----------
    mask : numpy.ndarray
        Boolean ``(H, W)`` array, modified in place.
    row, column : float
        Centre of the disk, in pixels (row 0 is the top). It may lie outside
        the mask; then only the part of the disk inside is painted.
    radius : float
        Radius in pixels; 0 paints the centre pixel alone (when the centre is
        a whole pixel).
    value : bool
        True adds the disk to the mask (for an inpainting mask: makes a hole),
        False removes it (the eraser).

    Returns
    -------
    numpy.ndarray
        `mask` itself, for chaining.

    Notes
    -----
    Pixel :math:`(i, j)` is painted when :math:`(i - r)^2 + (j - c)^2 \\le
    \\rho^2`, with :math:`(r, c)` = (`row`, `column`) and :math:`\\rho` =
    `radius`: the pixels whose centre lies in the closed disk.

    Examples
    --------
    >>> import numpy as np
    >>> paint_disk(np.zeros((5, 5), bool), 2, 2, 1).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 0, 0, 0]])
    """
    mask = _check_writable_mask(mask)
    row = _check_coordinate(row, "row")
    column = _check_coordinate(column, "column")
    radius = check_positive(radius, "radius", allow_zero=True)
    _paint_segment(mask, (row, column), (row, column), radius, bool(value))
    return mask


def _import_events():
    try:
        import ipyevents
    except ImportError as error:  # pragma: no cover - ipyevents is a dependency
        raise ImportError("the mask painter needs ipyevents 2 for the mouse: pip install 'ipyevents>=2,<3', "
                          "then restart JupyterLab") from error
    return ipyevents


#: The colour laid over the hole on the painting canvas, and how much of it covers the image.
_HOLE_TINT = np.array([255, 40, 40], dtype=np.float32)
_HOLE_TINT_ALPHA = 0.55


class MaskPainter:
    """Paint a hole on an image with the mouse, then fill it with an inpainting function.

    The left picture is the canvas: the image, with the hole tinted red. Hold
    the left mouse button and drag to paint; with *eraser* on, painting removes
    the hole instead. *Fill* gives the damaged image (zeros in the hole) and
    the hole to `fill` and shows the result on the right, with the PSNR inside
    the hole against the original pixels, which the painter knows.

    Parameters
    ----------
    image : numpy.ndarray
        The clean image: gray ``(H, W)`` or RGB ``(H, W, 3)``, float in [0, 1].
        Keep it small (e.g. 256x256) so that painting stays fluid.
    fill : callable
        ``fill(damaged, hole) -> filled``: `damaged` is `image` with zeros in the
        hole, `hole` a boolean ``(H, W)`` array (True = missing); returns an
        image of `image`'s shape, for example
        ``lambda damaged, hole: course_lib.models.inpaint(model, damaged, hole)``.
    brush : int
        Radius of the brush in image pixels (the slider's start value).
    initial_mask : array_like, optional
        A hole to start from, ``(H, W)`` boolean (or 0/1); empty by default.
    auto_fill : bool
        Fill at the end of every stroke (mouse button released, or the pointer
        leaving the canvas), not only when *Fill* is pressed. For fast `fill`
        functions only.
    display_width : int
        Width of each of the two pictures on screen, in CSS pixels.

    Attributes
    ----------
    mask : numpy.ndarray
        A copy of the current hole, boolean ``(H, W)``, True = missing.
    coverage : float
        The fraction of the image inside the hole.
    damaged : numpy.ndarray
        The image with zeros in the hole: what `fill` is given.
    filled : numpy.ndarray or None
        The result of the last fill, or None when there was none since the hole
        last changed.
    widget : ipywidgets.VBox
        The controls and both pictures; a notebook cell ending with the painter
        shows it.
    brush, eraser : ipywidgets.IntSlider, ipywidgets.ToggleButton
        Brush radius in image pixels; paint (off) or erase (on).
    canvas, result : ipywidgets.Image
        The painting canvas and the damaged or filled image.
    events : ipyevents.Event
        Sends the canvas's mouse events to :meth:`handle_event`.

    Notes
    -----
    A mouse position ``(relativeX, relativeY)`` on a canvas shown
    ``boundingRectWidth`` x ``boundingRectHeight`` CSS pixels large is the
    image pixel ``(floor(relativeY * H / boundingRectHeight),
    floor(relativeX * W / boundingRectWidth))``, clipped to the image. Between
    two mouse positions of one stroke, the brush paints every pixel within its
    radius of the straight segment joining them, so a fast drag leaves a line,
    not a row of dots. Painting only updates the mask and redraws the canvas
    (one PNG of the image's size per mouse move, sent at most every 40 ms);
    `fill` runs when asked (*Fill*, :meth:`fill_now`, or `auto_fill`).

    Only the hole is taken from `fill`'s result: the known pixels are those of
    `image` (as :func:`course_lib.models.inpaint` does too), and the result is
    clipped to [0, 1]. With an empty hole, :meth:`fill_now` returns the image
    without calling `fill`.

    When *Fill* is pressed (or `auto_fill` fills) and `fill` raises, the error
    is shown under the controls; call :meth:`fill_now` in a cell for the full
    traceback.

    Examples
    --------
    >>> import numpy as np
    >>> painter = MaskPainter(np.full((32, 32), 0.5), lambda damaged, hole: damaged + 0.5 * hole, brush=3)
    >>> painter.paint_at(16, 16)
    >>> int(painter.mask.sum())
    29
    >>> float(painter.fill_now()[16, 16])
    0.5
    """

    def __init__(self, image, fill: Callable, *, brush: int = 12, initial_mask=None, auto_fill: bool = False,
                 display_width: int = 384):
        widgets = _import_widgets()
        ipyevents = _import_events()
        self.image = check_image(image, "image", require_unit_range=True)
        if not callable(fill):
            raise TypeError(f"fill must be callable, as fill(damaged, hole) -> filled image; "
                            f"got {type(fill).__name__}")
        self.fill = fill
        brush = check_integer(brush, "brush", minimum=1)
        if initial_mask is None:
            self._mask = np.zeros(self.image.shape[:2], dtype=bool)
        else:
            self._mask = check_mask(initial_mask, "initial_mask", shape=self.image.shape).copy()
        self.auto_fill = bool(auto_fill)
        display_width = check_integer(display_width, "display_width", minimum=32)
        self._image8 = to_rgb8(self.image)
        self._stroke_active = False
        self._last_point = None
        self._random_strokes_drawn = 0
        self._fill_seconds = None
        self.filled = None

        self.brush = widgets.IntSlider(value=brush, min=1, max=max(brush, 64), step=1, description="brush",
                                       tooltip="brush radius, in image pixels")
        self.eraser = widgets.ToggleButton(value=False, description="eraser", icon="eraser",
                                           tooltip="on: painting removes the hole")
        self.clear_button = widgets.Button(description="Clear", tooltip="remove the whole hole")
        self.random_button = widgets.Button(description="Random strokes",
                                            tooltip="a random free-form hole covering 10-25 % of the image")
        self.fill_button = widgets.Button(description="Fill", button_style="primary",
                                          tooltip="fill the hole (runs the fill function)")
        picture_layout = {"width": f"{display_width}px"}
        self.canvas = widgets.Image(format="png", layout=widgets.Layout(**picture_layout))
        self.result = widgets.Image(format="png", layout=widgets.Layout(**picture_layout))
        self.canvas_caption = widgets.HTML("<b>paint the hole here</b> (hold the left button and drag)")
        self.result_caption = widgets.HTML()
        self.readout = widgets.HTML()
        self.brush.observe(self._update_readout, names="value")
        self.eraser.observe(self._update_readout, names="value")
        self.clear_button.on_click(lambda button: self.clear())
        self.random_button.on_click(lambda button: self.random_strokes())
        self.fill_button.on_click(lambda button: self._fill_showing_errors())
        self.events = ipyevents.Event(source=self.canvas,
                                      watched_events=["mousedown", "mousemove", "mouseup", "mouseleave"],
                                      prevent_default_action=True,  # no drag-and-drop of the picture itself
                                      throttle_or_debounce="throttle", wait=40)
        self.events.on_dom_event(self.handle_event)
        controls = widgets.HBox([self.brush, self.eraser, self.clear_button, self.random_button, self.fill_button])
        pictures = widgets.HBox([widgets.VBox([self.canvas_caption, self.canvas]),
                                 widgets.VBox([self.result_caption, self.result])])
        self.widget = widgets.VBox([controls, self.readout, pictures])
        self._draw_canvas()
        self._draw_result()
        self._update_readout()

    # --- state ---------------------------------------------------------------------------------

    @property
    def mask(self) -> np.ndarray:
        """A copy of the hole: boolean ``(H, W)``, True = missing."""
        return self._mask.copy()

    @property
    def coverage(self) -> float:
        """The fraction of the image inside the hole."""
        return float(self._mask.mean())

    @property
    def damaged(self) -> np.ndarray:
        """The image with zeros in the hole: what `fill` is given."""
        hole = self._mask[..., None] if self.image.ndim == 3 else self._mask
        return np.where(hole, 0.0, self.image).astype(self.image.dtype)

    def frame(self) -> np.ndarray:
        """The canvas picture: the image with the hole tinted red (uint8 RGB)."""
        frame = self._image8.copy()
        tinted = frame[self._mask].astype(np.float32) * (1.0 - _HOLE_TINT_ALPHA) + _HOLE_TINT * _HOLE_TINT_ALPHA
        frame[self._mask] = np.round(tinted).astype(np.uint8)
        return frame

    # --- painting ------------------------------------------------------------------------------

    def paint_at(self, row, column, erase: bool = False) -> None:
        """Paint one dab of the brush (radius ``brush.value``) centred on pixel (`row`, `column`).

        `erase` removes the disk from the hole instead. Both pictures are redrawn.
        """
        row = _check_coordinate(row, "row")
        column = _check_coordinate(column, "column")
        self._paint((row, column), (row, column), erase=bool(erase))
        self._draw_result()

    def handle_event(self, event: dict) -> bool:
        """Act on one mouse event of the canvas, as sent by ``ipyevents``; say whether it painted.

        Parameters
        ----------
        event : dict
            ``event`` (or ``type``): ``"mousedown"`` (left button) starts a
            stroke and paints; ``"mousemove"`` paints from the previous position
            while the left button is held (``buttons & 1``) and otherwise ends
            the stroke; ``"mouseup"`` and ``"mouseleave"`` end it. Positions are
            ``relativeX``, ``relativeY`` on a canvas shown
            ``boundingRectWidth`` x ``boundingRectHeight`` large (``dataX``,
            ``dataY``, in image pixels, when the size is missing). Other events,
            and events without a position, are ignored.

        Returns
        -------
        bool
            True when the brush was applied (even if the hole did not change).
        """
        kind = event.get("event", event.get("type"))
        if kind == "mousedown":
            if event.get("button", 0) != 0:
                return False
            point = self._event_pixel(event)
            if point is None:
                return False
            self._stroke_active, self._last_point = True, point
            self._paint(point, point, erase=self.eraser.value)
            return True
        if kind == "mousemove":
            try:
                held = int(event.get("buttons", 0)) & 1
            except (TypeError, ValueError):
                held = 0
            if not held:
                if self._stroke_active:  # the button was released outside the canvas
                    self._end_stroke()
                return False
            point = self._event_pixel(event)
            if point is None:
                return False
            start = self._last_point if self._stroke_active and self._last_point is not None else point
            self._stroke_active, self._last_point = True, point
            self._paint(start, point, erase=self.eraser.value)
            return True
        if kind in ("mouseup", "mouseleave"):
            if self._stroke_active:
                self._end_stroke()
        return False

    def _event_pixel(self, event: dict):
        """The image pixel ``(row, column)`` under the pointer, clipped to the image; None without a position."""
        height, width = self._mask.shape
        try:
            x, y = float(event["relativeX"]), float(event["relativeY"])
            shown_width, shown_height = float(event["boundingRectWidth"]), float(event["boundingRectHeight"])
            if not shown_width > 0 or not shown_height > 0:
                raise ValueError("the canvas has no size")
            row, column = y * height / shown_height, x * width / shown_width
        except (KeyError, TypeError, ValueError):
            try:
                row, column = float(event["dataY"]), float(event["dataX"])
            except (KeyError, TypeError, ValueError):
                return None
        if not (np.isfinite(row) and np.isfinite(column)):
            return None
        row = min(max(int(np.floor(row)), 0), height - 1)
        column = min(max(int(np.floor(column)), 0), width - 1)
        return row, column

    def _paint(self, start, end, *, erase: bool) -> None:
        if _paint_segment(self._mask, start, end, float(self.brush.value), not erase):
            self.filled = None
        self._draw_canvas()
        self._update_readout()

    def _end_stroke(self) -> None:
        self._stroke_active, self._last_point = False, None
        if self.auto_fill and self.filled is None and self._mask.any():
            self._fill_showing_errors()
        else:
            self._draw_result()

    def clear(self) -> None:
        """Remove the whole hole."""
        self._set_mask(np.zeros_like(self._mask))

    def random_strokes(self) -> np.ndarray:
        """Replace the hole by random brush strokes covering 10-25 % of the image; return it.

        Uses :func:`course_lib.degradations.stroke_mask` with seeds 0, 1, 2, ...
        for successive calls, so a notebook re-run draws the same holes.
        """
        from .degradations import stroke_mask

        mask = stroke_mask(self._mask.shape, coverage=(0.1, 0.25), seed=self._random_strokes_drawn)
        self._random_strokes_drawn += 1
        self._set_mask(mask)
        return self.mask

    def _set_mask(self, mask: np.ndarray) -> None:
        self._stroke_active, self._last_point = False, None
        if not np.array_equal(mask, self._mask):
            self.filled = None
        self._mask = np.asarray(mask, dtype=bool).copy()
        self._draw_canvas()
        self._draw_result()
        self._update_readout()

    # --- filling -------------------------------------------------------------------------------

    def fill_now(self) -> np.ndarray:
        """Fill the current hole with `fill`, show the result and return it.

        Returns
        -------
        numpy.ndarray
            The image with its hole replaced by `fill`'s output (clipped to
            [0, 1]); the known pixels are `image`'s own. Also kept as `filled`.

        Raises
        ------
        ValueError
            If `fill` returns something that is not an image of `image`'s shape.
        """
        hole = self._mask.copy()
        if not hole.any():
            self.filled, self._fill_seconds = self.image.copy(), None
        else:
            start = time.perf_counter()
            output = self.fill(self.damaged, hole.copy())
            seconds = time.perf_counter() - start
            output = check_image(output, "the result of fill")
            if output.shape != self.image.shape:
                raise ValueError(f"fill must return an image of the input's shape {self.image.shape}; "
                                 f"got {output.shape}")
            where = hole[..., None] if self.image.ndim == 3 else hole
            self.filled = np.where(where, np.clip(output, 0.0, 1.0), self.image).astype(self.image.dtype)
            self._fill_seconds = seconds
        self._draw_result()
        self._update_readout()
        return self.filled

    def _fill_showing_errors(self) -> None:
        """Fill, from a button or a stroke's end: an error is shown under the controls, not lost in a log."""
        self.fill_button.disabled = True
        self.readout.value = "<span style='font-family:monospace'>filling...</span>"
        try:
            self.fill_now()
        except Exception as error:
            self.readout.value = (f"<span style='font-family:monospace;color:#b00020'>fill failed: "
                                  f"{type(error).__name__}: {html.escape(str(error))}</span>")
        finally:
            self.fill_button.disabled = False

    # --- drawing -------------------------------------------------------------------------------

    def _draw_canvas(self) -> None:
        self.canvas.value = image_to_png(self.frame())

    def _draw_result(self) -> None:
        if self.filled is not None:
            self.result.value = image_to_png(self.filled)
            self.result_caption.value = "<b>filled</b>"
        else:
            self.result.value = image_to_png(self.damaged)
            self.result_caption.value = "<b>damaged</b> (what the fill function sees): press Fill"

    def _update_readout(self, change=None) -> None:
        parts = [f"hole {self.coverage:.1%} of the image ({int(self._mask.sum())} px)",
                 f"brush {self.brush.value} px", "erasing" if self.eraser.value else "painting"]
        if self.filled is not None and self._mask.any():
            from . import metrics

            score = metrics.psnr_in_mask(self.image, self.filled, self._mask)
            timing = "" if self._fill_seconds is None else f" in {self._fill_seconds:.2f} s"
            parts.append(f"filled{timing}: PSNR in the hole {score:.2f} dB")
        elif self._mask.any():
            parts.append("press Fill to fill the hole")
        self.readout.value = f"<span style='font-family:monospace'>{' | '.join(parts)}</span>"

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
