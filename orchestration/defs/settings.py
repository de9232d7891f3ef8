"""Settings Dagster fixes when the Definitions load: schedule crons, the inbox sensor's interval, and
whether the PostgreSQL deployment's assets are part of the Definitions.

Dagster stores a schedule's cron and a sensor's minimum interval in the definitions themselves, so these
few settings are read once, here, when `orchestration.definitions` is loaded (by `dagster dev`, the daemon,
the CLI). Everything else (the warehouse file, the inbox, PostgreSQL) is read when a run or a tick needs it,
through the resources.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class DefinitionSettings:
    consolidation_cron: str
    review_cron: str
    backup_cron: str
    inbox_interval_seconds: int
    deploy_postgres: bool = False

    @classmethod
    def from_environment(cls) -> DefinitionSettings:
        env = os.environ
        return cls(
            consolidation_cron=env.get("TREEM_CONSOLIDATION_CRON", "0 6 21 11 *"),
            review_cron=env.get("TREEM_REVIEW_CRON", "0 6 31 12 *"),
            backup_cron=env.get("TREEM_BACKUP_CRON", "0 2 * * *"),
            inbox_interval_seconds=int(env.get("TREEM_INBOX_INTERVAL", "60")),
            deploy_postgres=env.get("TREEM_DEPLOY_POSTGRES", "").lower() in ("1", "true", "yes"),
        )


SETTINGS = DefinitionSettings.from_environment()
