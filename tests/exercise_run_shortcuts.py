"""The first cell of every exercise-notebook run in tests/test_notebooks.py (not part of the course).

An exercise run tests the stubs: that no cell raises and that every check answers "not
attempted yet". Its numbers are never compared with anything (nbval compares the full
solution notebooks), so the work that only produces numbers is cut short here:

- every ``keras.Model.fit`` on images runs one epoch of at most two steps (on arrays:
  the first two batches), with its callbacks and validation data as asked; fits on
  arrays of vectors (notebook 07's toy GAN on 2-D points, whose snapshots need its
  epochs) keep their epochs, each of the first two batches only;
- BM3D is replaced by a 3x3 box filter, and scikit-image's biharmonic inpainting by a
  fill with the mean of the known pixels, each of the same signature.

``COURSE_LIB_FAST=1`` (set by the test as well) shrinks course_lib's own training
functions; these shortcuts cover what the notebooks call Keras and BM3D for directly.
The test also points ``COURSE_LIB_DATA`` at tiny untrained stand-ins for the shipped
models (tests/exercise_stand_in_models.py).
"""

import bm3d as _bm3d
import keras as _keras
import numpy as _np
import scipy.ndimage as _ndimage
import skimage.restoration as _restoration

_full_fit = _keras.Model.fit


def _first_rows(value, rows):
    if isinstance(value, _np.ndarray):
        return value[:rows]
    if isinstance(value, (list, tuple)) and all(isinstance(item, _np.ndarray) for item in value):
        return type(value)(item[:rows] for item in value)
    return value


def _short_fit(self, x=None, y=None, batch_size=None, epochs=1, *args, steps_per_epoch=None, **kwargs):
    if steps_per_epoch is not None:
        steps_per_epoch = min(steps_per_epoch, 2)
    elif hasattr(x, "take") and not isinstance(x, _np.ndarray):  # a tf.data.Dataset without a step count
        x = x.take(2)
    elif isinstance(x, _np.ndarray) and x.ndim < 4:  # vectors, not images: every epoch, on two batches
        rows = 2 * (batch_size or 32)
        return _full_fit(self, _first_rows(x, rows), _first_rows(y, rows), batch_size, epochs, *args, **kwargs)
    else:
        rows = 2 * (batch_size or 32)
        x, y = _first_rows(x, rows), _first_rows(y, rows)
    return _full_fit(self, x, y, batch_size, 1, *args, steps_per_epoch=steps_per_epoch, **kwargs)


def _box_filter(image, sigma_psd=None, *args, **kwargs):
    image = _np.asarray(image, dtype=_np.float32)
    size = (3, 3) + (1,) * (image.ndim - 2)
    return _ndimage.uniform_filter(image, size=size, mode="reflect")


def _mean_fill(image, mask, *args, channel_axis=None, **kwargs):
    image = _np.array(image, dtype=_np.float64)
    hole = _np.asarray(mask, dtype=bool)
    image[hole] = image[~hole].mean(axis=0) if hole.any() and not hole.all() else 0.0
    return image


_keras.Model.fit = _short_fit
_bm3d.bm3d = _box_filter
_bm3d.bm3d_rgb = _box_filter
_restoration.inpaint_biharmonic = _mean_fill
