"""The browsable data-quality report: one Vietnamese page per agency × year, an index, and GX Data Docs.

The pages are for the people who fix the data -- the agency's statistician with the workbook open -- so they
say, in Vietnamese, how many checks passed, which cells are wrong ("Số liệu!E12", as text they can type
into Excel's Name Box) and what to do. They are rebuilt from the dq tables alone, so they always match what
the marts saw. GX Data Docs (one validation per submission, rendered by GX) are slower to build and are
written only when asked (`build_data_docs`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from expectations import load_config
from expectations.checks import CHECK_FAMILIES
from ingest.records import read_record, write_record
from ingest.warehouse import CURRENT_SUBMISSIONS

# family -> (what is wrong, what to do), in the words of the report's readers.
CHECK_TEXT_VI: dict[str, tuple[str, str]] = {
    "indicator_known": (
        "Mã chỉ tiêu không có trong danh mục",
        "Dùng đúng biểu mẫu và mã chỉ tiêu của kế hoạch; không thêm dòng chỉ tiêu tự đặt.",
    ),
    "value_range": (
        "Giá trị nằm ngoài khoảng hợp lệ",
        "Kiểm tra đơn vị tính (%, ‰, trên 100.000 trẻ em) và số đã nhập: tỷ lệ % phải từ 0 đến 100, "
        "số lượng không âm, tỷ suất trong khoảng hợp lý của chỉ tiêu.",
    ),
    "numerator_non_negative": ("Tử số âm", "Nhập tử số (số trẻ em, số trường hợp) là số không âm."),
    "denominator_positive": (
        "Mẫu số bằng 0 hoặc âm",
        "Nhập mẫu số (tổng số trẻ em, số trẻ đẻ sống…) lớn hơn 0; "
        "nếu không có đối tượng thì để trống cả dòng.",
    ),
    "numerator_le_denominator": (
        "Tử số lớn hơn mẫu số",
        "Kiểm tra hai cột tử số và mẫu số có bị nhập đảo hoặc nhầm dòng không.",
    ),
    "unique_per_submission": (
        "Một địa bàn – chỉ tiêu – năm được nhập nhiều lần",
        "Giữ lại một số liệu đúng cho mỗi địa bàn, xóa các dòng trùng rồi gửi lại tệp.",
    ),
    "completeness": (
        "Thiếu chỉ tiêu được giao",
        "Bổ sung số liệu các chỉ tiêu kế hoạch giao cho ngành; "
        "nếu chưa có số liệu, ghi rõ lý do khi gửi lại.",
    ),
    "value_matches_ratio": (
        "Giá trị không khớp với tử số / mẫu số",
        "Tính lại: tỷ lệ = tử số / mẫu số × hệ số (100 với %, 1.000 với ‰), hoặc sửa tử số, mẫu số.",
    ),
    "mortality_ordering": (
        "Tỷ suất tử vong không hợp lý (sơ sinh ≤ dưới 1 tuổi ≤ dưới 5 tuổi)",
        "Tử vong sơ sinh không thể cao hơn tử vong dưới 1 tuổi, tử vong dưới 1 tuổi không thể cao hơn dưới "
        "5 tuổi: kiểm tra lại cả hai số.",
    ),
    "total_vs_rollup": (
        "Dòng tổng cộng không khớp với số cộng các địa bàn",
        "Tính lại dòng tổng từ tổng tử số và tổng mẫu số các địa bàn (không lấy trung bình các tỷ lệ), "
        "hoặc bổ sung địa bàn còn thiếu.",
    ),
    "outlier_yoy": (
        "Thay đổi bất thường so với năm trước",
        "Đối chiếu lại với sổ sách; nếu số liệu đúng, ghi chú nguyên nhân (đổi nguồn số liệu, chiến dịch…).",
    ),
    "outlier_cross_locality": (
        "Giá trị khác thường so với các địa bàn cùng cấp",
        "Đối chiếu lại với đơn vị cơ sở; nếu số liệu đúng, ghi chú nguyên nhân.",
    ),
    "conflicting_submissions": (
        "Hai tệp báo cáo khác nhau cho cùng địa bàn, chỉ tiêu, năm",
        "Thống nhất một số liệu giữa các tệp và gửi lại tệp sai. Trong khi chờ, báo cáo sơ kết/tổng kết dùng "
        "số liệu của tệp thuộc kế hoạch của chính địa bàn đó (kế hoạch của tỉnh trước kế hoạch quốc gia), "
        "nếu cùng kế hoạch thì tệp nhận sau cùng.",
    ),
}
SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo"}
STATUS_VI = {"loaded": "đã nhận", "rejected": "bị từ chối", "superseded": "đã được thay thế"}

FLAGS_SQL = f"""
with subs as (
    select * from {CURRENT_SUBMISSIONS} as current
), cells as (
    select f.submission_id, f.indicator_code, f.locality_id, f.year, f.check_name,
           string_agg(distinct coalesce(v.sheet || '!', '') || v.cell, ', ') as cells
    from dq.flagged_values f
    left join raw.indicator_values v
      on v.submission_id = f.submission_id and v.indicator_code is not distinct from f.indicator_code
     and v.locality_id is not distinct from f.locality_id and v.year is not distinct from f.year
    where f.submission_id in (select unnest($ids))
    group by f.submission_id, f.indicator_code, f.locality_id, f.year, f.check_name
)
select f.*, c.cells, s.file_name, s.agency_id, s.year as report_year,
       coalesce(i.name_vi, f.indicator_code) as indicator_vi,
       coalesce(l.name_vi, f.locality_id) as locality_vi
