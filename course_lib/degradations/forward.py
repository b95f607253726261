"""Forward models as small callable objects, so notebooks can write ``y = degradation(x)``.

Each object is a frozen dataclass holding the parameters of one degradation;
calling it applies the degradation::

    degradation = Compose([GaussianBlur(sigma=1.6), GaussianNoise(sigma=10)])
    y = degradation(x, seed=0)
    plt.title(degradation.describe())   # "Gaussian blur (σ = 1.6 px) → Gaussian noise (σ = 10)"

Every ``__call__`` accepts ``seed=`` (deterministic steps ignore it), so a
:class:`Compose` can pass one generator through all of its steps.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .._validation import (
    check_choice,
    check_in_range,
    check_integer,
    check_kernel,
    check_mask,
    check_positive,
    make_rng,
)
from .blur import _MODES, _default_kernel_size, blur, gaussian_kernel, motion_kernel
from .masks import apply_mask
from .noise import add_gaussian_noise, add_poisson_noise, add_salt_and_pepper
from .resize import bicubic_downscale

__all__ = [
    "Degradation",
    "GaussianNoise",
    "PoissonNoise",
    "SaltAndPepper",
    "Blur",
    "GaussianBlur",
    "MotionBlur",
    "Downsample",
    "Inpainting",
    "Compose",
]


def _number(value) -> str:
    """Format a parameter for a title: 25.0 -> '25', 1.6 -> '1.6'."""
    return f"{value:g}"


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.array(array, copy=True)
    array.setflags(write=False)
    return array


class Degradation:
    """Base class of the forward models: ``y = degradation(x, seed=...)``."""

    def __call__(self, image, *, seed=None) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        """A short human-readable description, for figure titles."""
        raise NotImplementedError


@dataclass(frozen=True)
class GaussianNoise(Degradation):
    """Additive white Gaussian noise of level `sigma` (8-bit scale); see :func:`add_gaussian_noise`.

    Examples
    --------
    >>> GaussianNoise(25).describe()
    'Gaussian noise (σ = 25)'
    """

    sigma: float
    clip: bool = False

    def __post_init__(self):
        object.__setattr__(self, "sigma", check_positive(self.sigma, "sigma", allow_zero=True))
        if not isinstance(self.clip, (bool, np.bool_)):
            raise TypeError(f"clip must be True or False; got {self.clip!r}")

    def __call__(self, image, *, seed=None) -> np.ndarray:
        return add_gaussian_noise(image, self.sigma, seed=seed, clip=self.clip)

    def describe(self) -> str:
        suffix = ", clipped" if self.clip else ""
        return f"Gaussian noise (σ = {_number(self.sigma)}{suffix})"


@dataclass(frozen=True)
class PoissonNoise(Degradation):
    """Photon-counting noise with `peak` photons at white; see :func:`add_poisson_noise`.

    Examples
    --------
    >>> PoissonNoise(30).describe()
    'Poisson noise (peak = 30)'
    """

    peak: float

    def __post_init__(self):
        object.__setattr__(self, "peak", check_positive(self.peak, "peak"))

    def __call__(self, image, *, seed=None) -> np.ndarray:
        return add_poisson_noise(image, self.peak, seed=seed)

    def describe(self) -> str:
        return f"Poisson noise (peak = {_number(self.peak)})"


@dataclass(frozen=True)
class SaltAndPepper(Degradation):
    """Impulse noise on a fraction `amount` of the pixels; see :func:`add_salt_and_pepper`.

    Examples
    --------
    >>> SaltAndPepper(0.05).describe()
    'Salt-and-pepper noise (5% of pixels)'
    """

    amount: float
    salt_fraction: float = 0.5

    def __post_init__(self):
        object.__setattr__(self, "amount", check_in_range(self.amount, "amount", 0.0, 1.0))
        object.__setattr__(
            self, "salt_fraction", check_in_range(self.salt_fraction, "salt_fraction", 0.0, 1.0)
        )

    def __call__(self, image, *, seed=None) -> np.ndarray:
        return add_salt_and_pepper(image, self.amount, salt_fraction=self.salt_fraction, seed=seed)

    def describe(self) -> str:
        return f"Salt-and-pepper noise ({_number(100 * self.amount)}% of pixels)"


@dataclass(frozen=True, eq=False)
class Blur(Degradation):
    """Convolution with a given `kernel`; see :func:`blur`.

    The kernel is copied and made read-only, so the object stays immutable.

    Examples
    --------
    >>> import numpy as np
    >>> Blur(np.full((3, 3), 1 / 9))
    Blur(kernel=<3x3 array>, mode='reflect')
    """

    kernel: np.ndarray
    mode: str = "reflect"

    def __post_init__(self):
        object.__setattr__(self, "kernel", _read_only(check_kernel(self.kernel, "kernel")))
        check_choice(self.mode, "mode", _MODES)

    def __call__(self, image, *, seed=None) -> np.ndarray:
        return blur(image, self.kernel, mode=self.mode)

    def __repr__(self) -> str:
        rows, cols = self.kernel.shape
        return f"Blur(kernel=<{rows}x{cols} array>, mode={self.mode!r})"

    def describe(self) -> str:
        rows, cols = self.kernel.shape
        return f"Blur ({rows}×{cols} kernel)"


@dataclass(frozen=True)
class GaussianBlur(Degradation):
    """Gaussian blur of standard deviation `sigma` pixels; see :func:`gaussian_blur`.

    Examples
    --------
    >>> GaussianBlur(1.6).kernel.shape
    (11, 11)
    """

    sigma: float
    kernel_size: int | None = None
    mode: str = "reflect"

    def __post_init__(self):
        object.__setattr__(self, "sigma", check_positive(self.sigma, "sigma"))
        if self.kernel_size is None:
            size = _default_kernel_size(self.sigma)
        else:
            size = check_integer(self.kernel_size, "kernel_size", minimum=1)
            if size % 2 == 0:
                raise ValueError(f"kernel_size must be odd so the kernel has a centre pixel; got {size}")
        object.__setattr__(self, "kernel_size", size)
        check_choice(self.mode, "mode", _MODES)

    @property
    def kernel(self) -> np.ndarray:
        """The ``(kernel_size, kernel_size)`` Gaussian kernel."""
        return gaussian_kernel(self.kernel_size, self.sigma)

    def __call__(self, image, *, seed=None) -> np.ndarray:
        return blur(image, self.kernel, mode=self.mode)

    def describe(self) -> str:
        return f"Gaussian blur (σ = {_number(self.sigma)} px)"


@dataclass(frozen=True)
class MotionBlur(Degradation):
    """Linear motion blur of `length` pixels at `angle` degrees; see :func:`motion_blur`.

    Examples
    --------
    >>> MotionBlur(9, 30).describe()
    'Motion blur (9 px at 30°)'
    """

    length: float
    angle: float = 0.0
    mode: str = "reflect"

    def __post_init__(self):
        motion_kernel(self.length, self.angle)  # validates length and angle
        object.__setattr__(self, "length", float(self.length))
        object.__setattr__(self, "angle", float(self.angle))
        check_choice(self.mode, "mode", _MODES)

    @property
    def kernel(self) -> np.ndarray:
        """The motion kernel (see :func:`motion_kernel`)."""
        return motion_kernel(self.length, self.angle)

    def __call__(self, image, *, seed=None) -> np.ndarray:
        return blur(image, self.kernel, mode=self.mode)

    def describe(self) -> str:
        return f"Motion blur ({_number(self.length)} px at {_number(self.angle)}°)"


@dataclass(frozen=True)
class Downsample(Degradation):
    """MATLAB-style bicubic downscaling by an integer `scale`; see :func:`bicubic_downscale`.

    The image is first cropped to a multiple of `scale`, so the output is
    ``(H // scale, W // scale)``. Values are not clipped or rounded.

    Examples
    --------
    >>> import numpy as np
    >>> Downsample(3)(np.zeros((10, 12))).shape
    (3, 4)
    """

    scale: int

    def __post_init__(self):
        object.__setattr__(self, "scale", check_integer(self.scale, "scale", minimum=1))

    def __call__(self, image, *, seed=None) -> np.ndarray:
        return bicubic_downscale(image, self.scale)

    def describe(self) -> str:
        return f"Bicubic ×{self.scale} downsampling"


@dataclass(frozen=True, eq=False)
class Inpainting(Degradation):
    """Remove the pixels where `mask` is True (set them to `fill`); see :func:`apply_mask`.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.zeros((4, 4), dtype=bool)
    >>> mask[:2] = True
    >>> Inpainting(mask)
    Inpainting(mask=<4x4, 50.0% missing>, fill=0.0)
    """

    mask: np.ndarray
    fill: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "mask", _read_only(check_mask(self.mask, "mask")))
        fill = self.fill
        if isinstance(fill, bool) or not isinstance(fill, numbers.Real) or not math.isfinite(fill):
            raise ValueError(f"fill must be a finite number; got {self.fill!r}")
        object.__setattr__(self, "fill", float(self.fill))

    @property
    def coverage(self) -> float:
        """Fraction of missing pixels."""
        return float(self.mask.mean())

    def __call__(self, image, *, seed=None) -> np.ndarray:
        return apply_mask(image, self.mask, fill=self.fill)

    def __repr__(self) -> str:
        rows, cols = self.mask.shape
        return f"Inpainting(mask=<{rows}x{cols}, {100 * self.coverage:.1f}% missing>, fill={self.fill!r})"

    def describe(self) -> str:
        return f"Inpainting ({100 * self.coverage:.1f}% of pixels missing)"


@dataclass(frozen=True, eq=False)
class Compose(Degradation):
    """Apply several degradations in order: ``Compose([A, B])(x) == B(A(x))``.

    One generator, made from `seed`, is passed through all steps, so the whole
    chain is repeatable from a single seed.

    Examples
    --------
    >>> Compose([GaussianBlur(1.0), Downsample(2), GaussianNoise(5)]).describe()
    'Gaussian blur (σ = 1 px) → Bicubic ×2 downsampling → Gaussian noise (σ = 5)'
    """

    steps: tuple

    def __post_init__(self):
        if isinstance(self.steps, Degradation) or not hasattr(self.steps, "__iter__"):
            raise TypeError(f"steps must be a list of degradations; got {type(self.steps).__name__}")
        steps = tuple(self.steps)
        if not steps:
            raise ValueError("steps must contain at least one degradation; got an empty list")
        for index, step in enumerate(steps):
            if not isinstance(step, Degradation):
                raise TypeError(
                    f"steps[{index}] must be a Degradation (GaussianNoise, Blur, ...); "
                    f"got {type(step).__name__}"
                )
        object.__setattr__(self, "steps", steps)

    def __call__(self, image, *, seed=None) -> np.ndarray:
        rng = make_rng(seed)
        for step in self.steps:
            image = step(image, seed=rng)
        return image

    def __repr__(self) -> str:
        return f"Compose([{', '.join(repr(step) for step in self.steps)}])"

    def describe(self) -> str:
        return " → ".join(step.describe() for step in self.steps)
