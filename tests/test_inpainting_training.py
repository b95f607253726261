"""Inpainting: training patches and holes, the loss, inference on any size, the evaluation protocol."""

import json

import numpy as np
import pytest
from scipy import ndimage

from course_lib import data, evaluation, models, training
from course_lib.degradations import mask_coverage


@pytest.fixture(scope="module")
def color_source():
    return training.color_source(training.bundled_source("train"))


def test_color_source_gives_three_channels_for_gray_and_rgb_images(color_source):
    assert "(RGB)" in color_source.description
    for index, name in enumerate(color_source.names):
        image = color_source.loader(index)
        assert image.shape == color_source.sizes[index] + (3,) and image.dtype == np.float32
        if data.load_image(name).ndim == 2:
            assert np.array_equal(image[..., 0], image[..., 2])


def test_training_holes_cover_the_asked_fraction_and_are_seeded():
    rng = np.random.default_rng(0)
    coverages = [mask_coverage(training.training_hole(64, rng, coverage=(0.1, 0.3), max_width=12))
                 for _ in range(60)]
    assert max(coverages) <= 0.4  # scratches drawn over strokes may add a few percent
    assert np.mean([0.1 <= value <= 0.3 for value in coverages]) > 0.7
    assert np.std(coverages) > 0.03  # spread across the range, not all at its lower end
    first = training.training_hole(64, np.random.default_rng(5))
    assert np.array_equal(first, training.training_hole(64, np.random.default_rng(5)))


def test_hole_bank_is_cached_read_only_and_seeded():
    bank = training.hole_bank(32, count=10, seed=3, max_width=6.0)
    assert bank.shape == (10, 32, 32) and bank.dtype == bool
    assert training.hole_bank(32, count=10, seed=3, max_width=6.0) is bank
    assert not bank.flags.writeable
    assert not np.array_equal(bank, training.hole_bank(32, count=10, seed=4, max_width=6.0))


def test_patch_generator_pairs_are_repeatable_per_epoch(color_source):
    def epoch(number):
        return list(training.inpainting_patch_generator(color_source, patch_size=32, count=6, seed=1, epoch=number,
                                                        max_width=6.0))

    first, again, other = epoch(0), epoch(0), epoch(1)
    assert len(first) == 6
    clean, hole = first[0]
    assert clean.shape == (32, 32, 3) and hole.shape == (32, 32, 1)
    assert set(np.unique(hole)) <= {0.0, 1.0} and 0 < hole.mean() < 1
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(first, again))
    assert not all(np.array_equal(a[0], b[0]) for a, b in zip(first, other))


def test_dataset_gives_damaged_input_and_clean_target_with_the_hole_appended(color_source):
    dataset = training.inpainting_dataset(color_source, patch_size=32, batch_size=3, steps_per_epoch=2, epochs=1,
                                          max_width=6.0)
    batches = list(dataset)
    assert len(batches) == 2
    (damaged, hole), target = batches[0]
    damaged, hole, target = np.asarray(damaged), np.asarray(hole), np.asarray(target)
    assert damaged.shape == (3, 32, 32, 3) and hole.shape == (3, 32, 32, 1) and target.shape == (3, 32, 32, 4)
    assert np.array_equal(target[..., 3:], hole)
    assert np.all(damaged[np.broadcast_to(hole, damaged.shape) == 1] == 0)  # nothing of the clean image in the hole
    known = np.broadcast_to(hole, damaged.shape) == 0
    assert np.allclose(damaged[known], target[..., :3][known])


def test_inpainting_loss_weights_the_hole_six_times_and_the_metric_is_the_hole_psnr():
    rng = np.random.default_rng(0)
    clean = rng.random((2, 8, 8, 3)).astype(np.float32)
    hole = np.zeros((2, 8, 8, 1), np.float32)
    hole[:, :4] = 1
    estimate = clean.copy()
    estimate[:, :4] += 0.1  # error 0.1 in the hole only
    target = np.concatenate([clean, hole], axis=-1)
    loss = np.asarray(training.inpainting_l1_loss(target, estimate))
    assert loss == pytest.approx([6 * 0.1, 6 * 0.1], rel=1e-5)
    estimate = clean.copy()
    estimate[:, 4:] += 0.1  # the same error outside the hole
    assert np.asarray(training.inpainting_l1_loss(target, estimate)) == pytest.approx([0.1, 0.1], rel=1e-5)
    in_hole = np.clip(clean + 0.05, 0, 1)
    expected = [10 * np.log10(1 / np.mean((in_hole[i, :4] - clean[i, :4]) ** 2)) for i in range(2)]
    measured = np.asarray(training.hole_psnr_metric(target, np.where(hole == 1, in_hole, 0.0)))
    assert measured == pytest.approx(expected, rel=1e-4)