from dq.flagged_values f
join subs s on s.submission_id = f.submission_id
left join cells c
  on c.submission_id = f.submission_id and c.check_name = f.check_name
 and c.indicator_code is not distinct from f.indicator_code
 and c.locality_id is not distinct from f.locality_id
 and c.year is not distinct from f.year
left join (select * from raw.indicators qualify row_number() over (partition by indicator_code) = 1) i
  on i.indicator_code = f.indicator_code
left join (select * from raw.localities qualify row_number() over (partition by locality_id) = 1) l
  on l.locality_id = f.locality_id
where f.submission_id in (select unnest($ids))
"""

# Per submission, a digest of every row its page shows of it (verdicts, flagged values, unreadable cells, the
# count of its values: a submission's values never change once loaded); with the names the pages quote.
SUBMISSION_DIGESTS_SQL = """
with results as (select submission_id, count(*) as n, sum(hash(r)) as h from dq.check_results r group by 1),
flags as (select submission_id, count(*) as n, sum(hash(f)) as h from dq.flagged_values f group by 1),
held as (select submission_id, count(*) as n, sum(hash(q)) as h from audit.quarantine q group by 1),
counted as (select submission_id, count(*) as n from raw.indicator_values group by 1)
select s.submission_id,
       concat_ws('|', results.n, results.h, flags.n, flags.h, held.n, held.h, counted.n) as digest
