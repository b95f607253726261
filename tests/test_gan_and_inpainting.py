"""GAN losses, the GAN training models, the partial convolution and the inpainting networks."""

import keras
import numpy as np
import pytest

from course_lib import models


def _softplus(values):
    return np.log1p(np.exp(values))


# --- losses ---------------------------------------------------------------------------------------


def test_losses_at_the_equilibrium_where_d_cannot_tell():
    zero = np.zeros(4, np.float32)
    assert float(models.discriminator_loss(zero, zero)) == pytest.approx(2 * np.log(2), rel=1e-6)
    assert float(models.generator_loss(zero, kind="non_saturating")) == pytest.approx(np.log(2), rel=1e-6)
    assert float(models.generator_loss(zero, kind="minimax")) == pytest.approx(-np.log(2), rel=1e-6)


def test_losses_match_their_definitions_on_random_logits():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(3, 4, 4, 1)).astype(np.float32), rng.normal(size=(3, 4, 4, 1)).astype(np.float32)
    d_real, d_fake = 1 / (1 + np.exp(-real)), 1 / (1 + np.exp(-fake))
    expected_d = -np.mean(np.log(d_real)) - np.mean(np.log(1 - d_fake))
    assert float(models.discriminator_loss(real, fake)) == pytest.approx(expected_d, rel=1e-5)
    assert float(models.discriminator_loss(real, fake, kind="minimax")) == pytest.approx(expected_d, rel=1e-5)
    assert float(models.generator_loss(fake)) == pytest.approx(-np.mean(np.log(d_fake)), rel=1e-5)
    assert float(models.generator_loss(fake, kind="minimax")) == pytest.approx(np.mean(np.log(1 - d_fake)), rel=1e-5)
    hinge = np.mean(np.maximum(0, 1 - real)) + np.mean(np.maximum(0, 1 + fake))
    assert float(models.discriminator_loss(real, fake, kind="hinge")) == pytest.approx(hinge, rel=1e-5)
    assert float(models.generator_loss(fake, kind="hinge")) == pytest.approx(-fake.mean(), rel=1e-5)
    lsgan = 0.5 * (np.mean((real - 1) ** 2) + np.mean(fake**2))
    assert float(models.discriminator_loss(real, fake, kind="least_squares")) == pytest.approx(lsgan, rel=1e-5)
    assert float(models.generator_loss(fake, kind="least_squares")) == pytest.approx(0.5 * np.mean((fake - 1) ** 2),
                                                                                     rel=1e-5)


def test_losses_are_finite_for_extreme_logits():
    extreme = np.array([-1e4, 1e4], np.float32)
    for kind in models.GAN_LOSSES:
        assert np.isfinite(float(models.discriminator_loss(extreme, extreme, kind=kind)))
        assert np.isfinite(float(models.generator_loss(extreme, kind=kind)))


def test_minimax_generator_loss_saturates_where_non_saturating_does_not():
    import tensorflow as tf

    confident_rejection = tf.Variable([-8.0])
    gradients = {}
    for kind in ("minimax", "non_saturating"):
        with tf.GradientTape() as tape:
            loss = models.generator_loss(confident_rejection, kind=kind)
        gradients[kind] = abs(float(tape.gradient(loss, confident_rejection)[0]))
    assert gradients["minimax"] < 1e-3 < 0.5 < gradients["non_saturating"]


def test_unknown_loss_kind_is_named():
    with pytest.raises(ValueError, match="kind must be one of"):
        models.generator_loss(np.zeros(2), kind="wasserstein")


# --- the GAN training model -------------------------------------------------------------------------


def _tiny_gan(seed=0):
    generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="tanh"),
                                  keras.layers.Reshape((4, 4, 1))], name="g")
    discriminator = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)],
                                     name="d")
    return models.GAN(generator, discriminator, latent_dim=4, seed=seed)


def _weights(network):
    return [np.array(weight) for weight in network.get_weights()]


