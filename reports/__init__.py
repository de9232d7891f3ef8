"""Sơ kết 2025 and tổng kết 2030 review reports (Excel + self-contained HTML) built from the marts."""

from reports.build import build_review_report

__all__ = ["build_review_report"]
