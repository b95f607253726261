"""Optional downloads of public denoising benchmark sets, to score the course's models on.

The course never downloads anything by itself: every notebook and test runs offline
on the images bundled in installed wheels. This module is for a learner or an
instructor who has internet and wants the numbers the literature reports, on the
images the literature uses. ``python -m course_lib download set12 --out DIR`` calls
:func:`download_dataset`; ``python -m course_lib evaluate denoise --testset DIR``
then scores the course's denoisers on the folder.

The images are not shipped with the course and are not covered by its MIT licence:
they are for research and evaluation under their owners' terms (see each entry's
``licence``). They are fetched from the copies the DnCNN authors keep in their
repository, which is where most papers since 2017 take them from.

Integrity
---------
We could not pin checksums offline when this registry was written, so the entries
carry none: instead :func:`download_dataset` records the SHA-256 of every file it
fetched in ``SOURCE.json`` beside the images (trust on first use), so two results
can be checked to come from the same bytes. An entry that does pin checksums
(its ``sha256`` field) has every file verified against them.

Examples
--------
>>> from course_lib import downloads
>>> sorted(downloads.DATASETS)
['bsd68', 'set12']
>>> len(downloads.DATASETS["bsd68"].files), downloads.DATASETS["bsd68"].gray
(68, True)
"""

from __future__ import annotations

import datetime
import hashlib
import http.client
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ._validation import check_choice, check_positive

__all__ = ["BenchmarkDataset", "DATASETS", "DownloadError", "MANIFEST_NAME", "download_dataset"]

#: The record :func:`download_dataset` writes beside the images.
MANIFEST_NAME = "SOURCE.json"

_IMAGE_FORMATS = ("PNG", "JPEG")
_MAXIMUM_BYTES = 64 * 2**20  # far above any benchmark image; stops a misbehaving server from filling the disk
_CHUNK_BYTES = 2**16
_USER_AGENT = "course_lib (Deep Image Restoration course; python -m course_lib download)"


class DownloadError(OSError):
    """A file could not be downloaded, or what arrived is not the expected image."""


@dataclass(frozen=True)
class BenchmarkDataset:
    """One public test set that :func:`download_dataset` can fetch.

    Attributes
    ----------
    name : str
        The key in :data:`DATASETS` and the command line's choice (``"set12"``).
    description : str
        What the images are.
    source : str
        Who made the set and the paper to cite.
    licence : str
        The terms the images come under.
    base_url : str
        The folder every file is fetched from (``base_url/<file name>``).
    files : tuple of str
        The file names, in the order they are fetched.
    gray : bool
        Whether the images are gray (score them with ``gray=True``).
    sha256 : dict, optional
        ``{file name: hex SHA-256}`` pinned for verification; ``None`` when
        nothing is pinned and the hashes are only recorded.
    """

    name: str
    description: str
    source: str
    licence: str
    base_url: str
    files: tuple[str, ...]
    gray: bool = True
    sha256: dict | None = field(default=None, hash=False)


_DNCNN_TESTSETS = "https://raw.githubusercontent.com/cszn/DnCNN/master/testsets/"
_NOT_SHIPPED = ("Not shipped with the course and not under its MIT licence: for research and evaluation use "
                "under the owners' terms. ")

