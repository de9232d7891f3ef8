"""What an ingest run did, per file and in total, with accounting that must add up.

The invariants are checked with real exceptions (`AccountingError`), not `assert`: they must hold under
`python -O` too, and a broken count is a bug to stop on, not a file to load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.workbook.parse import AccountingError

COUNTS = (
    "cells_read",
    "cells_label",
    "cells_loaded",
    "cells_not_reported",
    "cells_quarantined",
    "values_loaded",
    "task_reports_loaded",
)


@dataclass
class FileResult:
    path: Path
    sha256: str
    status: str = "pending"  # loaded | duplicate | rejected
    submission_id: str | None = None
    duplicate_of: str | None = None  # file name of the earlier file with the same content
    vanished: list[str] = field(default_factory=list)  # values of superseded files this file lacks
    reason_code: str | None = None
    message: str | None = None
    superseded: list[str] = field(default_factory=list)
    feedback_path: Path | None = None  # a refused file's; a loaded file's is written after validation
    rows_read: int = 0
    cells_read: int = 0
    cells_label: int = 0
    cells_loaded: int = 0
    cells_not_reported: int = 0
    cells_quarantined: int = 0
    values_loaded: int = 0
    task_reports_loaded: int = 0  # rows of raw.task_reports (task sheet); their cells are in cells_loaded

    def take_counts(self, parsed, loaded: bool = True) -> None:
        """Counts of a parsed file; a file read but rejected as a whole keeps its cells (none loaded)."""
        self.rows_read = parsed.rows_read
        self.cells_read = parsed.cells_read
        self.cells_label = parsed.cells_label
        self.cells_loaded = parsed.cells_loaded
        self.cells_not_reported = parsed.cells_not_reported
        self.cells_quarantined = parsed.cells_quarantined
        self.values_loaded = len(parsed.values) if loaded else 0
        self.task_reports_loaded = len(parsed.task_reports) if loaded else 0

    def check(self) -> None:
        parts = self.cells_label + self.cells_loaded + self.cells_not_reported + self.cells_quarantined
        if self.cells_read != parts:
            raise AccountingError(f"{self.path.name}: cells read {self.cells_read} != {parts}")
        if self.values_loaded + self.task_reports_loaded > self.cells_loaded:
            raise AccountingError(f"{self.path.name}: more values than loaded cells")

    def line(self) -> str:
        name = self.path.name
        if self.status == "duplicate":
            return f"{name}: duplicate of {self.duplicate_of}, skipped"
        if self.status == "rejected":
            return f"{name}: rejected ({self.reason_code}): {self.message}"
        extra = f", superseded {len(self.superseded)}" if self.superseded else ""
        if self.vanished:
            shown = ", ".join(self.vanished[:5]) + (", …" if len(self.vanished) > 5 else "")
            extra += f"; {len(self.vanished)} earlier values not in this file: {shown}"
        if self.task_reports_loaded:
            extra = f", {self.task_reports_loaded} task reports" + extra
        return (
            f"{name}: loaded {self.values_loaded} values from {self.cells_read} cells, "
            f"{self.cells_quarantined} quarantined{extra}"
        )


@dataclass
class IngestSummary:
    results: list[FileResult] = field(default_factory=list)
    # submission_id -> received_at as recorded in the warehouse (`inbox.recorded_arrivals`), for the
    # submissions this run made a row for
    recorded_at: dict[str, str] = field(default_factory=dict)

    def add(self, result: FileResult) -> None:
        result.check()
        self.results.append(result)

    def _count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def files(self) -> int:
        return len(self.results)

    @property
    def loaded(self) -> int:
        return self._count("loaded")

    @property
    def duplicates(self) -> int:
        return self._count("duplicate")

    @property
    def rejected(self) -> int:
        return self._count("rejected")

    @property
    def superseded(self) -> int:
        return sum(len(r.superseded) for r in self.results)

    def total(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.results)

    @property
    def cells_read(self) -> int:
        return self.total("cells_read")

    @property
    def values_loaded(self) -> int:
        return self.total("values_loaded")

    @property
    def quarantined(self) -> int:
        return self.total("cells_quarantined")

    def check(self) -> None:
        if self.files != self.loaded + self.duplicates + self.rejected:
            raise AccountingError("file statuses do not add up")
        for r in self.results:
            r.check()
        parts = sum(
            self.total(n) for n in ("cells_label", "cells_loaded", "cells_not_reported", "cells_quarantined")
        )
        if self.cells_read != parts:
            raise AccountingError("cell accounting does not add up")

    def as_dict(self) -> dict[str, int]:
        out = {
            "files": self.files,
            "loaded": self.loaded,
            "duplicates": self.duplicates,
            "superseded": self.superseded,
            "rejected": self.rejected,
        }
        out.update({name: self.total(name) for name in COUNTS})
        return out

    def as_metadata(self) -> dict[str, int]:
        """Plain ints for Dagster materialisation metadata."""
        return self.as_dict()

    def format_vi(self) -> str:
        labels = {
            "files": "Số tệp",
            "loaded": "Đã nạp",
            "duplicates": "Trùng (bỏ qua)",
            "superseded": "Bản cũ bị thay thế",
            "rejected": "Bị từ chối",
            "cells_read": "Ô đã đọc",
            "cells_label": "  trong đó ô nhãn (STT, mã, tên)",
            "cells_loaded": "  ô số liệu đã nạp",
            "cells_not_reported": "  ô ghi 'không có số liệu'",
            "cells_quarantined": "  ô cách ly",
            "values_loaded": "Giá trị đã nạp",
            "task_reports_loaded": "Báo cáo nhiệm vụ đã nạp",
        }
        data = self.as_dict()
        width = max(len(v) for v in labels.values())
        return "\n".join(f"{labels[k]:<{width}}  {data[k]:>8}" for k in labels)
