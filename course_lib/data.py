"""Images for the course: the bundled collection, files on disk, and patch sampling.

Nothing here downloads. Every bundled image is a file that an installed wheel
already carries: scikit-image ships photos, textures, medical and astronomy
images; scikit-learn ships two photos; matplotlib ships a portrait, an MRI slice
and a terrain elevation map. :data:`IMAGES` lists each one with its source and
licence, and :func:`load_image` returns it as float32 in [0, 1].

The split
---------
Learned models train only on ``split="train"`` and are measured on
``split="test"`` (``camera``, the classic test image, is there). Images with
``split="extra"`` are kept out of both: they are other domains (medicine,
astronomy, terrain, documents blurred by the camera) that the applications
notebook uses to show what a model trained on everyday photos gets wrong.

Examples
--------
>>> from course_lib import data
>>> camera = data.load_image("camera")
>>> camera.shape, camera.dtype, float(camera.min()) >= 0.0
((512, 512), dtype('float32'), True)
>>> "camera" in data.list_images(split="test")
True
"""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._dihedral import DIHEDRAL_TRANSFORMS, dihedral_transform
from ._files import atomic_write
from ._validation import check_choice, check_image, check_integer, make_rng
from .color import rgb_to_gray

__all__ = [
    "BundledImage",
    "IMAGES",
    "IMAGE_SUFFIXES",
    "IMAGE_KINDS",
    "list_images",
    "image_info",
    "load_image",
    "load_split",
    "load_faces",
    "describe_images",
    "read_image",
    "write_image",
    "list_image_files",
    "load_folder",
    "to_float",
    "to_uint8",
    "sample_patches",
]

#: File suffixes :func:`read_image` understands.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".npy")

_SPLITS = ("train", "test", "extra")
#: What a bundled image shows (:attr:`BundledImage.kind`).
IMAGE_KINDS = ("photo", "texture", "document", "medical", "astronomy", "microscopy", "terrain", "synthetic")


@dataclass(frozen=True)
class BundledImage:
    """One image that ships inside an installed wheel.

    Attributes
    ----------
    name : str
        The name :func:`load_image` takes.
    package : str
        The Python package whose wheel carries the file.
    file : str
        The file's path inside that package's data folder.
    description : str
        What the image shows.
    kind : str
        One of "photo", "texture", "document", "medical", "astronomy",
        "microscopy", "terrain", "synthetic".
    split : str
        "train", "test" or "extra" (see the module documentation).
    source : str
        Who made it and where it comes from.
    licence : str
        Its licence as stated by the shipping package.
    """

    name: str
    package: str
    file: str
    description: str
    kind: str
    split: str
    source: str
    licence: str


def _entry(name, package, file, description, kind, split, source, licence):
    return name, BundledImage(name, package, file, description, kind, split, source, licence)


_SKIMAGE = "scikit-image"
_SKLEARN = "scikit-learn"
_MATPLOTLIB = "matplotlib"

