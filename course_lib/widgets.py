"""Live comparisons for the notebooks (ipywidgets 8).

Two widgets carry most of the course's interactivity:

- :class:`SwipeComparison`: one frame, ``before`` on the left of a divider and
  ``after`` on the right; a slider moves the divider, and a zoom (shared by both
  sides, so they always show the same region) magnifies a detail.
- :class:`ParameterExplorer`: sliders for the parameters of a function (a filter,
  a degradation, an enhancement); every change re-runs it and shows the result
  with its PSNR/SSIM against a reference.
- :class:`NoiseLevelExplorer`: a noise-level slider; every change adds that much
  noise to a clean image and re-runs several denoisers on it side by side.

Their drawing logic is plain NumPy functions (:func:`compose_swipe_frame`,
:func:`side_by_side`, :func:`render_histogram`) so it is tested without a browser;
the widgets only wire sliders to those functions and feed an
``ipywidgets.Image`` PNG bytes.
"""

from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from ._validation import check_image, check_in_range, check_integer, check_same_shape
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
