"""Input checks shared by every public function of :mod:`course_lib`.

Each check either returns a clean NumPy array or raises a :class:`ValueError`
(:class:`TypeError` for objects that are not arrays at all) whose message names
the argument and says what was expected, so a learner never has to read a deep
traceback to find out that an image was ``uint8`` or had an alpha channel.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "check_image",
    "check_float_array",
    "check_same_shape",
    "check_mask",
    "check_kernel",
    "check_positive",
    "check_in_range",
    "check_integer",
    "check_choice",
    "make_rng",
]


def _describe(array: np.ndarray) -> str:
    return f"shape {array.shape} and dtype {array.dtype}"


def check_image(
    image,
    name: str = "image",
    *,
    allow_color: bool = True,
    require_unit_range: bool = False,
    allow_integer: bool = False,
    min_size: int = 1,
) -> np.ndarray:
    """Validate an image and return it as a floating-point array.

    Parameters
    ----------
    image : array_like
        A gray image of shape ``(H, W)`` or an RGB image of shape ``(H, W, 3)``.
    name : str
        The argument's name, used in error messages.
    allow_color : bool
        If False, only gray ``(H, W)`` images are accepted.
    require_unit_range : bool
        If True, values must lie in [0, 1] (a tolerance of 1e-6 is allowed).
    allow_integer : bool
        If True, ``uint8`` and ``uint16`` images are accepted and scaled to
        [0, 1]; otherwise an integer image is an error that says how to convert.
    min_size : int
        The smallest accepted height and width.

    Returns
    -------
    numpy.ndarray
        The image as float32 (float64 inputs stay float64), never a view that
        aliases a caller's integer array.

    Raises
    ------
    TypeError
        If `image` is not array-like.
    ValueError
        If the dtype, number of dimensions, channels, size, range or finiteness
        is wrong.
    """
    if image is None:
        raise TypeError(f"{name} is None; expected a NumPy array of shape (H, W) or (H, W, 3)")
    if isinstance(image, (str, bytes)):
        raise TypeError(
            f"{name} is a {type(image).__name__}; expected a NumPy array "
            "(load a file with course_lib.data.read_image first)"
        )
    try:
        array = np.asarray(image)
    except Exception as error:  # pragma: no cover - exotic objects
        raise TypeError(f"{name} cannot be converted to a NumPy array: {error}") from None
    if array.dtype == object:
        raise TypeError(f"{name} has dtype object; expected a numeric image array")
    if array.dtype == bool:
        raise ValueError(
            f"{name} is a boolean array; expected a floating-point image in [0, 1] "
            "(use image.astype(np.float32) if it really is an image)"
        )
    if array.ndim == 3 and array.shape[-1] == 4:
        raise ValueError(
            f"{name} has 4 channels (RGBA, {_describe(array)}); expected gray (H, W) or "
            "RGB (H, W, 3): drop the alpha channel with image[..., :3]"
        )
    if array.ndim == 3 and array.shape[-1] == 1:
        raise ValueError(
            f"{name} has a single trailing channel ({_describe(array)}); expected (H, W) for a "
            "gray image: use image[..., 0]"
        )
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] != 3):
        raise ValueError(
            f"{name} must be a gray image (H, W) or an RGB image (H, W, 3); got {_describe(array)}"
        )
    if array.ndim == 3 and not allow_color:
        raise ValueError(
            f"{name} must be a gray image of shape (H, W); got an RGB image with {_describe(array)} "
            "(convert it with course_lib.color.rgb_to_gray)"
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty ({_describe(array)})")
    if min(array.shape[:2]) < min_size:
        raise ValueError(
            f"{name} must be at least {min_size}x{min_size} pixels; got {array.shape[0]}x{array.shape[1]}"
        )
    if np.issubdtype(array.dtype, np.integer):
        if not allow_integer:
            raise ValueError(
                f"{name} has integer dtype {array.dtype}; expected a floating-point image in [0, 1] "
                "(convert with course_lib.data.to_float(image))"
            )
        if array.dtype == np.uint8:
            array = array.astype(np.float32) / 255.0
        elif array.dtype == np.uint16:
            array = array.astype(np.float32) / 65535.0
        else:
            raise ValueError(
                f"{name} has dtype {array.dtype}; expected uint8, uint16 or a floating-point image in [0, 1]"
            )
    elif np.issubdtype(array.dtype, np.floating):
        if array.dtype not in (np.float32, np.float64):
            array = array.astype(np.float32)
    else:
        raise ValueError(f"{name} has dtype {array.dtype}; expected a floating-point image in [0, 1]")
    if not np.all(np.isfinite(array)):
        count = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} contains {count} NaN or infinite value(s); expected finite numbers")
    if require_unit_range:
        low, high = float(array.min()), float(array.max())
        if low < -1e-6 or high > 1 + 1e-6:
            raise ValueError(
                f"{name} has values in [{low:.4g}, {high:.4g}]; expected values in [0, 1] "
                "(clip with np.clip(image, 0, 1) or rescale it)"
            )
    return array


def check_float_array(
    values,
    name: str,
    *,
    min_ndim: int = 1,
    max_ndim: int | None = None,
    integer_hint: str = "convert with course_lib.data.to_float",
    allow_integer: bool = False,
) -> np.ndarray:
    """Validate a non-empty array of finite floating-point numbers of any layout.

    For arrays that are not one image (sequences of frames, batches of patches), where
    :func:`check_image`'s shape rules do not apply. No range is imposed.

    Parameters
    ----------
    values : array_like
    name : str
        The argument's name, used in error messages.
    min_ndim, max_ndim : int
        The accepted numbers of dimensions (``max_ndim=None``: no upper limit).
    integer_hint : str
        How to convert, said when the array holds integers.
    allow_integer : bool
        Accept integers too (offsets, shifts), returned as they are.

    Returns
    -------
    numpy.ndarray
        The values as given (float16, float32 or float64 are kept).
    """
    if values is None:
        raise TypeError(f"{name} is None; expected a NumPy array of floats")
    array = np.asarray(values)
    if array.dtype == object or array.dtype == bool or not (
            np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{name} has dtype {array.dtype}; expected {'numbers' if allow_integer else 'floating-point numbers'}")
    if np.issubdtype(array.dtype, np.integer) and not allow_integer:
        raise ValueError(f"{name} has integer dtype {array.dtype}; expected floats in [0, 1] ({integer_hint})")
    if array.ndim < min_ndim or (max_ndim is not None and array.ndim > max_ndim):
        wanted = f"{min_ndim}" if max_ndim == min_ndim else (
            f"at least {min_ndim}" if max_ndim is None else f"{min_ndim} to {max_ndim}")
        raise ValueError(f"{name} must have {wanted} dimensions; got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values; expected finite numbers")
    return array


def check_same_shape(first: np.ndarray, second: np.ndarray, first_name: str, second_name: str) -> None:
    """Raise a ValueError naming both arguments when two arrays differ in shape."""
    if first.shape != second.shape:
        raise ValueError(
            f"{first_name} and {second_name} must have the same shape; got {first.shape} and {second.shape}"
        )


def check_mask(mask, name: str = "mask", *, shape: tuple | None = None) -> np.ndarray:
    """Validate a binary mask and return it as a boolean (H, W) array.

    Accepts booleans, integers holding only 0 and 1 (or 0 and 255), and floats
    holding only 0.0 and 1.0. ``True`` marks the pixels the mask selects (for an
    inpainting mask: the missing pixels).
    """
    if mask is None:
        raise TypeError(f"{name} is None; expected a boolean array of shape (H, W)")
    array = np.asarray(mask)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (H, W); got {_describe(array)}")
    if array.size == 0:
        raise ValueError(f"{name} is empty ({_describe(array)})")
    if shape is not None and array.shape != tuple(shape[:2]):
        raise ValueError(
            f"{name} must have the image's height and width {tuple(shape[:2])}; got {array.shape}"
        )
    if array.dtype == bool:
        return array
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ValueError(f"{name} has dtype {array.dtype}; expected a boolean mask")
    if np.issubdtype(array.dtype, np.floating) and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values; expected 0 and 1 only")
    values = np.unique(array)
    if np.all(np.isin(values, (0, 1))):
        return array.astype(bool)
    if np.issubdtype(array.dtype, np.integer) and np.all(np.isin(values, (0, 255))):
        return array == 255
    raise ValueError(
        f"{name} must be binary (0/1 or False/True); got values such as {values[:5].tolist()}"
    )


def check_kernel(kernel, name: str = "kernel") -> np.ndarray:
    """Validate a 2-D filter kernel and return it as float64."""
    if kernel is None:
        raise TypeError(f"{name} is None; expected a 2-D array")
    array = np.asarray(kernel)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)
    ):
        raise ValueError(f"{name} has dtype {array.dtype}; expected numbers")
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array; got {_describe(array)}")
    if array.size == 0:
        raise ValueError(f"{name} is empty ({_describe(array)})")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def check_positive(value, name: str, *, allow_zero: bool = False) -> float:
    """Return `value` as a float, or raise if it is not a positive finite number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        expected = "a non-negative" if allow_zero else "a positive"
        raise ValueError(f"{name} must be {expected} finite number; got {value}")
    return value


def check_in_range(value, name: str, low: float, high: float) -> float:
    """Return `value` as a float, or raise if it is outside the closed interval [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    value = float(value)
    if not (low <= value <= high):
        raise ValueError(f"{name} must be in [{low}, {high}]; got {value}")
    return value


def check_integer(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return `value` as an int, or raise if it is not an integer within bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}; got {value}")
    return value


def check_choice(value, name: str, choices) -> str:
    """Raise a ValueError listing the valid choices when `value` is not one of them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices, key=str)}; got {value!r}")
    return value


def make_rng(seed) -> np.random.Generator:
    """Return a NumPy Generator from an int seed, a Generator, or None.

    ``None`` gives a fresh, unseeded generator; pass an int for repeatable results.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, a numpy.random.Generator or None; got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative; got {seed}")
    return np.random.default_rng(int(seed))
