"""Super-resolution: the networks, super_resolve, and the aligned training patches."""

import json

import numpy as np
import pytest

from course_lib import color, data, degradations, metrics, models, training


def _zero_last_layer(model, name):
    layer = model.get_layer(name)
    layer.set_weights([np.zeros_like(weight) for weight in layer.get_weights()])
    return model


@pytest.fixture(scope="module")
def bicubic_vdsr():
    """A VDSR whose residual is zero: it returns its bicubic input, so it *is* bicubic."""
    return _zero_last_layer(models.vdsr(depth=3, width=4), "conv_3")


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_espcn_upscales_by_its_scale(scale):
    model = models.espcn(scale)
    low = np.random.default_rng(0).random((1, 7, 9, 1)).astype(np.float32)
    assert np.asarray(model(low)).shape == (1, 7 * scale, 9 * scale, 1)
    assert models.takes_low_resolution(model) and models.output_scale(model) == scale


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_edsr_upscales_low_resolution_and_starts_as_bicubic(scale):
    model = models.edsr(scale, blocks=3, width=8)
    low = np.random.default_rng(3).random((1, 10, 13, 1)).astype(np.float32)
    output = np.asarray(model(low))
    assert output.shape == (1, 10 * scale, 13 * scale, 1)
    assert models.takes_low_resolution(model) and models.output_scale(model) == scale
    bicubic = np.asarray(model.get_layer("bicubic")(low))
    assert np.abs(output - bicubic).max() < 0.05, "an untrained EDSR is about its bicubic upscaling"
    _zero_last_layer(model, "tail")
    np.testing.assert_allclose(np.asarray(model(low)), bicubic, atol=1e-6)


def test_edsr_skip_is_the_protocol_bicubic_away_from_the_border():
    """The network's own bicubic upscaling is MATLAB's (course_lib.degradations) inside the image.

    Within 1e-3: TensorFlow reads the cubic kernel from a table of 1024 samples.
    """
    model = _zero_last_layer(models.edsr(3, blocks=0, width=4), "tail")
    low = np.random.default_rng(4).random((20, 24)).astype(np.float32)
    ours = np.asarray(model(low[None, :, :, None]))[0, :, :, 0]
    reference = degradations.bicubic_upscale(low, 3)
    np.testing.assert_allclose(ours[6:-6, 6:-6], reference[6:-6, 6:-6], atol=1e-3)


def test_edsr_counts_its_parameters_and_computes_at_low_resolution():
    from course_lib.models.cost import multiply_adds_per_pixel

    width, blocks = 64, 6
    convolution = lambda inputs, outputs: 9 * inputs * outputs + outputs  # noqa: E731
    for scale in (2, 3, 4):
        model = models.edsr(scale, blocks=blocks, width=width)
        assert model.count_params() == (convolution(1, width) + 2 * blocks * convolution(width, width)
                                        + convolution(width, scale**2))
        per_output_pixel = multiply_adds_per_pixel(model) / scale**2
        assert per_output_pixel == pytest.approx((9 * width + 18 * blocks * width**2 + 9 * width * scale**2)
                                                 / scale**2)


def test_edsr_wide_blocks_cost_what_plain_ones_cost_with_the_relu_six_times_wider():
    from course_lib.models.cost import multiply_adds_per_pixel

    width, blocks, scale = 32, 7, 3
    plain = models.edsr(scale, blocks=blocks, width=width)
    wide = models.edsr(scale, blocks=blocks, width=width, block="wide")
    reduced = round(0.8 * width)
    per_block = width * 6 * width + 6 * width * reduced + 9 * reduced * width  # expand, reduce, 3x3
    ends = 9 * width + 9 * width * scale**2  # head and tail
    assert multiply_adds_per_pixel(wide) == pytest.approx(ends + blocks * per_block)
    assert multiply_adds_per_pixel(wide) == pytest.approx(multiply_adds_per_pixel(plain), rel=0.02)
    expand = wide.get_layer("block_0_expand")
    assert expand.kernel_size == (1, 1) and expand.filters == 6 * width and expand.activation.__name__ == "relu"
    assert wide.get_layer("block_0_reduce").filters == reduced
    low = np.random.default_rng(5).random((1, 9, 11, 1)).astype(np.float32)
    output = np.asarray(wide(low))
    assert output.shape == (1, 27, 33, 1)
    assert np.abs(output - np.asarray(wide.get_layer("bicubic")(low))).max() < 0.05, "starts as bicubic too"


