"""SVG output of the charts: matplotlib's own SVG canvas, with text measured once per process.

A report draws ~20 charts and matplotlib lays out every text of a chart (tick labels, titles,
legend entries, the source line) two or three times per save. It measures a string with FreeType
(``set_text``, about 0.3 ms for a word, 1.5 ms for a line) and looks up the font's height tables,
and it keeps those measurements only per renderer instance – and every save makes a new renderer.
So the same years, tick numbers, area names and fixed words were measured again for every chart,
in every report. This module keeps them per process instead (the build's warm template measures
the common ones once and every forked report inherits them, :func:`warm`):

- :class:`RendererSVG` / :class:`FigureCanvas`: the SVG renderer and canvas of matplotlib with
  the measurement cached. ``savefig(..., backend=BACKEND)`` selects them; the bytes written are
  matplotlib's own (the renderer draws exactly as before, only ``get_text_width_height_descent``
  and the font height metrics come from the cache).
- :func:`renderer_agg`: the same for the raster renderer that :func:`evalkit.present.charts._fit_width`
  measures a narrow chart with.
- :func:`tight_bbox`: the crop of ``bbox_inches="tight"`` computed from the layout alone. savefig's
  "tight" first draws the whole figure with drawing switched off, then asks for the tight box, which
  lays the figure out again; the box is the same without that first pass (the tests compare both
  on every chart kind), so a chart is laid out once fewer.

The measurement is a pure function of the string, the font properties, the font rcParams and (for
the raster renderer) the dpi, which is the cache key; hand-written because matplotlib's own cache
(``matplotlib.text._get_text_metrics_with_cache``) is keyed on the renderer instance by design.
"""

from __future__ import annotations

import codecs
import io

import matplotlib
from matplotlib import cbook
from matplotlib.backends import backend_agg, backend_svg
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.font_manager import fontManager, get_font

#: ``savefig(backend=BACKEND)`` saves through :class:`FigureCanvas`.
BACKEND = "module://evalkit.present.svg"

#: Measurements, per process: ``(renderer kind, string, font key, dpi) -> (width, height, descent)``
#: and ``(font key, dpi) -> (ascent, descent, line gap)``. A few thousand entries per report.
_TEXT: dict = {}
_HEIGHT: dict = {}
#: A bound so that a long-lived process (a test session, a Dask worker) cannot grow without end.
_MAX_ENTRIES = 200_000


def _font_rc() -> tuple:
    """The rcParams that decide which font file a family name resolves to and how FreeType hints
    it (taken once per renderer: rcParams do not change during one save)."""
    params = matplotlib.rcParams
    return tuple((k, repr(params[k])) for k in sorted(params) if k.startswith(("font.", "text.hinting")))


def _font_key(prop, rc: tuple):
    """Everything a :class:`~matplotlib.font_manager.FontProperties` holds (by value, not by its
    hash) and the font rcParams; None when a property is unhashable (then nothing is cached)."""
    key = (tuple(vars(prop).items()), rc)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _remember(cache: dict, key, value):
    if len(cache) >= _MAX_ENTRIES:
        cache.clear()
    cache[key] = value
    return value


def _height_metrics(prop, dpi: float):
    """Ascent, descent and line gap of ``prop``'s font at ``dpi``, as :meth:`matplotlib.text.Text._get_layout`
    computes them itself when a renderer has no ``_get_font_height_metrics`` (the same tables
    and the same arithmetic, in the same order, so the floats are identical; ``tests/test_svg.py``
    compares layouts with and without this)."""
    font = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, gap_key, ascent_key, descent_key in (
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
            ("hhea", "lineGap", "ascent", "descent")):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        fontsize = prop.get_size_in_points()
        units_per_em = font.get_sfnt_table("head")["unitsPerEm"]
        scale = 1 / units_per_em * fontsize * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale
    return None, None, None


class _CachedMetrics:
    """Mixin: a renderer's text measurement, cached per process (see the module docstring).
    ``figure`` is the figure being saved or measured (its dpi scales the font height metrics)."""

    _kind = ""

    def _init_cache(self, figure) -> None:
        self._figure = figure
        self._rc = _font_rc()

    def _dpi_key(self):
        return None

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:  # mathtext and TeX: measured as before (the charts have none)
            return super().get_text_width_height_descent(s, prop, ismath)
        font = _font_key(prop, self._rc)
        if font is None:
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (self._kind, s, font, self._dpi_key())
        hit = _TEXT.get(key)
        if hit is None:
            hit = _remember(_TEXT, key, super().get_text_width_height_descent(s, prop, ismath))
        return hit

    def _get_font_height_metrics(self, prop):
        dpi = self._figure.dpi
        font = _font_key(prop, self._rc)
        if font is None:
            return _height_metrics(prop, dpi)
        key = (font, dpi)
        hit = _HEIGHT.get(key)
        if hit is None:
            hit = _remember(_HEIGHT, key, _height_metrics(prop, dpi))
        return hit


