"""Agency reporting workbooks: the template agencies fill, and the ingest that lands what they send back.

Entry points: `write_template` (template.py), `ingest_paths` (loader.py), `IngestSummary` (summary.py).
"""

from ingest.workbook.loader import ingest_paths
from ingest.workbook.summary import FileResult, IngestSummary
from ingest.workbook.template import write_template

__all__ = ["FileResult", "IngestSummary", "ingest_paths", "write_template"]
