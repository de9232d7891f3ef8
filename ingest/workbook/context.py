"""The reference data the workbook ingest needs, bundled once per run.

The template writer and the loader both need the same answers: which indicators a sector leads in a plan,
the plan's territory, the localities an agency reports on in a year, who the agency is that year. Loading
them once into a `Reference` keeps those answers consistent between the template an agency received and the
check of what it sent back, and lets tests pass a reference in without touching global state.

Reporting date rule: a report for year Y is submitted in November of Y (Tân Yên: before 20/11), so the
localities and agency of a year-Y report are those valid on `reporting_date(Y)` = 15/11/Y. Reports for
2020-2024 therefore name vn2008 units; reports for 2025 on name vn2025 units (districts were abolished on
1/7/2025). The territory of a submission stays the plan's territory (`raw.plans.locality_id`, e.g.
`vn2008:216` for Tân Yên) in every year, because the plan's targets are set for that territory; its totals
row is stored against it.

Reporting units rule (one home): `Reference.reporting_units` decides which units a year-Y report lists. The
template needs it before any dbt build, and the warehouse needs the same answer for completeness, so the
reference landing writes it for every plan and programme year as `raw.reporting_units`
(`reporting_units_frame`), which `int_reporting_obligations_expanded` reads instead of deriving its own.

Expected agency rule (one home): `Reference.agency_id` decides who reports a plan's sector in year Y (the
transfer rule of ingest/reference/agencies.py on the reporting date, successor sectors included). The
template names it and the loader stamps it on each submission; the reference landing writes it for every
plan, sector and programme year as `raw.expected_agencies` (`expected_agencies_frame`), which completeness
reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from ingest.reference.labels import PROGRAMME_YEARS, REORGANISATION_DATE, UNIT_VI
from ingest.workbook.identity import fold

VN2025_FROM = REORGANISATION_DATE
NATIONAL_PLAN = "national-2021"


def reporting_date(year: int) -> dt.date:
    return dt.date(year, 11, 15)


@dataclass
class Reference:
    indicators: pd.DataFrame  # indexed by indicator_code
    assignments: pd.DataFrame
    plans: pd.DataFrame  # indexed by plan_id
    localities: pd.DataFrame  # indexed by locality_id
    succession: pd.DataFrame
    resolver: object  # ingest.localities.LocalityResolver
    agencies: pd.DataFrame | None = None
    targets: pd.DataFrame | None = None
    baselines: pd.DataFrame | None = None
    tasks: pd.DataFrame | None = None  # raw.tasks (task registry); None: workbooks carry no task sheet
    _cache: dict = field(default_factory=dict, repr=False)

    def territory(self, plan_id: str) -> str:
        return str(self.plans.at[plan_id, "locality_id"])

    def sector_indicators(self, plan_id: str, sector: str) -> list[str]:
        """Indicator codes a sector leads in a plan, in the plan's own item order, catalog codes only."""
        a = self.assignments
        rows = a[(a["plan_id"] == plan_id) & (a["sector"] == sector)]
        codes = [c for c in dict.fromkeys(rows["indicator_code"]) if c in self.indicators.index]
        return codes

    def sector_tasks(self, plan_id: str, sector: str) -> pd.DataFrame:
        """The tasks a sector reports on in a plan, in the plan's order: those it leads and the duties
        addressed to every agency (`all_agencies`, "các sở, ban, ngành"), which each sector of the plan (one
        leading an indicator or a task) reports on for its own part. Decision: such a duty has no single
        owner, so every such sector's template lists it; a sector the plan gives nothing to lead gets none.
        """
        from ingest.reference.tasks import ALL_AGENCIES

        if self.tasks is None or self.tasks.empty or sector not in self.reporting_sectors(plan_id):
            return pd.DataFrame(columns=["task_id", "task_label", "text_vi", "lead_sector"])
        t = self.tasks[self.tasks["plan_id"] == plan_id]
        return t[(t["lead_sector"] == sector) | (t["lead_sector"] == ALL_AGENCIES)].reset_index(drop=True)

    def reporting_sectors(self, plan_id: str) -> list[str]:
        """Sectors that get a workbook for a plan: those leading an indicator or a task (a plan without
        numeric targets, such as Lai Châu 2020, has only the latter)."""
        from ingest.reference.tasks import ALL_AGENCIES

        leads = (
            set(self.tasks[self.tasks["plan_id"] == plan_id]["lead_sector"])
            if self.tasks is not None
            else set()
        )
        return sorted(set(self.sectors(plan_id)) | (leads - {ALL_AGENCIES}))

    def plan_tasks(self, plan_id: str) -> pd.DataFrame:
        """Every task of a plan (an agency may report on one it does not lead)."""
        if self.tasks is None:
            return pd.DataFrame(columns=["task_id", "text_vi", "lead_sector"])
        return self.tasks[self.tasks["plan_id"] == plan_id]

    def sectors(self, plan_id: str) -> list[str]:
        a = self.assignments
        codes = a[a["plan_id"] == plan_id]
        codes = codes[codes["indicator_code"].isin(self.indicators.index)]
        return sorted(set(codes["sector"].dropna()))

    def reporting_units(self, plan_id: str, year: int, territory: str | None = None) -> pd.DataFrame:
        """The rows of a year-Y sheet: the territory's units one level down, valid on the reporting date.

        From 1/7/2025 a vn2008 territory has no children of its own: its rows are the vn2025 communes that
        took over its old communes (via the succession bridge), so Tân Yên's 2025 sheet lists the new
        communes covering old Tân Yên and Điện Biên's lists its 45 communes.

        `territory` narrower than the plan's (the national plan reported by each province, issue #8): the
        rows are that territory's communes valid on the reporting date, because the ministry consolidates
        commune data and rolls it up itself (vn2008 districts would hide the communes the bridge splits).
        """
        plan_territory = self.territory(plan_id)
        territory = territory or plan_territory
        key = ("units", plan_id, year, territory)
        if key in self._cache:
            return self._cache[key]
        on = reporting_date(year)
        valid = self._valid_on(on)
        if territory.startswith("vn2008:") and on >= VN2025_FROM:
            old = self._descendants(territory, level="commune")
            s = self.succession
            new_ids = set(s[s["old_locality_id"].isin(old)]["new_locality_id"])
            units = valid[valid.index.isin(new_ids) & (valid["level"] == "commune")]
        elif territory != plan_territory:
            units = valid[valid.index.isin(self._descendants(territory, level="commune"))]
        else:
            units = valid[valid["parent_id"] == territory]
        units = units.sort_values("code").reset_index(drop=True)[["locality_id", "code", "name_vi", "level"]]
        self._cache[key] = units
        return units

    def _valid_on(self, on: dt.date) -> pd.DataFrame:
        """The localities valid on a date (cached per date: every plan's units of a year share it)."""
        key = ("valid", on)
        if key not in self._cache:
            loc = self.localities
            self._cache[key] = loc[
                (pd.to_datetime(loc["valid_from"]).dt.date <= on)
                & (loc["valid_to"].isna() | (pd.to_datetime(loc["valid_to"]).dt.date >= on))
            ]
        return self._cache[key]

    def _descendants(self, root: str, level: str) -> set[str]:
        key = ("descendants", root, level)
        if key in self._cache:
            return self._cache[key]
        if "children" not in self._cache:  # parent -> children and id -> level, built once (14,000 units)
            children: dict[str, list[str]] = {}
            loc = self.localities
            for child, parent in zip(loc["locality_id"], loc["parent_id"], strict=True):
                if isinstance(parent, str):
                    children.setdefault(parent, []).append(child)
            self._cache["children"] = children
            self._cache["level_of"] = dict(zip(loc["locality_id"], loc["level"], strict=True))
        children, level_of = self._cache["children"], self._cache["level_of"]
        out, frontier = set(), [root]
        while frontier:
            node = frontier.pop()
            for child in children.get(node, []):
                frontier.append(child)
                if level_of[child] == level:
                    out.add(child)
        self._cache[key] = out
        return out

    def agency_id(self, plan_id: str, sector: str, year: int) -> str | None:
        """The agency expected to report a plan's sector for year Y: the one home of that answer.

        `responsible_agency`'s transfer rule on the reporting date, walking this reference's own localities
        and bridge. The template names it, the loader stamps it on each submission, and the reference
        landing writes it for every plan, sector and programme year as `raw.expected_agencies`
        (`expected_agencies_frame`), which completeness reads. None when no agency answers.
        """
        if self.agencies is None:
            return None
        from ingest.reference.agencies import responsible_agency, transfer_lookups

        if "transfer_lookups" not in self._cache:
            self._cache["transfer_lookups"] = transfer_lookups(self.localities, self.succession)
        try:
            return responsible_agency(
                self.agencies,
                self.territory(plan_id),
                sector,
                reporting_date(year),
                lookups=self._cache["transfer_lookups"],
            )
        except LookupError:
            return None

    def agency_name(self, agency_id: str | None) -> str | None:
        if agency_id is None or self.agencies is None:
            return None
        hit = self.agencies[self.agencies["agency_id"] == agency_id]
        return None if hit.empty else str(hit.iloc[0]["name_vi"])

    def plan_territory_names(self) -> dict[str, list[str]]:
        """plan_id -> folded bare territory names for identity inference ('dien bien', 'tan yen')."""
        out = {}
        for plan_id, row in self.plans.iterrows():
            name = (
                self.localities.at[row["locality_id"], "name_vi"]
                if row["locality_id"] in self.localities.index
                else ""
            )
            bare = fold(name)
            for prefix in ("tinh ", "huyen ", "thanh pho ", "thi xa "):
                bare = bare.removeprefix(prefix)
            out[plan_id] = [bare] if bare and bare != "viet nam" else []
        return out

    def header_text(self, code: str) -> str:
        row = self.indicators.loc[code]
        return f"{row['name_vi']} ({UNIT_VI.get(row['unit'], row['unit'])})"

    def indicator_names(self, codes: list[str] | None = None) -> dict[str, str]:
        ind = (
            self.indicators
            if codes is None
            else self.indicators.loc[[c for c in codes if c in self.indicators.index]]
        )
        return {code: str(name) for code, name in ind["name_vi"].items()}


