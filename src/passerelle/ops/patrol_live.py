"""Patrol changes on the node's live topic ``ops.patrols`` (control-room page, SSE).

Published at the origin node for every change it makes, and at each crew node
when its copy arrives, so the control room of every crew country sees a patrol
start and end at once. Log events (a check, an incident, a position) carry
their kind and outcome, never a check's subject. Publishing never fails the
change it reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog

from passerelle.ops.patrols import Patrol

if TYPE_CHECKING:
    from passerelle.node.context import NodeContext

TOPIC = "ops.patrols"
log = structlog.get_logger(__name__)


def patrol_summary(ctx: NodeContext, patrol: Patrol) -> dict[str, Any]:
    """The patrol as the control room lists it (``on_duty``: started, not over)."""
    runtime = ctx.patrols
    expires = patrol.expires_at(runtime.max_active)
    return {
        **patrol.to_wire(),
        "on_duty": patrol.status.value == "active" and not runtime.is_over(patrol),
        "expires_at": expires.isoformat() if expires else None,
    }


def publish(ctx: NodeContext, change: str, data: dict[str, Any]) -> None:
    try:
        ctx.live.publish(TOPIC, {"change": change, **data})
    except Exception as e:  # the change is saved; the page catches up on its next load
        log.warning("live_publish_failed", topic=TOPIC, error=type(e).__name__)


def publish_change(ctx: NodeContext, patrol: Patrol, change: str) -> None:
    """``change``: created, started, ended, crew_added, or copy_<status> at a crew node."""
    publish(ctx, change, {"patrol_id": patrol.patrol_id, "patrol": patrol_summary(ctx, patrol)})
