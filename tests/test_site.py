"""The course website (`python -m course_lib build-site`): pages, links, navigation, outputs, errors.

The real site is built once for the module (about 15 s for the 11 solution notebooks);
the other tests build from a folder holding copies of one or two notebooks.
"""

import html.parser
import json
import re
import shutil
from pathlib import Path

import pytest

from course_lib import cli, site

REPOSITORY = Path(__file__).resolve().parents[1]
SOLUTIONS = REPOSITORY / "solutions"
GUIDE = REPOSITORY / "docs" / "instructor_guide.md"
NOTEBOOKS = sorted(SOLUTIONS.glob("*.ipynb"))


class _Page(html.parser.HTMLParser):
    """The navigation links, images and title of one page."""

    def __init__(self):
        super().__init__()
        self.navigation = {}  # class of the link (nav-home, nav-prev, ...) -> list of hrefs
        self.images = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "a" and (attributes.get("class") or "").startswith("nav-"):
            self.navigation.setdefault(attributes["class"], []).append(attributes.get("href"))
        elif tag == "img":
            self.images.append(attributes.get("src") or "")
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("website") / "site"
    result = site.build_site(out, SOLUTIONS, guide=GUIDE, readme=REPOSITORY / "README.md")
    return result


@pytest.fixture()
def two_notebooks(tmp_path):
    folder = tmp_path / "solutions"
    folder.mkdir()
    for path in NOTEBOOKS[:2]:
        shutil.copy(path, folder / path.name)
    return folder


def test_every_page_exists(built):
    names = {path.name for path in built.out.iterdir()}
    expected = {"index.html", site.GUIDE_PAGE, site.SITE_MARKER, site.MATHJAX_FOLDER} | \
        {path.stem + ".html" for path in NOTEBOOKS}
    assert names == expected
    assert [path.name for path in built.pages[:2]] == ["index.html", site.GUIDE_PAGE]
    assert len(built.pages) == len(NOTEBOOKS) + 2
    assert json.loads((built.out / site.SITE_MARKER).read_text())["pages"] == [path.name for path in built.pages]
    assert not list(built.out.parent.glob(".site.building-*"))  # the temporary folder is gone


def test_every_internal_link_resolves(built):
    assert built.broken_links == []
    assert site.find_broken_links(built.out) == []
    index = (built.out / "index.html").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f'href="{path.stem}.html"' in index


def test_navigation_runs_in_course_order(built):
    pages = [built.out / (path.stem + ".html") for path in NOTEBOOKS]
    for number, page in enumerate(pages):
        links = _parse(page).navigation
        assert links["nav-home"] == ["index.html"] * 2  # top and bottom bars
        assert links["nav-guide"] == [site.GUIDE_PAGE] * 2
        if number == 0:
            assert "nav-prev" not in links
        else:
            assert links["nav-prev"] == [pages[number - 1].name] * 2
        if number == len(pages) - 1:
            assert "nav-next" not in links
        else:
            assert links["nav-next"] == [pages[number + 1].name] * 2


def test_pages_have_the_title_and_the_outputs(built):
    for path in NOTEBOOKS:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        first = "".join(notebook["cells"][0]["source"])
        title = re.search(r"^# (.+)$", first, re.MULTILINE).group(1).strip()
        page = built.out / (path.stem + ".html")
        parsed = _parse(page)
        assert parsed.title.strip() == title
        assert any(source.startswith("data:image/") for source in parsed.images), f"{page.name} has no figure"
        text = page.read_text(encoding="utf-8")
        assert "Learning objectives" in text or "What we learned" in text
        assert "require.min.js" not in text  # no require.js: the pages need no widget state
        assert "application/vnd.jupyter.widget-view+json" not in text
    welcome = (built.out / NOTEBOOKS[0].with_suffix(".html").name).read_text(encoding="utf-8")
    assert "Interactive widget" in welcome  # the swipe widget's output is replaced by a note
    assert "course-mermaid-offline" in welcome  # the Mermaid course map shows as text when offline


def test_index_and_guide_pages(built):
    index = (built.out / "index.html").read_text(encoding="utf-8")
    assert "<h1>Deep Image Restoration</h1>" in index
    assert "about 90 minutes" in index  # the notebooks' stated times
    assert "Photographs come to us damaged" in index  # notebook 00's first paragraph
    assert "nav-prev" not in index and "nav-next" not in index
    guide = (built.out / site.GUIDE_PAGE).read_text(encoding="utf-8")
    assert "<table>" in guide and "<h1" in guide and "Instructor guide" in guide
    assert "gan_train_step" in guide


def test_the_guide_names_every_exercise():
    from course_lib import checks

    text = GUIDE.read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        for key in checks.list_exercises(path.stem):
            assert f"**`{key}`**" in text, f"the guide has no paragraph on {key!r}"