def test_one_training_step_updates_both_networks_and_reports_both_losses():
    gan = _tiny_gan()
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    before_g, before_d = _weights(gan.generator), _weights(gan.discriminator)
    real = np.random.default_rng(0).random((8, 4, 4, 1)).astype(np.float32)
    history = gan.fit(real, batch_size=8, epochs=1, verbose=0)
    assert set(history.history) == {"discriminator_loss", "generator_loss"}
    assert all(not np.allclose(a, b) for a, b in zip(before_g, _weights(gan.generator)))
    assert all(not np.allclose(a, b) for a, b in zip(before_d, _weights(gan.discriminator)))
    assert [metric.name for metric in gan.metrics] == ["discriminator_loss", "generator_loss"]
    assert gan.generator_optimizer.iterations.numpy() == 1 and gan.discriminator_optimizer.iterations.numpy() == 1


def test_one_optimizer_for_both_networks_is_refused():
    gan = _tiny_gan()
    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two different optimizers"):
        gan.compile(shared, shared)


def test_the_same_seed_generates_the_same_latent_vectors():
    first, second = _tiny_gan(seed=3), _tiny_gan(seed=3)
    np.testing.assert_array_equal(np.asarray(first.sample_latent(5)), np.asarray(second.sample_latent(5)))
    assert np.asarray(first.generate(3)).shape == (3, 4, 4, 1)


# --- partial convolution ---------------------------------------------------------------------------


