"""Build the course website: static HTML pages of the executed solution notebooks.

One page per notebook of ``solutions/`` (nbconvert's ``HTMLExporter`` with its
"lab" template, every figure embedded as a data URI, so each page is one
self-contained file), an index page with the course map (each notebook's number,
title, first paragraph and time), and the instructor guide rendered from Markdown.
Every page has the same navigation bar: home, the previous and the next notebook,
the instructor guide.

The build needs no network, and neither does viewing, but for one diagram:

- math is typeset by MathJax 2. By default (``mathjax="local"``) the site carries its
  own copy, the files of MathJax 2.7 it needs (about 2 MB, in ``MATHJAX_FOLDER``),
  copied from the ``jupyter-server-mathjax`` package, so formulas are typeset offline.
  ``mathjax="cdn"`` loads MathJax from a CDN instead (``DEFAULT_MATHJAX_URL``, or
  ``mathjax_url``) and keeps the site small, but offline the TeX source
  (``$y = A(x) + n$``) then shows as written; ``mathjax="none"`` loads nothing;
- notebook 00's Mermaid diagram (the course map) is drawn by Mermaid's ES module
  from a CDN; when it is not drawn within 3 s (offline), the page shows its
  source instead (nbconvert's template would leave it hidden). The index page has
  the map as a plain list.

The pages load no other script: require.js (which nbconvert's template loads for
widget state and JavaScript outputs) is left out, because the solution notebooks
are saved without widget state. An interactive widget's output is replaced by a
note that says to run the notebook in JupyterLab.

A built site holds a marker file, ``SITE_MARKER``; :func:`build_site` replaces a
folder that holds it, and any other existing folder only with ``force=True``.
The new site is built beside the old one and swapped in at the end, so a failed
build leaves the previous site as it was.
"""

from __future__ import annotations

import datetime
import html
import importlib.util
import json
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = [
    "MATHJAX_SOURCES",
    "MATHJAX_FOLDER",
    "LOCAL_MATHJAX_URL",
    "DEFAULT_MATHJAX_URL",
    "SITE_MARKER",
    "GUIDE_PAGE",
    "NotebookPage",
    "SiteResult",
    "read_course_map",
    "card_text",
    "build_site",
    "find_broken_links",
    "find_mathjax",
    "copy_mathjax",
]

#: Where the pages get MathJax: a copy inside the site, a CDN, or nowhere (math shows as TeX).
MATHJAX_SOURCES = ("local", "cdn", "none")
#: The site's folder that holds its copy of MathJax (``mathjax="local"``).
MATHJAX_FOLDER = "mathjax"
#: What the pages load with ``mathjax="local"``: the one combined configuration that
#: jupyter-server-mathjax ships (TeX input, HTML-CSS output), and the Safe extension.
LOCAL_MATHJAX_URL = f"{MATHJAX_FOLDER}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
#: MathJax as nbconvert loads it by default (MathJax 2.7.7 from cdnjs), for ``mathjax="cdn"``.
DEFAULT_MATHJAX_URL = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"

#: The package whose wheel holds MathJax 2.7 (2.7.9 in its version 0.2.6, in its ``static/`` folder).
_MATHJAX_PACKAGE = "jupyter_server_mathjax"
#: The files of that folder the site needs, as glob patterns: the loader, the configuration, the
#: extensions it loads (TeX macros such as ``\boldsymbol`` load theirs on first use), the TeX input,
#: the HTML-CSS output and its STIX web fonts, and the licence. Left out (about 7.5 MB): the
#: accessibility explorer and the translations (both loaded only when chosen in MathJax's menu) and
#: the SVG output's fonts (the package has no SVG output to use them).
_MATHJAX_FILES = (
    "LICENSE",
    "MathJax.js",
    "config/TeX-AMS-MML_HTMLorMML-full.js",
    "config/Safe.js",
    "extensions/*.js",
    "extensions/TeX/**/*.js",
    "extensions/HTML-CSS/*.js",
    "jax/element/**/*.js",
    "jax/input/TeX/*.js",
    "jax/output/HTML-CSS/**/*.js",
    "fonts/HTML-CSS/STIX-Web/woff/*.woff",
)
#: Set before MathJax loads, for the local copy: its only fonts are the STIX web fonts, and it has
#: no image fonts (the settings the classic Jupyter Notebook used with MathJax from this package).
_LOCAL_MATHJAX_CONFIG = """<script>
window.MathJax = {"HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null}};
</script>"""
#: The file that marks a folder as a site built by :func:`build_site`.
SITE_MARKER = ".course-site.json"
#: The instructor guide's page in the site.
GUIDE_PAGE = "instructor_guide.html"

