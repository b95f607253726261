"""Evaluation protocols: scoring restoration methods on the same images the same way.

One module per task, each with its protocol, its scores and its methods, classical
and learned (the names the command line, the scoreboard and the notebooks choose from):

- :mod:`.denoising`: Gaussian denoising of gray images, PSNR/SSIM over the image
  (:func:`evaluate_denoisers`, :data:`DENOISING_METHODS`, :func:`denoising_methods`);
- :mod:`.super_resolution`: bicubic-downscaled images, PSNR/SSIM on Y with a border
  of ``scale`` pixels (:func:`evaluate_super_resolution`, :data:`SR_METHODS`, :func:`sr_methods`);
- :mod:`.inpainting`: seeded free-form holes, PSNR/SSIM inside the hole and over the
  image (:func:`evaluate_inpainting`, :data:`INPAINTING_METHODS`, :func:`inpainting_methods`);
- :mod:`.results`: what they all return, a :class:`ResultsTable` of :class:`Result` rows
  that prints as a table, averages per method and level, and writes CSV and JSON; and
  :func:`quantize`, the 8-bit rounding of every method's output before it is scored.

The protocols follow the literature of each task; every random draw (noise, holes) is
seeded, so every method sees exactly the same inputs, on every run. ``python -m
course_lib evaluate denoise|sr|inpaint`` runs them from the command line, and
:func:`course_lib.scoreboard.build_scoreboard` runs all three.
"""

from . import denoising, inpainting, results, super_resolution
from .results import *  # noqa: F401,F403 - each module lists its public names in __all__
from .denoising import *  # noqa: F401,F403
from .super_resolution import *  # noqa: F401,F403
from .inpainting import *  # noqa: F401,F403

__all__ = [*results.__all__, *denoising.__all__, *super_resolution.__all__, *inpainting.__all__]
