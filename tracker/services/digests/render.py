"""A digest as an email: subject, plain text and HTML (inline styles, no script)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tracker.config import PROJECT_ROOT
from tracker.services.digests.content import Digest

_env = Environment(
    loader=FileSystemLoader(PROJECT_ROOT / "templates" / "email"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

# The heatmap's cividis steps, as inline styles (email clients ignore stylesheets).
CELL_STYLES = (
    "background:#ffffff;color:#1b1f24",
    "background:#fee838;color:#1b1f24",
    "background:#c8b866;color:#1b1f24",
    "background:#948e77;color:#1b1f24",
    "background:#6a6c71;color:#ffffff",
    "background:#3b496c;color:#ffffff",
    "background:#00224e;color:#ffffff",
)


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str


def _step(value: int, top: int) -> int:
    if value <= 0 or top <= 0:
        return 0
    return max(1, min(6, -(-value * 6 // top)))


def render_digest(
    *, digest: Digest, recipient_name: str, base_url: str, unsubscribe_url: str, frequency: str
) -> RenderedDigest:
    base = base_url.rstrip("/")
    scope_query = urlencode(
        [("programme", p) for p in digest.scope.programmes]
        + ([("region", digest.scope.region)] if digest.scope.region else []),
    )
    links = {
        "app": f"{base}/",
        "heatmap": f"{base}/heatmap" + (f"?{scope_query}" if scope_query else ""),
        "gaps": f"{base}/gaps" + (f"?{scope_query}" if scope_query else ""),
        "projects": f"{base}/projects",
        "digests": f"{base}/digests",
        "unsubscribe": unsubscribe_url,
    }
    matrix = digest.heatmap
    top = (
        max((matrix.cell(r, c).projects for r in matrix.rows for c in matrix.columns), default=0)
        if matrix
        else 0
    )
    end = digest.period_end
    period = f"{digest.period_start:%-d %b} to {end:%-d %b %Y}"
    adjective = {"daily": "Daily", "weekly": "Weekly", "monthly": "Monthly"}[frequency]
    subject = f"{adjective} portfolio digest, {end:%-d %b %Y}: " + (
        "no changes"
        if digest.quiet
        else f"{digest.figures[3].value} gaps, {digest.figures[0].value} active projects"
    )
    context = {
        "d": digest,
        "name": recipient_name,
        "period": period,
        "links": links,
        "matrix": matrix,
        "cell_style": lambda value: CELL_STYLES[_step(value, top)],
        "subject": subject,
    }
    return RenderedDigest(
        subject=subject,
        text=_env.get_template("digest.txt").render(**context),
        html=_env.get_template("digest.html").render(**context),
    )
