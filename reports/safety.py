"""Keeping the reports safe to open and safe to publish.

Two risks, two defences:

* Formula injection. Locality names, agency names, notes and quotes come from workbooks the agencies send.
  A string such as `=HYPERLINK("http://…","Bấm vào đây")` written into a cell would become a live formula in
  the officer's Excel. In the workbook we therefore write every text cell as an explicit string
  (`data_type = "s"`) and, when it begins with a trigger character (= + - @ tab CR), also set the cell
  style's `quotePrefix` — the flag Excel itself sets when a user types a leading apostrophe. The cell shows
  the exact text, never evaluates, and stays text if the officer presses F2 + Enter. We do not prepend a
  visible "'" in the workbook because Excel would show it as a character and officers paste these cells
  into Word. For text channels that have no cell types (HTML that may be pasted into Excel, CSV) use
  `neutralise_text`, which prepends "'" (the OWASP recommendation). `write_cell` is the one writer of
  every workbook that carries agency text: these reports and the agency feedback workbooks
  (`ingest/workbook/feedback.py`), which quote the agencies' own cells back to them.
* Small-cell disclosure. Child-protection counts for a commune identify children. `Suppressor` replaces a
  sensitive indicator's count/numerator below the threshold (config.yaml) by "<5" and the rate derived from
  it by "x" at the configured levels.
"""

import copy
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from reports.vn import fmt_number, is_missing

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CONFIG_PATH = Path(__file__).with_name("config.yaml")


def is_formula_like(text: str) -> bool:
    return isinstance(text, str) and text.startswith(FORMULA_TRIGGERS)


def neutralise_text(text):
    """For channels without cell types (HTML, CSV): prefix a formula-like string with an apostrophe."""
    if is_formula_like(text):
        return "'" + text
    return text


def write_cell(ws, row: int, column: int, value, **style):
    """Write one value into an openpyxl worksheet so that data can never become a formula.

    Numbers, dates and booleans are written as they are; everything else as an explicit string. `style`
    holds openpyxl style attributes (font, fill, border, alignment, number_format) applied to the cell.
    """
    cell = ws.cell(row=row, column=column)
    if style:
        _apply_style(cell, style)
    if is_missing(value):
        cell.value = None
    elif isinstance(value, bool | int | float) or hasattr(value, "year") and hasattr(value, "month"):
        cell.value = value
    else:
        text = str(value)
        cell.value = text
        # openpyxl turns any string starting with "=" into a formula; force a plain string back.
        cell.data_type = "s"
        if is_formula_like(text):
            cell.quotePrefix = True
    return cell


def _apply_style(cell, style: dict) -> None:
    """Set the style attributes, sharing one computed style per distinct combination in a workbook.

    Why: openpyxl hashes every style object on every assignment (~60 µs a cell), which made the national
    plan's breakdown sheets take 15 s. Combinations are keyed by the objects' identities; the cache keeps
    those objects alive, so an identity cannot be reused by another object while the workbook lives.
    """
    cache = cell.parent.parent.__dict__.setdefault("_treem_styles", {})
    key = tuple((name, v if isinstance(v, str | int | float) else id(v)) for name, v in style.items())
    hit = cache.get(key)
    if hit is None:
        for name, attribute in style.items():
            setattr(cell, name, attribute)
        cache[key] = (copy.copy(cell._style), tuple(style.values()))
    else:
        cell._style = copy.copy(hit[0])


@dataclass
class SuppressionConfig:
    threshold: int = 5
    levels: tuple[str, ...] = ("commune",)
    sensitive_from_dim_indicator: bool = True
    extra_indicators: tuple[str, ...] = ()
    suppress_zero: bool = False
    rate_symbol: str = "x"

    @property
    def count_symbol(self) -> str:
        return f"<{self.threshold}"

    @property
    def note_vi(self) -> str:
        levels = ", ".join(
            {"commune": "xã", "district": "huyện", "province": "tỉnh"}.get(x, x) for x in self.levels
        )
        return (
            f"{self.rate_symbol}, {self.count_symbol}: số liệu dưới {self.threshold} trường hợp "
            f"ở cấp {levels} "
            "của chỉ tiêu nhạy cảm không được công bố để bảo vệ thông tin cá nhân của trẻ em."
        )


def load_suppression_config(path: Path | str | None = None) -> SuppressionConfig:
    raw = yaml.safe_load(Path(path or CONFIG_PATH).read_text(encoding="utf-8")) or {}
    section = raw.get("suppression", {})
    return SuppressionConfig(
        threshold=int(section.get("threshold", 5)),
        levels=tuple(section.get("levels", ["commune"])),
        sensitive_from_dim_indicator=bool(section.get("sensitive_from_dim_indicator", True)),
        extra_indicators=tuple(section.get("extra_indicators", []) or []),
        suppress_zero=bool(section.get("suppress_zero", False)),
        rate_symbol=str(section.get("rate_symbol", "x")),
    )


@dataclass
class Suppressor:
    """Decides, cell by cell, whether a figure of the locality breakdown may be printed."""

    config: SuppressionConfig
    sensitive_from_catalog: set[str] = field(default_factory=set)

    @property
    def sensitive(self) -> set[str]:
        codes = set(self.config.extra_indicators)
        if self.config.sensitive_from_dim_indicator:
            codes |= self.sensitive_from_catalog
        return codes

    def applies(self, indicator_code: str, level: str | None) -> bool:
        return indicator_code in self.sensitive and level in self.config.levels

    def is_small(self, count) -> bool:
        if is_missing(count):
            return False
        count = float(count)
        if count == 0 and not self.config.suppress_zero:
            return False
        return count < self.config.threshold

    def row(self, indicator_code: str, level: str | None, unit: str | None, value, numerator) -> dict:
        """Rendered value and numerator of one locality × indicator, and whether they were suppressed.

        For a count indicator the value is itself the count; for a rate the numerator decides, and the rate
        goes too because rate × published denominator gives the numerator back.
        """
        count = value if unit == "count" else numerator
        if self.applies(indicator_code, level) and self.is_small(count):
            value_text = self.config.count_symbol if unit == "count" else self.config.rate_symbol
            return {"value": value_text, "numerator": self.config.count_symbol, "suppressed": True}
        return {
            "value": fmt_number(value),
            "numerator": fmt_number(numerator, 0) if not is_missing(numerator) else "",
            "suppressed": False,
        }