from audit.submissions s
left join results using (submission_id)
left join flags using (submission_id)
left join held using (submission_id)
left join counted using (submission_id)
"""
PAGES_RECORD = ".pages.json"  # per page file: the fingerprint it was written from and its index row

PAGE_TEMPLATE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>Chất lượng số liệu – {{ agency_name }} – {{ year_text }}</title>
<style>{{ css }}</style></head><body>
<p><a href="index.html">← Danh sách đơn vị</a></p>
<h1>Kết quả kiểm tra số liệu: {{ agency_name }}, {{ year_text }}</h1>
<p class="meta">{% if run_ids %}Lần kiểm tra {{ run_ids }} lúc {{ checked_at }} (giờ UTC).
{%- else %}Chưa có tệp nào được kiểm tra.{% endif %}</p>
<div class="cards">
  <div class="card ok"><b>{{ passed }}</b> kiểm tra đạt</div>
  <div class="card warn"><b>{{ warnings }}</b> cảnh báo ({{ warning_values }} giá trị)</div>
  <div class="card err"><b>{{ errors }}</b> lỗi ({{ error_values }} giá trị)</div>
  <div class="card err"><b>{{ quarantined_total }}</b> ô không đọc được</div>
  <div class="card err"><b>{{ rejected|length }}</b> tệp bị từ chối</div>
</div>
{% for f in rejected %}<p class="rejected"><b>Tệp {{ f.file_name }} không được tiếp nhận.</b>
{{ f.message }}</p>{% endfor %}
<p>{% if errors %}<b>Cần sửa và gửi lại:</b> các giá trị có <span class="err">lỗi</span>
chưa được đưa vào báo cáo sơ kết/tổng kết.{% elif rejected %}<b>Cần gửi lại tệp:</b> không có số liệu nào của
tệp bị từ chối được đưa vào kho dữ liệu.{% elif quarantined_total %}<b>Cần kiểm tra:</b> các ô không đọc được
chưa được đưa vào kho dữ liệu.{% elif warnings %}Các giá trị có <span class="warn">cảnh báo</span>
vẫn được sử dụng nhưng cần đơn vị xác nhận.{% else %}Không phát hiện vấn đề.{% endif %}</p>
<h2>Tệp đã gửi</h2>
<table><tr><th>Tệp</th><th>Trạng thái</th><th>Số giá trị</th><th>Ô không đọc được</th><th>Ghi chú</th></tr>
{% for f in files %}<tr class="{{ f.css }}"><td>{{ f.file_name }}</td><td>{{ f.status }}</td>
<td>{{ f.n_values }}</td><td>{{ f.n_quarantined }}</td><td>{{ f.message }}</td></tr>{% endfor %}</table>
{% if missing %}<h2>Thiếu số liệu</h2>
<p>{{ text.completeness[1] }}</p>
<table><tr><th>Tệp</th><th>Chỉ tiêu còn thiếu</th></tr>
{% for m in missing %}<tr><td>{{ m.file_name }}</td><td>{{ m.missing_items }}</td></tr>{% endfor %}
</table>{% endif %}
{% if quarantined %}<h2>Các ô không đọc được{% if quarantined_more %} ({{ quarantined|length }} /
{{ quarantined_total }}){% endif %}</h2>
<p>Các ô này không được đưa vào kho dữ liệu. Sửa ô theo lý do ghi bên cạnh rồi gửi lại tệp.</p>
<table><tr><th>Tệp</th><th>Ô</th><th>Nội dung đã nhập</th><th>Lý do</th></tr>
{% for q in quarantined %}<tr class="error"><td>{{ q.file_name }}</td><td class="cell">{{ q.cell_ref }}</td>
<td>{{ q.raw_value }}</td><td>{{ q.reason_vi }}</td></tr>{% endfor %}</table>
{% if quarantined_more %}<p>… và {{ quarantined_more }} ô khác (xem bảng audit.quarantine).</p>{% endif %}
{% endif %}
{% if problems %}<h2>Các ô cần xem xét{% if more %} ({{ shown }} / {{ total }}){% endif %}</h2>
<table><tr><th>Mức</th><th>Tệp</th><th>Ô</th><th>Chỉ tiêu</th><th>Địa bàn</th><th>Năm</th><th>Vấn đề</th>
<th>Cách sửa</th></tr>
{% for p in problems %}<tr class="{{ p.severity }}"><td>{{ p.severity_vi }}</td><td>{{ p.file_name }}</td>
<td class="cell">{{ p.cells }}</td><td>{{ p.indicator_vi }}</td><td>{{ p.locality_vi }}</td>
<td>{{ p.year }}</td>
<td>{% for i in p.issues %}<p><b>{{ i.severity_vi }} – {{ i.title }}</b>: {{ i.detail }}</p>{% endfor %}</td>
<td>{% for f in p.fixes %}<p>{{ f }}</p>{% endfor %}</td></tr>{% endfor %}</table>
{% if more %}<p>… và {{ more }} ô khác có vấn đề (xem bảng dq.flagged_values).</p>{% endif %}{% endif %}
{% if checks %}<h2>Các kiểm tra đã chạy</h2>
<table><tr><th>Kiểm tra</th><th>Mức</th><th>Số giá trị đã kiểm tra</th><th>Không đạt</th></tr>
{% for c in checks %}<tr class="{{ c.css }}"><td>{{ c.title }} <small>({{ c.check_name }})</small></td>
<td>{{ c.severity_vi }}</td><td>{{ c.element_count }}</td><td>{{ c.unexpected_count }}</td></tr>{% endfor %}
</table>{% endif %}</body></html>
"""

