"""The adverse-event vocabulary: CTCAE v5.0 terms and respond's synonyms (RULES 4.4).

Adverse-event terms are a controlled vocabulary. The packaged table
``resources/ctcae/adverse-event-terms.csv`` lists every CTCAE v5.0 term under a
snake_case key (``"Palmar-plantar erythrodysesthesia syndrome"`` is
``palmar_plantar_erythrodysesthesia_syndrome``), the System Organ Class it is
listed under, the sorafenib toxicity rule that applies to it and the grades
CTCAE v5.0 defines for it (Myocardial infarction has no grade 1; Palmar-plantar
erythrodysesthesia syndrome stops at grade 3). Two kinds of extra rows follow
the CTCAE terms:

- synonyms of one CTCAE term (``hand_foot_skin_reaction`` stands for
  ``palmar_plantar_erythrodysesthesia_syndrome``), which carry that term's rule
  and grades;
- respond short names that name a rule only (``bleeding``, ``gi_perforation``),
  with no CTCAE term of their own and grades 1 to 5.

An unknown term is never mapped silently: :func:`lookup` answers ``None`` and
:func:`suggest` gives the closest known keys to show instead.

The table is read once, on first use, and checked as it is read: a malformed
table raises :class:`~respond.criteria.errors.CriteriaError` naming the file and
the line.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from enum import Enum
from functools import cache

from respond.assets import read_text
from respond.criteria.errors import CriteriaError

__all__ = ["AdverseEventTerm", "ToxicityRuleKey", "lookup", "suggest", "terms"]

_RESOURCE = ("ctcae", "adverse-event-terms.csv")
_SOURCE = "/".join(_RESOURCE)
_HEADER = ("term", "ctcae_term", "category", "rule", "grades", "synonym_of")
_KEY = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_CLOSE_MATCH_CUTOFF = 0.6
_CLOSE_SPELLING = 0.85
_GRADE_ITEM = re.compile(r"([1-5])(?:-([1-5]))?")


class ToxicityRuleKey(Enum):
    """The sorafenib toxicity rule an adverse-event term falls under (RULES 4.4)."""

    SKIN = "skin"
    """Hand-foot skin reaction and rash: the seed's Table 5."""
    SEVERE_CUTANEOUS_REACTION = "severe_cutaneous_reaction"
    """Stevens-Johnson syndrome, toxic epidermal necrolysis: stop when suspected."""
    BLEEDING = "bleeding"
    """Any CTCAE hemorrhage or bleeding term."""
    CARDIAC_ISCHEMIA = "cardiac_ischemia"
    """Myocardial infarction and cardiac chest pain."""
    HEART_FAILURE = "heart_failure"
    """Heart failure and left ventricular systolic dysfunction."""
    HYPERTENSION = "hypertension"
    """Systemic arterial hypertension."""
    GI_PERFORATION = "gi_perforation"
    """Perforation of the gastrointestinal tract."""
    QT_PROLONGATION = "qt_prolongation"
    """Corrected QT interval prolonged."""
    LABORATORY = "laboratory"
    """Asymptomatic laboratory abnormalities: review and monitor."""
    GENERIC = "generic"
    """Every other clinical event: respond's default rows."""


@dataclass(frozen=True, slots=True)
class AdverseEventTerm:
    """One row of the adverse-event vocabulary.

    Parameters
    ----------
    term
        The snake_case key, unique in the vocabulary.
    ctcae_term
        The official CTCAE v5.0 term as printed; for a synonym, the term it
        stands for; ``""`` for a respond short name that names a rule only.
    category
        The CTCAE System Organ Class the term is listed under, or
        ``"(respond synonym)"`` for a short name.
    rule
        The toxicity rule that applies.
    grades
        The grades CTCAE v5.0 defines for the term, ascending: ``(2, 3, 4, 5)``
        for Myocardial infarction, ``(1, 2, 3)`` for Palmar-plantar
        erythrodysesthesia syndrome. A synonym has its CTCAE term's grades; a
        respond short name has ``(1, 2, 3, 4, 5)``.
    synonym_of
        The key of the CTCAE term a synonym stands for; ``None`` for a CTCAE
        term and for a short name.
    """

    term: str
    ctcae_term: str
    category: str
    rule: ToxicityRuleKey
    grades: tuple[int, ...]
    synonym_of: str | None

    @property
    def canonical(self) -> str:
        """The key this row stands for: its CTCAE term's key, else its own.

        Returns
        -------
        str
            ``synonym_of`` for a synonym, ``term`` otherwise.
        """
        return self.synonym_of if self.synonym_of is not None else self.term

    @property
    def display(self) -> str:
        """A readable name for reports and messages.

        Returns
        -------
        str
            The CTCAE term for a CTCAE row; the key with spaces for a short
            name; for a synonym, the key with spaces followed by the CTCAE term
            in parentheses, e.g. ``"hand foot skin reaction (Palmar-plantar
            erythrodysesthesia syndrome)"``.
        """
        spoken = self.term.replace("_", " ")
        if not self.ctcae_term:
            return spoken
        if self.synonym_of is not None:
            return f"{spoken} ({self.ctcae_term})"
        return self.ctcae_term