def test_edsr_refuses_bad_arguments():
    with pytest.raises(ValueError, match="scale"):
        models.edsr(5)
    with pytest.raises(ValueError, match="blocks"):
        models.edsr(2, blocks=-1)
    with pytest.raises(ValueError, match="block must be one of"):
        models.edsr(2, block="dense")
    with pytest.raises(ValueError, match="expansion"):
        models.edsr(2, block="wide", expansion=0)


def test_the_training_configuration_builds_the_block_it_names():
    config = training.SuperResolutionTrainingConfig(architecture="edsr", scale=2, width=8, blocks=2, block="wide",
                                                    patch_size=16)
    assert "block_1_expand" in [layer.name for layer in training.build_super_resolution(config).layers]
    assert training.SuperResolutionTrainingConfig.from_dict({"architecture": "edsr"}).block == "plain"  # old records
    assert training.super_resolution_training._EDSR_BLOCKS == models.EDSR_BLOCKS  # kept apart: no Keras import
    with pytest.raises(ValueError, match="block"):
        training.SuperResolutionTrainingConfig(architecture="edsr", block="dense")


def test_srcnn_is_the_9_1_5_network():
    model = models.srcnn()
    kernels = [layer.kernel_size[0] for layer in model.layers if hasattr(layer, "kernel_size")]
    assert kernels == [9, 1, 5]
    assert model.count_params() == (81 * 64 + 64) + (64 * 32 + 32) + (25 * 32 + 1)
    assert not models.takes_low_resolution(model) and models.output_scale(model) == 1


@pytest.mark.parametrize("unshuffle", [1, 3])
def test_vdsr_adds_its_residual_to_the_bicubic_input(unshuffle):
    model = _zero_last_layer(models.vdsr(depth=4, width=4, unshuffle=unshuffle), "conv_4")
    upscaled = np.random.default_rng(1).random((1, 12, 15, 1)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(model(upscaled)), upscaled, atol=1e-7)
    assert not models.takes_low_resolution(model)
    assert models.size_multiple(model) == unshuffle


def test_bicubic_through_super_resolve_reproduces_the_protocol_reference(bicubic_vdsr):
    """astronaut x3 under the SR protocol: bicubic gives 28.681 dB (COURSE.md)."""
    high_y = np.round(color.rgb_to_y(data.load_image("astronaut")))
    high_y = degradations.crop_to_multiple(high_y, 3)
    low = degradations.bicubic_downscale(high_y, 3) / 255.0
    upscaled = models.super_resolve(bicubic_vdsr, low.astype(np.float32), 3) * 255.0
    estimate = np.round(np.clip(upscaled, 0, 255))
    border = 3
    error = (estimate - high_y)[border:-border, border:-border]
    psnr = 10 * np.log10(255.0**2 / np.mean(error**2))
    assert psnr == pytest.approx(28.681, abs=0.002)


def test_super_resolve_is_independent_of_the_tiling():
    model = models.espcn(2)
    low = np.random.default_rng(2).random((33, 47)).astype(np.float32)
    np.testing.assert_allclose(models.super_resolve(model, low, 2, tile_size=8),
                               models.super_resolve(model, low, 2, tile_size=512), atol=1e-5)