INDEX_TEMPLATE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>Chất lượng số liệu – Chương trình hành động vì trẻ em</title>
<style>{{ css }}</style></head><body>
<h1>Chất lượng số liệu báo cáo của các đơn vị</h1>
<p class="meta">Cập nhật {{ generated }}. Đơn vị có lỗi đứng trước.{% if data_docs %} Chi tiết kỹ thuật:
<a href="{{ data_docs }}">Great Expectations Data Docs</a>.{% endif %}</p>
<p><label>Lọc: <input id="filter" type="search" placeholder="tên đơn vị hoặc năm"></label>
<label><input id="only-problems" type="checkbox"> Chỉ hiện đơn vị cần xử lý</label></p>
<table id="units"><thead><tr><th>Đơn vị</th><th>Năm</th><th>Số tệp</th><th>Tệp bị từ chối</th>
<th>Ô không đọc được</th><th>Kiểm tra đạt</th><th>Cảnh báo</th><th>Lỗi</th><th></th></tr>
<tr class="total"><td>Tổng cộng ({{ rows|length }} trang)</td><td></td><td>{{ totals.files }}</td>
<td>{{ totals.rejected }}</td><td>{{ totals.quarantined }}</td><td>{{ totals.passed }}</td>
<td>{{ totals.warnings }}</td><td>{{ totals.errors }}</td><td></td></tr></thead><tbody>
{% for r in rows %}<tr class="{{ r.css }}" data-problem="{{ 1 if r.css == 'error' else 0 }}">
<td>{{ r.agency_name }}</td><td>{{ r.year }}</td><td>{{ r.files }}</td><td>{{ r.rejected }}</td>
<td>{{ r.quarantined }}</td><td>{{ r.passed }}</td><td>{{ r.warnings }}</td><td>{{ r.errors }}</td>
<td><a href="{{ r.href }}">Xem chi tiết</a></td></tr>{% endfor %}</tbody></table>
<script>
(function () {
  var box = document.getElementById("filter"), only = document.getElementById("only-problems");
  function apply() {
    var words = box.value.toLowerCase().normalize("NFC").split(/\\s+/).filter(Boolean);
    document.querySelectorAll("#units tbody tr").forEach(function (tr) {
      var text = tr.textContent.toLowerCase().normalize("NFC");
      var show = words.every(function (w) { return text.indexOf(w) >= 0; });
      if (only.checked && tr.dataset.problem !== "1") show = false;
      tr.style.display = show ? "" : "none";
    });
  }
  box.addEventListener("input", apply);
  only.addEventListener("change", apply);
})();
</script>
</body></html>
"""

CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}
.cards{display:flex;gap:1em}.card{padding:.8em 1.2em;border-radius:6px}.card b{font-size:1.6em}
.ok{background:#e8f5e9}.warn{background:#fff8e1}.err{background:#ffebee}tr.error td{background:#ffebee}
tr.warning td{background:#fff8e1}.cell{font-weight:600;white-space:nowrap}.meta{color:#666}
tr.total td{font-weight:600;background:#f3f3f3}.rejected{background:#ffebee;padding:.6em}"""


