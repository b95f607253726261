"""Checks for the course's exercises: instant feedback, hints one at a time, solutions on request.

In a notebook::

    from course_lib.checks import check_psnr, hint, solution

    def psnr(reference, estimate):
        ...                      # your code

    check_psnr(psnr)             # says what is wrong, in order, or that it is correct
    hint("psnr")                 # the next hint
    solution("psnr")             # one correct answer, from the solution notebook

Each notebook's exercises live in a module named for the notebook's topic, with one
``check_<exercise>`` per exercise; import them from this package (``from
course_lib.checks import check_psnr``), never from the module:

==========================  ======================================  ==============================================
module                      notebook                                exercises
==========================  ======================================  ==============================================
:mod:`.welcome`             ``00_welcome``                          ``invert``
:mod:`.images`              ``01_images_degradations_metrics``      ``to_float``, ``rgb_to_gray``,
                                                                    ``add_gaussian_noise``, ``mse``, ``psnr``
:mod:`.filters`             ``02_classical_filters``                ``convolve2d``, ``gaussian_kernel``,
                                                                    ``median_filter_3x3``, ``wiener_filter``
:mod:`.enhancement`         ``03_histograms_and_enhancement``       ``histogram``, ``cdf``, ``equalize_histogram``,
                                                                    ``gamma_correct``, ``unsharp_mask``
:mod:`.cnn`                 ``04_from_filters_to_cnns``             ``gradient_step``, ``conv2d_output_shape``,
                                                                    ``receptive_field``, ``max_pool_2x2``
:mod:`.residual`            ``05_residual_learning_dncnn``          ``make_residual_pair``, ``batch_norm``,
                                                                    ``dncnn_parameter_count``, ``self_ensemble``
:mod:`.super_resolution`    ``06_super_resolution``                 ``cubic_kernel``, ``bicubic_upscale_1d``,
                                                                    ``sr_psnr``, ``depth_to_space``
:mod:`.gans`                ``07_gans``                             ``discriminator_loss``, ``generator_loss``,
                                                                    ``gan_train_step``
:mod:`.inpainting`          ``08_gan_inpainting``                   ``hole_psnr``, ``update_mask``,
                                                                    ``partial_convolution``
:mod:`.applications`        ``09_applications``                     ``anscombe``, ``precision_recall``,
                                                                    ``align_and_average``, ``flicker``
:mod:`.outlook`             ``10_outlook``                          ``blind_spot_replace``, ``masked_mse``,
                                                                    ``quantize_int8``
==========================  ======================================  ==============================================

All of them register themselves in one registry, which :func:`list_exercises` reads
(``list_exercises("06_super_resolution")`` lists one notebook's; a test keeps this
table true). The machinery they share (:class:`Exercise`, :func:`run_check`, the
feedback statuses, and :data:`GRADE_LOG_VARIABLE`, the environment variable through
which ``python -m course_lib grade`` (:mod:`course_lib.grading`) reads every check's
answer) is in the private module :mod:`._framework`; its public names are re-exported here.
"""

from ._framework import (
    CORRECT,
    ERROR,
    GRADE_LOG_VARIABLE,
    MODIFIED_INPUT,
    NOT_ATTEMPTED,
    WRONG_SHAPE,
    WRONG_TYPE,
    WRONG_VALUES,
    Case,
    Exercise,
    Feedback,
    Mistake,
    check,
    exercise,
    hint,
    list_exercises,
    register,
    reset_hints,
    run_check,
    solution,
)
from .welcome import *  # noqa: F401,F403  (00)
from .images import *  # noqa: F401,F403  (01)
from .filters import *  # noqa: F401,F403  (02)
from .enhancement import *  # noqa: F401,F403  (03)
from .cnn import *  # noqa: F401,F403  (04)
from .residual import *  # noqa: F401,F403  (05)
from .super_resolution import *  # noqa: F401,F403  (06)
from .gans import *  # noqa: F401,F403  (07)
from .inpainting import *  # noqa: F401,F403  (08)
from .applications import *  # noqa: F401,F403  (09)
from .outlook import *  # noqa: F401,F403  (10)
from . import applications, cnn, enhancement, filters, gans, images, inpainting, outlook, residual, super_resolution, welcome

__all__ = [
    "Case", "Exercise", "Feedback", "Mistake", "check", "exercise", "hint", "list_exercises", "register",
    "reset_hints", "run_check", "solution",
    "CORRECT", "ERROR", "MODIFIED_INPUT", "NOT_ATTEMPTED", "WRONG_SHAPE", "WRONG_TYPE", "WRONG_VALUES",
    "GRADE_LOG_VARIABLE",
]
for _module in (welcome, images, filters, enhancement, cnn, residual, super_resolution, gans, inpainting, applications, outlook):
    __all__ += list(_module.__all__)
del _module