FORMULA_MARKDOWN = ("# Formulas\n\nThe forward model $y = A(x) + n$ and its inverse\n\n"
                    "$$\\hat x = \\arg\\min_x \\tfrac{1}{2}\\|y - A(x)\\|_2^2 + \\lambda R(x)$$\n")


@pytest.fixture()
def formula_notebook(tmp_path):
    """A folder with one small notebook: inline and display math, no outputs (builds in about a second)."""
    import nbformat

    folder = tmp_path / "formulas"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(FORMULA_MARKDOWN), nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(notebook, str(folder / "01_formulas.ipynb"))
    return folder


def _mathjax_sources(page: Path) -> list[str]:
    """The addresses of the scripts of `page` that are MathJax."""
    return re.findall(r'<script src="([^"]*mathjax[^"]*)"', page.read_text(encoding="utf-8"), re.IGNORECASE)


def test_local_mathjax_is_copied_beside_the_pages_and_loaded_from_there(tmp_path, formula_notebook):
    result = site.build_site(tmp_path / "site", formula_notebook, guide=GUIDE)  # the default: mathjax="local"
    assert result.mathjax == "local"
    folder = result.out / site.MATHJAX_FOLDER
    for needed in ["MathJax.js", "LICENSE", "config/TeX-AMS-MML_HTMLorMML-full.js", "config/Safe.js",
                   "extensions/Safe.js", "extensions/TeX/boldsymbol.js",
                   "jax/output/HTML-CSS/fonts/STIX-Web/fontdata.js",
                   "fonts/HTML-CSS/STIX-Web/woff/STIXMathJax_Main-Regular.woff"]:
        assert (folder / needed).is_file(), needed
    for left_out in ["extensions/a11y", "localization", "jax/output/SVG"]:
        assert not (folder / left_out).exists(), left_out
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    assert 1e6 < size < 3e6, f"the copy of MathJax is {size / 1e6:.1f} MB"
    assert [page.name for page in result.pages] == ["index.html", site.GUIDE_PAGE, "01_formulas.html"]
    for page in result.pages:
        text = page.read_text(encoding="utf-8")
        assert _mathjax_sources(page) == [site.LOCAL_MATHJAX_URL], page.name
        assert 'webFont: "STIX-Web"' in text, page.name  # the fonts the copy has, set before MathJax loads
        assert text.index('webFont: "STIX-Web"') < text.index(site.LOCAL_MATHJAX_URL)
        assert "cdnjs.cloudflare.com/ajax/libs/mathjax" not in text, page.name
    assert result.broken_links == []  # mathjax/MathJax.js is there
    assert json.loads((result.out / site.SITE_MARKER).read_text())["mathjax"] == "local"


def test_copy_mathjax_copies_only_what_the_pages_need(tmp_path):
    source = site.find_mathjax()
    assert (source / "MathJax.js").is_file()
    written = site.copy_mathjax(tmp_path / "mathjax")
    copied = {path.relative_to(tmp_path / "mathjax").as_posix() for path in written}
    shipped = {path.relative_to(source).as_posix() for path in source.rglob("*") if path.is_file()}
    assert copied <= shipped and len(copied) < len(shipped) / 2
    # every piece of the HTML-CSS output and of the TeX input is there, with every STIX web font
    for folder in ["jax/output/HTML-CSS", "jax/input/TeX", "fonts/HTML-CSS/STIX-Web/woff", "extensions/TeX"]:
        assert {name for name in shipped if name.startswith(folder + "/")} <= copied, folder
    with pytest.raises(FileNotFoundError, match="holds no MathJax.js"):
        site.copy_mathjax(tmp_path / "elsewhere", source=tmp_path)


