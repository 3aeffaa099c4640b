"""A hand-computed example portfolio. The expected figures in the tests were worked out by
hand from the rules of budget attribution, not by running the code.

Rates are set to round numbers: 1 USD = 0.5 EUR, 1 GBP = 2 EUR.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session

from tests import factories

# Short forms for the table below; test_gaps and test_matrix add a row or two with them too.


def _place(session, project, code=None, region=None, pct=None):
    factories.location(session, project, code, region=region, percentage=pct)


def _tag(session, project, code, significance, share=None):
    factories.objective_tag(session, project, code, significance=significance, budget_share=share)


def _theme(session, project, code, significance, share=None):
    factories.theme_tag(session, project, code, significance=significance, budget_share=share)


def build(session: Session) -> None:
    factories.currency(session, "USD", "0.5")
    factories.currency(session, "GBP", "2")
    cyb, fcac, ct = (factories.programme(session, c).id for c in ("CYB", "FCAC", "CT"))

    def project(code, amount, currency="EUR", status="active", programme=cyb, **values):
        return factories.project(
            session,
            code=code,
            budget_amount=Decimal(amount) if amount is not None else None,
            budget_currency=currency if amount is not None else None,
            status=status,
            programme_id=programme,
            **values,
        )

    p1 = project("P1", 100_000, start_date=date(2025, 1, 1), end_date=date(2026, 12, 31))
    _place(session, p1, "KE")
    _tag(session, p1, "4.1", 2)

    p2 = project("P2", 200_000, "USD")  # 100,000 EUR
    _place(session, p2, "KE", pct=60)
    _place(session, p2, "FR", pct=40)
    _tag(session, p2, "4.1", 2, share=70)
    _tag(session, p2, "5.2", 1)
    _theme(session, p2, "III", 1)

    p3 = project("P3", 50_000, "GBP")  # 100,000 EUR, no location: global
    _tag(session, p3, "1.1", 2)
    _tag(session, p3, "1.2", 2)
    _tag(session, p3, "4.2", 1)

    p4 = project("P4", 80_000, programme=fcac)
    _place(session, p4, region="AFR")
    _place(session, p4, "BR")
    _tag(session, p4, "1.3", 1)
    _tag(session, p4, "5.1", 1)

    p5 = project("P5", 60_000)
    _place(session, p5, "JP", pct=100)
    _tag(session, p5, "4.1", 2, share=0)
    _tag(session, p5, "4.2", 2, share=0)

    p6 = project("P6", 90_000, programme=fcac)
    _place(session, p6, "EG", pct=30)
    _place(session, p6, "MA", pct=70)
    _tag(session, p6, "5.3", 2, share=20)
    _tag(session, p6, "5.4", 1, share=30)

    p7 = project("P7", 1_000_000, status="completed")
    _place(session, p7, "KE")
    _tag(session, p7, "4.1", 2)

    p8 = project("P8", 500_000)  # active, unscreened, no tags
    _place(session, p8, "KE")

    p9 = project("P9", None)  # no budget
    _place(session, p9, "KE")
    _tag(session, p9, "1.1", 1)

    p10 = project("P10", 70_000, status="pipeline")
    _place(session, p10, "KE")
    _tag(session, p10, "1.1", 2)

    p11 = project("P11", 40_000)
    _place(session, p11, "KE")
    _tag(session, p11, "1.1", 2)
    _tag(session, p11, "1.4", 2, share=25)
    _tag(session, p11, "4.3", 1)

    p12 = project("P12", 30_000, programme=ct)
    _place(session, p12, "US")
    _theme(session, p12, "I", 2)
    session.flush()
