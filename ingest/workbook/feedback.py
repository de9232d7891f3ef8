"""The feedback workbook an agency gets back: what was not accepted, where, and what to do.

One file per submitted workbook with problems, `<file stem>.phan-hoi.xlsx`, entirely in Vietnamese, so the
agency can correct its own sheet and resend (the corrected file supersedes the earlier one).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from ingest.workbook.reasons import REASONS

HEADER = ["Trang tính", "Ô", "Giá trị trong ô", "Vấn đề", "Cách sửa"]


def feedback_path(feedback_dir: Path, file_name: str) -> Path:
    return Path(feedback_dir) / f"{Path(file_name).stem}.phan-hoi.xlsx"


def write_feedback(
    feedback_dir: Path,
    file_name: str,
    status: str,
    message: str,
    problems: list[dict],
) -> Path:
    """Write the feedback workbook; `problems` are quarantine rows (sheet, cell, raw_value, reason_*)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Phản hồi"
    ws.append([f"PHẢN HỒI VỀ TỆP BÁO CÁO: {file_name}"])
    ws["A1"].font = Font(bold=True, size=13)
    status_vi = {
        "loaded": "Đã tiếp nhận (một số ô chưa được ghi nhận)",
        "rejected": "Không tiếp nhận được tệp",
    }
    ws.append([f"Kết quả: {status_vi.get(status, status)}"])
    ws.append([message])
    ws.append([f"Số ô cần kiểm tra: {len(problems)}"])
    ws.append([])
    ws.append(HEADER)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FCE4D6")
    for p in problems:
        reason = REASONS.get(p["reason_code"])
        ws.append([p["sheet"], p["cell"], p["raw_value"], p["reason_vi"], reason.fix_vi if reason else ""])
    for letter, width in zip("ABCDE", (14, 8, 18, 60, 60), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=7):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = feedback_path(feedback_dir, file_name)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