#: Every bundled image by name. Sources and licences are as the shipping package states them.
IMAGES: dict[str, BundledImage] = dict(
    [
        # --- test split: classic natural photos, never seen in training -----------------
        _entry("camera", _SKIMAGE, "camera.png", "a photographer with a camera on a tripod (gray)",
               "photo", "test", "Lav Varshney", "CC0"),
        _entry("astronaut", _SKIMAGE, "astronaut.png", "portrait of astronaut Eileen Collins",
               "photo", "test", "NASA Great Images database", "public domain"),
        _entry("coffee", _SKIMAGE, "coffee.png", "a coffee cup on a wooden table",
               "photo", "test", "Rachel Michetti, courtesy of Pikolo Espresso Bar", "CC0"),
        _entry("coins", _SKIMAGE, "coins.png", "Greek coins from Pompeii (gray)",
               "photo", "test", "Brooklyn Museum Collection", "no known copyright restrictions"),
        # --- train split: every other natural photo and texture the wheels ship ------------
        _entry("chelsea", _SKIMAGE, "chelsea.png", "Chelsea the cat",
               "photo", "train", "Stefan van der Walt", "CC0"),
        _entry("rocket", _SKIMAGE, "rocket.jpg", "launch of DSCOVR on a Falcon 9",
               "photo", "train", "SpaceX", "public domain"),
        _entry("motorcycle_left", _SKIMAGE, "motorcycle_left.png", "a motorcycle (left view of a stereo pair)",
               "photo", "train", "Middlebury 2014 stereo data set (Scharstein et al., GCPR 2014)",
               "distributed with scikit-image (BSD-3-Clause package); research data set"),
        _entry("motorcycle_right", _SKIMAGE, "motorcycle_right.png", "a motorcycle (right view of a stereo pair)",
               "photo", "train", "Middlebury 2014 stereo data set (Scharstein et al., GCPR 2014)",
               "distributed with scikit-image (BSD-3-Clause package); research data set"),
        _entry("china", _SKLEARN, "china.jpg", "a Chinese temple",
               "photo", "train", "danielbuechele on Flickr", "CC BY 2.0"),
        _entry("flower", _SKLEARN, "flower.jpg", "a flower",
               "photo", "train", "vultilion on Flickr", "CC BY 2.0"),
        _entry("grace_hopper", _MATPLOTLIB, "grace_hopper.jpg", "portrait of Rear Admiral Grace Hopper",
               "photo", "train", "U.S. Navy, via matplotlib's sample data", "public domain"),
        _entry("immunohistochemistry", _SKIMAGE, "ihc.png", "colonic glands, IHC staining (microscopy)",
               "microscopy", "train", "Center for Microscopy and Molecular Imaging (CMMI)",
               "no known copyright restrictions"),
        _entry("brick", _SKIMAGE, "brick.png", "a brick wall (gray texture)",
               "texture", "train", "CC0Textures (Bricks25)", "CC0"),
        _entry("grass", _SKIMAGE, "grass.png", "grass (gray texture)",
               "texture", "train", "linolafett on DeviantArt", "CC0"),
        _entry("gravel", _SKIMAGE, "gravel.png", "gravel (gray texture)",
               "texture", "train", "CC0Textures (Gravel04)", "CC0"),
        _entry("page", _SKIMAGE, "page.png", "a scanned page with uneven lighting (gray)",
               "document", "train", "scikit-image sample data", "distributed with scikit-image (BSD-3-Clause)"),
        _entry("text", _SKIMAGE, "text.png", "hand-written text on a textured surface (gray)",
               "document", "train", "Wikipedia (File:Corner.png)", "public domain"),
        # --- extra: other domains, kept out of training and of the test split --------------
        _entry("hubble_deep_field", _SKIMAGE, "hubble_deep_field.jpg", "the Hubble eXtreme Deep Field",
               "astronomy", "extra", "NASA / HubbleSite", "public domain"),
        _entry("moon", _SKIMAGE, "moon.png", "the surface of the moon, low contrast (gray)",
               "astronomy", "extra", "scikit-image sample data", "distributed with scikit-image (BSD-3-Clause)"),
        _entry("retina", _SKIMAGE, "retina.jpg", "fundus photograph of a normal left eye",
               "medical", "extra", "Mikael Häggström, Wikimedia Commons", "CC0"),
        _entry("microaneurysms", _SKIMAGE, "microaneurysms.png", "retina detail with lesions (green channel)",
               "medical", "extra", "Andreas Maier, HRF fundus database (Budai et al. 2013)", "CC0"),
        _entry("mri_slice", _MATPLOTLIB, "s1045.ima.gz", "an MRI slice of a head, 256x256",
               "medical", "extra", "matplotlib's sample data", "distributed with matplotlib (PSF-style licence)"),
        _entry("shepp_logan_phantom", _SKIMAGE, "phantom.png", "the Shepp-Logan head phantom (synthetic CT)",
               "synthetic", "extra", "Shepp & Logan, IEEE Trans. Nucl. Sci. 1974", "public domain"),
        _entry("cell", _SKIMAGE, "cell.png", "a cell in saline, quantitative phase image",
               "microscopy", "extra", "Paul Müller et al.", "CC0"),
        _entry("clock", _SKIMAGE, "clock_motion.png", "a wall clock blurred by camera motion (gray)",
               "photo", "extra", "Stefan van der Walt", "public domain"),
        _entry("terrain", _MATPLOTLIB, "jacksboro_fault_dem.npz", "elevation of the Jacksboro fault (DEM)",
               "terrain", "extra", "USGS digital elevation model, via matplotlib's sample data", "public domain"),
    ]
)