#: The benchmark sets the ``download`` command knows, by name.
DATASETS = {
    dataset.name: dataset
    for dataset in (
        BenchmarkDataset(
            name="set12",
            description="the 12 gray test images of the DnCNN paper (cameraman, house, peppers, starfish, "
                        "monarch, airplane, parrot, lena, barbara, boat, man, couple; 256x256 and 512x512)",
            source="Zhang, Zuo, Chen, Meng and Zhang, 'Beyond a Gaussian Denoiser: Residual Learning of Deep "
                   "CNN for Image Denoising', IEEE TIP 2017; copies from github.com/cszn/DnCNN",
            licence=_NOT_SHIPPED + "The images are classic test images of varied and partly unclear origin.",
            base_url=_DNCNN_TESTSETS + "Set12/",
            files=tuple(f"{number:02d}.png" for number in range(1, 13)),
        ),
        BenchmarkDataset(
            name="bsd68",
            description="68 natural photos (481x321 or 321x481) of the Berkeley Segmentation Dataset's test "
                        "split (Martin et al., ICCV 2001), in gray, as used by DnCNN and most denoising papers since",
            source="Martin, Fowlkes, Tal and Malik, 'A Database of Human Segmented Natural Images and its "
                   "Application to Evaluating Segmentation Algorithms and Measuring Ecological Statistics', "
                   "ICCV 2001; the 68-image selection of Roth and Black (Fields of Experts, CVPR 2005); "
                   "copies from github.com/cszn/DnCNN",
            licence=_NOT_SHIPPED + "The Berkeley Segmentation Dataset is distributed by UC Berkeley for "
                                   "research use; its web page states the terms.",
            base_url=_DNCNN_TESTSETS + "BSD68/",
            files=tuple(f"test{number:03d}.png" for number in range(1, 69)),
        ),
    )
}