@dataclass
class ReportPaths:
    index: Path
    pages: list[Path] = field(default_factory=list)
    data_docs: Path | None = None


def family_of(check_name: str) -> str:
    """`value_range:percent` -> `value_range`."""
    return check_name.split(":", 1)[0]


def page_name(agency_id: str, year) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", str(agency_id or "unknown")).strip("-") or "unknown"
    return f"{slug}_{year}.html"


def write_reports(
    con: duckdb.DuckDBPyConnection, out_dir: Path | str, config: dict | None = None
) -> ReportPaths:
    """Write `<agency>_<year>.html` for every agency × year with submissions, and `index.html`.

    A file whose agency or year could not be identified (a corrupt or foreign file) gets a page of its own,
    named after the file, saying why it was refused. Quarantined cells are listed on their page.
    """
    from jinja2 import Environment

    config = config or load_config()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = Environment(autoescape=True)
    page, index = env.from_string(PAGE_TEMPLATE), env.from_string(INDEX_TEMPLATE)
    top = int(config.get("report", {}).get("top_problems", 50))

    submissions = con.execute(f"select * from {CURRENT_SUBMISSIONS} as current").df()
    pages = submissions.assign(_page=_page_key(submissions)).groupby(
        ["agency_id", "year", "_page"], dropna=False, sort=True
    )
    # A page whose fingerprint is the one it was written from is left as it is (a new year rewrites its own
    # pages, not the other ~3,000 of a national warehouse); its index row is the recorded one.
    recorded = read_record(out_dir / PAGES_RECORD)
    base = _base_digest(con, top)
    digests = dict(con.execute(SUBMISSION_DIGESTS_SQL).fetchall())
    record: dict[str, dict] = {}
    paths = ReportPaths(index=out_dir / "index.html")
    todo, rows = [], []
    for (agency_id, year, _), subs in pages:
        target = out_dir / _page_file(agency_id, year, subs)
        fingerprint = _page_fingerprint(base, subs, digests)
        paths.pages.append(target)
        kept = recorded.get(target.name)
        if kept and kept.get("fingerprint") == fingerprint and target.exists():
            record[target.name] = kept
            rows.append(kept["row"])
        else:
            todo.append((len(rows), agency_id, year, subs, target, fingerprint))
            rows.append(None)  # its row once written: the index keeps the pages' order as its sort's tiebreak
    ids = [sid for *_, subs, _, _ in todo for sid in subs["submission_id"]]
    results = con.execute(
        "select * from dq.check_results where submission_id in (select unnest(?))", [ids]
    ).df()
    flags = con.execute(FLAGS_SQL, {"ids": ids}).df()
    quarantine = con.execute(
        "select submission_id, sheet, cell, raw_value, reason_vi from audit.quarantine "
        "where submission_id in (select unnest(?)) order by submission_id, sheet, length(cell), cell",
        [ids],
    ).df()
    counts = dict(
        con.execute(
            "select submission_id, count(*) from raw.indicator_values "
            "where submission_id in (select unnest(?)) group by 1",
            [ids],
        ).fetchall()
    )
    held = quarantine["submission_id"].value_counts().to_dict()
    agencies = _agency_names(con)
    order = {family: i for i, family in enumerate(CHECK_FAMILIES)}

    for at, agency_id, year, subs, target, fingerprint in todo:
        ids = set(subs["submission_id"])
        mine = results[results["submission_id"].isin(ids)]
        my_flags = flags[flags["submission_id"].isin(ids)].copy()
        failed = mine[~mine["success"]]
        passed = int((mine["success"] & (mine["element_count"] > 0)).sum())
        errors = int((failed["severity"] == "error").sum())
        warnings = int((failed["severity"] == "warning").sum())
        file_of = dict(zip(subs["submission_id"], subs["file_name"], strict=True))
        rejected = subs[subs["status"] == "rejected"].sort_values("file_name")
        my_quarantine = quarantine[quarantine["submission_id"].isin(ids)]

        my_flags["family"] = my_flags["check_name"].map(family_of)
        problems, n_problems = _problems(my_flags, order, top)
        missing = [
            {
                "file_name": file_of.get(r.submission_id, r.submission_id),
                "missing_items": ", ".join(json.loads(r.unexpected_sample)),
            }
            for r in failed[failed["check_name"] == "completeness"].itertuples(index=False)
            if isinstance(r.unexpected_sample, str)
        ]
        checks = (
            mine.groupby(["check_name", "severity"], as_index=False)
            .agg(element_count=("element_count", "sum"), unexpected_count=("unexpected_count", "sum"))
            .assign(rank=lambda d: d["check_name"].map(family_of).map(order))
            .sort_values(["rank", "check_name"])
        )
        known_agency = _known_agency(agency_id)
        if known_agency:
            name = agencies.get(agency_id, agency_id)
        else:
            name = "Tệp chưa xác định được đơn vị (" + ", ".join(sorted(subs["file_name"].astype(str))) + ")"
        year_value = "" if pd.isna(year) else int(year)
        year_text = f"năm {year_value}" if year_value != "" else "năm chưa xác định"
        html = page.render(
            css=CSS,
            agency_name=name,
            year_text=year_text,
            run_ids=", ".join(sorted(mine["run_id"].dropna().unique())),
            checked_at=str(mine["checked_at"].max()) if len(mine) else "",
            passed=passed,
            errors=errors,
            warnings=warnings,
            error_values=int((my_flags["severity"] == "error").sum()),
            warning_values=int((my_flags["severity"] == "warning").sum()),
            rejected=[
                {"file_name": r.file_name, "message": _text(r.message)}
                for r in rejected.itertuples(index=False)
            ],
            files=[
                {
                    "file_name": s.file_name,
                    "status": STATUS_VI.get(s.status, s.status),
                    "n_values": counts.get(s.submission_id, 0),
                    "n_quarantined": held.get(s.submission_id, 0),
                    "message": _text(s.message) if s.status != "loaded" else "",
                    "css": "error" if s.status == "rejected" else "",
                }
                for s in subs.sort_values("file_name").itertuples(index=False)
            ],
            quarantined=[
                {
                    "file_name": file_of.get(q.submission_id, q.submission_id),
                    "cell_ref": f"{q.sheet}!{q.cell}" if _text(q.sheet) else _text(q.cell),
                    "raw_value": _text(q.raw_value),
                    "reason_vi": _text(q.reason_vi),
                }
                for q in my_quarantine.head(top).itertuples(index=False)
            ],
            quarantined_total=len(my_quarantine),
            quarantined_more=max(0, len(my_quarantine) - top),
            missing=missing,
            problems=problems,
            total=n_problems,
            shown=len(problems),
            more=max(0, n_problems - len(problems)),
            text=CHECK_TEXT_VI,
            checks=[
                {
                    "check_name": c.check_name,
                    "title": CHECK_TEXT_VI.get(family_of(c.check_name), (c.check_name, ""))[0],
                    "severity_vi": SEVERITY_VI.get(c.severity, c.severity),
                    "element_count": int(c.element_count),
                    "unexpected_count": int(c.unexpected_count),
                    "css": "" if c.unexpected_count == 0 else c.severity,
                }
                for c in checks.itertuples(index=False)
            ],
        )
        target.write_text(html, encoding="utf-8")
        needs_action = bool(errors or len(rejected) or len(my_quarantine))
        row = {
            "agency_name": name,
            "year": year_value,
            "files": len(subs),
            "rejected": len(rejected),
            "quarantined": len(my_quarantine),
            "passed": passed,
            "warnings": warnings,
            "errors": errors,
            "href": target.name,
            "css": "error" if needs_action else ("warning" if warnings else ""),
        }
        rows[at] = row
        record[target.name] = {"fingerprint": fingerprint, "row": row}
    # worst first: errors, refused files, unreadable cells, warnings; then by name and year
    rows.sort(
        key=lambda r: (
            -r["errors"],
            -r["rejected"],
            -r["quarantined"],
            -r["warnings"],
            r["agency_name"],
            str(r["year"]),
        )
    )
    totals = {
        key: sum(r[key] for r in rows)
        for key in ("files", "rejected", "quarantined", "passed", "warnings", "errors")
    }
    docs = out_dir / "data_docs" / "index.html"
    write_record(out_dir / PAGES_RECORD, record)
    paths.index.write_text(
        index.render(
            css=CSS,
            rows=rows,
            totals=totals,
            generated=datetime.now().strftime("%d/%m/%Y %H:%M"),
            data_docs="data_docs/index.html" if docs.exists() else None,
        ),
        encoding="utf-8",
    )
    return paths


