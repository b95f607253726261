"""course_lib: the tested library behind the Deep Image Restoration course.

Import the submodules you need::

    from course_lib import data, degradations, metrics, filters

The first cell of every notebook calls :func:`course_lib.setup`, which silences
TensorFlow's start-up logs, seeds every random generator and reports versions.
"""

import os as _os

# TensorFlow reads these once, when it is first imported, so they are set here,
# before anything in the course can import it. Level 3 hides INFO, WARNING and
# ERROR start-up lines, among them the notice that TensorFlow's oneDNN kernels are
# on. TF_ENABLE_ONEDNN_OPTS=1 turns them on: TensorFlow's own default only on CPUs
# with AVX-512 VNNI, BF16 or AMX, they trained notebook 04's and 05's CNNs 2-3 times
# as fast on a 2-core AVX2 EPYC, and a notebook's numbers repeat exactly on the same
# machine. TF_ENABLE_ONEDNN_OPTS=0 gives TensorFlow's own kernels, faster for the small
# GANs and the partial-convolution U-Net: `setup(onednn=False)` in notebooks 07-09,
# `restore inpaint`, `train --deterministic`.
#: Whether the user chose oneDNN themselves; the commands then leave it as it is.
ONEDNN_SET_BY_USER = "TF_ENABLE_ONEDNN_OPTS" in _os.environ
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.1.0"

from .environment import setup  # noqa: E402

__all__ = ["setup", "__version__"]