def test_super_resolve_rgb_upscales_luma_with_the_network_and_chroma_with_bicubic(bicubic_vdsr):
    low = data.load_image("coffee")[::8, ::8].copy()
    result = models.super_resolve(bicubic_vdsr, low, 2)
    assert result.shape == (low.shape[0] * 2, low.shape[1] * 2, 3)
    expected = np.clip(degradations.bicubic_upscale(low, 2), 0, 1)
    np.testing.assert_allclose(result, expected, atol=2e-3)  # all-bicubic either way, up to float32 YCbCr


def test_super_resolve_refuses_a_scale_the_model_does_not_do():
    with pytest.raises(ValueError, match="upscales 2 times, but scale is 3"):
        models.super_resolve(models.espcn(2), np.zeros((8, 8), np.float32), 3)


# --- training pairs ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source():
    rng = np.random.default_rng(3)
    images = [rng.random((60, 72)).astype(np.float32), rng.random((48, 54)).astype(np.float32)]
    return training.ImageSource("two random images", ("a", "b"), tuple(image.shape for image in images),
                                lambda index: images[index])


def test_luma_from_gray_follows_matlab():
    np.testing.assert_allclose(training.luma_from_gray(np.array([0.0, 1.0])), [16 / 255, 235 / 255], rtol=1e-6)


@pytest.mark.parametrize("low_resolution_input", [True, False])
def test_pairs_are_aligned_and_sized(source, low_resolution_input):
    pairs = list(training.sr_patch_generator(source, scale=3, patch_size=24, count=6, seed=0, scales=(1.0,),
                                             augment=False, low_resolution_input=low_resolution_input))
    for network_input, target in pairs:
        assert target.shape == (24, 24, 1)
        assert network_input.shape == ((8, 8, 1) if low_resolution_input else (24, 24, 1))
        if low_resolution_input:  # away from the patch border, the input is the shrunken target
            shrunk = degradations.imresize(target[..., 0], output_shape=(8, 8))
            np.testing.assert_allclose(shrunk[2:-2, 2:-2], network_input[2:-2, 2:-2, 0], atol=1e-5)
        else:  # away from the patch border, the input is the bicubic upscaling of the shrunken target
            shrunk = degradations.imresize(target[..., 0], output_shape=(8, 8))
            upscaled = degradations.imresize(shrunk, output_shape=(24, 24))
            np.testing.assert_allclose(upscaled[9:-9, 9:-9], network_input[9:-9, 9:-9, 0], atol=1e-3)


def test_augmentation_turns_input_and_target_together(source):
    plain = list(training.sr_patch_generator(source, scale=2, patch_size=16, count=20, seed=4, scales=(1.0,),
                                             low_resolution_input=True, augment=True))
    for network_input, target in plain:
        shrunk = degradations.imresize(target[..., 0], output_shape=(8, 8))
        np.testing.assert_allclose(shrunk[2:-2, 2:-2], network_input[2:-2, 2:-2, 0], atol=1e-5)


def test_dataset_batches_and_repeats(source):
    options = dict(scale=2, low_resolution_input=True, patch_size=16, batch_size=4, steps_per_epoch=2, epochs=2,
                   seed=1)
    first = [np.asarray(x) for x, _ in training.super_resolution_dataset(source, **options)]
    second = [np.asarray(x) for x, _ in training.super_resolution_dataset(source, **options)]
    assert len(first) == 4 and first[0].shape == (4, 8, 8, 1)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="multiple of scale=3"):
        training.super_resolution_dataset(source, scale=3, low_resolution_input=True, patch_size=16)


@pytest.mark.parametrize("architecture", ["srcnn", "espcn", "vdsr", "edsr"])
def test_training_runs_and_checkpoints(source, tmp_path, architecture):
    config = training.SuperResolutionTrainingConfig(architecture=architecture, scale=2, depth=3, width=4, blocks=2,
                                                    patch_size=16, batch_size=4, steps_per_epoch=2, epochs=2)
    result = training.train_super_resolution(config, source=source, checkpoint_dir=tmp_path, verbose=0)
    assert len(result.history["loss"]) == 2 and np.isfinite(result.history["loss"]).all()
    assert (tmp_path / "state.json").exists()


