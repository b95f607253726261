import numpy as np
import pytest

from course_lib import viz


def test_show_images_titles_carry_psnr_and_ssim(gray_image):
    noisy = np.clip(gray_image + 0.1, 0, 1)
    figure = viz.show_images({"clean": gray_image, "noisy": noisy}, reference=gray_image, zoom_box=(2, 2, 8, 8))
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert titles[0] == "clean"
    assert titles[1].startswith("noisy\nPSNR ") and "SSIM" in titles[1]


def test_show_images_lists_and_columns(gray_image, rgb_image):
    figure = viz.show_images([gray_image, rgb_image, gray_image], titles=["a", "b", "c"], columns=2)
    assert len(figure.axes) == 4
    assert viz.show_images(gray_image).axes[0].get_title() == ""
    with pytest.raises(ValueError, match="titles must have one entry per image"):
        viz.show_images([gray_image], titles=["a", "b"])
    with pytest.raises(ValueError, match="images is empty"):
        viz.show_images([])
    with pytest.raises(ValueError, match="has integer dtype"):
        viz.show_images([np.zeros((4, 4), np.uint8)])


def test_zoom_inset(gray_image):
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    ax.imshow(gray_image)
    inset = viz.add_zoom_inset(ax, gray_image, (0, 0, 5, 6), location="upper left")
    np.testing.assert_allclose(inset.images[0].get_array(), gray_image[:5, :6])
    with pytest.raises(ValueError, match="box .* must lie inside"):
        viz.add_zoom_inset(ax, gray_image, (30, 0, 5, 5))
    with pytest.raises(ValueError, match="location must be one of"):
        viz.add_zoom_inset(ax, gray_image, (0, 0, 5, 5), location="middle")


def test_histogram_and_curves(gray_image, rgb_image):
    ax = viz.plot_histogram(gray_image, bins=32, title="h")
    assert len(ax.patches) == 32
    assert viz.plot_histogram(rgb_image, cdf=False).get_xlim() == (0.0, 1.0)
    ax = viz.plot_training_curves({"loss": [3, 2, 1], "val_loss": [4, 3, 2]})
    assert len(ax.lines) == 2
    with pytest.raises(ValueError, match="keys .* are not in history"):
        viz.plot_training_curves({"loss": [1]}, keys=["psnr"])
    with pytest.raises(ValueError, match="history must be"):
        viz.plot_training_curves({})


def test_image_to_png_round_trip(rgb_image):
    import io

    from PIL import Image

    data = viz.image_to_png(rgb_image)
    decoded = np.asarray(Image.open(io.BytesIO(data)))
    np.testing.assert_array_equal(decoded, np.round(rgb_image * 255).astype(np.uint8))
    assert viz.image_to_png(np.zeros((3, 3), np.uint8)).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="image must be"):
        viz.image_to_png(np.zeros((3, 3, 4), np.uint8))


def test_metric_title_for_identical_images(gray_image):
    assert viz.metric_title(gray_image, gray_image) == "PSNR inf dB | SSIM 1.000"


def test_gan_losses_and_samples_label_each_row_at_its_middle():
    losses = {"discriminator_loss": [1.5, 1.4, 1.39], "generator_loss": [0.6, 0.7, 0.69]}
    samples = np.zeros((3 * 26 - 2, 4 * 26 - 2))  # 3 rows of 24-pixel tiles, 2-pixel gaps
    figure = viz.show_gan_losses_and_samples(losses, samples, ["epoch 1", "epoch 2", "epoch 3"],
                                             samples_title="the same 4 latent vectors")
    loss_axis, sample_axis = figure.axes
    assert [line.get_label() for line in loss_axis.lines] == ["discriminator_loss", "generator_loss", "2 log 2", "log 2"]
    np.testing.assert_allclose(loss_axis.lines[2].get_ydata(), 2 * np.log(2))
    np.testing.assert_allclose(loss_axis.lines[3].get_ydata(), np.log(2))
    np.testing.assert_allclose(sample_axis.get_yticks(), [12, 38, 64])
    assert [label.get_text() for label in sample_axis.get_yticklabels()] == ["epoch 1", "epoch 2", "epoch 3"]
    assert sample_axis.get_title() == "the same 4 latent vectors"
    with pytest.raises(ValueError, match="losses must be"):
        viz.show_gan_losses_and_samples({}, samples, ["epoch 1"])
    with pytest.raises(ValueError, match="samples must be a gray image"):
        viz.show_gan_losses_and_samples(losses, np.zeros((10, 10, 3)), ["epoch 1"])
    with pytest.raises(ValueError, match="row_labels is empty"):
        viz.show_gan_losses_and_samples(losses, samples, [])


def test_point_clouds_through_training_one_row_per_run(rng):
    data = rng.normal(size=(50, 2)).astype(np.float32)
    runs = {"slow": {100: data * 0.5, 200: data}, "fast": {100: data[:5], 200: data[:5] + 1, 300: data[:5] + 2}}
    figure = viz.show_point_clouds_through_training(runs, data, describe=lambda points: f"{len(points)} points",
                                                    limit=2.0)
    assert len(figure.axes) == 2 * 3  # the longest run sets the columns
    titles = [axis.get_title() for axis in figure.axes]
    assert titles == ["step 100: 50 points", "step 200: 50 points", "",
                      "step 100: 5 points", "step 200: 5 points", "step 300: 5 points"]
    assert [figure.axes[0].get_ylabel(), figure.axes[3].get_ylabel()] == ["slow", "fast"]
    first = figure.axes[0]
    assert first.get_xlim() == (-2.0, 2.0) and first.get_ylim() == (-2.0, 2.0)
    np.testing.assert_array_equal(first.collections[0].get_offsets(), data)  # the data, in gray, under the points
    np.testing.assert_array_equal(first.collections[1].get_offsets(), data * 0.5)
    assert viz.show_point_clouds_through_training({"run": {7: data}}, data).axes[0].get_title() == "step 7"
    with pytest.raises(ValueError, match="runs must be"):
        viz.show_point_clouds_through_training({}, data)
    with pytest.raises(ValueError, match="every run must be"):
        viz.show_point_clouds_through_training({"run": {}}, data)
    with pytest.raises(ValueError, match=r"runs\['run'\]\[1\] must be \(N, 2\) points"):
        viz.show_point_clouds_through_training({"run": {1: np.zeros((4, 3))}}, data)
    with pytest.raises(ValueError, match="data must have 2 dimensions"):
        viz.show_point_clouds_through_training({"run": {1: data}}, data[:, 0])
