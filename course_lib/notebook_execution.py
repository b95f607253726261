"""Execute a solution notebook in place, the way it is committed: with outputs, without widget state.

Solution notebooks are stored executed, so they read well on GitHub and so nbval
has outputs to compare with. After editing a solution, run::

    python -m course_lib execute-notebooks solutions/02_classical_filters.ipynb
    python -m course_lib build-notebooks

The first re-runs it top to bottom in a fresh kernel (seeded by its first cell,
so checked outputs are stable), the second regenerates the exercise version.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ._files import write_text_atomically

__all__ = ["execute_notebook"]


def execute_notebook(path, *, timeout: int = 900, kernel_name: str = "python3") -> float:
    """Run every cell of the notebook at `path` and save it with its outputs.

    Parameters
    ----------
    path : str or os.PathLike
        An ``.ipynb`` file; it is rewritten only if every cell ran without error.
    timeout : int
        Seconds allowed per cell.
    kernel_name : str
        Jupyter kernel to run it in.

    Returns
    -------
    float
        Wall-clock seconds the run took.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    RuntimeError
        If a cell raised; the message names the cell and the error, and the
        file is left as it was.
    """
    import nbclient
    import nbformat
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"path {str(path)!r} does not exist")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=timeout, kernel_name=kernel_name,
                                     resources={"metadata": {"path": str(path.parent.resolve())}},
                                     env={**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline"})
    started = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        first_line = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise RuntimeError(f"{path.name}: a cell failed ({first_line}); the notebook was not saved") from None
    seconds = time.perf_counter() - started
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    text = json.dumps(nbformat.from_dict(notebook), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    write_text_atomically(path, text)
    return seconds
