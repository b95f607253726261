import gzip

import numpy as np
import pytest
from PIL import Image

from course_lib import data


def test_every_bundled_image_loads_as_float32_in_unit_range():
    for name in data.IMAGES:
        image = data.load_image(name)
        assert image.dtype == np.float32, name
        assert image.ndim in (2, 3), name
        assert image.ndim == 2 or image.shape[-1] == 3, name
        assert 0.0 <= image.min() and image.max() <= 1.0, name
        assert min(image.shape[:2]) >= 100, name


def test_registry_entries_are_documented():
    for name, info in data.IMAGES.items():
        assert info.name == name
        assert info.source and info.licence and info.description
        assert info.split in ("train", "test", "extra")


def test_split_is_fixed_and_disjoint():
    train, test, extra = (set(data.list_images(split=split)) for split in ("train", "test", "extra"))
    assert "camera" in test
    assert not (train & test) and not (train & extra) and not (test & extra)
    assert train | test | extra == set(data.IMAGES)
    assert {"astronaut", "camera", "coffee", "coins"} == test
    # both views of the stereo pair stay on the same side of the split
    assert {"motorcycle_left", "motorcycle_right"} <= train
    assert len(data.list_images(split="train", kind="photo")) >= 6


def test_known_images_match_their_scikit_image_loaders():
    import skimage.data

    np.testing.assert_allclose(data.load_image("camera"), skimage.data.camera() / 255.0, atol=1e-7)
    np.testing.assert_allclose(data.load_image("astronaut"), skimage.data.astronaut() / 255.0, atol=1e-7)
    np.testing.assert_allclose(data.load_image("shepp_logan_phantom"), skimage.data.shepp_logan_phantom(), atol=1 / 255)


def test_load_image_returns_fresh_arrays_and_converts_to_gray():
    first = data.load_image("camera")
    first[:] = 0
    assert data.load_image("camera").max() > 0
    gray = data.load_image("astronaut", gray=True)
    assert gray.shape == (512, 512) and gray.dtype == np.float32


def test_load_split_and_faces():
    test_images = data.load_split("test", gray=True)
    assert list(test_images) == data.list_images(split="test")
    assert all(image.ndim == 2 for image in test_images.values())
    faces = data.load_faces()
    assert faces.shape == (100, 25, 25) and faces.dtype == np.float32


def test_describe_images_is_a_markdown_table():
    table = data.describe_images()
    assert table.startswith("| name |")
    assert table.count("\n") == len(data.IMAGES) + 1


def test_bad_names_and_options():
    with pytest.raises(ValueError, match="name must be one of"):
        data.load_image("lena")
    with pytest.raises(ValueError, match="split must be one of"):
        data.list_images(split="validation")
    with pytest.raises(ValueError, match="kind must be one of"):
        data.list_images(kind="cats")


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tif", ".jpg"])
def test_write_then_read_round_trip(tmp_path, gray_image, rgb_image, suffix):
    for image in (gray_image, rgb_image):
        path = data.write_image(tmp_path / f"picture{image.ndim}{suffix}", image)
        back = data.read_image(path)
        assert back.shape == image.shape and back.dtype == np.float32
        if suffix == ".jpg":  # lossy: close on average
            assert np.abs(back - image).mean() < 0.02
        else:  # lossless 8-bit: within half a gray level
            assert np.abs(back - image).max() <= 0.5 / 255 + 1e-6


def test_npy_keeps_unclipped_values(tmp_path):
    noisy = np.array([[-0.1, 0.5], [1.2, 0.0]], dtype=np.float32)
    path = data.write_image(tmp_path / "noisy.npy", noisy)
    np.testing.assert_array_equal(data.read_image(path), noisy)


def test_write_image_never_overwrites_without_permission(tmp_path, gray_image):
    path = data.write_image(tmp_path / "out.png", gray_image)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        data.write_image(path, gray_image)
    data.write_image(path, 1 - gray_image, overwrite=True)
    assert not list(tmp_path.glob(".*tmp"))
    with pytest.raises(ValueError, match="path must end with one of"):
        data.write_image(tmp_path / "out.gif", gray_image)


