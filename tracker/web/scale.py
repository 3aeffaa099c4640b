"""The heatmap's colour scale: cividis, light for little and dark for much, in six steps."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from tracker.formats import Text
from tracker.locales import N_

# Sampled from cividis (colour-blind safe, and monotonic in lightness so it reads in greyscale).
STEPS = ("#fee838", "#c8b866", "#948e77", "#6a6c71", "#3b496c", "#00224e")
DARK_TEXT_STEPS = 3  # steps 1-3 take dark text, 4-6 white, for contrast of 4.5:1 or more


def _nice(value: Decimal) -> Decimal:
    """Round up to two significant figures, for a legend that reads well."""
    if value <= 0:
        return Decimal(0)
    digits = value.adjusted() - 1
    unit = Decimal(10) ** digits
    return (value / unit).to_integral_value(rounding="ROUND_CEILING") * unit


@dataclass(frozen=True)
class LegendEntry:
    step: int
    label: str
    colour: str


class ColourScale:
    """Counts split into equal ranges; money into sixths of the non-empty cells (quantiles), as a
    few large projects would otherwise leave every other cell in the lightest step."""

    def __init__(self, values, metric: str):
        self.metric = metric
        positive = sorted(Decimal(v) for v in values if v and v > 0)
        self.max = positive[-1] if positive else Decimal(0)
        if metric == "budget":
            n = len(positive)
            self.bounds = (
                sorted(
                    {
                        _nice(positive[min(n - 1, math.ceil(n * i / len(STEPS)) - 1)])
                        for i in range(1, len(STEPS) + 1)
                    }
                )
                if positive
                else [Decimal(0)]
            )
            self.bounds[-1] = max(self.bounds[-1], self.max)
        else:
            raw = [math.ceil(float(self.max) * i / len(STEPS)) for i in range(1, len(STEPS) + 1)]
            self.bounds = [Decimal(b) for b in sorted(set(raw))]

    def step(self, value) -> int:
        """0 for nothing, else 1 (least) to 6 (most)."""
        value = Decimal(value)
        if value <= 0 or self.max <= 0:
            return 0
        for index, bound in enumerate(self.bounds, start=1):
            if value <= bound:
                # Spread fewer (integer) bounds over the six colours.
                return max(1, round(index * len(STEPS) / len(self.bounds)))
        return len(STEPS)

    @property
    def legend(self) -> list[LegendEntry]:
        entries = [LegendEntry(0, Text(N_("None")), "#ffffff")]
        low = Decimal(0)
        for index, bound in enumerate(self.bounds, start=1):
            step = max(1, round(index * len(STEPS) / len(self.bounds)))
            if self.metric == "budget":
                label = ""  # the template writes "up to" the amount, in the reporting currency
            else:
                first = int(low) + 1
                last = int(bound)
                label = (
                    Text("%(num)s", num=first)
                    if first == last
                    else Text(N_("%(first)s–%(last)s"), first=first, last=last)
                )
            entries.append(LegendEntry(step, label, STEPS[step - 1]))
            low = bound
        return entries