def test_config_checks_its_arguments():
    with pytest.raises(ValueError, match="multiple of 2 \\*\\* \\(levels - 1\\)"):
        training.InpaintingTrainingConfig(patch_size=100, levels=4)
    with pytest.raises(ValueError, match="coverage"):
        training.InpaintingTrainingConfig(coverage=(0.5, 0.2))
    config = training.InpaintingTrainingConfig(coverage=(0.1, 0.2))
    assert training.InpaintingTrainingConfig.from_dict(config.to_dict()) == config


def test_training_checkpoints_and_resumes(tmp_path, monkeypatch):
    monkeypatch.setenv(training.FAST_MODE_VARIABLE, "1")
    config = training.InpaintingTrainingConfig(width=4, levels=2, epochs=1)
    first = training.train_inpainting(config, checkpoint_dir=tmp_path / "run", verbose=0)
    assert "hole_psnr_metric" in first.history and len(first.history["loss"]) == 1
    resumed = training.train_inpainting(training.InpaintingTrainingConfig(width=4, levels=2, epochs=2),
                                        checkpoint_dir=tmp_path / "run", resume=True, verbose=0)
    assert resumed.resumed_from_epoch == 1 and len(resumed.history["loss"]) == 2


def test_a_unet_given_a_bottleneck_starts_from_the_same_unet_without_one_and_computes_what_it_did(
        tmp_path, monkeypatch):
    monkeypatch.setenv(training.FAST_MODE_VARIABLE, "1")
    donor_path = tmp_path / "plain.keras"
    donor = models.inpainting_unet(channels=3, width=4, levels=3, seed=5)
    donor.save(donor_path)
    config = training.InpaintingTrainingConfig(width=4, levels=3, bottleneck="dilated", epochs=1,
                                               learning_rate=1e-12, final_learning_rate=1e-12)
    grown = training.train_inpainting(config, initial_weights=donor_path, verbose=0).model
    rng = np.random.default_rng(0)
    image = rng.random((1, 16, 16, 3)).astype("float32")
    hole = np.zeros((1, 16, 16, 1), "float32")
    hole[:, 4:11, 5:12] = 1
    inputs = {"damaged": image * (1 - hole), "hole": hole}
    np.testing.assert_allclose(grown.predict(inputs, verbose=0), donor.predict(inputs, verbose=0), atol=1e-5)
    assert any(layer.name.startswith("bottleneck_0_") for layer in grown.layers)
    # A donor with a bottleneck the configuration lacks is a different architecture.
    with pytest.raises(ValueError, match="different architecture"):
        training.train_inpainting(training.InpaintingTrainingConfig(width=4, levels=3, epochs=1),
                                  initial_weights=_saved(grown, tmp_path / "grown.keras"), verbose=0)


def _saved(model, path):
    model.save(path)
    return path


# --- inference -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_unet():
    return models.inpainting_unet(channels=3, width=4, levels=3, seed=0)


def test_inpaint_keeps_known_pixels_and_handles_gray_rgb_and_odd_sizes(tiny_unet):
    rng = np.random.default_rng(0)
    image = rng.random((37, 51, 3)).astype(np.float32)
    hole = np.zeros((37, 51), bool)
    hole[10:20, 5:30] = True
    filled = models.inpaint(tiny_unet, image, hole)
    assert filled.shape == image.shape and filled.dtype == np.float32
    assert np.array_equal(filled[~hole], image[~hole])
    assert filled.min() >= 0 and filled.max() <= 1
    gray = models.inpaint(tiny_unet, image[..., 0], hole)
    assert gray.shape == (37, 51) and np.array_equal(gray[~hole], image[..., 0][~hole])
    one_channel = models.inpainting_unet(channels=1, width=4, levels=3)
    assert models.inpaint(one_channel, image, hole).shape == image.shape  # an RGB image, channel by channel
    assert models.inpainting_multiple(tiny_unet) == 4