class RendererSVG(_CachedMetrics, backend_svg.RendererSVG):
    """matplotlib's SVG renderer; text measured once per process. Its measurement does not
    depend on the dpi (it is in points at a fixed scale), so the key has none."""

    _kind = "svg"

    def __init__(self, width, height, svgwriter, basename=None, image_dpi=72, *, metadata=None, figure):
        super().__init__(width, height, svgwriter, basename, image_dpi, metadata=metadata)
        self._init_cache(figure)


class RendererAgg(_CachedMetrics, backend_agg.RendererAgg):
    """matplotlib's raster renderer; text measured once per process and dpi."""

    _kind = "agg"

    def __init__(self, width, height, dpi, *, figure):
        super().__init__(width, height, dpi)
        self._init_cache(figure)

    def _dpi_key(self):
        return self.dpi


class FigureCanvas(backend_svg.FigureCanvasSVG):
    """matplotlib's SVG canvas drawing with :class:`RendererSVG` (``print_svg`` is matplotlib's,
    with that one class swapped)."""

    def print_svg(self, filename, *, bbox_inches_restore=None, metadata=None, image_dpi=None,
                  **_print_figure_options):
        # print_figure passes its options (dpi, facecolor, …) to a print method outside matplotlib;
        # matplotlib's print_svg takes none of them either (it filters them for its own).
        # ``image_dpi``: the resolution of raster parts when savefig was told another dpi (:func:`save`).
        with cbook.open_file_cm(filename, "w", encoding="utf-8") as fh:
            if not cbook.file_requires_unicode(fh):
                fh = codecs.getwriter("utf-8")(fh)
            dpi = self.figure.dpi if image_dpi is None else image_dpi
            self.figure.dpi = 72
            width, height = self.figure.get_size_inches()
            w, h = width * 72, height * 72
            renderer = MixedModeRenderer(
                self.figure, width, height, dpi,
                RendererSVG(w, h, fh, image_dpi=dpi, metadata=metadata, figure=self.figure),
                bbox_inches_restore=bbox_inches_restore)
            self.figure.draw(renderer)
            renderer.finalize()


def renderer_agg(fig) -> RendererAgg:
    """A raster renderer to measure ``fig`` with, as ``fig.canvas.get_renderer()`` of the Agg
    canvas would make it (same size and dpi), with the cached measurement."""
    w, h = fig.canvas.get_width_height(physical=True)
    return RendererAgg(w, h, fig.dpi, figure=fig)


def _image_dpi(fig) -> float:
    """The dpi savefig draws an SVG's raster parts at (``savefig.dpi``, "figure": the figure's own)."""
    dpi = matplotlib.rcParams["savefig.dpi"]
    return getattr(fig, "_original_dpi", fig.dpi) if dpi == "figure" else dpi


def tight_bbox(fig):
    """The box (inches) that ``savefig(format="svg", bbox_inches="tight")`` crops ``fig`` to – the
    figure's tight bounding box at the SVG canvas's fixed 72 dpi, padded by ``savefig.pad_inches`` –
    without savefig's preceding draw of the whole figure."""
    dpi = _image_dpi(fig)
    with cbook._setattr_cm(fig, dpi=72):
        width, height = fig.get_size_inches()
        # The renderer savefig measures with: print_svg's.
        renderer = MixedModeRenderer(fig, width, height, dpi,
                                     RendererSVG(width * 72, height * 72, io.StringIO(), image_dpi=dpi, figure=fig))
        box = fig.get_tightbbox(renderer)
    pad = matplotlib.rcParams["savefig.pad_inches"]
    return box.padded(pad, pad)


def save(fig, *, tight: bool, metadata: dict) -> bytes:
    """``fig`` as SVG bytes (through :class:`FigureCanvas`), cropped as ``bbox_inches="tight"``
    would crop it when ``tight``. The caller sets the SVG rcParams.

    With "tight", savefig crops at the figure's dpi as it stands after its first draw, which the
    SVG canvas has set to 72; so the crop is applied at ``dpi=72`` here too (at the figure's 100 dpi
    the same box gives coordinates that differ in the last bits, and so other clip-path ids), and
    raster parts, if any, keep savefig's own dpi (``image_dpi``)."""
    buffer = io.BytesIO()
    if tight:
        fig.savefig(buffer, format="svg", backend=BACKEND, bbox_inches=tight_bbox(fig), dpi=72,
                    image_dpi=_image_dpi(fig), metadata=metadata)
    else:
        fig.savefig(buffer, format="svg", backend=BACKEND, metadata=metadata)
    return buffer.getvalue()