def _package_data_folder(package: str) -> Path:
    if package == _SKIMAGE:
        import skimage.data

        return Path(skimage.data.__file__).parent
    if package == _SKLEARN:
        import sklearn.datasets

        return Path(sklearn.datasets.__file__).parent / "images"
    if package == _MATPLOTLIB:
        import matplotlib

        return Path(matplotlib.get_data_path()) / "sample_data"
    raise ValueError(f"unknown package {package!r}")  # pragma: no cover - registry is fixed


def list_images(*, split: str | None = None, kind: str | None = None) -> list[str]:
    """Names of the bundled images, optionally only one split or kind.

    Parameters
    ----------
    split : {"train", "test", "extra"}, optional
    kind : str, optional
        One of "photo", "texture", "document", "medical", "astronomy",
        "microscopy", "terrain", "synthetic".
    """
    if split is not None:
        check_choice(split, "split", _SPLITS)
    if kind is not None:
        check_choice(kind, "kind", IMAGE_KINDS)
    return [
        name
        for name, info in IMAGES.items()
        if (split is None or info.split == split) and (kind is None or info.kind == kind)
    ]


def image_info(name: str) -> BundledImage:
    """The registry entry of a bundled image (source, licence, split, ...)."""
    if name not in IMAGES:
        raise ValueError(f"name must be one of the bundled images {sorted(IMAGES)}; got {name!r}")
    return IMAGES[name]


@functools.lru_cache(maxsize=None)
def _load_cached(name: str) -> np.ndarray:
    info = IMAGES[name]
    path = _package_data_folder(info.package) / info.file
    if not path.exists():
        raise FileNotFoundError(
            f"the bundled image {name!r} should be at {path}, but {info.package} does not ship it "
            "there (is the package installed completely?)"
        )
    if name == "mri_slice":
        # 256x256 big-endian 16-bit samples, gzipped; the values span 0-215.
        raw = np.frombuffer(gzip.decompress(path.read_bytes()), dtype=">u2").reshape(256, 256)
        image = raw.astype(np.float32) / float(raw.max())
    elif name == "terrain":
        with np.load(path) as archive:
            elevation = archive["elevation"].astype(np.float32)
        image = (elevation - elevation.min()) / (elevation.max() - elevation.min())
    else:
        image = _read_with_pillow(path)
        if name == "shepp_logan_phantom" and image.ndim == 3:
            image = image[..., 0]  # stored as gray replicated over RGB
    image = np.ascontiguousarray(image, dtype=np.float32)
    image.setflags(write=False)
    return image


def load_image(name: str, *, gray: bool = False) -> np.ndarray:
    """Load a bundled image as float32 in [0, 1].

    Parameters
    ----------
    name : str
        A key of :data:`IMAGES`, for example ``"camera"`` or ``"astronaut"``.
    gray : bool
        Convert RGB images to gray (BT.601 luma, :func:`course_lib.color.rgb_to_gray`).

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` or ``(H, W, 3)`` float32 array with values in [0, 1]; a new
        array each call, so it can be modified freely.
    """
    image_info(name)
    image = _load_cached(name)
    if gray and image.ndim == 3:
        return rgb_to_gray(image)
    return image.copy()


def load_split(split: str, *, gray: bool = False) -> dict[str, np.ndarray]:
    """All bundled images of one split, by name: ``{"camera": array, ...}``."""
    check_choice(split, "split", _SPLITS)
    return {name: load_image(name, gray=gray) for name in list_images(split=split)}


def load_faces() -> np.ndarray:
    """The 100 face crops of scikit-image's LFW subset, as (100, 25, 25) float32 in [0, 1].

    From Labeled Faces in the Wild (Huang et al.), as shipped by scikit-image;
    small enough to train a GAN on live.
    """
    path = _package_data_folder(_SKIMAGE) / "lfw_subset.npy"
    if not path.exists():
        raise FileNotFoundError(f"scikit-image's lfw_subset.npy is missing at {path}")
    faces = np.load(path)[:100].astype(np.float32)
    return np.clip(faces, 0.0, 1.0)


def describe_images() -> str:
    """A Markdown table of the bundled images: name, size, kind, split, source, licence."""
    rows = ["| name | size | kind | split | source | licence |", "|---|---|---|---|---|---|"]
    for name, info in IMAGES.items():
        image = _load_cached(name)
        size = f"{image.shape[1]}x{image.shape[0]}" + (" RGB" if image.ndim == 3 else " gray")
        rows.append(f"| {name} | {size} | {info.kind} | {info.split} | {info.source} | {info.licence} |")
    return "\n".join(rows)