def test_inpaint_tiles_large_images_and_ignores_what_was_in_the_hole(tiny_unet):
    rng = np.random.default_rng(1)
    image = rng.random((70, 90, 3)).astype(np.float32)
    hole = np.zeros((70, 90), bool)
    hole[30:40, 40:60] = True
    whole = models.inpaint(tiny_unet, image, hole, border=40)
    tiled = models.inpaint(tiny_unet, image, hole, tile_size=16, margin=40)
    np.testing.assert_allclose(tiled, whole, atol=1e-5)  # the margin covers the tiny U-Net's context
    scribbled = image.copy()
    scribbled[hole] = 0.5
    np.testing.assert_allclose(models.inpaint(tiny_unet, scribbled, hole), whole, atol=1e-6)


def test_inpaint_runs_the_network_as_one_graph_that_fills_as_the_eager_network_does_and_goes_with_it(monkeypatch):
    import gc
    import weakref

    from course_lib.models import inference

    network = models.inpainting_unet(channels=3, width=4, levels=3, seed=1, image_fill=True)
    rng = np.random.default_rng(5)
    # a new size after the first traces once more, then any size fits
    cases = [(rng.random(size + (3,)).astype(np.float32), rng.random(size) < 0.25)
             for size in [(40, 52), (28, 36), (33, 45)]]
    as_graph = [models.inpaint(network, image, hole, chroma="network") for image, hole in cases]
    assert network in inference._GRAPH_CALLS
    monkeypatch.setattr(inference, "_graph_call", lambda model: model)  # the network called eagerly, layer by layer
    eagerly = [models.inpaint(network, image, hole, chroma="network") for image, hole in cases]
    for graph_fill, eager_fill in zip(as_graph, eagerly):
        np.testing.assert_allclose(graph_fill, eager_fill, atol=1e-5)
    reference = weakref.ref(network)
    del network, as_graph
    gc.collect()
    assert reference() is None  # the compiled call does not keep the network alive


def test_inpaint_tiles_gray_images_through_a_gray_model_and_small_images_in_one_piece():
    gray_model = models.inpainting_unet(channels=1, width=4, levels=3, seed=1)
    rng = np.random.default_rng(2)
    image = rng.random((45, 61)).astype(np.float32)
    hole = rng.random((45, 61)) < 0.2
    whole = models.inpaint(gray_model, image, hole, border=40)
    tiled = models.inpaint(gray_model, image, hole, tile_size=16, margin=40)
    np.testing.assert_allclose(tiled, whole, atol=1e-5)
    assert np.array_equal(tiled[~hole], image[~hole]) and tiled.dtype == np.float32
    small = rng.random((9, 13)).astype(np.float32)  # smaller than the margin: mirrored symmetrically
    small_hole = np.zeros((9, 13), bool)
    small_hole[3:5, 4:9] = True
    filled = models.inpaint(gray_model, small, small_hole, margin=20)
    assert filled.shape == (9, 13) and np.array_equal(filled[~small_hole], small[~small_hole])


