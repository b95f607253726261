"""Degradations: how a clean image ``x`` becomes the observation ``y = A(x) + n``.

This subpackage is the *forward model* side of the course. It knows how images
get damaged -- noise (:mod:`.noise`), blur (:mod:`.blur`), downsampling
(:mod:`.resize`, MATLAB-compatible bicubic) and missing pixels (:mod:`.masks`) --
and nothing about how to undo it: it imports no model, filter or training code,
so the restoration side (classical filters, networks) can be swapped freely and
every notebook reads ``y = degrade(x)`` then ``x_hat = restore(y)``.

Two styles, same results:

- functions, e.g. ``add_gaussian_noise(x, sigma=25, seed=0)``;
- callable objects from :mod:`.forward`, e.g.
  ``Compose([GaussianBlur(1.6), GaussianNoise(10)])(x, seed=0)``, which also
  describe themselves for figure titles (``.describe()``).

Everything random takes ``seed=`` (an int, a :class:`numpy.random.Generator` or
None); the same seed gives the same damage.
"""

from .blur import blur, gaussian_blur, gaussian_kernel, motion_blur, motion_kernel
from .forward import (
    Blur,
    Compose,
    Degradation,
    Downsample,
    GaussianBlur,
    GaussianNoise,
    Inpainting,
    MotionBlur,
    PoissonNoise,
    SaltAndPepper,
)
from .masks import apply_mask, mask_coverage, rectangle_mask, scratch_mask, stroke_mask
from .noise import (
    ANSCOMBE_INVERSES,
    add_gaussian_noise,
    add_poisson_noise,
    add_salt_and_pepper,
    anscombe,
    estimate_sigma,
    inverse_anscombe,
)
from .resize import bicubic_downscale, bicubic_upscale, crop_to_multiple, cubic_kernel, imresize

__all__ = [
    # noise
    "add_gaussian_noise",
    "add_poisson_noise",
    "add_salt_and_pepper",
    "estimate_sigma",
    "anscombe",
    "inverse_anscombe",
    "ANSCOMBE_INVERSES",
    # blur
    "gaussian_kernel",
    "motion_kernel",
    "blur",
    "gaussian_blur",
    "motion_blur",
    # resize
    "cubic_kernel",
    "imresize",
    "crop_to_multiple",
    "bicubic_downscale",
    "bicubic_upscale",
    # masks
    "rectangle_mask",
    "stroke_mask",
    "scratch_mask",
    "apply_mask",
    "mask_coverage",
    # forward-model objects
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
