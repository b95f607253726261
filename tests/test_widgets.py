"""Widget logic, called across each slider's whole range, without a browser."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import widgets


@pytest.fixture
def pair(gray_image):
    return gray_image, 1.0 - gray_image


def test_swipe_frame_extremes(pair):
    before, after = pair
    all_after = widgets.compose_swipe_frame(before, after, 0.0)
    all_before = widgets.compose_swipe_frame(before, after, 1.0)
    np.testing.assert_array_equal(all_after, widgets.to_rgb8(after))
    np.testing.assert_array_equal(all_before, widgets.to_rgb8(before))
    assert all_after.dtype == np.uint8 and all_after.shape == before.shape + (3,)


def test_swipe_frame_splits_at_the_position(pair):
    before, after = pair
    frame = widgets.compose_swipe_frame(before, after, 0.5, divider_color=(1, 2, 3))
    width = before.shape[1]
    np.testing.assert_array_equal(frame[:, : width // 2 - 1], widgets.to_rgb8(before)[:, : width // 2 - 1])
    np.testing.assert_array_equal(frame[:, width // 2 + 1 :], widgets.to_rgb8(after)[:, width // 2 + 1 :])
    assert (frame[:, width // 2] == (1, 2, 3)).all()


def test_zoom_shows_the_same_region_on_both_sides(pair):
    before, _ = pair
    frame = widgets.compose_swipe_frame(before, before, 0.5, zoom=4.0, center=(0.25, 0.75), divider_color=(0, 0, 0))
    rows, columns = widgets.zoom_window(before.shape, 4.0, (0.25, 0.75))
    crop = widgets.to_rgb8(before)[rows, columns]
    assert frame.shape[:2] == before.shape
    # nearest-neighbour magnification: every frame pixel comes from the crop
    assert set(map(tuple, frame[:, :10].reshape(-1, 3))) <= set(map(tuple, crop.reshape(-1, 3)))


@settings(max_examples=40, deadline=None)
@given(zoom=st.floats(1.0, 64.0), row=st.floats(0, 1), column=st.floats(0, 1))
def test_zoom_window_stays_inside(zoom, row, column):
    rows, columns = widgets.zoom_window((37, 53), zoom, (row, column))
    assert 0 <= rows.start < rows.stop <= 37 and 0 <= columns.start < columns.stop <= 53


def test_swipe_frame_bad_input(pair):
    before, after = pair
    with pytest.raises(ValueError, match="position must be in"):
        widgets.compose_swipe_frame(before, after, 1.5)
    with pytest.raises(ValueError, match="before and after must have the same shape"):
        widgets.compose_swipe_frame(before, after[:10], 0.5)
    with pytest.raises(ValueError, match="zoom must be in"):
        widgets.compose_swipe_frame(before, after, 0.5, zoom=0.5)
    with pytest.raises(ValueError, match="after has 4 channels"):
        widgets.compose_swipe_frame(before, np.zeros(before.shape + (4,)), 0.5)


def test_swipe_widget_every_slider_across_its_range(pair):
    before, after = pair
    comparison = widgets.SwipeComparison(before, after, labels=("noisy", "clean"))
    seen = set()
    for slider in (comparison.position, comparison.zoom, comparison.center_row, comparison.center_column):
        for value in np.arange(slider.min, slider.max + slider.step / 2, slider.step):
            slider.value = float(value)
            assert bytes(comparison.image.value).startswith(b"\x89PNG")
            seen.add(bytes(comparison.image.value))
        slider.value = {"swipe": 0.5, "zoom": 2.0}.get(slider.description, 0.5)
    assert len(seen) > 50, "moving the sliders must change the picture"
    assert "noisy" in comparison.title.value and "clean" in comparison.title.value


def test_swipe_widget_accepts_gray_and_rgb(gray_image, rgb_image):
    comparison = widgets.SwipeComparison(gray_image, rgb_image)
    assert comparison.frame().shape == rgb_image.shape
    with pytest.raises(ValueError, match="labels must be two names"):
        widgets.SwipeComparison(gray_image, rgb_image, labels=("one",))


def _threshold(image, level):
    return (image > level).astype(np.float32)


def test_parameter_explorer_runs_the_function_across_the_range(gray_image):
    explorer = widgets.ParameterExplorer(_threshold, gray_image, {"level": (0.0, 1.0, 0.1)}, reference=gray_image)
    pictures = set()
    for value in np.arange(0.0, 1.05, 0.1):
        explorer.controls["level"].value = float(value)
        np.testing.assert_array_equal(explorer.last_result, _threshold(gray_image, explorer.controls["level"].value))
        assert "PSNR" in explorer.readout.value and "SSIM" in explorer.readout.value
        pictures.add(bytes(explorer.picture.value))
    assert len(pictures) > 5


def test_parameter_explorer_scores_the_input_only_when_it_differs_from_the_reference(gray_image):
    noisy = np.clip(gray_image + 0.1, 0, 1)
    explorer = widgets.ParameterExplorer(_threshold, noisy, {"level": (0.0, 1.0, 0.1)}, reference=gray_image)
    assert "(input: " in explorer.readout.value
    # degrade-then-restore explorers get the clean image itself: its PSNR against itself is infinite, not shown
    explorer = widgets.ParameterExplorer(_threshold, gray_image, {"level": (0.0, 1.0, 0.1)}, reference=gray_image)
    assert "PSNR" in explorer.readout.value and "input" not in explorer.readout.value and "inf" not in explorer.readout.value


def test_parameter_explorer_integer_dropdown_and_histogram(rgb_image):
    def adjust(image, strength, mode):
        return np.clip(image * (1 + strength / 10), 0, 1) if mode == "brighter" else image * 0.5

    explorer = widgets.ParameterExplorer(adjust, rgb_image, {"strength": (0, 5, 1), "mode": ["brighter", "darker"]},
                                         show_histogram=True, show_input=False)
    assert explorer.controls["strength"].__class__.__name__ == "IntSlider"
    assert explorer.controls["mode"].__class__.__name__ == "Dropdown"
    for mode in ("brighter", "darker"):
        explorer.controls["mode"].value = mode
        for strength in range(0, 6):
            explorer.controls["strength"].value = strength
            result, frame, text = explorer.compute(**explorer.values)
            assert frame.shape[0] > rgb_image.shape[0], "histogram drawn under the image"
            assert f"strength = {strength}" in text


def test_parameter_explorer_bad_input(gray_image):
    with pytest.raises(TypeError, match="function must be callable"):
        widgets.ParameterExplorer("blur", gray_image, {"a": (0, 1, 1)})
    with pytest.raises(ValueError, match="parameters must be a non-empty dict"):
        widgets.ParameterExplorer(_threshold, gray_image, {})
    with pytest.raises(ValueError, match=r"parameters\['level'\] needs min < max"):
        widgets.ParameterExplorer(_threshold, gray_image, {"level": (1.0, 0.0, 0.1)})
    with pytest.raises(ValueError, match=r"parameters\['level'\] must be"):
        widgets.ParameterExplorer(_threshold, gray_image, {"level": "high"})
    with pytest.raises(ValueError, match="the function must return an image of the input's size"):
        widgets.ParameterExplorer(lambda image, level: image[:5], gray_image, {"level": (0.0, 1.0, 0.5)})


def test_render_histogram_and_side_by_side(gray_image, rgb_image):
    picture = widgets.render_histogram(gray_image, height=50, width=128, bins=32)
    assert picture.shape == (50, 128, 3) and picture.dtype == np.uint8
    assert (picture == (220, 30, 30)).all(axis=-1).any(), "the CDF line is drawn"
    dark = widgets.render_histogram(np.zeros((4, 4)), height=20, width=20, bins=10)
    assert (dark[1:, 0] == 110).all(), "all pixels in the first bin fill its bar (under the CDF line)"
    joined = widgets.side_by_side([gray_image, rgb_image], gap=3)
    assert joined.shape == (gray_image.shape[0], 2 * gray_image.shape[1] + 3, 3)
    with pytest.raises(ValueError, match="same height"):
        widgets.side_by_side([gray_image, gray_image[:5]])
    with pytest.raises(ValueError, match="images is empty"):
        widgets.side_by_side([])


# --- the noise-level explorer ---------------------------------------------------------------------


def _explorer(gray_image, **options):
    from course_lib import filters

    denoisers = {"identity": lambda noisy, sigma: noisy,
                 "gaussian": lambda noisy, sigma: filters.gaussian_filter(noisy, 0.5 + sigma / 40)}
    return widgets.NoiseLevelExplorer(gray_image, denoisers, **options)


def test_noise_level_explorer_across_the_whole_slider(gray_image):
    explorer = _explorer(gray_image, sigma_range=(5, 75, 5, 25))
    previous_noisy_psnr = np.inf
    for sigma in range(5, 76, 5):
        explorer.slider.value = sigma
        scores = explorer.last_scores
        assert set(scores) == {"noisy", "identity", "gaussian"}
        assert scores["noisy"] == pytest.approx(scores["identity"])
        assert scores["noisy"] < previous_noisy_psnr, "more noise, lower PSNR"
        previous_noisy_psnr = scores["noisy"]
        assert f"sigma = {sigma}" in explorer.readout.value
        assert explorer.picture.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert scores["gaussian"] > scores["noisy"] + 3


def test_noise_level_explorer_frame_shows_every_panel(gray_image):
    explorer = _explorer(gray_image)
    frame, _, _ = explorer.compute(25)
    assert frame.shape[0] == gray_image.shape[0] and frame.shape[1] > 3 * gray_image.shape[1]


def test_noise_level_explorer_uses_one_noise_pattern(gray_image):
    explorer = _explorer(gray_image, seed=3)
    seen = []
    explorer.denoisers = {"spy": lambda noisy, sigma: seen.append((noisy - gray_image) / sigma) or noisy}
    explorer.compute(10)
    explorer.compute(40)
    np.testing.assert_allclose(seen[0], seen[1], atol=1e-5)


def test_noise_level_explorer_bad_input(gray_image):
    with pytest.raises(ValueError, match="denoisers must be a non-empty dict"):
        widgets.NoiseLevelExplorer(gray_image, {})
    with pytest.raises(TypeError, match=r"denoisers\['x'\] must be callable"):
        widgets.NoiseLevelExplorer(gray_image, {"x": 3})
    with pytest.raises(ValueError, match="clean must be a gray image"):
        widgets.NoiseLevelExplorer(np.stack([gray_image] * 3, -1), {"x": lambda noisy, sigma: noisy})
    with pytest.raises(ValueError, match=r"denoisers\['crop'\] returned shape"):
        widgets.NoiseLevelExplorer(gray_image, {"crop": lambda noisy, sigma: noisy[1:]})


# --- the mask painter -----------------------------------------------------------------------------


def _disk_by_definition(shape, row, column, radius):
    rows, columns = np.indices(shape)
    return (rows - row) ** 2 + (columns - column) ** 2 <= radius**2


@pytest.mark.parametrize("row, column", [(0, 0), (10, 17), (31, 39), (12.5, 3.25), (-3, 20), (40, 45), (-30, -30)])
@pytest.mark.parametrize("radius", [0, 1, 2.5, 7, 100])
def test_paint_disk_matches_the_definition(row, column, radius):
    mask = np.zeros((32, 40), dtype=bool)
    returned = widgets.paint_disk(mask, row, column, radius)
    assert returned is mask, "painted in place"
    np.testing.assert_array_equal(mask, _disk_by_definition(mask.shape, row, column, radius))
    full = np.ones((32, 40), dtype=bool)
    widgets.paint_disk(full, row, column, radius, value=False)
    np.testing.assert_array_equal(full, ~_disk_by_definition(mask.shape, row, column, radius))


def test_paint_disk_bad_input():
    with pytest.raises(TypeError, match="mask must be a NumPy boolean array"):
        widgets.paint_disk([[False]], 0, 0, 1)
    with pytest.raises(ValueError, match="mask must be a boolean array of shape"):
        widgets.paint_disk(np.zeros((4, 4)), 0, 0, 1)
    with pytest.raises(ValueError, match="radius must be a non-negative"):
        widgets.paint_disk(np.zeros((4, 4), bool), 0, 0, -1)
    with pytest.raises(ValueError, match="row must be a finite"):
        widgets.paint_disk(np.zeros((4, 4), bool), np.nan, 0, 1)
    with pytest.raises(TypeError, match="column must be a number"):
        widgets.paint_disk(np.zeros((4, 4), bool), 0, "1", 1)


def _mouse(kind, x=None, y=None, *, buttons=0, button=0, width=100.0, height=80.0):
    """A mouse event as ipyevents sends it (only the keys the painter reads, plus a few it must ignore)."""
    event = {"event": kind, "type": kind, "button": button, "buttons": buttons, "shiftKey": False,
             "boundingRectWidth": width, "boundingRectHeight": height}
    if x is not None:
        event.update(relativeX=x, relativeY=y, dataX=-99, dataY=-99)  # dataX/Y are not used when the size is known
    return event


def _expected_pixel(x, y, shape, width, height):
    row = min(max(int(np.floor(y * shape[0] / height)), 0), shape[0] - 1)
    column = min(max(int(np.floor(x * shape[1] / width)), 0), shape[1] - 1)
    return row, column


def _spy_fill(calls, value=0.3):
    def fill(damaged, hole):
        calls.append((damaged.copy(), hole.copy()))
        return np.full(damaged.shape, value, dtype=np.float32)

    return fill


@pytest.mark.parametrize("shown", [(100.0, 80.0), (20.0, 16.0), (40.0, 32.0), (333.0, 51.0)])
def test_painter_maps_the_pointer_to_image_pixels_everywhere(gray_image, shown):
    width, height = shown
    painter = widgets.MaskPainter(gray_image, _spy_fill([]), brush=2)
    xs = [-15.0, 0.0, 0.4, width / 3, width / 2, width - 0.5, width, width + 250.0]
    ys = [-3.0, 0.0, height / 4, height / 2 + 0.7, height - 0.5, height, 10 * height]
    for x in xs:
        for y in ys:
            painter.clear()
            assert painter.handle_event(_mouse("mousedown", x, y, buttons=1, width=width, height=height))
            row, column = _expected_pixel(x, y, gray_image.shape, width, height)
            np.testing.assert_array_equal(painter.mask, _disk_by_definition(gray_image.shape, row, column, 2),
                                          err_msg=f"pointer at ({x}, {y}) on a {width}x{height} picture")
            assert not painter.handle_event(_mouse("mouseup", x, y, width=width, height=height))
    # the four corners of the picture are the four corners of the image
    for x, y, corner in [(0, 0, (0, 0)), (width - 0.01, 0, (0, 39)), (0, height - 0.01, (31, 0)),
                         (width - 0.01, height - 0.01, (31, 39))]:
        painter.clear()
        painter.handle_event(_mouse("mousedown", x, y, buttons=1, width=width, height=height))
        assert painter.mask[corner]


def test_painter_strokes_follow_the_held_button(gray_image):
    painter = widgets.MaskPainter(gray_image, _spy_fill([]), brush=1)
    scale_x, scale_y = 100.0 / 40, 80.0 / 32  # picture shown 2.5 times larger than the image

    def at(row, column):
        return (column + 0.5) * scale_x, (row + 0.5) * scale_y

    # moving without a button paints nothing, anywhere, even far outside
    for row in range(-5, 40, 3):
        for column in range(-5, 50, 4):
            assert not painter.handle_event(_mouse("mousemove", *at(row, column), buttons=0))
    assert not painter.mask.any()
    # a right-button press or a drag with only the right button held paints nothing
    assert not painter.handle_event(_mouse("mousedown", *at(5, 5), button=2, buttons=2))
    assert not painter.handle_event(_mouse("mousemove", *at(5, 9), buttons=2))
    assert not painter.mask.any()
    # press, then one fast move: a continuous line, not two dots
    assert painter.handle_event(_mouse("mousedown", *at(5, 5), buttons=1))
    assert painter.handle_event(_mouse("mousemove", *at(5, 35), buttons=1))
    assert painter.mask[5, 5:36].all()
    assert painter.mask[4:7, 6:35].all() and not painter.mask[8:].any()
    # after mouseup, the next held move starts a new stroke: no line back to (5, 35)
    painter.handle_event(_mouse("mouseup", *at(5, 35)))
    painter.handle_event(_mouse("mousemove", *at(25, 5), buttons=1))
    assert painter.mask[25, 5] and not painter.mask[15, 20]
    # mouseleave ends a stroke too
    painter.handle_event(_mouse("mouseleave", *at(25, 5)))
    painter.handle_event(_mouse("mousemove", *at(25, 35), buttons=1))
    assert painter.mask[25, 35] and not painter.mask[25, 20]
    # a move without the button (released outside the picture) ends it as well
    painter.handle_event(_mouse("mousemove", *at(20, 35), buttons=0))
    painter.handle_event(_mouse("mousemove", *at(12, 35), buttons=1))
    assert painter.mask[12, 35] and not painter.mask[16, 35]
    # a drag from outside the picture comes in clipped to its border
    painter.clear()
    painter.handle_event(_mouse("mousedown", -50.0, -50.0, buttons=1))
    painter.handle_event(_mouse("mousemove", 500.0, -50.0, buttons=1))
    assert painter.mask[0].all() and not painter.mask[3:].any()


def test_painter_ignores_events_it_cannot_use(gray_image):
    painter = widgets.MaskPainter(gray_image, _spy_fill([]))
    assert not painter.handle_event({"event": "mousedown", "button": 0})  # no position
    assert not painter.handle_event({"event": "mousemove", "buttons": 1, "relativeX": "left", "relativeY": 3,
                                     "boundingRectWidth": 10, "boundingRectHeight": 10})
    assert not painter.handle_event({"event": "mousemove", "buttons": None})
    assert not painter.handle_event({"event": "click", "relativeX": 5, "relativeY": 5})
    assert not painter.handle_event({})
    assert not painter.mask.any()
    # without the displayed size, the image coordinates ipyevents computes (dataX, dataY) are used
    assert painter.handle_event({"type": "mousedown", "button": 0, "dataX": 7, "dataY": 30})
    assert painter.mask[30, 7]
    assert painter.handle_event({"event": "mousedown", "button": 0, "dataX": 700, "dataY": -30,
                                 "relativeX": 1, "relativeY": 1, "boundingRectWidth": 0, "boundingRectHeight": 0})
    assert painter.mask[0, 39]


def test_painter_redraws_only_the_canvas_while_painting(gray_image):
    calls = []
    painter = widgets.MaskPainter(gray_image, _spy_fill(calls))
    canvas, result = bytes(painter.canvas.value), bytes(painter.result.value)
    painter.handle_event(_mouse("mousedown", 50.0, 40.0, buttons=1))
    for x in range(50, 90, 5):
        painter.handle_event(_mouse("mousemove", float(x), 40.0, buttons=1))
    assert bytes(painter.canvas.value) != canvas
    assert bytes(painter.result.value) == result, "the right picture waits for the stroke's end"
    assert calls == [], "painting never runs the fill function"
    painter.handle_event(_mouse("mouseup", 90.0, 40.0))
    assert bytes(painter.result.value) != result, "the stroke's end shows the damaged image"
    assert calls == []
    assert f"hole {painter.mask.mean():.1%}" in painter.readout.value


def test_painter_canvas_tints_the_hole(rgb_image):
    hole = np.zeros(rgb_image.shape[:2], bool)
    hole[5:10, 8:20] = True
    painter = widgets.MaskPainter(rgb_image, _spy_fill([]), initial_mask=hole)
    np.testing.assert_array_equal(painter.mask, hole)
    frame = painter.frame()
    np.testing.assert_array_equal(frame[~hole], widgets.to_rgb8(rgb_image)[~hole])
    assert (frame[hole][:, 0] >= 140).all() and (frame[hole][:, 0] > frame[hole][:, 1]).all()
    painter.mask[:] = False  # a copy: the painter's hole does not change
    assert painter.mask.sum() == hole.sum()


def test_painter_eraser_and_clear(gray_image):
    painter = widgets.MaskPainter(gray_image, _spy_fill([]), brush=3, initial_mask=np.ones((32, 40), bool))
    empty_canvas = bytes(widgets.MaskPainter(gray_image, _spy_fill([])).canvas.value)
    painter.eraser.value = True
    assert "erasing" in painter.readout.value
    painter.handle_event(_mouse("mousedown", 50.0, 40.0, buttons=1))  # pixel (16, 20)
    np.testing.assert_array_equal(painter.mask, ~_disk_by_definition((32, 40), 16, 20, 3))
    painter.eraser.value = False
    painter.handle_event(_mouse("mousemove", 50.0, 40.0, buttons=1))
    assert painter.mask.all(), "with the eraser off, the same stroke paints again"
    painter.paint_at(0, 0, erase=True)
    np.testing.assert_array_equal(painter.mask, ~_disk_by_definition((32, 40), 0, 0, 3))
    painter.clear()
    assert not painter.mask.any() and painter.coverage == 0.0
    assert bytes(painter.canvas.value) == empty_canvas
    painter.clear_button.click()
    assert not painter.mask.any()


def test_painter_random_strokes(gray_image):
    from course_lib import degradations

    painter = widgets.MaskPainter(gray_image, _spy_fill([]))
    masks = []
    for _ in range(5):
        mask = painter.random_strokes()
        assert 0.1 <= painter.coverage <= 0.25
        np.testing.assert_array_equal(mask, painter.mask)
        masks.append(mask)
    assert len({mask.tobytes() for mask in masks}) == 5, "every press draws a new hole"
    np.testing.assert_array_equal(masks[0], degradations.stroke_mask((32, 40), coverage=(0.1, 0.25), seed=0))
    again = widgets.MaskPainter(gray_image, _spy_fill([]))
    again.random_button.click()
    np.testing.assert_array_equal(again.mask, masks[0])


@pytest.mark.parametrize("image_name", ["gray_image", "rgb_image"])
def test_painter_fill_now(image_name, request):
    from course_lib import metrics

    image = request.getfixturevalue(image_name)
    calls = []
    painter = widgets.MaskPainter(image, _spy_fill(calls, value=0.3))
    assert painter.filled is None
    painter.handle_event(_mouse("mousedown", 30.0, 30.0, buttons=1))
    painter.handle_event(_mouse("mousemove", 70.0, 50.0, buttons=1))
    painter.handle_event(_mouse("mouseup", 70.0, 50.0))
    hole = painter.mask
    before = bytes(painter.result.value)
    filled = painter.fill_now()
    assert len(calls) == 1
    damaged, given_hole = calls[0]
    assert given_hole.dtype == bool
    np.testing.assert_array_equal(given_hole, hole)
    where = hole[..., None] if image.ndim == 3 else hole
    np.testing.assert_array_equal(damaged, np.where(where, 0.0, image))
    assert damaged.shape == image.shape
    np.testing.assert_array_equal(filled[~hole], image[~hole])  # known pixels kept, whatever fill returned there
    np.testing.assert_allclose(filled[hole], 0.3)
    assert filled.shape == image.shape and painter.filled is filled
    assert bytes(painter.result.value) != before and bytes(painter.result.value).startswith(b"\x89PNG")
    assert f"PSNR in the hole {metrics.psnr_in_mask(image, filled, hole):.2f} dB" in painter.readout.value
    assert "filled" in painter.result_caption.value
    # painting on changes the hole: the result is out of date and dropped
    painter.paint_at(2, 2)
    assert painter.filled is None and "press Fill" in painter.readout.value
    # the Fill button does the same as fill_now
    painter.fill_button.click()
    assert len(calls) == 2 and painter.filled is not None and not painter.fill_button.disabled


def test_painter_fill_clips_and_skips_an_empty_hole(gray_image):
    calls = []
    painter = widgets.MaskPainter(gray_image, _spy_fill(calls, value=1.7))
    np.testing.assert_array_equal(painter.fill_now(), gray_image)
    assert calls == [], "nothing to fill: the fill function is not run"
    painter.paint_at(16, 20)
    assert painter.fill_now()[16, 20] == 1.0


def test_painter_auto_fill_at_the_end_of_each_stroke(gray_image):
    calls = []
    painter = widgets.MaskPainter(gray_image, _spy_fill(calls), auto_fill=True)
    painter.handle_event(_mouse("mousedown", 10.0, 10.0, buttons=1))
    painter.handle_event(_mouse("mousemove", 30.0, 10.0, buttons=1))
    assert calls == []
    painter.handle_event(_mouse("mouseup", 30.0, 10.0))
    assert len(calls) == 1 and painter.filled is not None
    painter.handle_event(_mouse("mouseup", 30.0, 10.0))  # no stroke: nothing to do
    painter.handle_event(_mouse("mousedown", 30.0, 10.0, buttons=1))  # a stroke that changes nothing
    painter.handle_event(_mouse("mouseup", 30.0, 10.0))
    assert len(calls) == 1
    painter.handle_event(_mouse("mousedown", 60.0, 60.0, buttons=1))
    painter.handle_event(_mouse("mouseleave", 60.0, 60.0))
    assert len(calls) == 2


def test_painter_shows_fill_errors(gray_image):
    painter = widgets.MaskPainter(gray_image, lambda damaged, hole: damaged[:5], initial_mask=np.eye(32, 40))
    with pytest.raises(ValueError, match=r"fill must return an image of the input's shape \(32, 40\)"):
        painter.fill_now()
    painter.fill_button.click()  # from the button, the error is shown, not raised
    assert "fill failed: ValueError: fill must return" in painter.readout.value
    assert not painter.fill_button.disabled and painter.filled is None

    def broken(damaged, hole):
        raise RuntimeError("model <not> loaded")

    painter = widgets.MaskPainter(gray_image, broken, initial_mask=np.eye(32, 40), auto_fill=True)
    painter.handle_event(_mouse("mousedown", 50.0, 40.0, buttons=1))
    painter.handle_event(_mouse("mouseup", 50.0, 40.0))
    assert "fill failed: RuntimeError: model &lt;not&gt; loaded" in painter.readout.value


def test_painter_brush_slider_across_its_range(gray_image):
    painter = widgets.MaskPainter(gray_image, _spy_fill([]), brush=5)
    assert (painter.brush.min, painter.brush.value) == (1, 5) and painter.brush.max >= 32
    sizes = []
    for radius in range(painter.brush.min, painter.brush.max + 1):
        painter.brush.value = radius
        assert f"brush {radius} px" in painter.readout.value
        painter.clear()
        painter.handle_event(_mouse("mousedown", 50.0, 40.0, buttons=1))  # pixel (16, 20)
        np.testing.assert_array_equal(painter.mask, _disk_by_definition((32, 40), 16, 20, radius))
        painter.handle_event(_mouse("mouseup", 50.0, 40.0))
        painter.clear()
        painter.paint_at(0, 39)
        np.testing.assert_array_equal(painter.mask, _disk_by_definition((32, 40), 0, 39, radius))
        sizes.append(painter.mask.sum())
    assert sizes == sorted(sizes) and sizes[-1] == 32 * 40
    assert widgets.MaskPainter(gray_image, _spy_fill([]), brush=100).brush.max == 100


def test_painter_widget_and_events(gray_image):
    painter = widgets.MaskPainter(gray_image, _spy_fill([]), display_width=200)
    assert painter.events.source is painter.canvas
    assert set(painter.events.watched_events) == {"mousedown", "mousemove", "mouseup", "mouseleave"}
    assert painter.canvas.layout.width == "200px" and painter.result.layout.width == "200px"
    assert painter.widget.__class__.__name__ == "VBox"
    # ipyevents hands each event to handle_event
    painter.events._dom_handlers(_mouse("mousedown", 50.0, 40.0, buttons=1))
    assert painter.mask[16, 20]


def test_painter_bad_input(gray_image):
    fill = _spy_fill([])
    with pytest.raises(ValueError, match=r"image has values in \[.*\]; expected values in \[0, 1\]"):
        widgets.MaskPainter(gray_image * 2 + 0.1, fill)
    with pytest.raises(ValueError, match="image has 4 channels"):
        widgets.MaskPainter(np.zeros((8, 8, 4)), fill)
    with pytest.raises(ValueError, match="image has integer dtype"):
        widgets.MaskPainter(np.zeros((8, 8), np.uint8), fill)
    with pytest.raises(TypeError, match="fill must be callable"):
        widgets.MaskPainter(gray_image, "inpaint")
    with pytest.raises(ValueError, match="brush must be at least 1"):
        widgets.MaskPainter(gray_image, fill, brush=0)
    with pytest.raises(TypeError, match="brush must be an integer"):
        widgets.MaskPainter(gray_image, fill, brush=2.5)
    with pytest.raises(ValueError, match=r"initial_mask must have the image's height and width \(32, 40\)"):
        widgets.MaskPainter(gray_image, fill, initial_mask=np.zeros((40, 32), bool))
    with pytest.raises(ValueError, match="initial_mask must be binary"):
        widgets.MaskPainter(gray_image, fill, initial_mask=np.full((32, 40), 0.5))
    with pytest.raises(ValueError, match="display_width must be at least 32"):
        widgets.MaskPainter(gray_image, fill, display_width=10)
    painter = widgets.MaskPainter(gray_image, fill)
    with pytest.raises(TypeError, match="row must be a number"):
        painter.paint_at("top", 3)
    with pytest.raises(ValueError, match="fill must return an image"):
        widgets.MaskPainter(gray_image, lambda damaged, hole: damaged[..., None].repeat(3, -1),
                            initial_mask=np.eye(32, 40)).fill_now()