def test_an_image_filled_in_one_piece_is_extended_by_the_border_and_a_tiled_one_by_the_margin(tiny_unet, monkeypatch):
    from course_lib.models import inference

    seen = []
    run_tiles = inference._run_tiles

    def spy(model, padded, height, width, margin, tile, **options):
        seen.append((padded.shape[1:3], margin, tile))
        return run_tiles(model, padded, height, width, margin, tile, **options)

    monkeypatch.setattr(inference, "_run_tiles", spy)
    rng = np.random.default_rng(4)
    image = rng.random((37, 51)).astype(np.float32)
    hole = rng.random((37, 51)) < 0.2
    models.inpaint(tiny_unet, image, hole)  # one piece: the default border of 16 pixels
    models.inpaint(tiny_unet, image, hole, border=5)  # rounded up to the tiny U-Net's multiple, 4
    models.inpaint(tiny_unet, image, hole, tile_size=16, margin=6, border=13)  # tiles: the margin, rounded up
    assert seen == [((37 + 3 + 32, 51 + 1 + 32), 16, 52), ((37 + 3 + 16, 51 + 1 + 16), 8, 52),
                    ((37 + 3 + 16, 51 + 1 + 16), 8, 16)]
    rgb = rng.random((37, 51, 3)).astype(np.float32)
    seen.clear()
    models.inpaint(tiny_unet, rgb, hole, border=8)  # the luma of an RGB image takes the border too
    models.inpaint(tiny_unet, rgb, hole, border=8, chroma="network")
    assert [shape for shape, _, _ in seen] == [(37 + 3 + 16, 51 + 1 + 16)] * 2
    with pytest.raises(ValueError, match="border"):
        models.inpaint(tiny_unet, image, hole, border=-1)


def test_inpaint_fills_an_rgb_images_luma_by_the_network_and_its_chroma_by_biharmonic(tiny_unet):
    from skimage.restoration import inpaint_biharmonic

    from course_lib import color

    rng = np.random.default_rng(3)
    image = np.clip(ndimage.uniform_filter(rng.random((40, 48, 3)), size=(5, 5, 1)), 0, 1).astype(np.float32)
    hole = np.zeros((40, 48), bool)
    hole[12:26, 10:30] = True
    filled = models.inpaint(tiny_unet, image, hole)  # chroma="biharmonic", the default
    assert np.array_equal(filled[~hole], image[~hole]) and filled.dtype == np.float32
    damaged = np.where(hole[..., None], 0.0, image)
    ycbcr = color.rgb_to_ycbcr(damaged)
    luma = models.inpaint(tiny_unet, (ycbcr[..., 0] - 16) / 219, hole)  # the gray path: Y scaled to [0, 1]
    chroma = inpaint_biharmonic(ycbcr[..., 1:], hole, channel_axis=-1)
    expected = color.ycbcr_to_rgb(np.concatenate([16 + 219 * luma[..., None], chroma], axis=-1))
    np.testing.assert_allclose(filled[hole], expected[hole], atol=1e-5)
    direct = models.inpaint(tiny_unet, image, hole, chroma="network")  # the three channels through the network
    assert np.array_equal(direct[~hole], image[~hole]) and np.abs(direct - filled)[hole].max() > 1e-3
    gray = image[..., 1]
    np.testing.assert_array_equal(models.inpaint(tiny_unet, gray, hole, chroma="network"),
                                  models.inpaint(tiny_unet, gray, hole))  # a gray image has no chroma
    with pytest.raises(ValueError, match="chroma"):
        models.inpaint(tiny_unet, image, hole, chroma="rgb")


def test_inpaint_rejects_bad_arguments(tiny_unet):
    image = np.zeros((16, 16, 3), np.float32)
    with pytest.raises(ValueError, match="hole must have the image's height and width"):
        models.inpaint(tiny_unet, image, np.zeros((8, 16), bool))
    with pytest.raises(ValueError, match="hole must be binary"):
        models.inpaint(tiny_unet, image, np.full((16, 16), 0.5))
    with pytest.raises(ValueError, match="inpainting generator"):
        models.inpaint(models.dncnn(depth=2, width=2), image, np.zeros((16, 16), bool))


def test_describe_model_names_the_unet():
    text = models.describe_model(models.inpainting_unet(channels=3, width=4, levels=3))
    assert "partial convolutions" in text and "3 resolution levels" in text and "residual block" not in text
    for bottleneck, blocks, kind in [("dilated", 2, "2 residual blocks of dilated"),
                                     ("ffc", 1, "1 residual block of fast Fourier")]:
        text = models.describe_model(models.inpainting_unet(channels=1, width=4, levels=3, bottleneck=bottleneck,
                                                            bottleneck_blocks=blocks))
        assert f"{kind} convolutions at the coarsest level" in text, text


# --- the evaluation protocol -----------------------------------------------------------------------------


