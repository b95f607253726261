"""TFLite conversion in each mode, running it on any size, int8 quantization by hand, latency."""

import keras
import numpy as np
import pytest

from course_lib import models


@pytest.fixture(scope="module")
def tiny_denoiser():
    return models.dncnn(depth=3, width=32, batch_norm=False, seed=0)  # a 32x32x3x3 kernel: big enough to quantize


@pytest.fixture(scope="module")
def converted(tiny_denoiser):
    return {mode: models.convert_to_tflite(tiny_denoiser, mode) for mode in models.TFLITE_MODES}


def test_each_mode_converts_and_float16_and_int8_are_smaller(converted):
    assert all(isinstance(content, bytes) and content for content in converted.values())
    sizes = {mode: len(content) for mode, content in converted.items()}
    assert sizes["dynamic_int8"] < sizes["float16"] < sizes["float32"]


@pytest.mark.parametrize("mode, tolerance", [("float32", 1e-5), ("float16", 1e-2), ("dynamic_int8", 5e-2)])
def test_the_tflite_model_computes_what_keras_computes(tiny_denoiser, converted, mode, tolerance):
    tflite = models.TFLiteModel(converted[mode])
    assert tflite.input_names == ["noisy"] and tflite.size_bytes == len(converted[mode])
    for shape in [(1, 12, 10, 1), (2, 7, 9, 1), (1, 12, 10, 1)]:  # sizes change, then come back
        batch = np.random.default_rng(0).random(shape, dtype=np.float32)
        np.testing.assert_allclose(tflite(batch), np.asarray(tiny_denoiser(batch)), atol=tolerance)


def test_apply_tflite_matches_apply_model_with_the_same_margin(tiny_denoiser, converted):
    tflite = models.TFLiteModel(converted["float32"])
    image = np.random.default_rng(1).random((13, 17)).astype(np.float32)
    margin = models.receptive_field(tiny_denoiser) // 2 + 1
    np.testing.assert_allclose(models.apply_tflite(tflite, image, margin=margin),
                               models.apply_model(tiny_denoiser, image), atol=1e-5)
    assert models.apply_tflite(tflite, image, multiple=4).shape == (13, 17)


def test_a_two_input_model_takes_its_inputs_by_name():
    first, second = keras.Input((None, None, 1), name="first"), keras.Input((None, None, 1), name="second")
    model = keras.Model([first, second], keras.layers.Subtract()([first, second]))
    tflite = models.TFLiteModel(models.convert_to_tflite(model))
    a, b = np.full((1, 4, 4, 1), 3.0, np.float32), np.ones((1, 4, 4, 1), np.float32)
    assert set(tflite.input_names) == {"first", "second"}
    ordered = [a if name == "first" else b for name in tflite.input_names]
    np.testing.assert_allclose(tflite(*ordered), 2.0)
    with pytest.raises(ValueError, match="2 input"):
        tflite(a)
    with pytest.raises(ValueError, match="one input"):
        models.apply_tflite(tflite, np.zeros((4, 4)))


def test_conversion_failures_become_a_short_runtime_error(monkeypatch, tiny_denoiser):
    import tensorflow as tf

    class Broken:
        optimizations = []

        class target_spec:
            supported_types = []

        def convert(self):
            raise Exception("Could not translate MLIR to FlatBuffer.\nloc(...): error: 'tf.Conv2D' op is neither "
                            "a custom op nor a flex op\nTF Select ops: Conv2D\nDetails:\n\t"
                            "tf.Conv2D(tensor<?x?x?x?xf32>, tensor<3x3x8x4xf32>) -> (tensor<?x?x?x4xf32>) : "
                            "{data_format = \"NHWC\"}")

    monkeypatch.setattr(tf.lite.TFLiteConverter, "from_keras_model", staticmethod(lambda model: Broken()))
    with pytest.raises(RuntimeError) as error:
        models.convert_to_tflite(tiny_denoiser, "dynamic_int8")
    message = str(error.value)
    assert "'dncnn'" in message and "dynamic_int8" in message and "TF Select ops: Conv2D" in message
    assert "data_format" not in message and len(message) < 400


def test_convert_and_run_bad_input(tiny_denoiser):
    with pytest.raises(TypeError, match="keras.Model"):
        models.convert_to_tflite("model")
    with pytest.raises(ValueError, match="mode must be one of"):
        models.convert_to_tflite(tiny_denoiser, "int4")
    with pytest.raises(TypeError, match="bytes"):
        models.TFLiteModel("model.tflite")
    with pytest.raises(TypeError, match="TFLiteModel"):
        models.apply_tflite(tiny_denoiser, np.zeros((4, 4)))


def test_quantize_symmetric_and_dequantize():
    weights = np.random.default_rng(2).normal(0, 0.1, (3, 3, 2, 4))
    quantized, scale = models.quantize_symmetric(weights)
    assert quantized.dtype == np.int8 and quantized.shape == weights.shape
    assert scale == pytest.approx(np.abs(weights).max() / 127)
    assert np.abs(quantized).max() == 127
    restored = models.dequantize(quantized, scale)
    assert restored.dtype == np.float32
    assert np.abs(restored - weights).max() <= scale / 2 + 1e-7  # the rounding error bound
    zero_q, zero_scale = models.quantize_symmetric(np.zeros(3))
    assert zero_scale == 1.0 and np.all(zero_q == 0)
    negative_q, _ = models.quantize_symmetric(np.array([-2.0, 1.0]))
    assert negative_q.tolist() == [-127, 64]


def test_quantize_bad_input():
    with pytest.raises(ValueError, match="floating-point"):
        models.quantize_symmetric(np.arange(3))
    with pytest.raises(ValueError, match="NaN"):
        models.quantize_symmetric(np.array([np.nan]))
    with pytest.raises(ValueError, match="integer"):
        models.dequantize(np.zeros(3), 0.1)
    with pytest.raises(ValueError, match="scale"):
        models.dequantize(np.zeros(3, np.int8), -1.0)


def test_measure_latency():
    calls = []
    latency = models.measure_latency(lambda value: calls.append(value) or value, 5, pixels=2_000_000, repeats=3,
                                     warmup=2)
    assert len(calls) == 5 and len(latency.seconds) == 3
    assert latency.best <= latency.median and latency.megapixels_per_second > 0
    assert "Mpx/s" in str(latency)
    with pytest.raises(TypeError, match="callable"):
        models.measure_latency(3, pixels=1)
    with pytest.raises(ValueError, match="repeats"):
        models.measure_latency(lambda: 0, pixels=1, repeats=0)
