"""Page furniture: what every report shows around its sections."""

from __future__ import annotations

from evalkit.present import page
from evalkit.present.format import SYMBOLS_SV


def test_demo_banner_only_for_synthetic_data():
    banner = page.demo_banner(True)
    assert 'role="alert"' in banner.html and "syntetiska demodata" in banner.text
    assert page.demo_banner(False).html == "" and repr(page.demo_banner(False)) == ""


def test_heading_and_paragraph_escape_text_from_data():
    h = page.heading("Husby <script>alert(1)</script>", 3)
    assert h.html.startswith("<h3>") and "<script>" not in h.html and "&lt;script&gt;" in h.html
    assert repr(h) == "Husby <script>alert(1)</script>"  # the plain-text twin keeps the text as written
    p = page.paragraph("a & b")
    assert p.html == "<p>a &amp; b</p>" and p.text == "a & b"


def test_legend_explains_every_symbol_used_in_tables():
    legend = page.symbol_legend()
    for symbol, meaning in SYMBOLS_SV.items():
        assert f"<code>{symbol}</code> {meaning}" in legend.html
        assert f"{symbol} {meaning}" in legend.text


def test_show_displays_each_item_of_a_section_in_order(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    items = [page.heading("Rubrik"), page.paragraph("Text")]
    page.show(items)
    assert shown == items