def _file_url(base_url: str, file_name: str) -> str:
    """``base_url`` and `file_name` joined by exactly one slash (a mirror's path is kept)."""
    return base_url.rstrip("/") + "/" + urllib.parse.quote(file_name)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as opened:
        for chunk in iter(lambda: opened.read(_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_image(path: Path) -> bool:
    """Whether `path` is a non-empty PNG or JPEG file that Pillow decodes to the end."""
    from PIL import Image

    try:
        if path.stat().st_size == 0:
            return False
        with Image.open(path) as opened:
            opened.load()
            return opened.format in _IMAGE_FORMATS
    except Exception:  # Pillow raises many kinds of error on a truncated or foreign file
        return False


def _is_complete(path: Path, pinned: str | None) -> bool:
    """Whether an earlier download at `path` can be kept (a resumed run skips it)."""
    if not path.is_file() or not _is_image(path):
        return False
    return pinned is None or _sha256_of(path) == pinned


def _fetch(url: str, temporary, timeout: float) -> None:
    """Write the body of `url` into the open binary file `temporary`; network failures become DownloadError."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            received = 0
            for chunk in iter(lambda: response.read(_CHUNK_BYTES), b""):
                received += len(chunk)
                if received > _MAXIMUM_BYTES:
                    raise DownloadError(f"{url} is larger than {_MAXIMUM_BYTES // 2**20} MiB; not an image of a "
                                        "benchmark set (is base_url right?)")
                temporary.write(chunk)
    except urllib.error.HTTPError as error:
        error.close()
        raise DownloadError(f"HTTP {error.code} ({error.reason}) for {url}") from None
    except urllib.error.URLError as error:
        raise DownloadError(f"cannot reach {url}: {error.reason}; check the internet connection, or point "
                            "--base-url (base_url) at a mirror") from None
    except TimeoutError:
        raise DownloadError(f"{url} did not answer within {timeout:g} s; check the internet connection, or "
                            "allow more time with --timeout") from None
    except (ConnectionError, http.client.HTTPException) as error:
        raise DownloadError(f"the download of {url} broke off ({type(error).__name__}: {error}); "
                            "run again to resume") from None


def _download_file(url: str, target: Path, pinned: str | None, timeout: float) -> None:
    """Download `url` to `target` through a temporary file in the same folder, checked, then renamed.

    Nothing ever stands under `target`'s name but a complete, checked image; the
    temporary file is removed on any error (including Ctrl+C).
    """
    handle, temporary_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    temporary = Path(temporary_name)
    try:
        with os.fdopen(handle, "wb") as opened:
            _fetch(url, opened, timeout)
        if temporary.stat().st_size == 0:
            raise DownloadError(f"{url} returned an empty file")
        if not _is_image(temporary):
            raise DownloadError(f"{url} is not a PNG/JPEG image; the server may have returned an error page")
        if pinned is not None:
            digest = _sha256_of(temporary)
            if digest != pinned:
                raise DownloadError(f"the SHA-256 of {url} is {digest}, not the pinned {pinned}: the file "
                                    "changed upstream or was altered on the way; it was not kept")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _write_manifest(destination: Path, dataset: BenchmarkDataset, base_url: str, files: list[Path]) -> Path:
    record = {
        "dataset": dataset.name,
        "description": dataset.description,
        "source": dataset.source,
        "licence": dataset.licence,
        "base_url": base_url,
        "downloaded_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "checksums": "pinned in the registry" if dataset.sha256 else "recorded at download, not verified",
        "files": {
            path.name: {"url": _file_url(base_url, path.name), "sha256": _sha256_of(path),
                        "bytes": path.stat().st_size}
            for path in files
        },
    }
    manifest = destination / MANIFEST_NAME
    temporary = destination / f".{MANIFEST_NAME}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, manifest)
    return manifest


def download_dataset(
    name: str,
    destination,
    *,
    base_url: str | None = None,
    force: bool = False,
    timeout: float = 30.0,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Download a benchmark set of :data:`DATASETS` into a folder (needs internet).

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`: ``"set12"`` or ``"bsd68"``.
    destination : str or os.PathLike
        The folder for the images; created if missing.
    base_url : str, optional
        Fetch from this folder instead of the entry's ``base_url`` (a mirror, or a
        local server in tests); with or without a trailing slash.
    force : bool
        Download every file again, even those already in `destination`.
    timeout : float
        Seconds to wait for the server, per connection and per read.
    progress : callable, optional
        Called with one short line per file ("01.png: downloaded (52.3 kB)").

    Returns
    -------
    list of pathlib.Path
        The images in `destination`, in the entry's order.

    Raises
    ------
    ValueError
        If `name` is unknown, `destination` is a file, or `base_url` or
        `timeout` is not valid.
    DownloadError
        If a file cannot be fetched (HTTP error, server unreachable or too slow),
        is not a PNG/JPEG image, or does not match a pinned checksum. The files
        downloaded before it are kept, so running again resumes.

    Notes
    -----
    A file already in `destination` that decodes as an image (and matches the
    pinned checksum, if any) is kept, so an interrupted download resumes where it
    stopped. Each new file is written to a temporary file in `destination`,
    checked, then renamed into place, so no half-written file ever stands under
    an image's name. At the end ``SOURCE.json`` records the dataset, the base URL,
    the UTC time and, per file, its URL, SHA-256 and size.

    Examples
    --------
    >>> from course_lib.downloads import download_dataset
    >>> download_dataset("set12", "testsets/Set12")  # doctest: +SKIP
    [PosixPath('testsets/Set12/01.png'), ...]
    """
    check_choice(name, "name", DATASETS)
    dataset = DATASETS[name]
    base_url = dataset.base_url if base_url is None else base_url
    if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
        raise ValueError(f"base_url must start with http:// or https://; got {base_url!r}")
    timeout = check_positive(timeout, "timeout")
    destination = Path(destination)
    if destination.exists() and not destination.is_dir():
        raise ValueError(f"destination {str(destination)!r} is a file; expected a folder for the images")
    destination.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda message: None)
    pinned = dataset.sha256 or {}
    files = []
    for file_name in dataset.files:
        target = destination / file_name
        if not force and _is_complete(target, pinned.get(file_name)):
            report(f"{file_name}: already present")
        else:
            _download_file(_file_url(base_url, file_name), target, pinned.get(file_name), timeout)
            report(f"{file_name}: downloaded ({target.stat().st_size / 1000:.1f} kB)")
        files.append(target)
    _write_manifest(destination, dataset, base_url, files)
    return files
