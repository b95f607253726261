import numpy as np
import pytest

from course_lib import _validation as validation


def test_check_image_returns_float_and_keeps_float64():
    assert validation.check_image(np.zeros((3, 4), np.float32)).dtype == np.float32
    assert validation.check_image(np.zeros((3, 4), np.float64)).dtype == np.float64
    assert validation.check_image(np.zeros((3, 4), np.float16)).dtype == np.float32


@pytest.mark.parametrize(
    "bad, error, pattern",
    [
        (np.zeros((4, 4), np.uint8), ValueError, "picture.*uint8.*to_float"),
        (np.zeros((4, 4, 4)), ValueError, "picture.*RGBA"),
        (np.zeros((4, 4, 1)), ValueError, "picture.*single trailing channel"),
        (np.zeros((4,)), ValueError, "picture must be a gray image"),
        (np.zeros((0, 4)), ValueError, "picture is empty"),
        (np.full((2, 2), np.nan), ValueError, "picture contains 4 NaN"),
        (np.zeros((2, 2), bool), ValueError, "picture is a boolean"),
        (None, TypeError, "picture is None"),
        ("camera.png", TypeError, "picture is a str"),
        (np.array([["a"]], dtype=object), TypeError, "picture has dtype object"),
    ],
)
def test_check_image_names_the_argument(bad, error, pattern):
    with pytest.raises(error, match=pattern):
        validation.check_image(bad, "picture")


def test_check_image_range_and_color_options():
    with pytest.raises(ValueError, match="values in \\[-0.5, 1\\]"):
        validation.check_image(np.array([[-0.5, 1.0]]), require_unit_range=True)
    with pytest.raises(ValueError, match="must be a gray image of shape"):
        validation.check_image(np.zeros((2, 2, 3)), allow_color=False)
    converted = validation.check_image(np.array([[0, 255]], np.uint8), allow_integer=True)
    np.testing.assert_allclose(converted, [[0.0, 1.0]])
    converted16 = validation.check_image(np.array([[0, 65535]], np.uint16), allow_integer=True)
    np.testing.assert_allclose(converted16, [[0.0, 1.0]])
    with pytest.raises(ValueError, match="at least 3x3"):
        validation.check_image(np.zeros((2, 5)), min_size=3)


def test_check_mask_accepts_binary_encodings():
    expected = np.array([[True, False]])
    for encoded in (expected, expected.astype(np.uint8), expected.astype(float), expected.astype(np.uint8) * 255):
        np.testing.assert_array_equal(validation.check_mask(encoded), expected)
    with pytest.raises(ValueError, match="hole must be binary"):
        validation.check_mask(np.array([[0.5, 1.0]]), "hole")
    with pytest.raises(ValueError, match="hole must have the image's height and width"):
        validation.check_mask(np.zeros((2, 2), bool), "hole", shape=(3, 3))
    with pytest.raises(ValueError, match="hole must be a 2-D"):
        validation.check_mask(np.zeros((2, 2, 3), bool), "hole")


def test_scalar_checks():
    assert validation.check_positive(2, "sigma") == 2.0
    with pytest.raises(ValueError, match="sigma must be a positive"):
        validation.check_positive(0, "sigma")
    assert validation.check_positive(0, "sigma", allow_zero=True) == 0.0
    with pytest.raises(TypeError, match="sigma must be a number"):
        validation.check_positive("25", "sigma")
    with pytest.raises(ValueError, match="amount must be in"):
        validation.check_in_range(1.5, "amount", 0, 1)
    with pytest.raises(TypeError, match="size must be an integer"):
        validation.check_integer(2.5, "size")
    with pytest.raises(ValueError, match="size must be at least 1"):
        validation.check_integer(0, "size", minimum=1)
    with pytest.raises(ValueError, match="mode must be one of"):
        validation.check_choice("x", "mode", ("a", "b"))
    with pytest.raises(ValueError, match="kernel must be a 2-D"):
        validation.check_kernel(np.ones(3))


def test_make_rng_is_repeatable():
    first = validation.make_rng(5).random(3)
    second = validation.make_rng(5).random(3)
    np.testing.assert_array_equal(first, second)
    generator = np.random.default_rng(0)
    assert validation.make_rng(generator) is generator
    with pytest.raises(TypeError, match="seed must be an int"):
        validation.make_rng(1.5)
    with pytest.raises(ValueError, match="seed must be non-negative"):
        validation.make_rng(-1)


def test_check_float_array_keeps_any_layout_and_float_dtype():
    values = np.zeros((2, 3, 4, 1), np.float16)
    assert validation.check_float_array(values, "patches") is not None
    assert validation.check_float_array(values, "patches").dtype == np.float16
    assert validation.check_float_array([0.5, -2.0], "values").tolist() == [0.5, -2.0]  # no range imposed


@pytest.mark.parametrize(
    "bad, options, error, pattern",
    [
        (None, {}, TypeError, "batch is None"),
        (np.zeros((2, 2), np.uint8), {}, ValueError, r"batch has integer dtype uint8.*to_float"),
        (np.zeros((2, 2), np.int32), {"integer_hint": "divide by 255"}, ValueError, "divide by 255"),
        (np.zeros((2, 2), bool), {}, ValueError, "batch has dtype bool"),
        (np.array([["a"]]), {}, ValueError, "batch has dtype <U1"),
        (np.zeros((2, 2)), {"min_ndim": 3, "max_ndim": 3}, ValueError, r"batch must have 3 dimensions; got shape \(2, 2\)"),
        (np.zeros((2,)), {"min_ndim": 2, "max_ndim": 4}, ValueError, "batch must have 2 to 4 dimensions"),
        (np.zeros((2,)), {"min_ndim": 2}, ValueError, "batch must have at least 2 dimensions"),
        (np.zeros((0, 3)), {}, ValueError, "batch is empty"),
        (np.array([1.0, np.inf]), {}, ValueError, "batch contains NaN or infinite"),
    ],
)
def test_check_float_array_names_the_argument(bad, options, error, pattern):
    with pytest.raises(error, match=pattern):
        validation.check_float_array(bad, "batch", **options)