def _known_agency(agency_id) -> bool:
    return isinstance(agency_id, str) and bool(agency_id)


def _page_file(agency_id, year, subs: pd.DataFrame) -> str:
    """`<agency>_<year>.html`; a page of files whose agency is unknown is named after them."""
    year_value = "" if pd.isna(year) else int(year)
    if _known_agency(agency_id):
        return page_name(agency_id, year_value)
    return page_name("tep-" + "-".join(sorted(subs["file_name"].astype(str))), year_value)


def _base_digest(con: duckdb.DuckDBPyConnection, top: int) -> str:
    """What every page depends on: this module (templates, texts), the page's length, the names it quotes."""
    digest = hashlib.sha256(Path(__file__).read_bytes() + f"|top={top}".encode())
    for table in ("raw.agencies", "raw.indicators", "raw.localities"):
        try:
            digest.update(
                str(con.execute(f"select count(*), sum(hash(t)) from {table} t").fetchone()).encode()
            )
        except duckdb.Error:  # a warehouse without that table: its pages quote codes instead of names
            digest.update(f"{table}: none".encode())
    return digest.hexdigest()


def _page_fingerprint(base: str, subs: pd.DataFrame, digests: dict[str, str]) -> str:
    """The page's submissions as they stand (status, message, ...) and the digest of their rows."""
    ordered = subs.drop(columns="_page").sort_values("submission_id")
    digest = hashlib.sha256(base.encode())
    digest.update(ordered.to_json(orient="records", date_format="iso", default_handler=str).encode())
    for submission_id in ordered["submission_id"]:
        digest.update(f"|{submission_id}={digests.get(submission_id)}".encode())
    return digest.hexdigest()


