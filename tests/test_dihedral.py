"""course_lib._dihedral: the 8 rotations/flips that augmentation and the self-ensemble share."""

import numpy as np
import pytest

from course_lib import data
from course_lib._dihedral import DIHEDRAL_TRANSFORMS, dihedral_transform

INDICES = range(DIHEDRAL_TRANSFORMS)


def _image(shape=(5, 7, 3)):
    return np.random.default_rng(0).random(shape).astype(np.float32)  # no symmetry: every transform shows


@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 3), (6, 6, 1)])
@pytest.mark.parametrize("index", INDICES)
def test_the_inverse_undoes_each_transform_and_the_transform_undoes_its_inverse(shape, index):
    image = _image(shape)
    np.testing.assert_array_equal(dihedral_transform(dihedral_transform(image, index), index, inverse=True), image)
    np.testing.assert_array_equal(dihedral_transform(dihedral_transform(image, index, inverse=True), index), image)


def test_the_eight_transforms_are_distinct_and_odd_rotations_swap_the_sides():
    image = _image()
    results = [dihedral_transform(image, index) for index in INDICES]
    assert len({result.tobytes() + bytes(result.shape) for result in results}) == 8
    assert [result.shape[:2] for result in results] == [(5, 7), (7, 5), (5, 7), (7, 5)] * 2


def test_the_numbering_is_rotation_after_an_optional_flip():
    image = _image()
    for index in INDICES:
        flipped = np.fliplr(image) if index >= 4 else image
        np.testing.assert_array_equal(dihedral_transform(image, index), np.rot90(flipped, index % 4))


def test_the_eight_are_closed_under_composition():
    image = _image((4, 4))
    group = {dihedral_transform(image, index).tobytes() for index in INDICES}
    for first in INDICES:
        for second in INDICES:
            assert dihedral_transform(dihedral_transform(image, first), second).tobytes() in group


@pytest.mark.parametrize("index", [-1, 8, 2.0])
def test_an_index_outside_0_to_7_is_refused(index):
    with pytest.raises((ValueError, TypeError), match="index must be"):
        dihedral_transform(_image(), index)


def test_sample_patches_draws_the_same_patches_as_before_the_shared_helper():
    """sample_patches numbered its transforms "rotate by k, then flip"; a seed still gives those patches."""
    images = [_image((20, 24)), _image((18, 30))]
    patches = data.sample_patches(images, 8, 40, seed=3, augment=True)
    rng = np.random.default_rng(3)
    positions = np.array([(20 - 8 + 1) * (24 - 8 + 1), (18 - 8 + 1) * (30 - 8 + 1)], dtype=np.float64)
    choices = rng.choice(2, size=40, p=positions / positions.sum())
    for patch, choice in zip(patches, choices):
        image = images[choice]
        top = int(rng.integers(0, image.shape[0] - 8 + 1))
        left = int(rng.integers(0, image.shape[1] - 8 + 1))
        transform = int(rng.integers(0, 8))
        expected = np.rot90(image[top:top + 8, left:left + 8], k=transform % 4)
        if transform >= 4:
            expected = expected[:, ::-1]
        np.testing.assert_array_equal(patch, expected)


def test_training_patches_use_the_same_numbering():
    from course_lib.training.patches import _random_dihedral

    patch = _image((6, 6))
    for index in INDICES:
        np.testing.assert_array_equal(_random_dihedral(patch, None, index), dihedral_transform(patch, index))
    first, second = np.random.default_rng(5), np.random.default_rng(5)
    np.testing.assert_array_equal(_random_dihedral(patch, first), dihedral_transform(patch, int(second.integers(0, 8))))