def test_mathjax_from_a_cdn_or_none(tmp_path, formula_notebook):
    cdn = site.build_site(tmp_path / "cdn", formula_notebook, mathjax="cdn")
    assert cdn.mathjax == "cdn" and not (cdn.out / site.MATHJAX_FOLDER).exists()
    for page in cdn.pages:
        assert _mathjax_sources(page) == [site.DEFAULT_MATHJAX_URL]
        assert "STIX-Web" not in page.read_text(encoding="utf-8")
    assert cdn.broken_links == []

    other = site.build_site(tmp_path / "other", formula_notebook, mathjax="CDN",
                            mathjax_url="https://example.org/mathjax/MathJax.js?config=TeX-AMS_CHTML")
    for page in other.pages:
        assert _mathjax_sources(page) == ["https://example.org/mathjax/MathJax.js?config=TeX-AMS_CHTML"]

    none = site.build_site(tmp_path / "none", formula_notebook, mathjax="none")
    assert none.mathjax == "none" and not (none.out / site.MATHJAX_FOLDER).exists()
    for page in none.pages:
        assert "mathjax" not in page.read_text(encoding="utf-8").lower()
    assert none.broken_links == []
    assert not (none.out / site.GUIDE_PAGE).exists()
    assert "nav-guide" not in (none.out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("options, message", [
    ({"mathjax": "web"}, r"--mathjax must be one of 'local', 'cdn', 'none'; got 'web'"),
    ({"mathjax": None}, r"--mathjax must be one of 'local', 'cdn', 'none'; got None"),
    ({"mathjax_url": "https://example.org/MathJax.js"},
     r"--mathjax-url is only for --mathjax cdn; got --mathjax local"),
    ({"mathjax": "none", "mathjax_url": "x.js"}, r"--mathjax-url is only for --mathjax cdn; got --mathjax none"),
    ({"mathjax": "cdn", "mathjax_url": "none"}, r"--mathjax-url must be the address .* got 'none' .*--mathjax none"),
    ({"mathjax": "cdn", "mathjax_url": " "}, r"--mathjax-url must be the address"),
])
def test_bad_mathjax_options_are_clear_errors(tmp_path, formula_notebook, options, message):
    with pytest.raises(ValueError, match=message):
        site.build_site(tmp_path / "site", formula_notebook, **options)
    assert not (tmp_path / "site").exists()


def test_local_mathjax_without_its_package_says_what_to_install(tmp_path, formula_notebook, monkeypatch):
    monkeypatch.setattr(site, "_MATHJAX_PACKAGE", "no_such_package_holds_mathjax")
    with pytest.raises(FileNotFoundError, match=r"jupyter-server-mathjax, which is not installed; install it "
                                                r"\(pip install jupyter-server-mathjax\), or use --mathjax cdn"):
        site.build_site(tmp_path / "site", formula_notebook)
    assert not (tmp_path / "site").exists()
    assert site.build_site(tmp_path / "site", formula_notebook, mathjax="cdn").mathjax == "cdn"  # needs no copy


def test_build_site_command_mathjax_option(tmp_path, formula_notebook, capsys):
    def build(*options):
        out = tmp_path / f"site{len(list(tmp_path.iterdir()))}"
        status = cli.main(["build-site", "--solutions", str(formula_notebook), "--out", str(out), *options])
        return status, out, capsys.readouterr()

    status, out, printed = build()  # local by default
    assert status == 0, printed.err
    assert (out / site.MATHJAX_FOLDER / "MathJax.js").is_file()
    assert "typeset offline by the copy of MathJax in mathjax/" in printed.out
    status, out, printed = build("--mathjax", "cdn")
    assert status == 0 and not (out / site.MATHJAX_FOLDER).exists() and "from the internet" in printed.out
    status, out, printed = build("--mathjax-url", "https://example.org/MathJax.js?config=TeX-AMS_CHTML")  # cdn
    assert status == 0 and 'src="https://example.org/MathJax.js?config=TeX-AMS_CHTML"' in \
        (out / "01_formulas.html").read_text(encoding="utf-8")
    for options, expected in [
        (["--mathjax", "web"], "error: --mathjax must be one of 'local', 'cdn', 'none'; got 'web'"),
        (["--mathjax", "local", "--mathjax-url", "x.js"], "error: --mathjax-url is only for"),
        (["--mathjax-url", "none"], "error: --mathjax-url must be the address"),
    ]:
        status, out, printed = build(*options)
        assert status == 2, options
        assert printed.err.startswith(expected) and len(printed.err.strip().splitlines()) == 1, printed.err
        assert not out.exists()


def test_a_site_is_rebuilt_but_other_folders_are_refused(tmp_path, two_notebooks):
    out = tmp_path / "site"
    site.build_site(out, two_notebooks, mathjax="none")
    (out / "stale.html").write_text("left from an older build")
    site.build_site(out, two_notebooks, mathjax="none")  # a site: replaced without --force
    assert not (out / "stale.html").exists()

    other = tmp_path / "my_notes"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not a site built by build-site.*--force"):
        site.build_site(other, two_notebooks)
    assert (other / "notes.txt").read_text() == "mine"
    site.build_site(other, two_notebooks, force=True, mathjax="none")
    assert not (other / "notes.txt").exists() and (other / "index.html").exists()

    with pytest.raises(FileExistsError, match="repository"):
        site.build_site(REPOSITORY, two_notebooks, force=True)
    a_file = tmp_path / "file.html"
    a_file.write_text("x")
    with pytest.raises(FileExistsError, match="is a file"):
        site.build_site(a_file, two_notebooks)


def test_bad_solutions_folders_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="--solutions .* is not a folder"):
        site.build_site(tmp_path / "site", tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="holds no notebooks"):
        site.build_site(tmp_path / "site", empty)
    (empty / "broken.ipynb").write_text("{not json")
    with pytest.raises(ValueError, match="cannot read notebook"):
        site.build_site(tmp_path / "site", empty)
    assert not (tmp_path / "site").exists()
    with pytest.raises(FileNotFoundError, match="instructor guide"):
        site.build_site(tmp_path / "site", SOLUTIONS, guide=tmp_path / "missing.md")