def _page_key(submissions: pd.DataFrame) -> pd.Series:
    """Which page a submission belongs to: its agency × year, or, unidentified, a page of its own."""
    known = submissions["agency_id"].notna() & submissions["year"].notna()
    return submissions["submission_id"].where(~known, "")


def _text(value) -> str:
    """A cell of a frame as page text: missing values (None, NaN) are empty, never 'nan'."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _problems(flags: pd.DataFrame, order: dict[str, int], top: int) -> tuple[list[dict], int]:
    """One entry per flagged value (file x cell), worst first: a cell wrong three ways is one thing to fix."""
    if flags.empty:
        return [], 0
    grouped: dict[tuple, dict] = {}
    for r in flags.to_dict("records"):
        year = "" if pd.isna(r["year"]) else int(r["year"])
        cells = r["cells"] if isinstance(r["cells"], str) else ""
        key = (r["file_name"], cells, r["indicator_code"], r["locality_id"], year)
        rank = (int(r["severity"] != "error"), order.get(r["family"], len(order)), r["check_name"])
        entry = grouped.setdefault(
            key,
            {
                "file_name": r["file_name"],
                "cells": cells,
                "indicator_vi": r["indicator_vi"],
                "locality_vi": r["locality_vi"],
                "year": year,
                "issues": [],
                "fixes": [],
            },
        )
        title, fix = CHECK_TEXT_VI.get(r["family"], (r["check_name"], ""))
        entry["issues"].append(
            (
                rank,
                {
                    "severity_vi": SEVERITY_VI.get(r["severity"], r["severity"]),
                    "title": title,
                    "detail": r["detail"],
                },
            )
        )
        entry["fixes"].append((rank, fix, r["severity"]))
    problems = []
    for entry in grouped.values():
        entry["issues"].sort(key=lambda item: item[0])
        entry["fixes"].sort(key=lambda item: item[0])
        best = entry["issues"][0][0]
        entry["severity"] = entry["fixes"][0][2]
        entry["severity_vi"] = SEVERITY_VI.get(entry["severity"], entry["severity"])
        entry["sort"] = (best[0], -len(entry["issues"]), best[1], str(entry["file_name"]), entry["cells"])
        entry["issues"] = [issue for _, issue in entry["issues"]]
        entry["fixes"] = list(dict.fromkeys(fix for _, fix, _ in entry["fixes"] if fix))
        problems.append(entry)
    problems.sort(key=lambda e: e["sort"])
    return problems[:top], len(problems)


def _agency_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    try:
        rows = con.execute("select agency_id, any_value(name_vi) from raw.agencies group by 1").fetchall()
    except duckdb.Error:
        return {}
    return {agency: name for agency, name in rows if isinstance(name, str) and name}


def build_data_docs(con: duckdb.DuckDBPyConnection, out_dir: Path | str, config: dict | None = None) -> Path:
    """GX Data Docs of the row-level suite, one validation per loaded submission; returns the site's index.

    A file-mode GX project lives in `<out_dir>/gx` and renders into `<out_dir>/data_docs`. Both are rebuilt
    from scratch so the site shows the warehouse as it is, not every past run. The cross checks are not GX
    expectations and appear only in the Vietnamese pages.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from expectations.runner import _loaded_submissions, load_values
    from expectations.suites import build_gx_checks, build_suite, gx_frame

    config = config or load_config()
    out_dir = Path(out_dir).resolve()
    site_dir = out_dir / "data_docs"
    for stale in (out_dir / "gx", site_dir):
        shutil.rmtree(stale, ignore_errors=True)
    loaded = _loaded_submissions(con)
    values = load_values(con, loaded, set(loaded["submission_id"]))
    checks = build_gx_checks(config, con.execute("select * from raw.indicators").df())

    context = gx.get_context(mode="file", project_root_dir=str(out_dir))
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    for site in list(context.list_data_docs_sites()):
        context.delete_data_docs_site(site)
    context.add_data_docs_site(
        "treem",
        {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    batch_definition = (
        context.data_sources.add_pandas("treem")
        .add_dataframe_asset("indicator_values")
        .add_batch_definition_whole_dataframe("submission")
    )
    suite = context.suites.add(build_suite(checks, config["suites"]["gx"]))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name="indicator_values_by_submission", data=batch_definition, suite=suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name="treem_data_quality",
            validation_definitions=[validation],
            actions=[UpdateDataDocsAction(name="update_data_docs", site_names=["treem"])],
            result_format={"result_format": "SUMMARY"},
        )
    )
    frame = gx_frame(values)
    for submission_id, part in frame.groupby("submission_id", sort=True):
        checkpoint.run(
            batch_parameters={"dataframe": part},
            run_id=RunIdentifier(run_name=str(submission_id)),
        )
    context.build_data_docs(site_names=["treem"])
    return site_dir / "index.html"
