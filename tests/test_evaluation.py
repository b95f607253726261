"""course_lib.evaluation: the denoising protocol and the results table."""

import json

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from course_lib import data, evaluation


@pytest.fixture
def clean(gray_image):
    return gray_image


def test_noisy_observation_is_seeded_unclipped_and_of_the_stated_level():
    flat = np.full((256, 256), 0.02, np.float32)
    noisy = evaluation.noisy_observation(flat, 25, seed=0)
    np.testing.assert_array_equal(noisy, evaluation.noisy_observation(flat, 25, seed=0))
    assert noisy.min() < 0, "the protocol does not clip the noisy image"
    assert (noisy - flat).std() * 255 == pytest.approx(25, rel=0.02)
    assert not np.array_equal(noisy, evaluation.noisy_observation(flat, 25, seed=0, index=1))
    assert not np.array_equal(noisy, evaluation.noisy_observation(flat, 25, seed=1))


def test_noisy_observation_needs_a_clean_image_in_unit_range():
    with pytest.raises(ValueError, match=r"clean has values in"):
        evaluation.noisy_observation(np.full((8, 8), 2.0, np.float32), 25)


def test_quantize_clips_and_rounds_to_8_bits():
    image = np.array([[-0.2, 0.6 / 255, 0.7, 1.3]], np.float32)
    np.testing.assert_allclose(evaluation.quantize(image), np.array([[0, 1, 178, 255]]) / 255, atol=1e-7)


def test_denoising_scores_agree_with_scikit_image_after_quantization(clean):
    estimate = clean + 0.05 * np.random.default_rng(0).standard_normal(clean.shape).astype(np.float32)
    psnr_value, ssim_value = evaluation.denoising_scores(clean, estimate)
    rounded = np.round(np.clip(estimate, 0, 1) * 255) / 255
    assert psnr_value == pytest.approx(peak_signal_noise_ratio(clean, rounded, data_range=1), abs=1e-4)
    assert ssim_value == pytest.approx(structural_similarity(clean, rounded, data_range=1), abs=1e-4)


def test_evaluate_denoisers_scores_every_method_on_the_same_noise():
    images = {"camera": data.load_image("camera")[::4, ::4].copy(), "coins": data.load_image("coins")[::3, ::3].copy()}
    seen = {}

    def remember(name):
        def method(noisy, sigma):
            seen.setdefault(name, []).append(noisy.copy())
            return noisy
        return method

    table = evaluation.evaluate_denoisers({"a": remember("a"), "b": remember("b")}, images, [15, 30])
    for first, second in zip(seen["a"], seen["b"]):
        np.testing.assert_array_equal(first, second)
    assert len(table.results) == 2 * 2 * 2
    assert table.methods() == ["a", "b"] and table.sigmas() == [15.0, 30.0] and table.images() == ["camera", "coins"]
    assert table.mean("a", 15) > table.mean("a", 30)


def test_the_classical_methods_improve_on_the_noisy_input():
    images = {"camera": data.load_image("camera")[128:256, 128:256].copy()}
    methods = evaluation.classical_denoisers()
    table = evaluation.evaluate_denoisers(methods, images, [25])
    noisy = table.mean("noisy", 25)
    assert 20.0 < noisy < 21.5  # 20.2 dB before clipping and rounding to 8 bits
    for name in ("gaussian", "median", "nlm", "bm3d"):
        assert table.mean(name, 25) > noisy + 3, name
    assert table.mean("bm3d", 25) > table.mean("gaussian", 25)