def test_protocol_masks_are_seeded_free_form_and_in_range():
    masks = [evaluation.inpainting_test_mask((128, 160), index=index) for index in range(6)]
    coverages = [mask_coverage(mask) for mask in masks]
    assert all(0.10 <= value <= 0.25 for value in coverages)
    assert np.array_equal(masks[0], evaluation.inpainting_test_mask((128, 160), index=0))
    assert not np.array_equal(masks[0], masks[1])


def test_inpainting_scores_agree_with_scikit_image_and_use_the_composite():
    from skimage.metrics import peak_signal_noise_ratio

    rng = np.random.default_rng(2)
    clean = rng.random((32, 40, 3)).astype(np.float32)
    hole = np.zeros((32, 40), bool)
    hole[8:16, 8:24] = True
    estimate = np.clip(clean + rng.normal(0, 0.05, clean.shape), 0, 1).astype(np.float32)
    scores = evaluation.inpainting_scores(clean, estimate, hole)
    composite = evaluation.quantize(np.where(hole[..., None], estimate, clean))
    assert scores["psnr"] == pytest.approx(peak_signal_noise_ratio(clean, composite, data_range=1.0), rel=1e-6)
    assert scores["psnr_hole"] == pytest.approx(
        10 * np.log10(1 / np.mean((clean[hole] - composite[hole]) ** 2)), rel=1e-6)
    assert scores["psnr"] > scores["psnr_hole"]  # the known pixels are exact: the whole image scores higher
    garbage_outside = np.where(hole[..., None], estimate, 0.0)
    assert evaluation.inpainting_scores(clean, garbage_outside, hole) == scores  # known pixels come from clean


def test_evaluate_inpainting_gives_every_method_the_same_holes(tmp_path):
    images = {"camera": data.load_image("camera")[:64, :80], "coffee": data.load_image("coffee")[:48, :64]}
    seen = []

    def mean_fill(damaged, hole):
        seen.append(hole.copy())
        filled = damaged.copy()
        filled[hole] = damaged[~hole].mean(axis=0)
        return filled

    methods = {"mean": mean_fill, **evaluation.classical_inpainters()}
    table, outputs, holes = evaluation.evaluate_inpainting(methods, images, seed=5, masks_per_image=2,
                                                           keep_outputs=True)
    # Hole k of image i is the protocol's mask seeded by (seed + k, i); every method sees the same ones.
    expected = [evaluation.inpainting_test_mask(images[name].shape[:2], seed=5 + number, index=index)
                for index, name in enumerate(images) for number in range(2)]
    assert len(seen) == 4 and all(np.array_equal(got, want) for got, want in zip(seen, expected))
    assert not np.array_equal(expected[0], expected[1])
    assert np.array_equal(holes["camera"], expected[0]) and np.array_equal(holes["coffee"], expected[2])
    assert len(table.results) == len(methods) * 2 * 2 and table.masks_per_image() == 2  # methods x images x holes
    assert table.mean("biharmonic") > table.mean("mean")  # a smooth fill beats a flat one on natural images
    coffee = [result.psnr for result in table.results if (result.method, result.image) == ("mean", "coffee")]
    assert table.value("mean", image="coffee") == pytest.approx(np.mean(coffee))  # averaged over the holes
    assert table.value("mean", image="coffee", mask=1) == pytest.approx(coffee[1])
    with pytest.raises(ValueError, match="with hole 2"):
        table.value("mean", image="coffee", mask=2)
    assert table.value("mean", image="coffee", key="level") == pytest.approx((expected[2].mean() + expected[3].mean()) / 2)
    assert outputs[("biharmonic", "coffee")].shape == images["coffee"].shape
    text = table.format()
    assert "PSNR hole" in text and "biharmonic" in text and "camera (hole)" in text and "2 holes per image" in text
    written = table.write(tmp_path, stem="inpaint")
    assert written[0].read_text().startswith("method,image,mask,coverage,psnr_hole")
    assert {row["mask"] for row in json.loads(written[1].read_text())["results"]} == {0, 1}
    given = evaluation.evaluate_inpainting(methods, images, masks={"camera": expected[1]}, masks_per_image=3)
    counts = {name: sum(result.image == name for result in given.results) for name in images}
    # a given hole replaces the protocol's holes
    assert counts == {"camera": len(methods) * 1, "coffee": len(methods) * 3}
    with pytest.raises(ValueError, match="returned shape"):
        evaluation.evaluate_inpainting({"bad": lambda damaged, hole: damaged[:4]}, images)
    with pytest.raises(ValueError, match="masks_per_image"):
        evaluation.evaluate_inpainting(methods, images, masks_per_image=0)