def reporting_units_frame(ref: Reference, years: Iterable[int] = PROGRAMME_YEARS) -> pd.DataFrame:
    """`raw.reporting_units`: the units every plan's own-territory report lists, per programme year.

    Why a landed table: the units a template lists and the units completeness expects must be one answer;
    the warehouse reads this one instead of re-deriving it in SQL. `valid_on` is the date the units (and the
    expected agency) are taken as valid on, `reporting_date(year)`. Plans without a territory have no rows.
    """
    from ingest.warehouse import RAW_TABLES

    columns = list(RAW_TABLES["raw.reporting_units"])
    frames = []
    for plan_id, territory in ref.plans["locality_id"].items():
        if not isinstance(territory, str) or not territory:
            continue
        for year in years:
            units = ref.reporting_units(plan_id, year)
            frames.append(
                pd.DataFrame(
                    {
                        "plan_id": plan_id,
                        "year": year,
                        "valid_on": reporting_date(year),
                        "unit_id": units["locality_id"].to_numpy(),
                        "unit_level": units["level"].to_numpy(),
                    },
                    columns=columns,
                )
            )
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)


def expected_agencies_frame(ref: Reference, years: Iterable[int] = PROGRAMME_YEARS) -> pd.DataFrame:
    """`raw.expected_agencies`: the agency expected to report each plan's sector in each programme year.

    Why a landed table: the agency a template names and a submission is stamped with, and the agency
    completeness waits for, must be one answer (`Reference.agency_id`); the warehouse reads this one instead
    of re-deriving the transfer rule in SQL. Sectors: every modelled sector (`SECTORS`) and any other the
    plan assigns an indicator or a task to, so each obligation finds its row; `expected_agency_id` is null
    when the transfers lead to no agency. `valid_on` is the date the agency is valid on, `reporting_date`.
    Plans without a territory have no rows.
    """
    from ingest.reference.agencies import SECTORS
    from ingest.reference.tasks import ALL_AGENCIES
    from ingest.warehouse import RAW_TABLES

    columns = list(RAW_TABLES["raw.expected_agencies"])
    rows = []
    for plan_id, territory in ref.plans["locality_id"].items():
        if not isinstance(territory, str) or not territory:
            continue
        sectors = set(SECTORS) | set(
            ref.assignments.loc[ref.assignments["plan_id"] == plan_id, "sector"].dropna()
        )
        if ref.tasks is not None:
            sectors |= set(ref.tasks.loc[ref.tasks["plan_id"] == plan_id, "lead_sector"].dropna()) - {
                ALL_AGENCIES
            }
        for sector in sorted(sectors):
            for year in years:
                rows.append(
                    (plan_id, sector, year, reporting_date(year), ref.agency_id(plan_id, sector, year))
                )
    frame = pd.DataFrame(rows, columns=columns)
    # None, not NaN, where no agency answers: a missing agency lands as SQL null by every writer
    frame["expected_agency_id"] = pd.Series([row[-1] for row in rows], dtype=object)
    return frame