def test_build_site_command(tmp_path, two_notebooks, capsys):
    out = tmp_path / "site"
    status = cli.main(["build-site", "--solutions", str(two_notebooks), "--out", str(out), "--mathjax", "none"])
    printed = capsys.readouterr()
    assert status == 0, printed.err
    assert f"wrote 4 pages to {out}" in printed.out  # index, guide, two notebooks
    assert (out / "index.html").exists() and (out / site.GUIDE_PAGE).exists()
    reference = tmp_path / "made_by_mkdir"
    reference.mkdir()
    assert out.stat().st_mode & 0o777 == reference.stat().st_mode & 0o777  # servable: not mkdtemp's 700

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("keep")
    assert cli.main(["build-site", "--solutions", str(two_notebooks), "--out", str(occupied)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "--force" in error and len(error.strip().splitlines()) == 1
    assert cli.main(["build-site", "--solutions", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_build_site_help(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["build-site", "--help"])
    assert stopped.value.code == 0
    assert "usage: python -m course_lib build-site" in capsys.readouterr().out


def test_links_to_course_notebooks_point_to_their_pages():
    text = ('<a href="05_x.ipynb#Setup">a</a> <a href="../notebooks/05_x.ipynb">b</a> '
            '<a href="other.ipynb">c</a> <a href="https://example.org/05_x.ipynb">d</a>')
    assert site._link_notebooks(text, {"05_x"}) == (
        '<a href="05_x.html#Setup">a</a> <a href="05_x.html">b</a> '
        '<a href="other.ipynb">c</a> <a href="https://example.org/05_x.ipynb">d</a>')


def test_pages_show_no_solution_or_nbval_markers(built):
    """The markers are for the exercise generator and nbval; a reader of the site sees plain code."""
    for path in NOTEBOOKS:
        page = (built.out / (path.stem + ".html")).read_text(encoding="utf-8")
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "NBVAL_"):
            assert marker not in page, f"{path.stem}.html shows {marker!r}"


def test_solution_markers_are_stripped_from_code_and_markdown():
    notebook = {"cells": [
        {"cell_type": "code", "source": "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"},
        {"cell_type": "markdown", "source": ["Q?\n", "<!-- BEGIN SOLUTION -->\n", "*A.*\n", "<!-- END SOLUTION -->"]},
        {"cell_type": "raw", "source": "### BEGIN SOLUTION"},
    ]}
    site._strip_solution_markers(notebook)
    assert notebook["cells"][0]["source"] == "def f():\n    return 1\n"
    assert notebook["cells"][1]["source"] == "Q?\n*A.*"
    assert notebook["cells"][2]["source"] == "### BEGIN SOLUTION"


def test_every_card_of_the_course_map_has_a_time_and_reads_as_plain_text():
    for page in site.read_course_map(SOLUTIONS):
        assert re.fullmatch(r"about \d+ minutes", page.time), f"{page.number} shows no minutes: {page.time!r}"
        assert page.summary and not page.summary.rstrip().endswith(":"), f"card {page.number} ends on a colon"
        assert "$" not in page.summary, f"card {page.number} shows raw TeX: {page.summary!r}"


def test_the_index_shows_every_notebooks_minutes(built):
    index = (built.out / "index.html").read_text(encoding="utf-8")
    items = re.findall(r"<li>(.*?)</li>", index, re.DOTALL)
    assert len(items) == len(NOTEBOOKS)
    for item in items:
        assert re.search(r'<span class="time">\(about \d+ minutes\)</span>', item), item[:200]
        assert "$" not in item


@pytest.mark.parametrize("paragraph, card", [
    ("Given $y$, what was $x$? We need three things:", "Given *y*, what was *x*?"),
    ("This takes us to four places:", "This takes us to four places."),
    ("The forward model $y = A(x) + n$ and $\\hat x$ at $\\sigma = 25$.",
     "The forward model *y = A(x) + n* and *x\u0302* at *σ = 25*."),
    ("A ratio $\\frac{a}{b}$ stays as code.", "A ratio `\\frac{a}{b}` stays as code."),
    ("Nothing to change here.", "Nothing to change here."),
])
def test_card_text(paragraph, card):
    assert site.card_text(paragraph) == card