def test_close_holes_fills_with_the_mean_of_valid_features_and_opens_nothing_else():
    rng = np.random.default_rng(3)
    features = rng.random((2, 5, 6, 3)).astype(np.float32)
    valid = (rng.random((2, 5, 6, 1)) > 0.5).astype(np.float32)
    valid[1] = 0  # an image with nothing valid: the mean is taken as 0
    closed, mask = models.CloseHoles()([features, valid])
    closed, mask = np.asarray(closed), np.asarray(mask)
    assert np.all(mask == 1)
    keep = np.broadcast_to(valid[0] > 0, features[0].shape)
    np.testing.assert_allclose(closed[0][keep], features[0][keep])
    mean = (features[0] * valid[0]).sum(axis=(0, 1)) / valid[0].sum()
    np.testing.assert_allclose(closed[0][~keep].reshape(-1, 3), np.broadcast_to(mean, (int((~keep).sum() // 3), 3)),
                               rtol=1e-5)
    np.testing.assert_allclose(closed[1], 0.0)


def test_close_holes_diffuses_a_linear_ramp_back_into_the_hole():
    """Linear functions are harmonic: many diffusion steps rebuild a ramp across a hole."""
    columns = np.arange(12, dtype=np.float32)
    features = np.broadcast_to(columns[None, None, :, None], (1, 6, 12, 2)).copy()
    features[..., 1] *= -0.5
    valid = np.ones((1, 6, 12, 1), np.float32)
    valid[:, :, 3:9] = 0  # a hole 6 columns wide, full height
    damaged = features * valid
    closed, mask = models.CloseHoles(iterations=400)([damaged, valid])
    assert np.all(np.asarray(mask) == 1)
    np.testing.assert_allclose(np.asarray(closed), features, atol=1e-3)
    few, _ = models.CloseHoles(iterations=2)([damaged, valid])
    few = np.asarray(few)
    np.testing.assert_array_equal(few[valid[..., 0] > 0], damaged[valid[..., 0] > 0])  # known features kept
    # Maximum principle: averages never leave the range of the known values.
    assert few[..., 0].min() >= 0 and few[..., 0].max() <= 11


def test_close_holes_keeps_its_iterations_when_saved(tmp_path):
    network = models.inpainting_unet(channels=1, width=4, levels=3, fill_iterations=5, seed=2)
    assert network.get_layer("close_holes").iterations == 5
    path = tmp_path / "unet.keras"
    network.save(path)
    loaded = models.load_model(path)
    assert loaded.get_layer("close_holes").iterations == 5
    rng = np.random.default_rng(0)
    image = rng.random((1, 32, 32, 1)).astype(np.float32)
    hole = np.zeros((1, 32, 32, 1), np.float32)
    hole[:, 4:28, 4:28] = 1
    np.testing.assert_allclose(np.asarray(loaded([image, hole])), np.asarray(network([image, hole])), atol=1e-6)
    with pytest.raises(ValueError, match="iterations"):
        models.CloseHoles(iterations=-1)


def test_the_unet_fills_holes_wider_than_its_layers_can_close():
    """Without CloseHoles the middle of a 100-pixel hole stays exactly 0; with it, nothing is left open."""
    rng = np.random.default_rng(4)
    image = rng.random((1, 128, 128, 3)).astype(np.float32)
    hole = np.zeros((1, 128, 128, 1), np.float32)
    hole[:, 14:114, 14:114] = 1
    for close_holes, expected_open in [(False, True), (True, False)]:
        network = models.inpainting_unet(channels=3, width=4, levels=4, close_holes=close_holes, seed=1)
        output = np.asarray(network([image * (1 - hole), hole]))
        untouched = np.all(output == 0, axis=-1)[hole[..., 0] > 0]
        assert untouched.any() == expected_open