_WIDGET_MIMETYPE = "application/vnd.jupyter.widget-view+json"
_WIDGET_NOTE = ("Interactive widget: it works when the notebook runs in JupyterLab "
                "(<code>make lab</code>); a static page cannot run it.")

_NAV_CSS = """
nav.course-nav { display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; align-items: baseline;
  font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 14px;
  padding: 0.6em 1em; margin: 0; background: #f3f5f8; border-bottom: 1px solid #d5dbe3; }
nav.course-nav.course-nav-bottom { border-top: 1px solid #d5dbe3; border-bottom: none; margin-top: 2em; }
nav.course-nav a { color: #1a5fb4; text-decoration: none; }
nav.course-nav a:hover { text-decoration: underline; }
nav.course-nav .nav-spacer { flex: 1; }
"""

_PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328;
  line-height: 1.55; }
main { max-width: 60em; margin: 0 auto; padding: 1em 2em 3em; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; }
a { color: #1a5fb4; }
code { background: #f3f5f8; padding: 0.1em 0.3em; border-radius: 3px; font-size: 0.92em; }
pre { background: #f3f5f8; padding: 0.8em 1em; overflow-x: auto; border-radius: 4px; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.95em; }
th, td { border: 1px solid #d5dbe3; padding: 0.35em 0.6em; vertical-align: top; text-align: left; }
th { background: #f3f5f8; }
ol.course-map { list-style: none; padding: 0; }
ol.course-map li { border: 1px solid #d5dbe3; border-radius: 6px; padding: 0.6em 1em; margin: 0.8em 0; }
ol.course-map .number { color: #57606a; font-weight: 600; margin-right: 0.4em; }
ol.course-map .title { font-size: 1.15em; font-weight: 600; }
ol.course-map .time { color: #57606a; font-size: 0.9em; }
ol.course-map p { margin: 0.4em 0 0; }
footer { color: #57606a; font-size: 0.85em; margin-top: 3em; }
"""

# nbconvert hides a Mermaid diagram until Mermaid (loaded from a CDN) has drawn it; offline it would
# stay hidden. If it is not drawn 3 s after the page loaded, show its source instead.
_MERMAID_FALLBACK_CSS = """
.jp-Mermaid.course-mermaid-offline:not(.jp-RenderedMermaid) { display: block; }
.jp-Mermaid.course-mermaid-offline:not(.jp-RenderedMermaid)::before {
  content: "Diagram (Mermaid source; the drawing needs Mermaid from the internet):";
  color: #57606a; font-style: italic; font-size: 0.9em; }
"""
_MERMAID_FALLBACK_SCRIPT = """<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    document.querySelectorAll(".jp-Mermaid:not(.jp-RenderedMermaid)").forEach(function (diagram) {
      diagram.classList.add("course-mermaid-offline");
    });
  }, 3000);
});
</script>"""

_MATHJAX_CONFIG = """<script type="text/x-mathjax-config">
MathJax.Hub.Config({tex2jax: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], processEscapes: true},
                   messageStyle: 'none'});
</script>"""

# The notebook pages: nbconvert's "lab" template with our navigation and without require.js.
_NOTEBOOK_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}
{%- if resources.mathjax_url -%}{{ resources.course_site.mathjax_config }}{{ super() }}{%- endif -%}
{%- endblock html_head_js_mathjax -%}
{%- block extra_css -%}<style type="text/css">{{ resources.course_site.css }}</style>{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.course_site.nav_top }}
{%- endblock body_header -%}
{%- block body_footer -%}
{{ resources.course_site.nav_bottom }}
{{ resources.course_site.script }}
{{ super() }}
{%- endblock body_footer -%}
"""


@dataclass
class NotebookPage:
    """One notebook of the course map and the page it becomes.

    Attributes
    ----------
    source : pathlib.Path
        The solution notebook.
    number : str
        Its number, the digits its file name starts with ("05"), or "" if none.
    title : str
        The text of its first level-1 heading (the file name when it has none).
    summary : str
        Its first paragraph after the title, as Markdown, made fit for a card: a last
        sentence that ends on a colon (it introduces a list the card does not show) is
        dropped, and inline TeX (``$x$``) becomes plain text (see :func:`card_text`).
    time : str
        What its "**Time:**" line says ("about 90 minutes"), or "".
    """

    source: Path
    number: str
    title: str
    summary: str
    time: str = ""

    @property
    def page(self) -> str:
        """The page's file name in the site."""
        return self.source.stem + ".html"


@dataclass
class SiteResult:
    """What :func:`build_site` wrote.

    Attributes
    ----------
    out : pathlib.Path
        The site's folder.
    pages : list of pathlib.Path
        Every page written, the index first.
    seconds : float
        How long the build took.
    broken_links : list of str
        Relative links that point to no file of the site ("page.html -> target").
    mathjax : str
        Where the pages get MathJax, one of :data:`MATHJAX_SOURCES`.
    """

    out: Path
    pages: list = field(default_factory=list)
    seconds: float = 0.0
    broken_links: list = field(default_factory=list)
    mathjax: str = "local"

    @property
    def size_bytes(self) -> int:
        return sum(path.stat().st_size for path in self.out.rglob("*") if path.is_file())


# --------------------------------------------------------------------------------------
# Reading the course map from the notebooks
# --------------------------------------------------------------------------------------


def _cell_source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


_TEX_SYMBOLS = {r"\sigma": "σ", r"\times": "×", r"\lambda": "λ", r"\cdot": "·", r"\approx": "≈"}


def _tex_to_text(math: str) -> str:
    """Inline TeX as plain Markdown: symbols as Unicode, variables in italics, anything else as code."""
    text = re.sub(r"\\hat\s*\{?\s*([A-Za-z])\s*\}?", "\\1\u0302", math.strip())
    for command, symbol in _TEX_SYMBOLS.items():
        text = re.sub(re.escape(command) + r"(?![A-Za-z])", symbol, text)
    if "\\" in text or "{" in text or "^" in text or "_" in text:
        return f"`{math.strip()}`"
    return f"*{text}*"


def card_text(paragraph: str) -> str:
    """A notebook's first paragraph as the text of its card on the index page.

    The card shows one paragraph, so a last sentence that ends on a colon (it
    announces a list the card does not show) is dropped, unless it is the only one;
    then the colon becomes a full stop. Inline math (``$y$``, ``$\\hat x$``) becomes
    plain text, so the card reads well where MathJax does not run (offline, previews).

    Examples
    --------
    >>> card_text("Given $y$, what was $x$? We need three things:")
    'Given *y*, what was *x*?'
    """
    text = re.sub(r"\$([^$\n]+)\$", lambda match: _tex_to_text(match.group(1)), paragraph.strip())
    if text.endswith(":"):
        sentences = re.split(r"(?<=[.?!])\s+(?=[A-Z*`(])", text)
        text = " ".join(sentences[:-1]).strip() if len(sentences) > 1 else text[:-1].rstrip() + "."
    return text


def _describe_notebook(path: Path, notebook) -> NotebookPage:
    number = re.match(r"\d*", path.stem).group(0)
    title, summary, time_text = "", "", ""
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        lines = _cell_source(cell).splitlines()
        for index, line in enumerate(lines):
            if not title and line.startswith("# "):
                title = line[2:].strip()
                paragraph = []
                for following in lines[index + 1:]:
                    if following.strip():
                        paragraph.append(following.rstrip())
                    elif paragraph:
                        break
                summary = card_text("\n".join(paragraph))
            found = re.search(r"\*\*Time:?\*\*:?\s*((?:about\s+)?\d+(?:\s*-\s*\d+)?\s*(?:minutes|min|hours?)\b)",
                              line)
            if found and not time_text:
                time_text = found.group(1).strip()
        if title:
            break
    return NotebookPage(source=path, number=number, title=title or path.stem, summary=summary, time=time_text)


def read_course_map(solutions) -> list[NotebookPage]:
    """The notebooks of `solutions` (``*.ipynb``, in file-name order) with their titles and first paragraphs."""
    import nbformat

    folder = Path(solutions)
    if not folder.is_dir():
        raise FileNotFoundError(f"--solutions {str(folder)!r} is not a folder")
    paths = sorted(path for path in folder.glob("*.ipynb") if not path.name.startswith("."))
    if not paths:
        raise ValueError(f"--solutions {str(folder)!r} holds no notebooks (*.ipynb)")
    pages = []
    for path in paths:
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception as error:  # nbformat raises several kinds for a damaged file
            raise ValueError(f"cannot read notebook {str(path)!r}: {error}") from error
        pages.append(_describe_notebook(path, notebook))
    return pages


# --------------------------------------------------------------------------------------
# Pieces of pages
# --------------------------------------------------------------------------------------


def _markdown_to_html(text: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(text)


def _label(page: NotebookPage) -> str:
    return html.escape(page.title)


def _navigation(pages: list, index: int | None, *, bottom: bool = False, guide: bool = True) -> str:
    """The navigation bar: home, previous and next notebook (when there is one), the guide."""
    links = ['<a class="nav-home" rel="home" href="index.html">Home</a>']
    if index is not None and index > 0:
        previous = pages[index - 1]
        links.append(f'<a class="nav-prev" rel="prev" href="{previous.page}">&larr; Previous: {_label(previous)}</a>')
    if index is not None and index + 1 < len(pages):
        following = pages[index + 1]
        links.append(f'<a class="nav-next" rel="next" href="{following.page}">Next: {_label(following)} &rarr;</a>')
    links.append('<span class="nav-spacer"></span>')
    if guide:
        links.append(f'<a class="nav-guide" href="{GUIDE_PAGE}">Instructor guide</a>')
    kind = "course-nav course-nav-bottom" if bottom else "course-nav course-nav-top"
    return f'<nav class="{kind}" aria-label="course">' + " ".join(links) + "</nav>"


def _mathjax_head(mathjax_url: str, local_config: str = "") -> str:
    if not mathjax_url:
        return ""
    return f'{local_config}{_MATHJAX_CONFIG}\n<script src="{html.escape(mathjax_url, quote=True)}"></script>'


def _standalone_page(title: str, body: str, *, navigation_top: str, navigation_bottom: str, mathjax_head: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<style>{_NAV_CSS}{_PAGE_CSS}</style>
{mathjax_head}
</head>
<body>
{navigation_top}
<main>
{body}
</main>
{navigation_bottom}
</body>
</html>
"""


def _index_body(pages: list, *, course_title: str, introduction: str, guide: bool, built: str) -> str:
    items = []
    for page in pages:
        time_text = f' <span class="time">({html.escape(page.time)})</span>' if page.time else ""
        heading = page.title
        if page.number and heading.startswith(page.number):  # "05 · Residual learning" -> "Residual learning"
            heading = heading[len(page.number):].lstrip(" ·.:-\u00b7")
        number = f'<span class="number">{html.escape(page.number)}</span>' if page.number else ""
        items.append(
            f'<li>{number}<a class="title" href="{page.page}">{html.escape(heading)}</a>{time_text}'
            f"{_markdown_to_html(page.summary) if page.summary else ''}</li>"
        )
    guide_line = (f'<p>Teaching with the course? Read the <a href="{GUIDE_PAGE}">instructor guide</a>: learning '
                  "objectives and times, schedules, grading, and the mistakes each exercise's check recognizes.</p>"
                  if guide else "")
    return (f"<h1>{html.escape(course_title)}</h1>\n{introduction}\n{guide_line}\n"
            f'<h2>The course map</h2>\n<ol class="course-map">\n' + "\n".join(items) + "\n</ol>\n"
            f"<footer>These pages show the solution notebooks, executed, with their outputs. Built {built} by "
            "<code>python -m course_lib build-site</code>.</footer>")


def _readme_introduction(readme: Path | None) -> tuple[str, str]:
    """The course's title and first paragraph, from the README beside the solutions (if any)."""
    title, paragraph = "Deep Image Restoration", ""
    if readme is not None and readme.is_file():
        lines = readme.read_text(encoding="utf-8").splitlines()
        collected = []
        for line in lines:
            if line.startswith("# ") and not collected:
                title = line[2:].strip()
            elif line.strip() and not line.startswith("#"):
                collected.append(line)
            elif collected:
                break
        paragraph = "\n".join(collected)
    return title, _markdown_to_html(paragraph) if paragraph else ""


def _strip_widgets(notebook) -> None:
    """Replace every widget output by a note (a static page cannot run widgets) and drop saved widget state."""
    notebook.get("metadata", {}).pop("widgets", None)
    note = {"text/html": f'<p style="color:#57606a;font-style:italic">{_WIDGET_NOTE}</p>',
            "text/plain": re.sub("<[^>]+>", "", _WIDGET_NOTE)}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            if _WIDGET_MIMETYPE in output.get("data", {}):
                output["data"] = dict(note)


def _strip_solution_markers(notebook) -> None:
    """Drop the ``### BEGIN SOLUTION`` / ``### END SOLUTION`` lines of code cells and the Markdown markers.

    They are for the exercise-notebook generator; a reader of the site sees the solution as plain code.
    """
    from course_lib.student_notebooks import BEGIN_SOLUTION, END_SOLUTION, MARKDOWN_BEGIN, MARKDOWN_END

    markers = {"code": (BEGIN_SOLUTION, END_SOLUTION), "markdown": (MARKDOWN_BEGIN, MARKDOWN_END)}
    for cell in notebook["cells"]:
        if cell["cell_type"] not in markers:
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        lines = source.split("\n")
        kept = [line for line in lines if line.strip() not in markers[cell["cell_type"]]]
        if len(kept) != len(lines):
            cell["source"] = "\n".join(kept)


def _link_notebooks(text: str, names: set) -> str:
    """Links to another course notebook (``05_residual_learning_dncnn.ipynb#...``) point to its page."""
    def replace(match):
        target = match.group(2)
        stem = Path(unquote(target)).stem
        if Path(unquote(target)).name == stem + ".ipynb" and stem in names:
            return f'{match.group(1)}{stem}.html{match.group(3) or ""}"'
        return match.group(0)

    return re.sub(r'(href=")(?:\./|\.\./(?:solutions|notebooks)/)?([^"#?:]+\.ipynb)(#[^"]*)?"', replace, text)


# --------------------------------------------------------------------------------------
# Checking the links
# --------------------------------------------------------------------------------------

_LINK = re.compile(r'(?:href|src)="([^"]*)"')


def find_broken_links(folder) -> list[str]:
    """Relative links (``href`` and ``src``) of the HTML pages in `folder` that point to no file.

    Links with a scheme (``https:``, ``data:``, ``mailto:``) and same-page anchors
    are not checked; a link to another page's anchor is checked for the page.
    """
    folder = Path(folder)
    broken = []
    for page in sorted(folder.glob("*.html")):
        for target in _LINK.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(html.unescape(target))
            if parts.scheme or parts.netloc or not parts.path:
                continue
            if not (page.parent / unquote(parts.path)).is_file():
                broken.append(f"{page.name} -> {target}")
    return broken


# --------------------------------------------------------------------------------------
# The local copy of MathJax
# --------------------------------------------------------------------------------------


def find_mathjax() -> Path:
    """The folder of MathJax 2.7 inside the installed ``jupyter-server-mathjax`` package.

    The package is found without importing it (importing it would import Jupyter Server).

    Raises
    ------
    FileNotFoundError
        When the package is not installed, or holds no ``static/MathJax.js``; the
        message says what to install and that ``--mathjax cdn`` needs no copy.
    """
    spec = importlib.util.find_spec(_MATHJAX_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        static = Path(folder) / "static"
        if (static / "MathJax.js").is_file():
            return static
    where = "is not installed" if spec is None else f"has no static/MathJax.js in {folders}"
    raise FileNotFoundError(f"--mathjax local copies MathJax from the package jupyter-server-mathjax, which {where}; "
                            "install it (pip install jupyter-server-mathjax), or use --mathjax cdn or --mathjax none")


def copy_mathjax(destination, source=None) -> list[Path]:
    """Copy the files of MathJax the site needs into `destination` (created; see ``_MATHJAX_FILES``).

    Parameters
    ----------
    destination : path
        The folder to fill, normally ``OUT/mathjax``.
    source : path, optional
        A MathJax 2.7 folder (with ``MathJax.js`` at its top); default :func:`find_mathjax`.

    Returns
    -------
    list of pathlib.Path
        The files written, in sorted order.
    """
    source = find_mathjax() if source is None else Path(source)
    destination = Path(destination)
    files = sorted({path for pattern in _MATHJAX_FILES for path in source.glob(pattern) if path.is_file()})
    if not any(path.name == "MathJax.js" and path.parent == source for path in files):
        raise FileNotFoundError(f"{str(source)!r} holds no MathJax.js")
    written = []
    for path in files:
        target = destination / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(target)
    return written


def _check_mathjax(mathjax, mathjax_url) -> tuple[str, str]:
    """The checked source of MathJax and the URL the pages load it from ("" for none)."""
    if not isinstance(mathjax, str) or mathjax.strip().lower() not in MATHJAX_SOURCES:
        expected = ", ".join(repr(source) for source in MATHJAX_SOURCES)
        raise ValueError(f"--mathjax must be one of {expected}; got {mathjax!r}")
    mathjax = mathjax.strip().lower()
    if mathjax_url is not None and mathjax != "cdn":
        raise ValueError(f"--mathjax-url is only for --mathjax cdn; got --mathjax {mathjax} "
                         "(the local copy is always loaded from mathjax/ beside the pages)")
    if mathjax_url is not None and (not isinstance(mathjax_url, str) or
                                    mathjax_url.strip().lower() in ("", "none")):
        raise ValueError(f"--mathjax-url must be the address of MathJax 2's MathJax.js; got {mathjax_url!r} "
                         "(to load no MathJax, use --mathjax none)")
    if mathjax == "cdn":
        return mathjax, (mathjax_url or DEFAULT_MATHJAX_URL).strip()
    return mathjax, LOCAL_MATHJAX_URL if mathjax == "local" else ""


# --------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------


def _check_output_folder(out: Path, solutions: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"--out {str(out)!r} is a file, not a folder")
    if not out.exists() or (out / SITE_MARKER).is_file() or not any(out.iterdir()):
        return
    resolved = out.resolve()
    precious = resolved == Path.home().resolve() or (resolved / ".git").exists() or \
        resolved in solutions.resolve().parents or resolved == solutions.resolve()
    if precious:
        raise FileExistsError(f"--out {str(out)!r} holds a repository, your home folder or the solutions; "
                              "choose an empty or new folder")
    if not force:
        raise FileExistsError(f"--out {str(out)!r} exists and is not a site built by build-site (no {SITE_MARKER}); "
                              "choose another folder, or add --force to replace it and everything in it")


def _folder_mode() -> int:
    """The mode ``mkdir`` gives a new folder under the current umask (755 under the usual 022)."""
    import os

    umask = os.umask(0o022)
    os.umask(umask)
    return 0o777 & ~umask


def build_site(
    out,
    solutions,
    *,
    guide=None,
    readme=None,
    force: bool = False,
    mathjax: str = "local",
    mathjax_url: str | None = None,
    log=None,
) -> SiteResult:
    """Build the static course website from the executed notebooks in `solutions`.

    Parameters
    ----------
    out : path
        The site's folder. Created if needed; a folder with a previous site in it
        (it holds :data:`SITE_MARKER`) is replaced, any other non-empty folder only
        with ``force=True``.
    solutions : path
        The folder of executed notebooks, one page each, in file-name order.
    guide : path, optional
        A Markdown file rendered as :data:`GUIDE_PAGE` (the instructor guide).
    readme : path, optional
        A Markdown file whose title and first paragraph open the index page.
    force : bool
        Replace `out` even if it is not a site.
    mathjax : {"local", "cdn", "none"}
        Where the pages get MathJax 2, which typesets the formulas. ``"local"``: from
        a copy in the site's :data:`MATHJAX_FOLDER` (taken from the installed
        ``jupyter-server-mathjax``; about 2 MB), so it works offline. ``"cdn"``: from
        `mathjax_url` when a page is viewed (offline, formulas show as TeX).
        ``"none"``: nothing (formulas show as TeX).
    mathjax_url : str, optional
        With ``mathjax="cdn"`` only: the address of ``MathJax.js`` with its
        ``?config=``; default :data:`DEFAULT_MATHJAX_URL`.
    log : callable, optional
        ``log(message)`` for progress, one line per page.

    Returns
    -------
    SiteResult

    Raises
    ------
    ValueError
        For a `mathjax` that is not one of :data:`MATHJAX_SOURCES`, or a `mathjax_url`
        with another source than ``"cdn"``; also for unreadable notebooks.
    FileNotFoundError
        For missing folders or guide, and for ``mathjax="local"`` without
        ``jupyter-server-mathjax`` installed. Nothing is written in these cases.
    """
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    started = time.perf_counter()
    out, solutions = Path(out), Path(solutions)
    guide = Path(guide) if guide is not None else None
    if guide is not None and not guide.is_file():
        raise FileNotFoundError(f"the instructor guide {str(guide)!r} does not exist")
    mathjax, mathjax_url = _check_mathjax(mathjax, mathjax_url)
    mathjax_source = find_mathjax() if mathjax == "local" else None
    local_config = _LOCAL_MATHJAX_CONFIG + "\n" if mathjax == "local" else ""
    pages = read_course_map(solutions)
    _check_output_folder(out, solutions, force)
    log = log or (lambda message: None)

    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        exporter = HTMLExporter(
            template_name="lab",
            extra_loaders=[DictLoader({"course_page.html.j2": _NOTEBOOK_TEMPLATE})],
            template_file="course_page.html.j2",
            embed_images=True,
            mathjax_url=mathjax_url,
        )
        names = {page.source.stem for page in pages}
        has_guide = guide is not None
        written = []
        for index, page in enumerate(pages):
            page_started = time.perf_counter()
            notebook = nbformat.read(page.source, as_version=4)
            _strip_widgets(notebook)
            _strip_solution_markers(notebook)
            resources = {
                "metadata": {"name": page.title, "path": str(page.source.parent)},
                "course_site": {
                    "mathjax_config": local_config,
                    "css": _NAV_CSS + _MERMAID_FALLBACK_CSS,
                    "script": _MERMAID_FALLBACK_SCRIPT,
                    "nav_top": _navigation(pages, index, guide=has_guide),
                    "nav_bottom": _navigation(pages, index, bottom=True, guide=has_guide),
                },
            }
            body, _ = exporter.from_notebook_node(notebook, resources=resources)
            target = building / page.page
            target.write_text(_link_notebooks(body, names), encoding="utf-8")
            written.append(target)
            log(f"{page.page}: {target.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - page_started:.1f} s")

        built = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
        course_title, introduction = _readme_introduction(Path(readme) if readme is not None else None)
        index_page = building / "index.html"
        index_page.write_text(_standalone_page(
            course_title,
            _index_body(pages, course_title=course_title, introduction=introduction, guide=has_guide, built=built),
            navigation_top=_navigation(pages, None, guide=has_guide),
            navigation_bottom=_navigation(pages, None, bottom=True, guide=has_guide),
            mathjax_head=_mathjax_head(mathjax_url, local_config)), encoding="utf-8")
        written.insert(0, index_page)
        if has_guide:
            guide_html = _link_notebooks(_markdown_to_html(guide.read_text(encoding="utf-8")), names)
            guide_page = building / GUIDE_PAGE
            guide_page.write_text(_standalone_page(
                f"Instructor guide: {course_title}", guide_html,
                navigation_top=_navigation(pages, None), navigation_bottom=_navigation(pages, None, bottom=True),
                mathjax_head=_mathjax_head(mathjax_url, local_config)), encoding="utf-8")
            written.insert(1, guide_page)
        if mathjax_source is not None:
            copied = copy_mathjax(building / MATHJAX_FOLDER, mathjax_source)
            log(f"{MATHJAX_FOLDER}/: {len(copied)} files of MathJax, "
                f"{sum(path.stat().st_size for path in copied) / 1e6:.1f} MB")
        (building / SITE_MARKER).write_text(json.dumps({
            "built": built,
            "by": "python -m course_lib build-site",
            "solutions": str(solutions.resolve()),
            "mathjax": mathjax,
            "pages": [path.name for path in written],
        }, indent=1) + "\n", encoding="utf-8")
        broken = find_broken_links(building)

        building.chmod(_folder_mode())  # mkdtemp makes it 700, which a web server cannot serve
        if out.exists():
            shutil.rmtree(out)
        building.rename(out)
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return SiteResult(out=out, pages=[out / path.name for path in written],
                      seconds=time.perf_counter() - started, broken_links=broken, mathjax=mathjax)