def _fail(line: int, message: str) -> CriteriaError:
    return CriteriaError(f"{_SOURCE} line {line}: {message}")


def _grades(text: str, term: str, line: int) -> tuple[int, ...]:
    """Read a grades field: ``"5"``, ``"2-5"``, ``"1,3-5"`` or ``"1,2,3,5"``."""
    if not text.strip():
        raise _fail(line, f"{term!r} has no grades")
    found: list[int] = []
    for item in text.split(","):
        match = _GRADE_ITEM.fullmatch(item.strip())
        if match is None:
            msg = (
                f"{term!r} has the grades {text!r}: write grades 1 to 5 as a "
                'range or a list, e.g. "2-5" or "1,2,3,5"'
            )
            raise _fail(line, msg)
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if high < low or (found and low <= found[-1]):
            msg = f"{term!r} has the grades {text!r}, not distinct and ascending"
            raise _fail(line, msg)
        found.extend(range(low, high + 1))
    return tuple(found)


def _row(fields: list[str], line: int) -> AdverseEventTerm:
    if len(fields) != len(_HEADER):
        raise _fail(line, f"expected {len(_HEADER)} fields, found {len(fields)}")
    term, ctcae_term, category, rule_text, grades_text, synonym_of = fields
    if _KEY.fullmatch(term) is None:
        raise _fail(line, f"the key {term!r} is not snake_case")
    if not category:
        raise _fail(line, f"{term!r} has no category")
    try:
        rule = ToxicityRuleKey(rule_text)
    except ValueError:
        known = ", ".join(key.value for key in ToxicityRuleKey)
        msg = f"{term!r} has the unknown rule {rule_text!r} (known: {known})"
        raise _fail(line, msg) from None
    grades = _grades(grades_text, term, line)
    if synonym_of and not ctcae_term:
        raise _fail(line, f"the synonym {term!r} does not name its CTCAE term")
    return AdverseEventTerm(
        term, ctcae_term, category, rule, grades, synonym_of or None
    )


def _check_synonym(
    row: AdverseEventTerm, line: int, by_key: dict[str, AdverseEventTerm]
) -> None:
    target = by_key.get(row.canonical)
    if target is None or target.synonym_of is not None or not target.ctcae_term:
        raise _fail(
            line, f"{row.term!r} is a synonym of {row.canonical!r}, not a CTCAE term"
        )
    if (row.ctcae_term, row.category, row.rule, row.grades) != (
        target.ctcae_term,
        target.category,
        target.rule,
        target.grades,
    ):
        raise _fail(
            line,
            f"the synonym {row.term!r} must repeat the CTCAE term, category, "
            f"rule and grades of {target.term!r}",
        )


