"""Resolve a locality as written in an agency sheet to a `locality_id`, within a territory, on a date.

Why a territory and a date: names repeat across the country (and inside one province: Bắc Giang had two xã
Đồng Tiến), and the same territory means different units before and after 1/7/2025. A Tân Yên sheet for
2024 names the old communes; one for 2026 names the new communes that took them over. So the search space
is the territory's descendants valid on the date; when the territory belongs to the other era, it is carried
across the succession bridge:

- a vn2008 province after 2025-06-30 → the whole vn2025 province(s) it went into (the new provincial
  agencies report on all of it);
- a vn2008 district or commune after 2025-06-30 → the vn2025 communes its old communes went into;
- a vn2025 unit before 2025-07-01 → the vn2008 units the bridge maps into it (and their descendants).

Matching never guesses. A name resolves only when exactly one unit in the search space has that folded bare
name (see `normalize`); a written type prefix picks the unit of that type when names collide (Thị trấn
Mường Chà vs Huyện Mường Chà) and excludes units of an incompatible level (TP. Điện Biên Phủ is not phường
Điện Biên Phủ). A prefix of another type at the same level is accepted only where units change type
without changing identity: provinces and districts (tỉnh Bắc Ninh is now styled thành phố), and a "thị
trấn" (abolished in 2025) written for the vn2025 commune of that name. "Xã Đa Mai" is not phường Đa Mai:
it raises, suggesting it. Codes are
accepted as written ("07357", "7357", "vn2008:07357"). Everything else raises `LocalityResolutionError`
with the candidates or the nearest names and a Vietnamese message for the sender.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import defaultdict
from functools import lru_cache

import pandas as pd

from ingest.localities.normalize import TYPE_LEVELS, fold, interpretations, is_total_label, split_official
from ingest.reference.labels import REORGANISATION_DATE

__all__ = ["LocalityResolutionError", "LocalityResolver", "is_total_label"]

_CODE = re.compile(r"^\s*(?:(vn2008|vn2025|vn)\s*:\s*)?([0-9]{1,5}|VN)\s*$", re.IGNORECASE)
_ERA_SWITCH = REORGANISATION_DATE


class LocalityResolutionError(ValueError):
    """A written locality that matches no unit, or several; carries what a person needs to fix the sheet."""

    def __init__(
        self,
        text: str,
        candidates: list[tuple[str, str]],
        message_vi: str,
        suggestions: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message_vi)
        self.text = text
        self.candidates = candidates
        self.suggestions = suggestions or []
        self.message_vi = message_vi


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def _opt_date(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else _as_date(value)


class LocalityResolver:
    """Name/code → locality_id, indexed once so that 10,000 look-ups take well under a second."""

    def __init__(self, localities: pd.DataFrame, succession: pd.DataFrame | None = None) -> None:
        if succession is None:
            from ingest.reference.localities import build_succession

            succession = build_succession()
        ids = localities["locality_id"].tolist()
        self._name = dict(zip(ids, localities["name_vi"], strict=True))
        self._level = dict(zip(ids, localities["level"], strict=True))
        self._scheme = dict(zip(ids, localities["scheme"], strict=True))
        self._code = dict(zip(ids, localities["code"], strict=True))
        self._parent = dict(zip(ids, localities["parent_id"], strict=True))
        self._valid_from = {i: _opt_date(v) for i, v in zip(ids, localities["valid_from"], strict=True)}
        self._valid_to = {i: _opt_date(v) for i, v in zip(ids, localities["valid_to"], strict=True)}
        self._children: dict[str, list[str]] = defaultdict(list)
        for child, parent in self._parent.items():
            if isinstance(parent, str):
                self._children[parent].append(child)
        self._type: dict[str, str | None] = {}
        self._bare: dict[str, str] = {}
        self._by_bare: dict[str, list[str]] = defaultdict(list)
        self._by_code: dict[int, list[str]] = defaultdict(list)
        for locality_id, name in self._name.items():
            unit_type, bare = split_official(name)
            self._type[locality_id] = unit_type
            self._bare[locality_id] = bare
            self._by_bare[bare].append(locality_id)
            code = self._code[locality_id]
            if code.isdigit():
                self._by_code[int(code)].append(locality_id)
        self._successors: dict[str, list[str]] = defaultdict(list)
        self._predecessors: dict[str, list[str]] = defaultdict(list)
        for old, new in zip(succession["old_locality_id"], succession["new_locality_id"], strict=True):
            self._successors[old].append(new)
            self._predecessors[new].append(old)
        self._scope_cache: dict[tuple[str, dt.date], frozenset[str]] = {}
        self._keys_cache: dict[frozenset[str], dict[str, list[str]]] = {}

    # --- search space -------------------------------------------------------------------------------
    def _valid_on(self, locality_id: str, on: dt.date) -> bool:
        start, end = self._valid_from[locality_id], self._valid_to[locality_id]
        return (start is None or start <= on) and (end is None or on <= end)

    def _descendants_or_self(self, root: str) -> list[str]:
        out, stack = [], [root]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(self._children.get(node, ()))
        return out

    def _roots(self, territory_id: str, on: dt.date) -> list[str]:
        scheme, level = self._scheme[territory_id], self._level[territory_id]
        if scheme == "vn2008" and on >= _ERA_SWITCH:
            if level == "province":
                return self._successors.get(territory_id, [])
            old_communes = [u for u in self._descendants_or_self(territory_id) if self._level[u] == "commune"]
            return sorted({n for c in old_communes for n in self._successors.get(c, ())})
        if scheme == "vn2025" and on < _ERA_SWITCH:
            return self._predecessors.get(territory_id, [])
        return [territory_id]

    def scope(self, territory_id: str, on_date: object) -> frozenset[str]:
        """The locality_ids a sheet for `territory_id` may name on `on_date`."""
        on = _as_date(on_date)
        key = (territory_id, on)
        if key not in self._scope_cache:
            if territory_id not in self._name:
                raise ValueError(f"unknown territory {territory_id!r}")
            units = {
                u
                for root in self._roots(territory_id, on)
                for u in self._descendants_or_self(root)
                if self._valid_on(u, on)
            }
            self._scope_cache[key] = frozenset(units)
        return self._scope_cache[key]

    # --- resolution ---------------------------------------------------------------------------------
    def resolve(self, text: str, territory_id: str, on_date: object, suggest: bool = True) -> str:
        """The one locality_id within the territory on that date that `text` denotes, or raise. `suggest`:
        name the nearest units in the error (a fuzzy search, ~4 ms) when nothing matches."""
        on = _as_date(on_date)
        scope = self.scope(territory_id, on)
        if not isinstance(text, str) or not text.strip():
            raise self._unknown(str(text), territory_id, on, scope, suggest=suggest)
        code_match = _CODE.match(text)
        if code_match:
            return self._resolve_code(text, code_match, territory_id, on, scope)

        found: dict[str, None] = {}  # ordered set of the hits of every reading
        for unit_type, bare in interpretations(text):
            hits = [u for u in self._by_bare.get(bare, ()) if u in scope]
            if unit_type is not None:
                levels = TYPE_LEVELS[unit_type]
                hits = [u for u in hits if self._level[u] in levels]
                same_type = [u for u in hits if self._type[u] == unit_type]
                hits = same_type or [u for u in hits if self._type_change_ok(unit_type, u)]
            found.update(dict.fromkeys(hits))
        if len(found) == 1:
            return next(iter(found))
        if found:
            raise self._ambiguous(text, list(found))
        raise self._unknown(text, territory_id, on, scope, suggest=suggest)

    def names(self, text: str, locality_id: str) -> bool:
        """True when `resolve(text, …)` finds `locality_id` among its candidates in any scope that holds the
        unit: one reading of `text` is the unit's bare name, with no type or the unit's own (of its level).
        A row whose code gives that unit then resolves to it whatever else the name matches: the name can
        only agree, or be ambiguous, which the code settles."""
        bare, unit_type, level = self._bare[locality_id], self._type[locality_id], self._level[locality_id]
        return any(
            reading == bare and (written is None or (written == unit_type and level in TYPE_LEVELS[written]))
            for written, reading in interpretations(text)
        )

    def _type_change_ok(self, written_type: str, locality_id: str) -> bool:
        """Whether a unit of another type may still be the one meant (its type changed, not its identity).

        Provinces and districts are upgraded (tỉnh → thành phố, huyện → thị xã → thành phố) and a province
        or district never shares its bare name with another of the same level. Communes are different: a xã
        and a phường of the same name often coexist, so only "thị trấn", a type abolished in 2025, may land
        on a vn2025 xã/phường of the same name.
        """
        if self._level[locality_id] in ("province", "district"):
            return True
        return written_type == "thi_tran" and self._scheme[locality_id] == "vn2025"

    def _resolve_code(
        self, text: str, match: re.Match[str], territory_id: str, on: dt.date, scope: frozenset[str]
    ) -> str:
        scheme, digits = match.group(1), match.group(2)
        if digits.upper() == "VN":
            hits = ["vn:VN"] if "vn:VN" in scope else []
        else:
            hits = [u for u in self._by_code.get(int(digits), ()) if u in scope]
            if scheme:
                hits = [u for u in hits if self._scheme[u] == scheme.lower()]
            if len(hits) > 1:  # "011" (district) vs "11" (province): the written width decides
                same_width = [u for u in hits if len(self._code[u]) == len(digits)]
                hits = same_width or hits
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise self._ambiguous(text, hits)
        raise self._unknown(text, territory_id, on, scope, by_code=True)

    # --- errors -------------------------------------------------------------------------------------
    def _label(self, locality_id: str) -> str:
        parent = self._parent.get(locality_id)
        where = f", {self._name[parent]}" if isinstance(parent, str) and parent != "vn:VN" else ""
        return f"{self._name[locality_id]} (mã {self._code[locality_id]}{where})"

    def _ambiguous(self, text: str, hits: list[str]) -> LocalityResolutionError:
        hits = sorted(hits)
        listed = "; ".join(self._label(u) for u in hits[:10])
        if len(hits) > 10:
            listed += f" và {len(hits) - 10} đơn vị khác"
        message = (
            f'Không xác định được địa bàn "{text.strip()}": có {len(hits)} đơn vị trùng tên: {listed}. '
            "Hãy ghi rõ loại đơn vị hoặc mã."
        )
        return LocalityResolutionError(text, [(u, self._name[u]) for u in hits], message)

    def _unknown(
        self,
        text: str,
        territory_id: str,
        on: dt.date,
        scope: frozenset[str],
        by_code: bool = False,
        suggest: bool = True,
    ) -> LocalityResolutionError:
        suggestions: list[str] = []
        if not by_code and suggest:
            keys = self._scope_keys(scope)
            bare = interpretations(text)[0][1] if interpretations(text) else fold(text)
            for key in difflib.get_close_matches(bare, list(keys), n=5, cutoff=0.6):
                suggestions.extend(sorted(keys[key]))
        where = f"{self._name[territory_id]} ({territory_id})"
        message = f'Không tìm thấy địa bàn "{text.strip()}" thuộc {where} vào ngày {on:%d/%m/%Y}.'
        if suggestions:
            message += " Có phải là: " + "; ".join(self._label(u) for u in suggestions[:5]) + "?"
        message += " Hãy kiểm tra lại tên hoặc ghi mã đơn vị."
        return LocalityResolutionError(text, [], message, [(u, self._name[u]) for u in suggestions[:5]])

    def _scope_keys(self, scope: frozenset[str]) -> dict[str, list[str]]:
        if scope not in self._keys_cache:
            keys: dict[str, list[str]] = defaultdict(list)
            for u in scope:
                keys[split_official(self._name[u])[1]].append(u)
            self._keys_cache[scope] = dict(keys)
        return self._keys_cache[scope]


@lru_cache(maxsize=1)
def default_resolver() -> LocalityResolver:
    """A resolver over the library-built dimension and bridge, built once per process."""
    from ingest.reference.localities import build_localities, build_succession

    return LocalityResolver(build_localities(), build_succession())