def test_results_table_prints_and_writes_csv_and_json(tmp_path):
    table = evaluation.ResultsTable([
        evaluation.Result("noisy", 25.0, "x", 20.0, 0.3, 0.0),
        evaluation.Result("noisy", 25.0, "y", 22.0, 0.5, 0.0),
        evaluation.Result("bm3d", 25.0, "x", 30.0, 0.8, 2.0),
        evaluation.Result("bm3d", 25.0, "y", 31.0, 0.9, 4.0),
    ])
    text = table.format()
    assert "sigma = 25" in text and "bm3d" in text and "30.50" in text
    csv_path, json_path = table.write(tmp_path, stem="r")
    assert csv_path.read_text().splitlines()[0] == "method,sigma,image,psnr,ssim,seconds"
    record = json.loads(json_path.read_text())
    assert record["means"]["bm3d"]["25"]["psnr"] == pytest.approx(30.5)
    assert record["means"]["bm3d"]["25"]["seconds"] == pytest.approx(3.0)
    with pytest.raises(ValueError, match="no results for method 'median'"):
        table.mean("median", 25.0)


def test_a_method_returning_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match="method 'crop' returned shape"):
        evaluation.evaluate_denoisers({"crop": lambda noisy, sigma: noisy[1:]}, {"x": np.zeros((16, 16))}, [10])
    with pytest.raises(ValueError, match="methods is empty"):
        evaluation.evaluate_denoisers({}, {"x": np.zeros((16, 16))}, [10])


# --- super-resolution protocol ---------------------------------------------------------------------


@pytest.mark.parametrize("scale, expected", [(2, 31.702), (3, 28.681), (4, 26.844)])
def test_bicubic_on_astronaut_matches_the_protocol_reference(scale, expected):
    table = evaluation.evaluate_super_resolution(
        {"bicubic": evaluation.interpolation_upscalers()["bicubic"]}, {"astronaut": data.load_image("astronaut")},
        [scale])
    assert table.level_name == "scale"
    assert table.mean("bicubic", scale) == pytest.approx(expected, abs=0.0015)


def test_interpolations_rank_as_expected_and_have_the_right_size():
    images = {"camera": data.load_image("camera")[:120, :120].copy()}
    table = evaluation.evaluate_super_resolution(evaluation.interpolation_upscalers(), images, [3])
    assert table.mean("nearest", 3) < table.mean("bilinear", 3) < table.mean("bicubic", 3)
    assert "scale = 3" in table.format()
    assert table.to_csv().splitlines()[0] == "method,scale,image,psnr,ssim,seconds"


def test_sr_ground_truth_and_low_resolution():
    gray = np.full((10, 11), 1.0, np.float32)
    high = evaluation.sr_ground_truth(gray, 3)
    assert high.shape == (9, 9) and np.all(high == 235)
    np.testing.assert_allclose(evaluation.sr_low_resolution(high, 3), 235 / 255, rtol=1e-6)
    with pytest.raises(ValueError, match="multiple of 2"):
        evaluation.sr_low_resolution(np.zeros((5, 6)), 2)


def test_per_scale_methods_are_used_only_at_their_scale():
    images = {"camera": data.load_image("camera")[:48, :48].copy()}
    bicubic = evaluation.interpolation_upscalers()["bicubic"]
    table = evaluation.evaluate_super_resolution({"only x2": {2: bicubic}, "bicubic": bicubic}, images, [2, 3])
    assert table.mean("only x2", 2) == pytest.approx(table.mean("bicubic", 2))
    with pytest.raises(ValueError, match="no results for method 'only x2' at scale 3"):
        table.mean("only x2", 3)
    with pytest.raises(ValueError, match="returned shape"):
        evaluation.evaluate_super_resolution({"bad": lambda low, scale: low}, images, [2])


def test_run_method_times_the_call_and_names_a_method_of_the_wrong_shape():
    estimate, seconds = evaluation.run_method("double", lambda image, level: image * level, (2, 3),
                                              np.ones((2, 3)), 2.0)
    assert estimate.dtype == np.float32 and np.all(estimate == 2.0) and seconds >= 0.0
    with pytest.raises(ValueError, match=r"method 'crop' returned shape \(1, 3\); expected \(2, 3\)"):
        evaluation.run_method("crop", lambda image: image[:1], (2, 3), np.ones((2, 3)))
