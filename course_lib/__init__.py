"""course_lib: the tested library behind the Deep Image Restoration course.

Import the submodules you need::

    from course_lib import data, degradations, metrics, filters

The first cell of every notebook calls :func:`course_lib.setup`, which silences
TensorFlow's start-up logs, seeds every random generator and reports versions.
"""

import os as _os

# TensorFlow reads these once, when it is first imported, so they are set here,
# before anything in the course can import it. Level 3 hides INFO, WARNING and
# ERROR start-up lines; level 2 alone still prints the oneDNN notice, which
# TF_ENABLE_ONEDNN_OPTS=0 removes (and makes CPU results bit-for-bit repeatable).
#: Whether the user chose oneDNN themselves; the training command turns it on for speed otherwise.
ONEDNN_SET_BY_USER = "TF_ENABLE_ONEDNN_OPTS" in _os.environ
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.1.0"

from .environment import setup  # noqa: E402

__all__ = ["setup", "__version__"]