def with_national_lead_sectors(assignments: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """`assignments` plus, if the registry has none for the national plan, one lead sector per catalog
    indicator for it: the sector most local plans assign the indicator to (ties: alphabetical).

    Why: provinces report the national programme's indicators to the ministry (issue #8), so a national-plan
    workbook needs to know which sector reports what; the decision itself (QĐ 23) assigns ministries and is
    not among the seeds. Derived, not promised by a plan, so it is used for templates and parsing only and
    is not written to `raw.assignments` (`marts.fct_assignment` stays what the plans say).
    """
    if (assignments["plan_id"] == NATIONAL_PLAN).any():
        return assignments
    a = assignments[assignments["indicator_code"].isin(indicators.index)]
    counts = a.groupby(["indicator_code", "sector"]).size().reset_index(name="n")
    counts = counts.sort_values(["indicator_code", "n", "sector"], ascending=[True, False, True])
    lead = counts.drop_duplicates("indicator_code")
    order = {code: i for i, code in enumerate(indicators.index)}
    lead = lead.assign(order=lead["indicator_code"].map(order)).sort_values("order")
    rows = pd.DataFrame(
        {
            "plan_id": NATIONAL_PLAN,
            "indicator_code": lead["indicator_code"].to_numpy(),
            "plan_item": lead["indicator_code"].map(indicators["national_item"]).to_numpy(),
            "sector": lead["sector"].to_numpy(),
            "agency_as_written": None,
        }
    ).reindex(columns=assignments.columns)
    return pd.concat([assignments, rows], ignore_index=True)


@lru_cache(maxsize=1)
def load_reference() -> Reference:
    """The reference built from the colleagues' reference modules (catalog, plans, localities, agencies)."""
    from ingest.localities import LocalityResolver
    from ingest.reference.agencies import build_agencies
    from ingest.reference.catalog import load_indicators
    from ingest.reference.localities import build_localities, build_succession
    from ingest.reference.plans import load_registry
    from ingest.reference.tasks import TASKS_TABLE, load_tasks

    registry = load_registry()
    plans = registry["raw.plans"]
    indicators = load_indicators().set_index("indicator_code", drop=False)
    localities = build_localities()
    succession = build_succession()
    return Reference(
        indicators=indicators,
        assignments=with_national_lead_sectors(registry["raw.assignments"], indicators),
        plans=plans.set_index("plan_id", drop=False),
        localities=localities.set_index("locality_id", drop=False),
        succession=succession,
        resolver=LocalityResolver(localities, succession),
        agencies=build_agencies(plans, localities),
        targets=registry.get("raw.targets"),
        baselines=registry.get("raw.plan_baselines"),
        tasks=load_tasks()[TASKS_TABLE],
    )