def test_an_l1_run_minimizes_the_mean_absolute_error_and_records_it(source, tmp_path):
    config = training.SuperResolutionTrainingConfig(architecture="edsr", scale=2, width=4, blocks=1, patch_size=16,
                                                    batch_size=4, steps_per_epoch=2, epochs=1, loss="l1")
    result = training.train_super_resolution(config, source=source, checkpoint_dir=tmp_path, verbose=0)
    assert result.model.loss == "mean_absolute_error"
    saved = json.loads((tmp_path / "state.json").read_text())["config"]
    assert saved["loss"] == "l1"
    assert training.SuperResolutionTrainingConfig.from_dict(saved) == config
    assert training.SuperResolutionTrainingConfig.from_dict({"scale": 2, "patch_size": 16}).loss == "mse"  # old records


def test_config_checks_its_values():
    with pytest.raises(ValueError, match="architecture must be one of"):
        training.SuperResolutionTrainingConfig(architecture="swinir")
    with pytest.raises(ValueError, match="blocks"):
        training.SuperResolutionTrainingConfig(architecture="edsr", blocks=-1)
    with pytest.raises(ValueError, match="multiple of scale=3"):
        training.SuperResolutionTrainingConfig(scale=3, patch_size=50)
    with pytest.raises(ValueError, match="loss must be one of"):
        training.SuperResolutionTrainingConfig(loss="l2")


def test_edsr_starts_from_another_scales_weights_except_its_last_layer(source, tmp_path):
    options = dict(architecture="edsr", width=4, blocks=2, patch_size=24, batch_size=2, steps_per_epoch=1, epochs=1)
    donor_path = tmp_path / "x2.keras"
    donor = models.edsr(2, blocks=2, width=4, seed=5)
    donor.save(donor_path)
    config = training.SuperResolutionTrainingConfig(scale=3, learning_rate=1e-12, final_learning_rate=1e-12,
                                                    **options)
    result = training.train_super_resolution(config, source=source, initial_weights=donor_path, verbose=0,
                                             validation=False)
    for layer in result.model.layers:
        if not layer.weights:
            continue
        copied = [np.allclose(a, b, atol=1e-6) for a, b in zip(layer.get_weights(),
                                                               donor.get_layer(layer.name).get_weights())
                  if a.shape == b.shape]
        if layer.name == "tail":
            assert layer.get_weights()[0].shape[-1] == 9 and not copied  # x3 makes 9 sub-pixels: fresh
        else:
            assert copied and all(copied), layer.name


def test_a_deeper_edsr_starts_from_a_shallower_ones_blocks_and_as_about_the_same_network(source, tmp_path):
    donor_path = tmp_path / "shallow.keras"
    donor = models.edsr(3, blocks=2, width=4, seed=5)
    donor.save(donor_path)
    config = training.SuperResolutionTrainingConfig(architecture="edsr", scale=3, width=4, blocks=4, patch_size=24,
                                                    batch_size=2, steps_per_epoch=1, epochs=1,
                                                    learning_rate=1e-12, final_learning_rate=1e-12)
    result = training.train_super_resolution(config, source=source, initial_weights=donor_path, verbose=0,
                                             validation=False)
    fresh = models.edsr(3, blocks=4, width=4, seed=config.seed)
    donor_names = {layer.name for layer in donor.layers}
    for layer in result.model.layers:
        if not layer.weights:
            continue
        added = layer.name.startswith(("block_2_", "block_3_"))
        assert added != (layer.name in donor_names), layer.name
        expected_layer = fresh.get_layer(layer.name) if added else donor.get_layer(layer.name)
        for trained, expected in zip(layer.get_weights(), expected_layer.get_weights()):
            np.testing.assert_allclose(trained, expected, atol=1e-6, err_msg=layer.name)
    # The extra blocks end in a near-zero convolution: the deeper network starts close to the shallower one.
    image = np.random.default_rng(0).random((1, 16, 16, 1)).astype("float32")
    difference = np.abs(result.model.predict(image, verbose=0) - donor.predict(image, verbose=0)).max()
    assert difference < 0.05 * np.abs(donor.predict(image, verbose=0)).max()