def _parse(text: str) -> tuple[AdverseEventTerm, ...]:
    """Read and check the vocabulary table's text."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(header) != _HEADER:
        raise _fail(1, f"the header must be {','.join(_HEADER)}")
    rows: list[tuple[AdverseEventTerm, int]] = []
    by_key: dict[str, AdverseEventTerm] = {}
    for fields in reader:
        line = reader.line_num
        if not fields:
            continue
        row = _row(fields, line)
        if row.term in by_key:
            raise _fail(line, f"the key {row.term!r} is listed twice")
        by_key[row.term] = row
        rows.append((row, line))
    for row, line in rows:
        if row.synonym_of is not None:
            _check_synonym(row, line, by_key)
    if not rows:
        raise _fail(1, "the table lists no term")
    return tuple(row for row, _ in rows)


@cache
def terms() -> tuple[AdverseEventTerm, ...]:
    """Return every row of the vocabulary, in file order.

    The packaged table is read and checked once; later calls return the same
    tuple.

    Returns
    -------
    tuple of AdverseEventTerm
        The CTCAE v5.0 terms, then respond's synonyms and short names.

    Raises
    ------
    CriteriaError
        If the table is missing or malformed: a row of the wrong length, a key
        that is not snake_case or is listed twice, an unknown rule key, grades
        that are empty, outside 1-5 or not ascending, or a synonym that does not
        point at a CTCAE term or does not repeat its term, category, rule and
        grades. The message names the file and the line.
    """
    try:
        text = read_text(*_RESOURCE)
    except (OSError, UnicodeDecodeError) as error:
        msg = f"{_SOURCE}: cannot read the adverse-event vocabulary ({error})"
        raise CriteriaError(msg) from error
    return _parse(text)


@cache
def _index() -> dict[str, AdverseEventTerm]:
    return {row.term: row for row in terms()}


def _normalise(term: str) -> str:
    return _NOT_ALNUM.sub("_", term.lower()).strip("_")


def lookup(term: str) -> AdverseEventTerm | None:
    """Return the vocabulary row for a key, or ``None`` if it is not known.

    Parameters
    ----------
    term
        A snake_case key. Only surrounding white space is ignored: the
        vocabulary's keys are snake_case, so ``"Hypertension"`` is not a key
        (use :func:`suggest` to find ``"hypertension"``).

    Returns
    -------
    AdverseEventTerm or None
        The row, or ``None`` for an unknown key.

    Examples
    --------
    >>> lookup("hand_foot_skin_reaction").canonical
    'palmar_plantar_erythrodysesthesia_syndrome'
    >>> lookup("Hypertension") is None
    True
    """
    return _index().get(term.strip())


def suggest(term: str, limit: int = 3) -> tuple[str, ...]:
    """Return the known keys closest to a term, closest first.

    The term is normalised as the keys are made (lower case, every run of other
    characters than letters and digits turned into one underscore), so an exact
    CTCAE name (``"Palmar-plantar erythrodysesthesia syndrome"``) is its key.
    The exact key comes first; when there is none, the keys spelt almost like
    the term (a :class:`difflib.SequenceMatcher` ratio of at least 0.85, e.g.
    ``hemoptysis`` for ``"hemoptisis"``), closest first. Then come the keys
    that contain the normalised term as a whole run of words (shortest first),
    then the other close spellings (:func:`difflib.get_close_matches`), those
    that share more whole words with the term first (``"upper gi hemorrhage"``
    finds ``upper_gastrointestinal_hemorrhage`` before ``uterine_hemorrhage``).

    Parameters
    ----------
    term
        What the user typed, in any case and spelling.
    limit
        The most keys to return.

    Returns
    -------
    tuple of str
        Distinct keys, at most ``limit``; empty if nothing is close.

    Examples
    --------
    >>> suggest("Hypertension")[0]
    'hypertension'
    >>> suggest("oesophageal haemorrhage")[0]
    'esophageal_hemorrhage'
    >>> "hand_foot_syndrome" in suggest("hand foot syndrom")
    True
    """
    wanted = _normalise(term)
    if limit <= 0 or not wanted:
        return ()
    keys = list(_index())
    close = difflib.get_close_matches(
        wanted, keys, n=len(keys), cutoff=_CLOSE_MATCH_CUTOFF
    )
    found: list[str] = []
    if wanted in _index():
        found.append(wanted)
    else:
        matcher = difflib.SequenceMatcher(b=wanted)
        for key in close:
            matcher.set_seq1(key)
            if matcher.ratio() >= _CLOSE_SPELLING:
                found.append(key)
    padded = f"_{wanted}_"
    runs = sorted(
        (key for key in keys if key != wanted and padded in f"_{key}_"), key=len
    )
    found.extend(key for key in runs if key not in found)
    words = set(wanted.split("_"))
    close.sort(key=lambda key: -len(words.intersection(key.split("_"))))
    found.extend(key for key in close if key not in found)
    return tuple(found[:limit])
