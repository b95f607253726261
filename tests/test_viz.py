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