# --------------------------------------------------------------------------------------
# Files on disk
# --------------------------------------------------------------------------------------


def _read_with_pillow(path: Path) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            opened.load()
            mode = opened.mode
            if mode in ("I;16", "I;16B", "I;16L", "I"):
                array = np.asarray(opened, dtype=np.float64)
                maximum = 65535.0 if mode.startswith("I;16") or array.max() > 255 else 255.0
                return (array / maximum).astype(np.float32)
            if mode == "F":
                return np.asarray(opened, dtype=np.float32)
            if mode in ("1", "L"):
                return np.asarray(opened.convert("L"), dtype=np.float32) / 255.0
            if mode == "LA":
                return np.asarray(opened.convert("L"), dtype=np.float32) / 255.0
            # P, RGBA, CMYK, YCbCr, ...: composite to RGB (alpha is dropped).
            return np.asarray(opened.convert("RGB"), dtype=np.float32) / 255.0
    except UnidentifiedImageError:
        raise ValueError(f"path {str(path)!r} is not an image Pillow can read (corrupt or unsupported)") from None
    except OSError as error:
        raise ValueError(f"path {str(path)!r} could not be read as an image: {error}") from None


def read_image(path, *, gray: bool = False) -> np.ndarray:
    """Read an image file (PNG, JPEG, BMP, TIFF) or a ``.npy`` array as float32 in [0, 1].

    Parameters
    ----------
    path : str or os.PathLike
        An image file, or a ``.npy`` file holding a float array ``(H, W)`` or
        ``(H, W, 3)``. A ``.npy`` array is returned as stored (float32), so an
        unclipped noisy image keeps its values outside [0, 1].
    gray : bool
        Convert RGB to gray.

    Returns
    -------
    numpy.ndarray
        8-bit files are divided by 255 and 16-bit files by 65535. An alpha
        channel is dropped; palette images become RGB.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If the file is not a readable image or holds an array of the wrong
        shape or dtype.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"path {str(path)!r} does not exist")
    if path.is_dir():
        raise ValueError(f"path {str(path)!r} is a folder; expected an image file (use load_folder for folders)")
    if path.suffix.lower() == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except Exception as error:
            raise ValueError(f"path {str(path)!r} is not a readable .npy array: {error}") from None
        image = check_image(array, f"the array in {path.name}", allow_integer=True)
        image = image.astype(np.float32)
    else:
        image = _read_with_pillow(path)
    if gray and image.ndim == 3:
        image = rgb_to_gray(image)
    return image


def to_float(image) -> np.ndarray:
    """Convert a uint8 (0-255) or uint16 (0-65535) image to float32 in [0, 1]."""
    return check_image(image, "image", allow_integer=True).astype(np.float32)


def to_uint8(image) -> np.ndarray:
    """Clip a float image to [0, 1] and round it to 8 bits: ``round(255 * clip(x, 0, 1))``."""
    array = check_image(image, "image")
    return np.round(np.clip(array, 0.0, 1.0) * 255.0).astype(np.uint8)


def write_image(path, image, *, overwrite: bool = False) -> Path:
    """Write an image: ``.npy`` keeps float32 values as they are, other formats are 8-bit.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; the suffix picks the format (``.png``, ``.jpg``, ``.bmp``,
        ``.tif``, ``.npy``). Parent folders are created.
    image : numpy.ndarray
        Float image; for 8-bit formats it is clipped to [0, 1] and rounded.
    overwrite : bool
        Replace an existing file. Without it an existing file is an error, so
        nothing is lost by accident.

    Returns
    -------
    pathlib.Path
        The path written. The file appears atomically (written to a temporary
        name in the same folder, then renamed).
    """
    from PIL import Image

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise ValueError(f"path must end with one of {IMAGE_SUFFIXES}; got {str(path)!r}")
    if path.exists() and not overwrite:
        raise FileExistsError(f"path {str(path)!r} exists; pass overwrite=True (or --force) to replace it")
    array = check_image(image, "image")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as temporary:
        if suffix == ".npy":
            with open(temporary, "wb") as handle:
                np.save(handle, array.astype(np.float32))
        else:
            format_name = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".bmp": "BMP",
                           ".tif": "TIFF", ".tiff": "TIFF"}[suffix]
            options = {"quality": 95} if format_name == "JPEG" else {}
            Image.fromarray(to_uint8(array)).save(temporary, format=format_name, **options)
    return path


def list_image_files(folder) -> list[Path]:
    """Image files (by suffix, see :data:`IMAGE_SUFFIXES`) directly in `folder`, sorted by name."""
    folder = Path(folder)
    if not folder.exists():
        raise FileNotFoundError(f"folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise ValueError(f"folder {str(folder)!r} is a file; expected a folder of images")
    files = sorted(
        item for item in folder.iterdir()
        if item.is_file() and item.suffix.lower() in IMAGE_SUFFIXES and not item.name.startswith(".")
    )
    if not files:
        raise ValueError(f"folder {str(folder)!r} holds no images (looked for {', '.join(IMAGE_SUFFIXES)})")
    return files


def load_folder(folder, *, gray: bool = False) -> dict[str, np.ndarray]:
    """Load every image in a folder of your own, by file name without suffix.

    Parameters
    ----------
    folder : str or os.PathLike
        A folder of PNG/JPEG/BMP/TIFF/``.npy`` files (not searched recursively).
    gray : bool
        Convert RGB images to gray.

    Returns
    -------
    dict
        ``{"holiday": array, ...}`` in file-name order, each float32 in [0, 1].
    """
    return {path.stem: read_image(path, gray=gray) for path in list_image_files(folder)}


# --------------------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------------------


def _as_image_list(images, name: str) -> list[np.ndarray]:
    if isinstance(images, dict):
        images = list(images.values())
    elif isinstance(images, np.ndarray):
        images = [images]
    else:
        images = list(images)
    if not images:
        raise ValueError(f"{name} is empty; expected at least one image")
    return [check_image(image, f"{name}[{index}]") for index, image in enumerate(images)]


def sample_patches(images, patch_size: int, count: int, *, seed=None, augment: bool = False) -> np.ndarray:
    """Draw square patches uniformly from a collection of images (seeded).

    Every valid patch position of every image is equally likely, so a large
    image contributes more patches than a small one.

    Parameters
    ----------
    images : numpy.ndarray, list or dict of numpy.ndarray
        Float images, all gray or all RGB.
    patch_size : int
        Side of the square patches; at most the smallest image side.
    count : int
        Number of patches.
    seed : int or numpy.random.Generator, optional
    augment : bool
        Apply one of the 8 rotations/flips (the dihedral group, see
        :func:`course_lib.models.dihedral_transform`) to each patch.

    Returns
    -------
    numpy.ndarray
        ``(count, patch_size, patch_size)`` or ``(count, patch_size, patch_size, 3)`` float32.
    """
    arrays = _as_image_list(images, "images")
    patch_size = check_integer(patch_size, "patch_size", minimum=1)
    count = check_integer(count, "count", minimum=1)
    if len({array.ndim for array in arrays}) != 1:
        raise ValueError("images must be all gray or all RGB; got a mixture (convert with gray=True)")
    smallest = min(min(array.shape[:2]) for array in arrays)
    if patch_size > smallest:
        raise ValueError(f"patch_size must be at most the smallest image side {smallest}; got {patch_size}")
    rng = make_rng(seed)
    positions = np.array(
        [(array.shape[0] - patch_size + 1) * (array.shape[1] - patch_size + 1) for array in arrays],
        dtype=np.float64,
    )
    choices = rng.choice(len(arrays), size=count, p=positions / positions.sum())
    patches = np.empty((count, patch_size, patch_size) + arrays[0].shape[2:], dtype=np.float32)
    for index, image_index in enumerate(choices):
        array = arrays[image_index]
        top = int(rng.integers(0, array.shape[0] - patch_size + 1))
        left = int(rng.integers(0, array.shape[1] - patch_size + 1))
        patch = array[top : top + patch_size, left : left + patch_size]
        if augment:
            transform = int(rng.integers(0, DIHEDRAL_TRANSFORMS))
            # Drawn as "rotate by k, then flip" since this function was written: that is
            # dihedral_transform's 4 + (-k) % 4, kept so that a seed gives the same patches.
            patch = dihedral_transform(patch, transform if transform < 4 else 4 + (-transform) % 4)
        patches[index] = patch
    return patches