def _partial_conv_direct(features, valid, kernel, bias, strides):
    """The paper's formula, one window at a time (zero padding counts as missing)."""
    size = kernel.shape[0]
    height, width = features.shape[:2]
    out_height, out_width = -(-height // strides), -(-width // strides)
    pad = []
    for out_side, side in ((out_height, height), (out_width, width)):
        total = max((out_side - 1) * strides + size - side, 0)  # "same" padding, the extra pixel at the end
        pad.append((total // 2, total - total // 2))
    pad = tuple(pad)
    padded = np.pad(features, pad + ((0, 0),))
    padded_valid = np.pad(valid, pad + ((0, 0),))
    output = np.zeros((out_height, out_width, kernel.shape[-1]))
    updated = np.zeros((out_height, out_width, 1))
    for i in range(out_height):
        for j in range(out_width):
            window = padded[i * strides : i * strides + size, j * strides : j * strides + size]
            window_valid = padded_valid[i * strides : i * strides + size, j * strides : j * strides + size]
            count = window_valid.sum()
            if count > 0:
                output[i, j] = np.einsum("hwc,hwcf->f", window * window_valid, kernel) * size * size / count + bias
                updated[i, j] = 1
    return output, updated


@pytest.mark.parametrize("kernel_size, strides", [(3, 1), (5, 1), (3, 2)])
def test_partial_convolution_matches_the_direct_computation(kernel_size, strides):
    rng = np.random.default_rng(kernel_size + strides)
    features = rng.random((1, 9, 10, 2)).astype(np.float32)
    valid = (rng.random((1, 9, 10, 1)) > 0.5).astype(np.float32)
    valid[0, 2:7, 3:8] = 0  # a hole large enough that some windows see nothing
    layer = models.PartialConv2D(3, kernel_size, strides=strides)
    layer([features, valid])
    layer.bias.assign(np.array([0.1, -0.2, 0.3], np.float32))
    output, updated = (np.asarray(tensor)[0] for tensor in layer([features, valid]))
    expected, expected_mask = _partial_conv_direct(features[0], valid[0], np.asarray(layer.kernel),
                                                   np.asarray(layer.bias), strides)
    np.testing.assert_allclose(output, expected, atol=1e-5)
    np.testing.assert_array_equal(updated, expected_mask)
    assert expected_mask.min() == 0, "the test hole must survive one layer somewhere"


def test_a_full_window_is_an_ordinary_convolution():
    rng = np.random.default_rng(1)
    features = rng.random((1, 6, 6, 1)).astype(np.float32)
    layer = models.PartialConv2D(1, 3, use_bias=False)
    output, updated = layer([features, np.ones((1, 6, 6, 1), np.float32)])
    ordinary = keras.ops.conv(features, layer.kernel, padding="same")
    np.testing.assert_allclose(np.asarray(output)[0, 1:-1, 1:-1], np.asarray(ordinary)[0, 1:-1, 1:-1], atol=1e-6)
    assert np.asarray(updated).min() == 1


def test_the_mask_shrinks_the_hole_by_one_pixel_per_3x3_layer():
    valid = np.ones((1, 11, 11, 1), np.float32)
    valid[0, 3:8, 3:8] = 0  # a 5x5 hole
    layer = models.PartialConv2D(1, 3)
    _, updated = layer([np.zeros((1, 11, 11, 1), np.float32), valid])
    hole = np.asarray(updated)[0, ..., 0] == 0
    assert hole.sum() == 9 and hole[4:7, 4:7].all()


# --- the inpainting networks ----------------------------------------------------------------------------


def test_unet_output_ignores_whatever_is_in_the_hole():
    generator = models.inpainting_unet(width=8, levels=3)
    rng = np.random.default_rng(2)
    image = rng.random((1, 32, 24, 1)).astype(np.float32)
    hole = np.zeros((1, 32, 24, 1), np.float32)
    hole[0, 8:20, 6:14] = 1
    other = image.copy()
    other[hole == 1] = rng.random(int(hole.sum()))
    np.testing.assert_allclose(np.asarray(generator([image, hole])), np.asarray(generator([other, hole])), atol=1e-5)


def test_unet_and_patchgan_shapes_and_safe_loading(tmp_path):
    generator = models.inpainting_unet(channels=3, width=8, levels=3)
    discriminator = models.patch_discriminator(channels=3, width=8, layers=3)
    image = np.zeros((2, 32, 40, 3), np.float32)
    hole = np.zeros((2, 32, 40, 1), np.float32)
    assert np.asarray(generator([image, hole])).shape == (2, 32, 40, 3)
    assert np.asarray(discriminator([image, hole])).shape == (2, 4, 5, 1)
    loaded = models.load_model(models.save_model(generator, tmp_path / "unet.keras"))
    rng = np.random.default_rng(3)
    image = rng.random((1, 16, 16, 3)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(loaded([image, hole[:1, :16, :16]])),
                               np.asarray(generator([image, hole[:1, :16, :16]])), atol=1e-6)


def test_composite_keeps_the_known_pixels():
    generated = np.full((1, 4, 4, 3), 0.9, np.float32)
    damaged = np.full((1, 4, 4, 3), 0.1, np.float32)
    hole = np.zeros((1, 4, 4, 1), np.float32)
    hole[0, 1:3, 1:3] = 1
    result = np.asarray(models.composite(generated, damaged, hole))
    assert np.all(result[0, 1:3, 1:3] == pytest.approx(0.9)) and result[0, 0, 0, 0] == pytest.approx(0.1)


@pytest.mark.parametrize("adversarial_weight", [0.0, 0.01])
def test_inpainting_gan_trains_and_only_touches_the_discriminator_when_adversarial(adversarial_weight):
    generator = models.inpainting_unet(width=4, levels=2)
    discriminator = models.patch_discriminator(width=4, layers=2)
    trainer = models.InpaintingGAN(generator, discriminator, adversarial_weight=adversarial_weight)
    trainer.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    rng = np.random.default_rng(4)
    clean = rng.random((4, 16, 16, 1)).astype(np.float32)
    hole = np.zeros((4, 16, 16, 1), np.float32)
    hole[:, 4:10, 4:12] = 1
    before = _weights(discriminator)
    history = trainer.fit(clean, hole, batch_size=4, epochs=1, verbose=0, validation_data=(clean, hole))
    assert {"l1_hole", "l1_valid", "generator_loss", "val_l1_hole"} <= set(history.history)
    changed = any(not np.allclose(a, b) for a, b in zip(before, _weights(discriminator)))
    assert changed == (adversarial_weight > 0)
