"""The task registry: every duty of the five plans, verbatim, with lead and coordinating sectors.

Counts are taken from the plan texts themselves (ingest/reference/data/sources), so a duty missing from a
data file, or a "Thực hiện:" line not carried into the registry, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ingest.reference.tasks import (
    DEFAULT_DATA_DIR,
    SECTORS,
    TaskRegistryError,
    load_tasks,
    sector_of,
)
from ingest.warehouse import RAW_TABLES

SEEDS = Path(__file__).resolve().parents[2] / "ingest" / "reference" / "data" / "sources"
PLANS_DIR = DEFAULT_DATA_DIR.parent / "plans"

TASK_FILES = {
    "lai-chau-2020": "003_dc3af64212abfd7d.txt",
    "kon-tum-2024": "004_56ff0aa2338c0706.txt",
    "dien-bien-2021": "000_22ed4e2ed54b4f22.txt",
    "tan-yen-2021": "001_244997f7a7702c06.txt",
    "bac-ninh-2021": "002_82e3b703260a75cf.txt",
}
_FOOTNOTE = re.compile(r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]")


# --- helpers ---------------------------------------------------------------------------------------------
def seed_lines(plan_id: str) -> list[str]:
    return (SEEDS / TASK_FILES[plan_id]).read_text(encoding="utf-8").splitlines()


def normalised_seed(plan_id: str) -> str:
    """The seed without footnote blocks (page-bottom material) and markdown emphasis, single-spaced."""
    text = "\n".join(seed_lines(plan_id))
    blocks = [b for b in re.split(r"\n\s*\n", text) if not _FOOTNOTE.match(b.strip())]
    return re.sub(r"\s+", " ", " ".join(blocks).replace("*", "")).strip()


def paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs, markdown stripped; a block starting in lower case continues the
    previous paragraph (a page break), footnote blocks are dropped."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", "\n".join(lines)):
        block = re.sub(r"\s+", " ", block.replace("*", "")).strip()
        block = re.sub(r"^#+\s*", "", block)
        if not block or _FOOTNOTE.match(block):
            continue
        if out and block[0].islower():
            out[-1] += " " + block
        else:
            out.append(block)
    return out


def region(lines: list[str], start: str, end: str) -> list[str]:
    """Lines strictly between the first line containing `start` and the next line containing `end`."""
    i = next(k for k, line in enumerate(lines) if start in line)
    j = next(k for k in range(i + 1, len(lines)) if end in lines[k])
    return lines[i + 1 : j]


def duties_per_heading(plan_id: str, start: str, end: str) -> dict[str, int]:
    """Heading number → number of duty paragraphs under it, in a part with "N. Agency" headings."""
    counts: dict[str, int] = {}
    current = None
    for para in paragraphs(region(seed_lines(plan_id), start, end)):
        heading = re.match(r"^(\d+)\.\s+\S", para)
        if heading:
            current = heading.group(1)
            counts[current] = 0
        elif current is not None:
            counts[current] += 1
    return counts


def registry_per_heading(tasks, plan_id: str, part: str) -> dict[str, int]:
    labels = tasks.loc[tasks.plan_id == plan_id, "task_label"]
    counts: dict[str, int] = {}
    for label in labels:
        m = re.match(rf"^{re.escape(part)}\.(\d+)(?:[.-]\d+)?$", label)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


@pytest.fixture(scope="module")
def registry():
    return load_tasks()


@pytest.fixture(scope="module")
def tasks(registry):
    return registry["raw.tasks"]


@pytest.fixture(scope="module")
def coordination(registry):
    return registry["raw.task_coordination"]


# --- shape -----------------------------------------------------------------------------------------------
def test_frames_have_exactly_the_warehouse_columns(registry):
    assert set(registry) == {"raw.tasks", "raw.task_coordination"}
    for table, frame in registry.items():
        assert list(frame.columns) == list(RAW_TABLES[table])


def test_keys_sectors_and_territories(tasks, coordination):
    assert tasks.task_id.is_unique
    assert not tasks.isna().any().any()
    assert set(coordination.task_id) <= set(tasks.task_id)
    assert not coordination.duplicated(["task_id", "agency_as_written"]).any()
    assert set(tasks.lead_sector) | set(coordination.sector) <= set(SECTORS)
    assert tasks.task_id.str.fullmatch(r"[a-z0-9-]+-\d{4}/t\d{2,3}").all()
    assert (tasks.task_id.str.split("/").str[0] == tasks.plan_id).all()
    assert not tasks.duplicated(["plan_id", "task_label"]).any()
    territory = tasks.groupby("plan_id").locality_id.unique().map(list).to_dict()
    assert territory == {
        "lai-chau-2020": ["vn2008:12"],
        "kon-tum-2024": ["vn2008:62"],
        "dien-bien-2021": ["vn2008:11"],
        "tan-yen-2021": ["vn2008:216"],
        "bac-ninh-2021": ["vn2008:27"],
    }


def test_task_counts_per_plan(tasks):
    assert tasks.groupby("plan_id").size().to_dict() == {
        "lai-chau-2020": 45,
        "kon-tum-2024": 25,
        "dien-bien-2021": 31,
        "tan-yen-2021": 25,
        "bac-ninh-2021": 34,
    }


def test_files_name_their_seed():
    for plan_id, source in TASK_FILES.items():
        doc = yaml.safe_load((DEFAULT_DATA_DIR / f"{plan_id}.yaml").read_text(encoding="utf-8"))
        assert doc["source_file"] == source


# --- verbatim --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("plan_id", list(TASK_FILES))
def test_every_text_and_agency_is_verbatim_in_its_seed(plan_id, tasks, coordination):
    seed = normalised_seed(plan_id)
    mine = tasks[tasks.plan_id == plan_id]
    assert len(mine) > 0
    missing = [(t.task_id, t.text_vi[:60]) for t in mine.itertuples() if t.text_vi not in seed]
    assert missing == []
    agencies = set(mine.lead_as_written) | set(
        coordination[coordination.task_id.isin(mine.task_id)].agency_as_written
    )
    assert sorted(a for a in agencies if a not in seed) == []


# --- 004 Kon Tum -----------------------------------------------------------------------------------------
# One row per "Thực hiện:" line of part II, in document order: (lead sector, coordinating sectors).
KON_TUM_ASSIGNMENTS = [
    ("all_agencies", ["party_committee"]),  # Các Sở, ban, ngành; UBND … theo hướng dẫn của Ban Tuyên giáo
    ("all_agencies", []),
    ("social_affairs", ["education", "people_committee"]),
    ("culture", ["people_committee"]),
    ("education", ["people_committee"]),
    ("social_affairs", ["all_agencies"]),
    ("information", ["all_agencies"]),
    ("planning", ["people_committee", "social_affairs"]),
    ("all_agencies", []),
]


def _kon_tum_seed_assignments() -> list[tuple[str, int]]:
    """Each "Thực hiện:" line of part II and how many "-" items it assigns (0: the heading is the task)."""
    out, items = [], 0
    for line in region(seed_lines("kon-tum-2024"), "II. NHIỆM VỤ, GIẢI PHÁP", "III. TỔ CHỨC THỰC HIỆN"):
        plain = re.sub(r"\s+", " ", line.replace("*", "")).strip()
        if plain.startswith("Thực hiện:"):
            out.append((plain, items))
            items = 0
        elif plain.startswith("- "):
            items += 1
    return out


def _kon_tum_registry_runs(tasks, coordination) -> list[tuple[str, str, list[str], int]]:
    """Part II tasks grouped into runs sharing section, lead and partners (one run per assignment)."""
    partners = coordination.groupby("task_id").agg(list)
    runs: list[list] = []
    for t in tasks[(tasks.plan_id == "kon-tum-2024") & tasks.task_label.str.startswith("II.")].itertuples():
        names = partners.agency_as_written.get(t.task_id, [])
        sectors = sorted(partners.sector.get(t.task_id, []))
        key = (t.section, t.lead_as_written, tuple(names))
        if runs and runs[-1][0] == key:
            runs[-1][-1] += 1
        else:
            runs.append([key, t.lead_sector, sectors, 1])
    return [(key[1], lead_sector, sectors, n) for key, lead_sector, sectors, n in runs]


def test_kon_tum_registry_holds_every_thuc_hien_line(tasks, coordination):
    seed = _kon_tum_seed_assignments()
    runs = _kon_tum_registry_runs(tasks, coordination)
    assert len(seed) == 9
    assert len(runs) == len(seed)
    for (line, items), (lead, _, _, n) in zip(seed, runs, strict=True):
        assert lead in line
        assert n == max(items, 1), line
    assert [(lead_sector, sectors) for _, lead_sector, sectors, _ in runs] == KON_TUM_ASSIGNMENTS


def test_kon_tum_sample_rows(tasks, coordination):
    planning = tasks[(tasks.plan_id == "kon-tum-2024") & (tasks.task_label == "II.3-6")].iloc[0]
    assert planning.lead_as_written == "Sở Kế hoạch và Đầu tư"
    assert planning.lead_sector == "planning"
    rows = coordination[coordination.task_id == planning.task_id]
    assert dict(zip(rows.agency_as_written, rows.sector, strict=True)) == {
        "Sở Lao động-Thương binh và Xã hội": "social_affairs",
        "Ủy ban nhân dân các huyện, thành phố": "people_committee",
    }
    youth = tasks[(tasks.plan_id == "kon-tum-2024") & (tasks.task_label == "III.4-2")].iloc[0]
    assert (youth.lead_as_written, youth.lead_sector) == ("Tỉnh Đoàn", "mass_organisation")


# --- 003 Lai Châu ----------------------------------------------------------------------------------------
LAI_CHAU_SECTIONS = {
    "1": "social_affairs",
    "2": "health",
    "3": "education",
    "4": "culture",
    "5": "police",
    "6": "information",
    "7": "justice",
    "8": "construction",
    "9": "transport",
    "10": "ethnic_affairs",
    "11": "planning",
    "12": "finance",
    "13": "mass_organisation",
    "14": "people_committee",
}


def test_lai_chau_every_department_section(tasks):
    seed = duties_per_heading("lai-chau-2020", "IV. TỔ CHỨC THỰC HIỆN", "V. CHẾ ĐỘ BÁO CÁO")
    assert set(seed) == set(LAI_CHAU_SECTIONS)
    assert registry_per_heading(tasks, "lai-chau-2020", "IV") == seed
    mine = tasks[(tasks.plan_id == "lai-chau-2020") & tasks.task_label.str.startswith("IV.")]
    by_heading = mine.groupby(mine.task_label.str.extract(r"^IV\.(\d+)")[0]).lead_sector.unique()
    assert {k: list(v) for k, v in by_heading.items()} == {k: [v] for k, v in LAI_CHAU_SECTIONS.items()}


def test_lai_chau_specific_tasks_have_the_plan_addressees_as_lead(tasks):
    numbered = [
        p for p in paragraphs(region(seed_lines("lai-chau-2020"), "III. CÁC NHIỆM VỤ", "IV. TỔ CHỨC"))
    ]
    part3 = tasks[(tasks.plan_id == "lai-chau-2020") & tasks.task_label.str.startswith("III.")]
    assert len(part3) == len(numbered) == 7
    assert set(part3.lead_sector) == {"all_agencies"}
    assert "Yêu cầu " + part3.lead_as_written.iloc[0] in normalised_seed("lai-chau-2020")


def test_lai_chau_coordination(tasks, coordination):
    info = tasks[(tasks.plan_id == "lai-chau-2020") & (tasks.task_label == "IV.6-1")].task_id.iloc[0]
    rows = coordination[coordination.task_id == info]
    assert list(zip(rows.agency_as_written, rows.sector, strict=True)) == [
        ("Sở Lao động - Thương binh và Xã hội", "social_affairs")
    ]


# --- numeric plans ---------------------------------------------------------------------------------------
def test_dien_bien_every_duty_of_to_chuc_thuc_hien(tasks):
    seed = duties_per_heading(
        "dien-bien-2021", "IV. TỔ CHỨC THỰC HIỆN CHƯƠNG TRÌNH", "Sở Lao động Thương binh và Xã hội - cơ quan"
    )
    assert len(seed) == 11
    assert registry_per_heading(tasks, "dien-bien-2021", "IV") == seed
    closing = tasks[(tasks.plan_id == "dien-bien-2021") & (tasks.task_label == "IV (đoạn cuối)")]
    assert closing.lead_sector.tolist() == ["all_agencies"]


def test_tan_yen_every_duty_of_to_chuc_thuc_hien(tasks):
    seed = duties_per_heading("tan-yen-2021", "IV. PHÂN CÔNG TRÁCH NHIỆM", "V. CHẾ ĐỘ THÔNG TIN")
    assert len(seed) == 11
    assert registry_per_heading(tasks, "tan-yen-2021", "IV") == seed


def test_bac_ninh_every_numbered_item_of_to_chuc_thuc_hien(tasks):
    lines = [line.strip() for line in region(seed_lines("bac-ninh-2021"), "TỔ CHỨC THỰC HIỆN", "Nơi nhận:")]
    headings = [m.group(1) for line in lines if (m := re.match(r"^(\d+)\.\s", line))]
    seed = {h: sum(1 for line in lines if re.match(rf"^{h}\.\d+\.\s", line)) or 1 for h in headings}
    assert len(seed) == 12
    assert registry_per_heading(tasks, "bac-ninh-2021", "IV") == seed


def test_numeric_plans_leads(tasks):
    def lead(plan_id: str, label: str) -> tuple[str, str]:
        row = tasks[(tasks.plan_id == plan_id) & (tasks.task_label == label)].iloc[0]
        return row.lead_as_written, row.lead_sector

    assert lead("dien-bien-2021", "IV.5-1") == ("Sở Y tế", "health")
    assert lead("dien-bien-2021", "IV.9") == (
        "Các Sở, ban, ngành, các tổ chức chính trị - xã hội tỉnh",
        "all_agencies",
    )
    assert lead("tan-yen-2021", "IV.7-1") == ("Trung tâm VH-TT&TT", "culture")
    assert lead("tan-yen-2021", "IV.8") == ("Phòng Tài chính - Kế hoạch", "finance")
    assert lead("bac-ninh-2021", "IV.12") == ("Sở Lao động - Thương binh và Xã hội", "social_affairs")
    assert lead("bac-ninh-2021", "IV.11") == (
        "Ủy ban Mặt trận Tổ quốc và các đoàn thể nhân dân tỉnh",
        "mass_organisation",
    )


# --- sector_of -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("agency", "sector"),
    [
        ("Sở Y tế", "health"),
        ("Phòng Y tế", "health"),
        ("Bộ Y tế", "health"),
        ("Sở Giáo dục và Đào tạo", "education"),
        ("Phòng Giáo dục và Đào tạo", "education"),
        ("Sở Tư pháp", "justice"),
        ("Công an tỉnh", "police"),
        ("Công an huyện", "police"),
        ("Sở Lao động - Thương binh và Xã hội", "social_affairs"),
        ("Sở Lao động-Thương binh và Xã hội", "social_affairs"),
        ("Sở Lao động – Thương binh và Xã hội", "social_affairs"),
        ("Sở Lao động Thương binh và Xã hội", "social_affairs"),
        ("Sở Lao động - Thưng binh và Xã hội", "social_affairs"),
        ("Phòng LĐTB&XH", "social_affairs"),
        ("Bộ LĐTBXH", "social_affairs"),
        ("Sở Văn hóa, Thể thao và Du lịch", "culture"),
        ("Sở Văn hoá, Thể thao và Du lịch", "culture"),
        ("Phòng Văn hóa và Thông tin", "culture"),
        ("Trung tâm VH-TT&TT", "culture"),
        ("Sở Thông tin và Truyền thông", "information"),
        ("Sở Tài chính", "finance"),
        ("Phòng Tài chính - Kế hoạch", "finance"),
        ("Sở Kế hoạch và Đầu tư", "planning"),
        ("Sở Nội vụ", "home_affairs"),
        ("Ban Dân tộc", "ethnic_affairs"),
        ("Sở Xây dựng", "construction"),
        ("Sở Giao thông vận tải", "transport"),
        ("Ủy ban nhân dân các huyện, thành phố", "people_committee"),
        ("Uỷ ban nhân dân các huyện, thành phố", "people_committee"),
        ("UBND các xã, thị trấn", "people_committee"),
        ("Huyện đoàn Tân Yên", "mass_organisation"),
        ("Tỉnh Đoàn", "mass_organisation"),
        ("Hội Liên hiệp Phụ nữ tỉnh", "mass_organisation"),
        ("Ủy ban MTTQ và các tổ chức chính trị, xã hội huyện", "mass_organisation"),
        ("Hội Bảo vệ quyền trẻ em và Bảo trợ người khuyết tật tỉnh", "mass_organisation"),
        ("Ban Tuyên giáo Tỉnh ủy", "party_committee"),
        ("Các Sở, ban, ngành; Ủy ban nhân dân các huyện, thành phố", "all_agencies"),
        ("sở ngành, đơn vị, địa phương", "all_agencies"),
        ("các cơ quan có liên quan", "all_agencies"),
    ],
)
def test_sector_of_real_spellings(agency, sector):
    assert sector_of(agency) == sector


@pytest.mark.parametrize("agency", ["Hội đồng nhân dân tỉnh", "Ngân hàng Chính sách xã hội", "  "])
def test_sector_of_unknown_agency_raises_with_the_text(agency):
    with pytest.raises(ValueError, match=re.escape(repr(agency)) if agency.strip() else "non-empty"):
        sector_of(agency)


def test_sector_of_refuses_two_sectors_without_a_collective():
    with pytest.raises(ValueError, match="several sectors"):
        sector_of("Sở Y tế và Sở Giáo dục và Đào tạo")


# --- malformed files -------------------------------------------------------------------------------------
VALID = {
    "plan_id": "test-2024",
    "source_file": "004_56ff0aa2338c0706.txt",
    "locality_id": "vn2008:62",
    "sections": [
        {
            "section": "III.1. Sở Y tế",
            "lead": "Sở Y tế",
            "tasks": [
                {
                    "id": "t01",
                    "label": "III.1-1",
                    "text": "Triển khai giải pháp.",
                    "coordination": ["Công an tỉnh"],
                },
                {"id": "t02", "label": "III.1-2", "text": "Xây dựng quy trình."},
            ],
        }
    ],
}


def write(tmp_path: Path, doc: dict, name: str = "test-2024.yaml") -> Path:
    (tmp_path / name).write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return tmp_path


def variant(**task_changes) -> dict:
    doc = yaml.safe_load(yaml.safe_dump(VALID, allow_unicode=True))
    task = doc["sections"][0]["tasks"][0]
    for key, value in task_changes.items():
        if value is None:
            task.pop(key, None)
        else:
            task[key] = value
    return doc


def test_valid_file_loads(tmp_path):
    frames = load_tasks(write(tmp_path, VALID))
    assert frames["raw.tasks"].task_id.tolist() == ["test-2024/t01", "test-2024/t02"]
    assert frames["raw.tasks"].lead_sector.tolist() == ["health", "health"]
    assert frames["raw.task_coordination"].to_dict("records") == [
        {"task_id": "test-2024/t01", "sector": "police", "agency_as_written": "Công an tỉnh"}
    ]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            variant(lead="Ngân hàng Chính sách xã hội"),
            "task t01: lead: unknown agency 'Ngân hàng Chính sách xã hội'",
        ),
        (variant(coordination=["Hội đồng nhân dân tỉnh"]), "task t01: coordination: unknown agency"),
        (variant(coordination=["Sở Y tế"]), "task t01: coordination repeats the lead"),
        (variant(text="Triển khai\ngiải pháp."), "task t01: text must be one line"),
        (variant(text="Triển khai  giải pháp."), "task t01: text must be one line"),
        (variant(text=None), "task t01: missing keys ['text']"),
        (variant(owner="x"), "task t01: unknown keys ['owner']"),
        (variant(id="7"), "id '7' is not like 't07'"),
        (variant(id="t02"), "task t02: duplicate id 't02'"),
        (variant(label="III.1-2"), "duplicate label 'III.1-2'"),
        (
            variant(assignment="Thực hiện: Sở Y tế chủ trì."),
            "task t01: assignment does not name ['Công an tỉnh']",
        ),
    ],
)
def test_malformed_task_names_file_and_task(tmp_path, doc, message):
    with pytest.raises(TaskRegistryError) as err:
        load_tasks(write(tmp_path, doc))
    assert "test-2024.yaml" in str(err.value)
    assert message in str(err.value)


def test_task_without_any_lead(tmp_path):
    doc = variant()
    del doc["sections"][0]["lead"]
    with pytest.raises(TaskRegistryError, match=r"test-2024\.yaml: task t01: no lead.*task t02: no lead"):
        load_tasks(write(tmp_path, doc))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"plan_id": "other-2024"}, "differs from the file name"),
        ({"locality_id": "12"}, "locality_id '12'"),
        ({"source_file": "plan.txt"}, "source_file 'plan.txt'"),
        ({"sections": []}, "sections must be a non-empty list"),
        ({"extra": 1}, "extra ['extra']"),
    ],
)
def test_malformed_file_level(tmp_path, change, message):
    doc = {**VALID, **change}
    with pytest.raises(TaskRegistryError, match=re.escape(message)) as err:
        load_tasks(write(tmp_path, doc))
    assert str(err.value).startswith("test-2024.yaml: ")


def test_missing_top_level_key_and_bad_yaml(tmp_path):
    doc = {k: v for k, v in VALID.items() if k != "locality_id"}
    with pytest.raises(TaskRegistryError, match=r"test-2024\.yaml: .*missing \['locality_id'\]"):
        load_tasks(write(tmp_path, doc))
    (tmp_path / "test-2024.yaml").write_text("plan_id: [unclosed", encoding="utf-8")
    with pytest.raises(TaskRegistryError, match=r"test-2024\.yaml: not valid YAML"):
        load_tasks(tmp_path)


def test_empty_directory(tmp_path):
    with pytest.raises(TaskRegistryError, match="no task files"):
        load_tasks(tmp_path)


# --- plan metadata ---------------------------------------------------------------------------------------
PLAN_KEYS = [
    "plan_id",
    "title_vi",
    "document_no",
    "issued_on",
    "issuer_vi",
    "locality_id",
    "source_file",
    "report_deadline",
]


@pytest.mark.parametrize("plan_id", ["lai-chau-2020", "kon-tum-2024"])
def test_task_only_plan_metadata(plan_id, tasks):
    doc = yaml.safe_load((PLANS_DIR / f"{plan_id}.yaml").read_text(encoding="utf-8"))
    assert list(doc) == PLAN_KEYS
    assert doc["plan_id"] == plan_id
    assert doc["source_file"] == TASK_FILES[plan_id]
    assert [doc["locality_id"]] == tasks.loc[tasks.plan_id == plan_id, "locality_id"].unique().tolist()
    assert re.fullmatch(r"\d{2}-\d{2}", doc["report_deadline"])
    assert doc["issued_on"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(doc["issued_on"]))
    assert doc["issuer_vi"].startswith("Ủy ban nhân dân tỉnh ")
