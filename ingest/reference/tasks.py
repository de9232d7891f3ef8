"""The task (nhiệm vụ) registry: which agency leads which duty of which plan, and who coordinates.

Half of every plan is tasks ("Sở Y tế chủ trì, phối hợp với …: triển khai …"). The reviewed files in
`data/tasks/<plan_id>.yaml` hold them verbatim, one file per plan; this module validates them and shapes
`raw.tasks` and `raw.task_coordination` (column lists in `ingest.warehouse.RAW_TABLES`).

File format
-----------
Top-level keys exactly `plan_id` (= the file name), `source_file` (the seed document), `locality_id` (the
plan's territory, `vn2008:12`) and `sections`. A section has `section` (its heading, verbatim-ish), an
optional `lead` (the agency its heading names) and `tasks`. A task has `id` (`t07`, written once and never
renumbered, so `task_id` = `<plan_id>/t07` is stable), `label` (the document's numbering), `text` (verbatim),
and optionally `lead` (overrides the section's), `coordination` (verbatim partner names) and `assignment`
(the verbatim "Thực hiện:" line that assigned lead and partners; it must contain all of them).

Lead rules (also in every data file's header)
---------------------------------------------
- A named lead ("X chủ trì, phối hợp với Y", a "Thực hiện:" line, "Giao X …") is the lead; partners are
  coordination rows.
- A duty listed under a heading naming an agency ("2. Sở Y tế") has that agency as lead.
- A duty addressed jointly to several agencies, with no chủ trì, keeps the whole phrase as
  `lead_as_written`; its sector is `all_agencies` when the phrase holds a collective ("các sở, ban,
  ngành", "các đơn vị", …), else the single sector all named agencies share.
- A duty naming no agency at all takes the plan's own addressees for implementation (Lai Châu part III).

Sectors
-------
`sector_of` folds the text (Unicode NFC, lower case, old/new tone placement "hoá"/"hóa", dash variants,
spacing) and looks for the phrases of `SECTOR_PATTERNS` as whole words. A collective phrase wins
(`all_agencies`); otherwise every phrase found must point to one sector. Unknown names and names spanning
several sectors raise, quoting the text, so a new spelling is added here on purpose rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ingest.warehouse import RAW_TABLES

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data" / "tasks"

TASKS_TABLE = "raw.tasks"
COORDINATION_TABLE = "raw.task_coordination"

ALL_AGENCIES = "all_agencies"

# Literal phrases (matched as whole words after folding), per sector. Order is irrelevant: a text must not
# match two sectors, except that a collective (all_agencies) absorbs the others.
SECTOR_PATTERNS: dict[str, tuple[str, ...]] = {
    "health": ("y tế",),
    "education": ("giáo dục và đào tạo", "gd&đt", "gdđt"),
    "justice": ("tư pháp",),
    "police": ("công an",),
    "social_affairs": (
        "lao động - thương binh",
        "lao động thương binh",
        "lao động - thưng binh",  # typo in Bắc Ninh 359/KH-UBND IV.3
        "lđtbxh",
        "lđtb&xh",
        "lđ - tb&xh",
    ),
    "culture": (
        "văn hóa, thể thao và du lịch",
        "văn hóa, thể thao",
        "văn hóa - thể thao",
        "văn hóa và thông tin",
        "văn hóa - thông tin",
        "vh - tt",  # Trung tâm VH-TT&TT (Văn hóa - Thể thao và Truyền thông), a district unit
        "vhttdl",
    ),
    "information": ("thông tin và truyền thông", "thông tin - truyền thông"),
    "finance": ("tài chính",),  # incl. the district's "Phòng Tài chính - Kế hoạch"
    "planning": ("kế hoạch và đầu tư",),
    "home_affairs": ("nội vụ",),
    "ethnic_affairs": ("ban dân tộc", "phòng dân tộc", "dân tộc và tôn giáo"),
    "construction": ("sở xây dựng", "phòng kinh tế và hạ tầng", "phòng kinh tế - hạ tầng"),
    "transport": ("giao thông vận tải", "giao thông - vận tải"),
    "people_committee": ("ủy ban nhân dân", "ubnd", "các địa phương"),
    "mass_organisation": (
        "mặt trận tổ quốc",
        "mttq",
        "đoàn thanh niên",
        "tỉnh đoàn",
        "huyện đoàn",
        "hội liên hiệp phụ nữ",
        "tổ chức chính trị - xã hội",
        "tổ chức chính trị, xã hội",
        "tổ chức thành viên của mặt trận",
        "đoàn thể",
        "tổ chức hội",
        "hội bảo vệ quyền trẻ em",
        "hội bảo trợ người khuyết tật",
        "hội nông dân",
        "hội cựu chiến binh",
        "liên đoàn lao động",
        "hội chữ thập đỏ",
    ),
    "party_committee": ("tỉnh ủy", "huyện ủy", "thành ủy", "ban tuyên giáo", "ban dân vận", "ban thường vụ"),
    ALL_AGENCIES: (
        "các sở",
        "sở, ngành",
        "sở ngành",
        "ban, ngành",
        "ban ngành",
        "các phòng",
        "các cơ quan",
        "các đơn vị",
        "các ngành",
    ),
}
SECTORS: tuple[str, ...] = tuple(SECTOR_PATTERNS)

# Old-style tone placement ("hoá", "thuỷ") → new style ("hóa", "thủy"), so both spellings fold alike.
_TONE_MOVES = {
    f"{v}{t}": f"{m}{v2}"
    for v, v2, pairs in (
        ("o", "a", (("á", "ó"), ("à", "ò"), ("ả", "ỏ"), ("ã", "õ"), ("ạ", "ọ"))),
        ("o", "e", (("é", "ó"), ("è", "ò"), ("ẻ", "ỏ"), ("ẽ", "õ"), ("ẹ", "ọ"))),
        ("u", "y", (("ý", "ú"), ("ỳ", "ù"), ("ỷ", "ủ"), ("ỹ", "ũ"), ("ỵ", "ụ"))),
    )
    for t, m in pairs
}
_TONE_RE = re.compile("|".join(map(re.escape, _TONE_MOVES)))


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFC", text).lower()
    s = _TONE_RE.sub(lambda m: _TONE_MOVES[m.group(0)], s)
    s = re.sub(r"\s*[-‐‑–—]\s*", " - ", s)
    return re.sub(r"\s+", " ", s).strip()


_COMPILED: dict[str, re.Pattern[str]] = {
    sector: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(_fold(p)) for p in phrases) + r")(?!\w)")
    for sector, phrases in SECTOR_PATTERNS.items()
}


def sector_of(agency_text: str) -> str:
    """The sector of a Vietnamese agency name as written ("Sở Văn hoá, Thể thao và Du lịch" → culture).

    Raises ValueError, quoting the text, when no sector matches or when specific agencies of several
    sectors are named together without a collective.
    """
    if not isinstance(agency_text, str) or not agency_text.strip():
        raise ValueError(f"agency name must be a non-empty string, got {agency_text!r}")
    folded = _fold(agency_text)
    found = [sector for sector, rx in _COMPILED.items() if rx.search(folded)]
    if ALL_AGENCIES in found:
        return ALL_AGENCIES
    if not found:
        raise ValueError(f"unknown agency {agency_text!r}: add its spelling to SECTOR_PATTERNS")
    if len(found) > 1:
        raise ValueError(
            f"agency text {agency_text!r} names several sectors {found}: split it into lead and coordination"
        )
    return found[0]


class TaskRegistryError(ValueError):
    """A task file is malformed; the message names the file and task."""


_FILE_KEYS = {"plan_id", "source_file", "locality_id", "sections"}
_SECTION_KEYS = {"section", "lead", "tasks"}
_TASK_REQUIRED = {"id", "label", "text"}
_TASK_KEYS = _TASK_REQUIRED | {"lead", "coordination", "assignment"}
_PLAN_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*-\d{4}$")
_LOCALITY_RE = re.compile(r"^(?:vn2008|vn2025):\d{2,5}$|^vn:VN$")
_SOURCE_RE = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")
_TASK_ID_RE = re.compile(r"^t\d{2,3}$")


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _single_spaced(value: str) -> bool:
    return value == value.strip() and "\n" not in value and "  " not in value and "\t" not in value


def _parse_file(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Validate one plan's file; return its task rows and coordination rows. Collects every error."""
    name = path.name
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TaskRegistryError(f"{name}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise TaskRegistryError(f"{name}: top level must be a mapping")
    errors: list[str] = []
    keys = set(doc)
    if keys != _FILE_KEYS:
        missing, extra = sorted(_FILE_KEYS - keys), sorted(keys - _FILE_KEYS)
        raise TaskRegistryError(
            f"{name}: top-level keys must be {sorted(_FILE_KEYS)} (missing {missing}, extra {extra})"
        )
    plan_id, locality_id, source_file = doc["plan_id"], doc["locality_id"], doc["source_file"]
    if not (isinstance(plan_id, str) and _PLAN_ID_RE.match(plan_id)):
        errors.append(f"plan_id {plan_id!r} is not like 'lai-chau-2020'")
    elif plan_id != path.stem:
        errors.append(f"plan_id {plan_id!r} differs from the file name {path.stem!r}")
    if not (isinstance(locality_id, str) and _LOCALITY_RE.match(locality_id)):
        errors.append(f"locality_id {locality_id!r} is not '<vn2008|vn2025>:<code>'")
    if not (isinstance(source_file, str) and _SOURCE_RE.match(source_file)):
        errors.append(f"source_file {source_file!r} is not a seed file name like '003_dc3af64212abfd7d.txt'")
    sections = doc["sections"]
    if not isinstance(sections, list) or not sections:
        errors.append("sections must be a non-empty list")
        sections = []

    tasks: list[dict[str, Any]] = []
    coordination: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    seen_labels: set[str] = set()
    for s_no, section in enumerate(sections, start=1):
        where = f"section #{s_no}"
        if not isinstance(section, dict):
            errors.append(f"{where}: must be a mapping")
            continue
        if _is_text(section.get("section")):
            where = f"section {section['section'][:40]!r}"
        else:
            errors.append(f"{where}: 'section' (the heading) must be a non-empty string")
        if extra := sorted(set(section) - _SECTION_KEYS):
            errors.append(f"{where}: unknown keys {extra}")
        if "lead" in section and not _is_text(section["lead"]):
            errors.append(f"{where}: 'lead' must be a non-empty string")
        section_tasks = section.get("tasks")
        if not isinstance(section_tasks, list) or not section_tasks:
            errors.append(f"{where}: 'tasks' must be a non-empty list")
            continue
        for t_no, task in enumerate(section_tasks, start=1):
            if not isinstance(task, dict):
                errors.append(f"{where}, task #{t_no}: must be a mapping")
                continue
            tid = task.get("id")
            what = f"task {tid}" if isinstance(tid, str) else f"{where}, task #{t_no}"
            task_errors: list[str] = []
            if missing := sorted(_TASK_REQUIRED - set(task)):
                task_errors.append(f"missing keys {missing}")
            if extra := sorted(set(task) - _TASK_KEYS):
                task_errors.append(f"unknown keys {extra}")
            if not (isinstance(tid, str) and _TASK_ID_RE.match(tid)):
                task_errors.append(f"id {tid!r} is not like 't07'")
            elif tid in seen_ids:
                task_errors.append(f"duplicate id {tid!r}")
            label = task.get("label")
            if not _is_text(label):
                task_errors.append("label must be a non-empty string")
            elif label in seen_labels:
                task_errors.append(f"duplicate label {label!r}")
            text = task.get("text")
            if not _is_text(text):
                task_errors.append("text must be a non-empty string")
            elif not _single_spaced(text):
                task_errors.append("text must be one line with single spaces (join the source's line breaks)")
            lead = task.get("lead", section.get("lead"))
            lead_sector = None
            if not _is_text(lead):
                task_errors.append("no lead: name one on the task or on its section")
            else:
                try:
                    lead_sector = sector_of(lead)
                except ValueError as exc:
                    task_errors.append(f"lead: {exc}")
            partners = task.get("coordination", [])
            if not isinstance(partners, list) or not all(_is_text(p) for p in partners):
                task_errors.append("coordination must be a list of non-empty agency names")
                partners = []
            if len(set(partners)) != len(partners):
                task_errors.append("coordination lists an agency twice")
            partner_rows = []
            for partner in partners:
                if partner == lead:
                    task_errors.append(f"coordination repeats the lead {partner!r}")
                try:
                    partner_rows.append((sector_of(partner), partner))
                except ValueError as exc:
                    task_errors.append(f"coordination: {exc}")
            if "assignment" in task:
                line = task["assignment"]
                if not _is_text(line) or not _single_spaced(line):
                    task_errors.append("assignment must be the verbatim one-line 'Thực hiện:' text")
                else:
                    absent = [a for a in [lead, *partners] if isinstance(a, str) and a not in line]
                    if absent:
                        task_errors.append(f"assignment does not name {absent}")
            if task_errors:
                errors.extend(f"{what}: {e}" for e in task_errors)
                continue
            seen_ids.add(tid)
            seen_labels.add(label)
            task_id = f"{plan_id}/{tid}"
            tasks.append(
                {
                    "task_id": task_id,
                    "plan_id": plan_id,
                    "section": section["section"],
                    "task_label": label,
                    "text_vi": text,
                    "lead_sector": lead_sector,
                    "lead_as_written": lead,
                    "locality_id": locality_id,
                }
            )
            coordination.extend(
                {"task_id": task_id, "sector": sector, "agency_as_written": partner}
                for sector, partner in partner_rows
            )
    if errors:
        raise TaskRegistryError(f"{name}: " + "; ".join(errors))
    return tasks, coordination


def load_tasks(data_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Read and validate every `<plan_id>.yaml` in `data_dir`; return `raw.tasks` and `raw.task_coordination`.

    Frames carry exactly the columns of `ingest.warehouse.RAW_TABLES`, in that order, tasks in file order.
    Raises TaskRegistryError naming the file and task on any malformed entry.
    """
    directory = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise TaskRegistryError(f"{directory}: no task files (*.yaml)")
    tasks: list[dict[str, Any]] = []
    coordination: list[dict[str, Any]] = []
    for path in files:
        file_tasks, file_coordination = _parse_file(path)
        tasks.extend(file_tasks)
        coordination.extend(file_coordination)
    return {
        TASKS_TABLE: pd.DataFrame(tasks, columns=list(RAW_TABLES[TASKS_TABLE])),
        COORDINATION_TABLE: pd.DataFrame(coordination, columns=list(RAW_TABLES[COORDINATION_TABLE])),
    }
