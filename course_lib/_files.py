"""Writing a file so that no reader ever sees half of it: :func:`atomic_write`.

A file written in place is, for as long as the writing takes, a truncated file
under its real name: a process killed then (Ctrl+C, the notebook's kernel
restarted, a machine out of memory) leaves it so, and a reader meanwhile reads
it so. The course's checkpoints, records, images and downloads are instead
written to a hidden temporary file in the same folder and renamed onto their
name with :func:`os.replace`, which on a single file system is atomic: the name
holds the old complete file or the new complete file, never a mixture. The
temporary file is in the same folder because a rename across file systems is a
copy, and it is hidden (its name starts with a dot) so that a folder listing of
images or notebooks does not pick it up.

Its name, ``.NAME.PID.tmp`` (or ``.STEM.PID.tmp.SUFFIX``), carries the id of the
writing process, so that two processes writing the same file do not share a
temporary, and so that a temporary left by a process that was killed can be
recognized and removed later (:func:`course_lib.training.fit_resumable` does that
in a checkpoint folder before training resumes).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_write", "temporary_path_for", "write_text_atomically"]


def temporary_path_for(path, *, keep_suffix: bool = False) -> Path:
    """The hidden temporary file beside `path` that :func:`atomic_write` writes first.

    Parameters
    ----------
    path : str or os.PathLike
        The file to be written.
    keep_suffix : bool
        End the temporary's name with `path`'s suffix, for writers that insist on
        it (Keras saves only to a name ending in ``.keras``).

    Returns
    -------
    pathlib.Path
        ``.NAME.PID.tmp`` in `path`'s folder, or ``.STEM.PID.tmp.SUFFIX`` with
        `keep_suffix`, ``PID`` being this process's id.

    Examples
    --------
    >>> import os
    >>> temporary_path_for("runs/state.json").name == f".state.json.{os.getpid()}.tmp"
    True
    >>> temporary_path_for("runs/model.keras", keep_suffix=True).name == f".model.{os.getpid()}.tmp.keras"
    True
    """
    path = Path(path)
    if keep_suffix:
        return path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextlib.contextmanager
def atomic_write(path, *, keep_suffix: bool = False) -> Iterator[Path]:
    """Write `path` through a temporary file: ``with atomic_write(path) as temporary: ...``.

    The block writes (and may check) the file `temporary`
    (:func:`temporary_path_for`); when the block ends without an exception it is
    renamed onto `path` with :func:`os.replace`. When the block raises (a failed
    check, a full disk, Ctrl+C), `path` is left as it was and the temporary is
    removed. The folder of `path` must exist.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    keep_suffix : bool
        As in :func:`temporary_path_for`.

    Yields
    ------
    pathlib.Path
        The temporary file to write.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_write(folder / "notes.txt") as temporary:
    ...     _ = temporary.write_text("complete", encoding="utf-8")
    >>> [path.name for path in folder.iterdir()], (folder / "notes.txt").read_text(encoding="utf-8")
    (['notes.txt'], 'complete')
    """
    path = Path(path)
    temporary = temporary_path_for(path, keep_suffix=keep_suffix)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomically(path, text: str) -> Path:
    """Write `text` to `path` in UTF-8 with :func:`atomic_write`; return `path` as a :class:`~pathlib.Path`."""
    path = Path(path)
    with atomic_write(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return path
