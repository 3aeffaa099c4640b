"""A deterministic, realistic demo portfolio."""

from tracker.services.demo.generator import (
    DEMO_GAP_OBJECTIVES,
    DEMO_GAP_REGION,
    seed_demo_portfolio,
)

__all__ = ["DEMO_GAP_OBJECTIVES", "DEMO_GAP_REGION", "seed_demo_portfolio"]