def test_read_image_modes(tmp_path):
    rgba = np.zeros((4, 5, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[..., 3] = 128
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    image = data.read_image(tmp_path / "rgba.png")
    assert image.shape == (4, 5, 3) and image[0, 0, 0] == 1.0
    sixteen = (np.arange(20, dtype=np.uint16).reshape(4, 5) * 3000)
    Image.fromarray(sixteen).save(tmp_path / "deep.png")
    np.testing.assert_allclose(data.read_image(tmp_path / "deep.png"), sixteen / 65535.0, atol=1e-6)
    palette = Image.fromarray(rgba[..., :3]).convert("P")
    palette.save(tmp_path / "palette.png")
    assert data.read_image(tmp_path / "palette.png").shape == (4, 5, 3)
    assert data.read_image(tmp_path / "rgba.png", gray=True).shape == (4, 5)


def test_read_image_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data.read_image(tmp_path / "missing.png")
    (tmp_path / "broken.png").write_bytes(b"not an image at all")
    with pytest.raises(ValueError, match="broken.png"):
        data.read_image(tmp_path / "broken.png")
    with pytest.raises(ValueError, match="is a folder"):
        data.read_image(tmp_path)
    np.save(tmp_path / "rgba.npy", np.zeros((3, 3, 4)))
    with pytest.raises(ValueError, match="RGBA"):
        data.read_image(tmp_path / "rgba.npy")
    (tmp_path / "bad.npy").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not a readable .npy"):
        data.read_image(tmp_path / "bad.npy")
    np.save(tmp_path / "nan.npy", np.full((3, 3), np.nan))
    with pytest.raises(ValueError, match="NaN"):
        data.read_image(tmp_path / "nan.npy")


def test_load_folder(tmp_path, gray_image, rgb_image):
    data.write_image(tmp_path / "b.png", gray_image)
    data.write_image(tmp_path / "a.png", rgb_image)
    (tmp_path / "notes.txt").write_text("not an image")
    images = data.load_folder(tmp_path)
    assert list(images) == ["a", "b"]
    assert data.load_folder(tmp_path, gray=True)["a"].ndim == 2
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data.load_folder(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="holds no images"):
        data.load_folder(empty)


def test_to_float_and_to_uint8():
    np.testing.assert_allclose(data.to_float(np.array([[0, 51, 255]], np.uint8)), [[0.0, 0.2, 1.0]], atol=1e-7)
    np.testing.assert_array_equal(data.to_uint8(np.array([[-0.2, 0.5, 1.4]])), [[0, 128, 255]])


def test_sample_patches_is_seeded_and_shaped(gray_image, rgb_image):
    first = data.sample_patches([gray_image, gray_image[:20]], 8, 16, seed=3)
    second = data.sample_patches([gray_image, gray_image[:20]], 8, 16, seed=3)
    np.testing.assert_array_equal(first, second)
    assert first.shape == (16, 8, 8) and first.dtype == np.float32
    assert data.sample_patches({"a": rgb_image}, 5, 4, seed=0, augment=True).shape == (4, 5, 5, 3)
    assert not np.array_equal(first, data.sample_patches([gray_image], 8, 16, seed=4))


def test_sample_patches_come_from_the_images(gray_image):
    patches = data.sample_patches(gray_image, 4, 10, seed=1)
    windows = np.lib.stride_tricks.sliding_window_view(gray_image, (4, 4)).reshape(-1, 16)
    for patch in patches:
        assert np.any(np.all(windows == patch.reshape(16), axis=1))


def test_sample_patches_augmentation_covers_the_dihedral_group():
    image = np.arange(16, dtype=np.float32).reshape(4, 4) / 16
    patches = data.sample_patches(image, 4, 200, seed=0, augment=True)
    assert len({patch.tobytes() for patch in patches}) == 8


def test_sample_patches_errors(gray_image, rgb_image):
    with pytest.raises(ValueError, match="patch_size must be at most"):
        data.sample_patches(gray_image, 100, 1)
    with pytest.raises(ValueError, match="all gray or all RGB"):
        data.sample_patches([gray_image, rgb_image], 4, 1)
    with pytest.raises(ValueError, match="images is empty"):
        data.sample_patches([], 4, 1)
    with pytest.raises(ValueError, match="count must be at least 1"):
        data.sample_patches(gray_image, 4, 0)
    with pytest.raises(ValueError, match=r"images\[0\] has integer dtype"):
        data.sample_patches([np.zeros((8, 8), np.uint8)], 4, 1)


def test_mri_slice_is_decoded_big_endian():
    image = data.load_image("mri_slice")
    assert image.shape == (256, 256)
    # 215 distinct-ish levels at most, as the raw data holds values 0-215
    assert len(np.unique(image)) <= 216
