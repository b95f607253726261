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
