"""What the department gets from a book's rows: the ranked opportunity list, totals by
segment, country and product in USD, and the coverage plan (docs/portfolio.md, "What the
department gets").

**Ranking.** By the client's benefit per year in USD (`rank_by="client_benefit"`, the
default: "which groups would gain most"), then by the bank-side value, then by the case's
name. The bank-side value is shown beside it and is often negative: netting a client's
credit against its own overdrafts at the same bank gives up the bank's margin on both,
while what the bank gains in return (fees aside) is not in the figure: capital relief on the
gross overdrafts, balances drawn from other banks only where the structure moves them, the
relationship. `rank_by="bank_value"` ranks by the bank's value first. Only cases with a
recommended solution are opportunities.

**Totals** are exact sums of the rows' Decimals (USD at the stated reference rates), so the
segments' totals and the countries' totals each add up to the book's. A client's benefit
counts under each product of its bundle: the products' totals overlap and do not add up to
the book's (a client taking three products is one client of each).

**The coverage plan** follows DESIGN.md's coverage model (the source article: Bank of
America's staffing ratios, `/work/shared/reference/cash-management-article-zh.txt`): a
large client is served by a face-to-face team of relationship manager, cash-management
product specialist and credit product specialist, 1 : 1 : 1; mid-sized clients 2-3 : 1 : 1;
small and mid-sized businesses by a face-to-face team 10 : 1 : 1 or a telephone team
25-30 : 1 : 1; micro businesses by online banking and branches, with no RM or specialist.
The ratios are between the team's members (so many RMs to one specialist of each kind). How
many clients one RM carries the source does not say: that is the bank's own figure, an option
of `Capacity`, whose defaults are assumptions stated as such. Head counts round up
(`heads`): a team needs a whole person for any part of one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import attrs

from cashmgmt.cycle.assess import COVERAGE, Segment
from cashmgmt.errors import Problem
from cashmgmt.money import HALF_AWAY_FROM_ZERO
from cashmgmt.portfolio.rows import CaseRow

SEGMENTS: tuple[Segment, ...] = ("large", "mid", "small-mid", "micro")

#: The coverage teams: the segment each serves and its channel (DESIGN.md).
TEAMS: tuple[tuple[str, Segment, str], ...] = (
    ("large", "large", "face-to-face team"),
    ("mid", "mid", "face-to-face"),
    ("small-mid face-to-face", "small-mid", "face-to-face"),
    ("small-mid telephone", "small-mid", "telephone"),
)
#: Each team's ratio RM : cash-management specialist : credit specialist, as the source
#: states it (DESIGN.md).
TEAM_RATIOS: Mapping[str, str] = {
    "large": "1 : 1 : 1",
    "mid": "2-3 : 1 : 1",
    "small-mid face-to-face": "10 : 1 : 1",
    "small-mid telephone": "25-30 : 1 : 1",
}

RankBy = Literal["bank_value", "client_benefit"]


def heads(workload: Decimal | int, per_head: Decimal | int) -> int:
    """The head count rule: `workload / per_head` people, rounded UP to a whole person (a
    part of someone's capacity still needs someone), computed exactly: heads(10, 3) = 4,
    heads(9, 3) = 3, heads(0, 3) = 0, heads(5, Decimal("2.5")) = 2."""
    if per_head <= 0:
        raise ValueError("a capacity per head must be above zero")
    if workload < 0:
        raise ValueError("a workload cannot be negative")
    share = Fraction(workload) / Fraction(per_head)
    return -(-share.numerator // share.denominator)


def _positive(_: object, attribute: attrs.Attribute[Any], value: Mapping[str, Decimal]) -> None:
    missing = [team for team, _segment, _channel in TEAMS if team not in value]
    if missing:
        raise ValueError(f"{attribute.name}: no figure for {', '.join(missing)}")
    for team, figure in value.items():
        if not Decimal(figure) > 0:
            raise ValueError(f"{attribute.name}[{team}] must be above zero, got {figure}")


def _share(_: object, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    if not Decimal(0) <= value <= Decimal(1):
        raise ValueError(f"{attribute.name} must lie between 0 and 1, got {value}")


#: Clients one relationship manager carries, per team. ASSUMPTIONS of this library, not from
#: the source (which gives the team's make-up only): a large group takes a share of a senior
#: RM's year, a telephone RM carries many small businesses. Set the bank's own.
DEFAULT_CLIENTS_PER_RM: Mapping[str, Decimal] = {
    "large": Decimal(3),
    "mid": Decimal(10),
    "small-mid face-to-face": Decimal(30),
    "small-mid telephone": Decimal(100),
}

#: RMs per cash-management (and per credit) product specialist, from the source's ratios
#: RM : cash specialist : credit specialist (DESIGN.md): large 1 : 1 : 1, mid 2-3 : 1 : 1,
#: small-mid face-to-face 10 : 1 : 1, telephone 25-30 : 1 : 1. Where the source gives a range
#: the default takes its lower end (more specialists: the plan never understaffs).
DEFAULT_RMS_PER_SPECIALIST: Mapping[str, Decimal] = {
    "large": Decimal(1),
    "mid": Decimal(2),
    "small-mid face-to-face": Decimal(10),
    "small-mid telephone": Decimal(25),
}


def _over(
    defaults: Mapping[str, Decimal], given: Mapping[str, Decimal | int | str]
) -> Mapping[str, Decimal]:
    """The given figures per team over `defaults` (a partial mapping keeps the other teams'
    defaults), each as an exact Decimal; an unknown team is refused."""
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        known = ", ".join(defaults)
        raise ValueError(f"unknown team {', '.join(unknown)}; expected one of {known}")
    return {team: Decimal(str(given.get(team, value))) for team, value in defaults.items()}


def _clients_per_rm(given: Mapping[str, Decimal | int | str]) -> Mapping[str, Decimal]:
    return _over(DEFAULT_CLIENTS_PER_RM, given)


def _rms_per_specialist(given: Mapping[str, Decimal | int | str]) -> Mapping[str, Decimal]:
    return _over(DEFAULT_RMS_PER_SPECIALIST, given)


def _decimal(value: Decimal | int | str) -> Decimal:
    return Decimal(str(value))


@attrs.frozen
class Capacity:
    """The coverage plan's capacity assumptions (the options of `summarise`).

    - `clients_per_rm`: clients one RM carries, per team (DEFAULT_CLIENTS_PER_RM, assumed);
    - `rms_per_cash_specialist`, `rms_per_credit_specialist`: RMs per product specialist,
      per team (DEFAULT_RMS_PER_SPECIALIST, from the source's ratios);
    - `telephone_share`: the share of small and mid-sized clients the telephone team serves
      (the rest face-to-face); default one half, an assumption (the source has both teams
      serve the segment together). The telephone team's clients are the segment's clients
      times the share, rounded half away from zero.
    """

    clients_per_rm: Mapping[str, Decimal] = attrs.field(
        default=DEFAULT_CLIENTS_PER_RM, converter=_clients_per_rm, validator=_positive
    )
    rms_per_cash_specialist: Mapping[str, Decimal] = attrs.field(
        default=DEFAULT_RMS_PER_SPECIALIST,
        converter=_rms_per_specialist,
        validator=_positive,
    )
    rms_per_credit_specialist: Mapping[str, Decimal] = attrs.field(
        default=DEFAULT_RMS_PER_SPECIALIST,
        converter=_rms_per_specialist,
        validator=_positive,
    )
    telephone_share: Decimal = attrs.field(
        default=Decimal("0.5"), converter=_decimal, validator=_share
    )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: figures as decimal strings."""
        return {
            "clients_per_rm": {k: str(v) for k, v in self.clients_per_rm.items()},
            "rms_per_cash_specialist": {k: str(v) for k, v in self.rms_per_cash_specialist.items()},
            "rms_per_credit_specialist": {
                k: str(v) for k, v in self.rms_per_credit_specialist.items()
            },
            "telephone_share": str(self.telephone_share),
        }


@attrs.frozen
class Team:
    """One coverage team's staffing for its clients."""

    team: str  # a key of TEAMS
    channel: str
    clients: int
    relationship_managers: int
    cash_specialists: int
    credit_specialists: int
    ratio: str = ""  # the source's ratio for the team (TEAM_RATIOS)

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class CoverageLine:
    """A segment's clients and the people its coverage model needs (its teams' sums)."""

    segment: Segment
    clients: int
    relationship_managers: int
    cash_specialists: int
    credit_specialists: int
    model: str  # the coverage ratio as DESIGN.md states it
    teams: tuple[Team, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's `coverage[]` entry."""
        return {
            "segment": self.segment,
            "clients": self.clients,
            "relationship_managers": self.relationship_managers,
            "cash_specialists": self.cash_specialists,
            "credit_specialists": self.credit_specialists,
            "model": self.model,
            "teams": [t.to_dict() for t in self.teams],
        }


@attrs.frozen
class Total:
    """Clients and their figures per year in USD under one key (a segment, a country, a
    product, or the whole book)."""

    key: str
    clients: int  # assessed clients (status ok)
    opportunities: int  # of which with a recommended solution
    client_benefit_usd: Decimal
    bank_value_usd: Decimal

    def to_dict(self, name: str) -> dict[str, Any]:
        return {
            name: self.key,
            "clients": self.clients,
            "opportunities": self.opportunities,
            "solution_benefit_annual_usd": str(self.client_benefit_usd),
            "bank_value_annual_usd": str(self.bank_value_usd),
        }


@attrs.frozen
class Opportunity:
    """A line of the ranked opportunity list."""

    rank: int
    case: str
    client: str
    segment: str
    country: str
    currency: str
    solution: tuple[str, ...]
    products: tuple[str, ...]
    client_benefit: Decimal  # per year, in the case's currency
    client_benefit_usd: Decimal
    bank_value_usd: Decimal
    approvals: tuple[str, ...]
    readiness: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "case": self.case,
            "client": self.client,
            "segment": self.segment,
            "country": self.country,
            "currency": self.currency,
            "solution": list(self.solution),
            "products": list(self.products),
            "solution_benefit_annual": str(self.client_benefit),
            "solution_benefit_annual_usd": str(self.client_benefit_usd),
            "bank_value_annual_usd": str(self.bank_value_usd),
            "approvals": list(self.approvals),
            "readiness": self.readiness,
        }


@attrs.frozen
class BookSummary:
    """A book at a glance for the department: see the module's docstring."""

    cases: int
    opportunities: tuple[Opportunity, ...]
    by_segment: tuple[Total, ...]
    by_country: tuple[Total, ...]
    by_product: tuple[Total, ...]
    book: Total
    coverage: tuple[CoverageLine, ...]
    problems: tuple[tuple[str, tuple[Problem, ...]], ...]  # (case, its located problems)
    capacity: Capacity
    rank_by: RankBy

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's `totals` (by `segment` and `country`, with `product` and the
        `book`), `coverage[]`, the ranked `opportunities[]` and the `capacity` assumed."""
        return {
            "totals": {
                "segment": [t.to_dict("segment") for t in self.by_segment],
                "country": [t.to_dict("country") for t in self.by_country],
                "product": [t.to_dict("product") for t in self.by_product],
                "book": self.book.to_dict("book"),
            },
            "coverage": [c.to_dict() for c in self.coverage],
            "coverage_totals": {
                "clients": sum(c.clients for c in self.coverage),
                "relationship_managers": sum(c.relationship_managers for c in self.coverage),
                "cash_specialists": sum(c.cash_specialists for c in self.coverage),
                "credit_specialists": sum(c.credit_specialists for c in self.coverage),
            },
            "opportunities": [o.to_dict() for o in self.opportunities],
            "rank_by": self.rank_by,
            "capacity": self.capacity.to_dict(),
        }


def summarise(
    rows: Iterable[CaseRow],
    *,
    capacity: Capacity = Capacity(),
    rank_by: RankBy = "client_benefit",
) -> BookSummary:
    """The department's view of a book's rows: ranked opportunities, totals and the coverage
    plan (the module's docstring says how each is made)."""
    if rank_by not in ("bank_value", "client_benefit"):
        raise ValueError(f"rank_by must be bank_value or client_benefit, got {rank_by!r}")
    every = list(rows)
    ok = [r for r in every if r.status == "ok"]
    problems = tuple(
        (r.case, r.problems) for r in sorted(every, key=lambda r: r.case) if r.status != "ok"
    )
    return BookSummary(
        cases=len(every),
        opportunities=rank(ok, rank_by),
        by_segment=_totals(ok, lambda r: [r.segment], order=SEGMENTS),
        by_country=_totals(ok, lambda r: [r.country]),
        by_product=_totals(ok, lambda r: list(dict.fromkeys(r.products))),
        book=_total("book", ok),
        coverage=coverage_plan(ok, capacity),
        problems=problems,
        capacity=capacity,
        rank_by=rank_by,
    )


def rank(rows: Sequence[CaseRow], rank_by: RankBy = "client_benefit") -> tuple[Opportunity, ...]:
    """The cases with a recommended solution, best first (the module's docstring)."""

    def key(r: CaseRow) -> tuple[Decimal, Decimal, str]:
        if rank_by == "bank_value":
            return (-r.bank_value_annual_usd, -r.solution_benefit_annual_usd, r.case)
        return (-r.solution_benefit_annual_usd, -r.bank_value_annual_usd, r.case)

    chosen = sorted((r for r in rows if r.status == "ok" and r.solution), key=key)
    return tuple(
        Opportunity(
            rank=i,
            case=r.case,
            client=r.client or r.case,
            segment=r.segment,
            country=r.country,
            currency=r.currency,
            solution=r.solution,
            products=r.products,
            client_benefit=r.solution_benefit_annual,
            client_benefit_usd=r.solution_benefit_annual_usd,
            bank_value_usd=r.bank_value_annual_usd,
            approvals=r.approvals,
            readiness=r.readiness,
        )
        for i, r in enumerate(chosen, start=1)
    )


def _total(key: str, rows: Sequence[CaseRow]) -> Total:
    return Total(
        key=key,
        clients=len(rows),
        opportunities=sum(1 for r in rows if r.solution),
        client_benefit_usd=sum((r.solution_benefit_annual_usd for r in rows), Decimal(0)),
        bank_value_usd=sum((r.bank_value_annual_usd for r in rows), Decimal(0)),
    )


def _totals(rows: Sequence[CaseRow], keys: Any, order: Sequence[str] = ()) -> tuple[Total, ...]:
    """One Total per key (`keys(row)` gives a row's keys), in `order` first, then by the
    client benefit (largest first) and the key."""
    groups: dict[str, list[CaseRow]] = {}
    for r in rows:
        for k in keys(r):
            groups.setdefault(k or "unknown", []).append(r)
    totals = [_total(k, members) for k, members in groups.items()]
    position = {k: i for i, k in enumerate(order)}
    return tuple(
        sorted(
            totals,
            key=lambda t: (position.get(t.key, len(position)), -t.client_benefit_usd, t.key),
        )
    )


def telephone_clients(clients: int, share: Decimal) -> int:
    """The small and mid-sized clients the telephone team serves: `clients × share`, rounded
    half away from zero (the rest go face-to-face)."""
    return int((Decimal(clients) * share).to_integral_value(rounding=HALF_AWAY_FROM_ZERO))


def _team(team: str, channel: str, clients: int, capacity: Capacity) -> Team:
    rms = heads(clients, capacity.clients_per_rm[team])
    return Team(
        team=team,
        channel=channel,
        clients=clients,
        relationship_managers=rms,
        cash_specialists=heads(rms, capacity.rms_per_cash_specialist[team]),
        credit_specialists=heads(rms, capacity.rms_per_credit_specialist[team]),
        ratio=TEAM_RATIOS[team],
    )


def coverage_plan(
    rows: Sequence[CaseRow], capacity: Capacity = Capacity()
) -> tuple[CoverageLine, ...]:
    """Clients per segment (assessed cases) and the people each segment's coverage model
    needs: per team, RMs = heads(clients, clients per RM), then each kind of specialist =
    heads(RMs, RMs per specialist); a segment's line is its teams' sums. Micro clients need
    no one (online banking and branches)."""
    counts = {s: 0 for s in SEGMENTS}
    for r in rows:
        if r.status == "ok" and r.segment in counts:
            counts[r.segment] += 1
    lines = []
    for segment in SEGMENTS:
        clients = counts[segment]
        if segment == "micro":
            teams: tuple[Team, ...] = ()
        elif segment == "small-mid":
            phone = telephone_clients(clients, capacity.telephone_share)
            teams = (
                _team("small-mid face-to-face", "face-to-face", clients - phone, capacity),
                _team("small-mid telephone", "telephone", phone, capacity),
            )
        else:
            channel = next(c for t, s, c in TEAMS if t == segment)
            teams = (_team(segment, channel, clients, capacity),)
        lines.append(
            CoverageLine(
                segment=segment,
                clients=clients,
                relationship_managers=sum(t.relationship_managers for t in teams),
                cash_specialists=sum(t.cash_specialists for t in teams),
                credit_specialists=sum(t.credit_specialists for t in teams),
                model=COVERAGE[segment][0],
                teams=teams,
            )
        )
    return tuple(lines)