def test_a_shallower_or_narrower_edsr_than_its_initial_weights_is_refused(source, tmp_path):
    donor_path = tmp_path / "deep.keras"
    models.edsr(3, blocks=3, width=4).save(donor_path)
    for blocks, width in ((2, 4), (4, 6)):
        config = training.SuperResolutionTrainingConfig(architecture="edsr", scale=3, width=width, blocks=blocks,
                                                        patch_size=24, batch_size=2, steps_per_epoch=1, epochs=1)
        with pytest.raises(ValueError, match="different architecture"):
            training.train_super_resolution(config, source=source, initial_weights=donor_path, verbose=0,
                                            validation=False)


def test_initial_weights_of_another_architecture_are_refused(source, tmp_path):
    donor_path = tmp_path / "wide.keras"
    models.edsr(2, blocks=3, width=4).save(donor_path)
    config = training.SuperResolutionTrainingConfig(architecture="edsr", scale=3, width=4, blocks=2, patch_size=24,
                                                    batch_size=2, steps_per_epoch=1, epochs=1)
    with pytest.raises(ValueError, match="different architecture"):
        training.train_super_resolution(config, source=source, initial_weights=donor_path, verbose=0,
                                        validation=False)


def test_multiply_adds_per_output_pixel_counts_low_resolution_networks_per_output_pixel():
    blocks, width, scale = 2, 4, 3
    network = models.edsr(scale, blocks=blocks, width=width)
    per_input_pixel = 9 * 1 * width + blocks * 2 * 9 * width * width + 9 * width * scale * scale  # head, blocks, tail
    assert models.multiply_adds_per_pixel(network) == pytest.approx(per_input_pixel)
    assert models.multiply_adds_per_output_pixel(network) == pytest.approx(per_input_pixel / scale**2)
    # On the bicubic upscaling (no unshuffle) input and output have the same size: the counts agree.
    vdsr = models.vdsr(depth=3, width=4)
    assert models.multiply_adds_per_output_pixel(vdsr) == pytest.approx(models.multiply_adds_per_pixel(vdsr))
    # Unshuffled by 3, VDSR's input is the bicubic image: per output pixel is per input pixel again.
    unshuffled = models.vdsr(depth=3, width=4, unshuffle=3)
    assert models.multiply_adds_per_output_pixel(unshuffled) == pytest.approx(models.multiply_adds_per_pixel(unshuffled))


def test_a_patch_no_image_can_give_fails_before_any_training(source, tmp_path, monkeypatch):
    monkeypatch.setenv(training.FAST_MODE_VARIABLE, "0")
    # The largest image is 60x72: at the smallest rescaling, 0.7, it gives patches of at most 42 pixels.
    assert training.check_patch_size_fits(source, 42, (1.0, 0.7)).tolist() == [True, False]
    with pytest.raises(ValueError, match=r"patch_size 48 at the smallest rescaling 0.7 .*60x72.* at most 42 pixels"):
        training.check_patch_size_fits(source, 48, (1.0, 0.7))
    config = training.SuperResolutionTrainingConfig(architecture="edsr", scale=2, width=4, blocks=1, patch_size=48,
                                                    batch_size=2, steps_per_epoch=1, epochs=1)
    with pytest.raises(ValueError, match="choose a smaller patch size"):
        training.train_super_resolution(config, source=source, checkpoint_dir=tmp_path / "run", verbose=0)
    assert not (tmp_path / "run").exists()  # nothing was started
