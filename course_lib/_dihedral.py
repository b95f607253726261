"""The 8 rotations and flips of a square image, and their inverses: :func:`dihedral_transform`.

Natural images have no preferred orientation, so a restoration network is
trained on its patches rotated and flipped (augmentation, :mod:`course_lib.data`
and :mod:`course_lib.training`), and can be run on the 8 versions of an image
with the results turned back and averaged (the geometric self-ensemble,
:func:`course_lib.models.denoise`). Both number the 8 transforms the same way,
here.

The 8 form the dihedral group :math:`D_4` of the square: with :math:`R` the
rotation by 90 degrees counter-clockwise (:func:`numpy.rot90`) and :math:`F` the
left-right flip, transform ``index`` is

.. math::

    T_k = R^{k}, \\qquad T_{4 + k} = R^{k} F \\qquad (k = 0, 1, 2, 3),

and its inverse is :math:`T_k^{-1} = R^{-k}` and :math:`T_{4+k}^{-1} = F R^{-k}`
(:math:`F^{-1} = F`: undo the rotation first, then the flip).
"""

from __future__ import annotations

import numpy as np

from ._validation import check_integer

__all__ = ["DIHEDRAL_TRANSFORMS", "dihedral_transform"]

#: How many transforms :func:`dihedral_transform` numbers: 4 rotations, each with or without a flip.
DIHEDRAL_TRANSFORMS = 8


def dihedral_transform(image: np.ndarray, index: int, *, inverse: bool = False) -> np.ndarray:
    """One of the 8 rotations/flips of the square's symmetry group (axes 0 and 1), or its inverse.

    Parameters
    ----------
    image : numpy.ndarray
        An image or patch, ``(height, width)`` or ``(height, width, channels)``.
    index : int
        0-3 rotate by ``index * 90`` degrees counter-clockwise; 4-7 do the same
        after a left-right flip (see the module's documentation for the formula).
    inverse : bool
        Undo transform `index` instead, so that
        ``dihedral_transform(dihedral_transform(x, k), k, inverse=True)`` is ``x``.

    Returns
    -------
    numpy.ndarray
        A view of `image` (height and width swapped by odd rotations); copy it
        with :func:`numpy.ascontiguousarray` before handing it to a network.

    Examples
    --------
    >>> image = np.arange(6).reshape(2, 3)
    >>> dihedral_transform(image, 1)
    array([[2, 5],
           [1, 4],
           [0, 3]])
    >>> all((dihedral_transform(dihedral_transform(image, k), k, inverse=True) == image).all() for k in range(8))
    True
    """
    index = check_integer(index, "index", minimum=0, maximum=DIHEDRAL_TRANSFORMS - 1)
    if not inverse:
        flipped = image[:, ::-1] if index >= 4 else image
        return np.rot90(flipped, k=index % 4, axes=(0, 1))
    rotated_back = np.rot90(image, k=-(index % 4), axes=(0, 1))
    return rotated_back[:, ::-1] if index >= 4 else rotated_back
