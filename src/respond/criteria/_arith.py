"""Exact threshold arithmetic shared by RECIST 1.1 and mRECIST (RULES 1.3, A7).

Every comparison is on :class:`~decimal.Decimal` values as recorded, rewritten
without division: ``S <= 0.7 B`` is ``10 S <= 7 B`` and ``S >= 1.2 N`` is
``10 (S - N) >= 2 N``.
"""

from __future__ import annotations

from decimal import Decimal

from respond.criteria.result import percent_change, round_display

ZERO = Decimal(0)
NODE_NORMAL_MM = Decimal(10)
TOO_SMALL_MM = Decimal(5)
RECIST_PD_MIN_INCREASE_MM = Decimal(5)


def meets_pd(current: Decimal, nadir: Decimal, min_increase_mm: Decimal) -> bool:
    """Whether ``current`` is progression from ``nadir``: +20 % and the minimum rise."""
    increase = current - nadir
    return increase > 0 and increase * 10 >= nadir * 2 and increase >= min_increase_mm


def meets_pr(current: Decimal, baseline: Decimal) -> bool:
    """Whether ``current`` is at least 30 % below ``baseline``."""
    return current * 10 <= baseline * 7


def mm(value: Decimal) -> str:
    """Format a length as recorded, e.g. ``52.0 mm``."""
    return f"{value} mm"


def pct(value: Decimal, reference: Decimal) -> str:
    """Format the change of ``value`` from ``reference``, e.g. ``-30.0 %``."""
    change = round_display(percent_change(value, reference))
    if change is None:
        return "n/a"
    sign = "+" if change > 0 else ""
    return f"{sign}{change} %"
