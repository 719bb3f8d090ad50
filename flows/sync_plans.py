"""Flow: bring the store in line with plan_definitions/ and publish what changed."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from tasks.plan_tasks import sync_plan_definitions


def sync_markdown(report) -> str:
    lines = ["# Đồng bộ kế hoạch / Plan sync", "", "| loại / kind | thêm / added | sửa / changed | ngừng / retired |", "|---|---:|---:|---:|"]
    lines += [f"| {kind} | {added} | {changed} | {retired} |" for kind, added, changed, retired in report.summary()]
    if report.is_empty:
        lines += ["", "Không có thay đổi. / Nothing changed."]
    return "\n".join(lines)


@flow(name="sync-plans", log_prints=True)
def sync_plans(definitions: list[str] = ["plan_definitions"], database_url: str | None = None) -> dict:
    """Validate and load the plan definitions into the store (idempotent)."""
    report = sync_plan_definitions(definitions, database_url)
    create_markdown_artifact(key="plan-sync", markdown=sync_markdown(report), description="Plan definitions synced")
    return {kind: {"added": a, "changed": c, "retired": r} for kind, a, c, r in report.summary()}


if __name__ == "__main__":
    sync_plans()
