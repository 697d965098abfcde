"""Assess (评估): the client's segment and coverage model, what its balance history shows, and
its needs scored across the six areas of cash management."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

import attrs
import numpy as np

from cashmgmt.cycle.materiality import Materiality, materiality, scaled_points
from cashmgmt.cycle.netting import AccountFigure, NettingGap, netting_gaps
from cashmgmt.engine.replay import Replay, replay_for
from cashmgmt.engine.status_quo import status_quo
from cashmgmt.errors import AssessmentError, Problem
from cashmgmt.model import AREAS, NEED_AREAS, Case
from cashmgmt.money import from_minor, round_half_away, round_money, round_ratio
from cashmgmt.reference.rates import reference_usd_rates
from cashmgmt.reference.rules import trapping_countries

Segment = Literal["large", "mid", "small-mid", "micro"]

#: Segment thresholds on annual revenue in USD (DESIGN.md, from the source material).
LARGE = Decimal(2_000_000_000)
MID = Decimal(50_000_000)
SMALL_MID = Decimal(2_500_000)


@attrs.frozen
class Coverage:
    """Who serves the client: the segment's coverage model (DESIGN.md)."""

    segment: Segment
    revenue_usd: Decimal
    usd_rate: Decimal  # units of the revenue's currency per USD
    rate_source: str  # "case FX rates on <date>" or "reference rate table of <date>"
    team: str  # RM : cash-management product provider : credit product provider
    channel: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in attrs.asdict(self).items()}


COVERAGE: dict[Segment, tuple[str, str]] = {
    "large": ("1 : 1 : 1", "face-to-face team"),
    "mid": ("2-3 : 1 : 1", "face-to-face"),
    "small-mid": (
        "10 : 1 : 1 face-to-face, or 25-30 : 1 : 1 telephone",
        "face-to-face or telephone",
    ),
    "micro": ("no RM or product provider", "online banking and branches"),
}


def segment_of(revenue_usd: Decimal) -> Segment:
    """large >= 2 bn USD; mid >= 50 m; small-mid >= 2.5 m; micro below."""
    if revenue_usd >= LARGE:
        return "large"
    if revenue_usd >= MID:
        return "mid"
    if revenue_usd >= SMALL_MID:
        return "small-mid"
    return "micro"


def usd_rate(case: Case) -> tuple[Decimal, str]:
    """Units of the revenue's currency per USD: from the case's FX table when it can say,
    else the reference table; with where the rate came from."""
    code = case.client.annual_revenue.currency
    end = case.balances.end
    if code == "USD":
        return Decimal(1), "no conversion (revenue in USD)"
    try:
        usd_in_base = case.fx.rate("USD", end)
        code_in_base = case.fx.rate(code, end)
    except KeyError:
        pass
    else:
        ratio = usd_in_base / code_in_base
        # 4 decimals, or 4 significant digits for a tiny rate (never rounded to 0)
        places = max(4, 3 - ratio.adjusted())
        return round_ratio(ratio, places), f"case FX rates on {end}"
    table = reference_usd_rates()
    rate = table.rate(code)
    if rate is not None:
        return rate, f"reference rate table of {table.date}"
    raise AssessmentError(
        [
            Problem(
                case.source or "case",
                "client.annual_revenue",
                f"expected a way to convert {code} to USD for the segment: add USD"
                f"{'' if code == case.base_currency else f' and {code}'} rates to the FX table "
                "(fx_rates), or state the revenue in USD",
            )
        ]
    )


def coverage(case: Case) -> Coverage:
    """Segment and coverage model from the client's annual revenue in USD."""
    rate, source = usd_rate(case)
    revenue_usd = round_ratio(case.client.annual_revenue.amount / rate, 0)
    segment = segment_of(revenue_usd)
    team, channel = COVERAGE[segment]
    return Coverage(segment, revenue_usd, rate, source, team, channel)


@attrs.frozen
class RestrictedCash:
    """Credit on restricted accounts (escrow, IPO proceeds, collateral): the group's money,
    but never idle, trapped or poolable."""

    average_credit: Decimal  # base currency, average over days
    accounts: tuple[AccountFigure, ...]  # each restricted account in credit: average, days


@attrs.frozen
class FacilityFigure:
    """One committed facility's drawing account: what was drawn and what it cost."""

    account: str
    entity: str
    bank: str
    facility: str  # revolving or term
    average_drawn: Decimal  # base currency, average over days
    interest_per_year: Decimal  # debit and penalty interest paid, annualised
    days: int  # days drawn


@attrs.frozen
class Facilities:
    """Committed facilities drawn: borrowing under an agreement, reported apart from
    overdrafts."""

    average_drawn: Decimal
    peak_drawn: Decimal
    drawn_days: int  # days on which at least one facility was drawn
    interest_per_year: Decimal
    accounts: tuple[FacilityFigure, ...]


@attrs.frozen
class Diagnostics:
    """What the balance history shows, in the base currency (averages over calendar days)."""

    currency: str
    start: date
    end: date
    days: int
    entities: int
    accounts: int
    banks: int
    currencies: tuple[str, ...]
    countries: tuple[str, ...]
    average_credit: Decimal  # group's credit balances, average over days
    peak_credit: Decimal
    # poolable credit (not restricted, not a facility) outside the largest poolable account
    # (where a header would be)
    average_idle_credit: Decimal
    average_debit: Decimal  # overdrafts: debit outside facilities
    peak_debit: Decimal
    overdraft_account_days: int  # outside facilities
    overdraft_days: int  # days on which at least one account outside facilities was in debit
    debit_interest_per_year: Decimal  # overdraft debit and penalty interest, annualised
    offset_days: int  # days with credit in some poolable accounts and debit in others
    average_offsettable: Decimal  # average of min(credit, debit) over days, poolable accounts
    # debit interest a same-currency pool at each bank could close (the one-bank scope of
    # `netting_gap`; before issue 13: all poolable debit interest times the group's offset share)
    netting_gap_per_year: Decimal
    proposing_bank: str | None
    share_at_bank: Decimal | None  # share of gross balances (credit + debit size) at that bank
    accounts_elsewhere: int
    exposure: tuple[tuple[str, Decimal, Decimal], ...]  # currency, average balance, share
    trapped_countries: tuple[str, ...]  # countries whose rules restrict sweeping cash abroad
    average_trapped_credit: Decimal  # credit balances held in those countries
    trapped_accounts: tuple[AccountFigure, ...]
    idle_accounts: tuple[AccountFigure, ...]  # largest average credit balances
    overdraft_accounts: tuple[AccountFigure, ...]  # largest debit interest paid
    restricted_cash: RestrictedCash = RestrictedCash(Decimal(0), ())
    facilities: Facilities = Facilities(Decimal(0), Decimal(0), 0, Decimal(0), ())
    # the netting gap by scope (cycle/netting.py): one-bank rows per currency and bank, then
    # multi-bank rows per currency, then the group's multi-currency row
    netting_gap: tuple[NettingGap, ...] = ()
    netting_gap_multi_bank_per_year: Decimal = Decimal(0)  # same currency across banks
    netting_gap_multi_currency_per_year: Decimal = Decimal(0)  # across currencies too
    home_countries: tuple[str, ...] = ()  # the top entities' countries: never trapped

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: amounts as decimal strings."""

        def plain(value: object) -> object:
            if isinstance(value, Decimal):
                return format(value, "f")
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, tuple):
                return [plain(v) for v in value]
            if isinstance(value, NettingGap):
                return value.to_dict()
            if isinstance(value, AccountFigure | FacilityFigure | RestrictedCash | Facilities):
                return {k: plain(v) for k, v in attrs.asdict(value, recurse=False).items()}
            return value

        out = {k: plain(v) for k, v in attrs.asdict(self, recurse=False).items()}
        out["exposure"] = [
            {"currency": c, "average_balance": format(b, "f"), "share": format(s, "f")}
            for c, b, s in self.exposure
        ]
        # the trapped-cash figures in one place (issue 13's contract): credit in countries
        # with capital controls outside the parent's own country (`home_countries`)
        out["trapped_cash"] = {
            "average_credit": out["average_trapped_credit"],
            "countries": out["trapped_countries"],
            "excluded_home_countries": out["home_countries"],
            "accounts": out["trapped_accounts"],
        }
        return out


def _average(total_minor: int, days: int, code: str) -> Decimal:
    return from_minor(round_half_away(total_minor, days), code)


def diagnose(case: Case, top: int = 5, *, replay: Replay | None = None) -> Diagnostics:
    """Diagnostics from the balance history and the status quo's interest (`replay`: the
    case's shared engine parts, if the caller holds them). Restricted accounts and
    facilities' accounts are never idle, trapped or offsettable; a facility's debit is
    borrowing, reported under `facilities`, not an overdraft. Cash is trapped only outside
    the countries of the group's top entities (the parent's home)."""
    history = case.balances
    held = replay_for(case, replay)
    now = status_quo(case, replay=held)
    code = case.base_currency
    accounts = [case.account(a) for a in history.accounts]
    currencies = [a.currency for a in accounts]
    credit_total = now.daily_credit
    overdraft_total = now.daily_overdraft_debit
    days = history.days
    average_credit_by_account = now.account_credit
    poolable = now.poolable
    facility = now.facility
    pooled_credit = np.where(poolable, average_credit_by_account, 0)
    largest = int(np.argmax(pooled_credit))
    offsettable = np.minimum(now.daily_poolable_credit, now.daily_poolable_debit)
    paid = now.interest_paid
    overdraft_paid = np.where(facility, 0, paid)
    paid_total = int(overdraft_paid.sum())
    debit_sum = int(overdraft_total.sum())
    gaps, gap_totals = netting_gaps(case, held, poolable)

    def per_year(minor: int) -> Decimal:
        return from_minor(round_half_away(minor * 365, days), code)

    gross = now.account_credit + now.account_debit
    bank = case.proposing_bank
    share = None
    elsewhere = 0
    if bank is not None:
        at_bank = np.array([case.at_proposing_bank(a) for a in accounts])
        total_gross = int(gross.sum())
        share = (
            round_ratio(Decimal(int(gross[at_bank].sum())) / Decimal(total_gross), 4)
            if total_gross
            else Decimal(0)
        )
        elsewhere = int((~at_bank).sum())
    exposure = []
    net_by_account = now.account_credit - now.account_debit
    all_net = int(net_by_account.sum())
    for cur in sorted(set(currencies)):
        rows = [i for i, c in enumerate(currencies) if c == cur]
        net = int(net_by_account[rows].sum())
        portion = round_ratio(Decimal(net) / Decimal(all_net), 4) if all_net else Decimal(0)
        exposure.append((cur, _average(net, days, code), portion))
    idle = np.argsort(-pooled_credit, kind="stable")[:top]
    costly = np.argsort(-overdraft_paid, kind="stable")[:top]
    debit_days = (history.minor < 0).sum(axis=1)
    credit_days = (history.minor > 0).sum(axis=1)

    def figure(i: int, amount: Decimal, count: int) -> AccountFigure:
        a = accounts[i]
        return AccountFigure(a.id, a.entity, a.bank, amount, count)

    # Cash is trapped only where the group has somewhere else to move it, and never at home:
    # the top entities' own countries are where trapped cash would be swept to.
    home = tuple(sorted({e.country for e in case.entities if e.parent is None}))
    trapping = trapping_countries() if len({a.country for a in accounts}) > 1 else {}
    trapped = [
        i
        for i, a in enumerate(accounts)
        if a.country in trapping and a.country not in home and poolable[i]
    ]
    trapped_sum = int(average_credit_by_account[trapped].sum()) if trapped else 0
    restricted = [i for i, a in enumerate(accounts) if a.restricted]
    restricted_sum = int(average_credit_by_account[restricted].sum()) if restricted else 0
    drawn = now.daily_facility_debit
    lines = [i for i in range(len(accounts)) if facility[i]]
    return Diagnostics(
        currency=code,
        start=history.start,
        end=history.end,
        days=days,
        entities=len(case.entities),
        accounts=len(case.accounts),
        banks=len({a.bank for a in accounts}),
        currencies=tuple(sorted(set(currencies))),
        countries=tuple(sorted({a.country for a in accounts} | {e.country for e in case.entities})),
        average_credit=_average(int(credit_total.sum()), days, code),
        peak_credit=from_minor(int(credit_total.max()), code),
        average_idle_credit=_average(int(pooled_credit.sum() - pooled_credit[largest]), days, code),
        average_debit=_average(debit_sum, days, code),
        peak_debit=from_minor(int(overdraft_total.max()), code),
        overdraft_account_days=int(debit_days[~facility].sum()),
        overdraft_days=int((overdraft_total > 0).sum()),
        debit_interest_per_year=per_year(paid_total),
        offset_days=int(((now.daily_poolable_credit > 0) & (now.daily_poolable_debit > 0)).sum()),
        average_offsettable=_average(int(offsettable.sum()), days, code),
        netting_gap_per_year=gap_totals["one-bank"],
        proposing_bank=bank,
        share_at_bank=share,
        accounts_elsewhere=elsewhere,
        exposure=tuple(exposure),
        trapped_countries=tuple(sorted({accounts[i].country for i in trapped})),
        average_trapped_credit=_average(trapped_sum, days, code),
        trapped_accounts=tuple(
            figure(
                i,
                _average(int(average_credit_by_account[i]), days, code),
                int(credit_days[i]),
            )
            for i in sorted(trapped, key=lambda i: -int(average_credit_by_account[i]))[:top]
            if average_credit_by_account[i] > 0
        ),
        idle_accounts=tuple(
            figure(int(i), _average(int(pooled_credit[i]), days, code), int(credit_days[i]))
            for i in idle
            if pooled_credit[i] > 0
        ),
        overdraft_accounts=tuple(
            figure(int(i), per_year(int(overdraft_paid[i])), int(debit_days[i]))
            for i in costly
            if overdraft_paid[i] > 0
        ),
        restricted_cash=RestrictedCash(
            _average(restricted_sum, days, code),
            tuple(
                figure(
                    i, _average(int(average_credit_by_account[i]), days, code), int(credit_days[i])
                )
                for i in sorted(restricted, key=lambda i: -int(average_credit_by_account[i]))
                if average_credit_by_account[i] > 0
            ),
        ),
        facilities=Facilities(
            _average(int(drawn.sum()), days, code),
            from_minor(int(drawn.max()), code),
            int((drawn > 0).sum()),
            per_year(int(paid[facility].sum())),
            tuple(
                FacilityFigure(
                    accounts[i].id,
                    accounts[i].entity,
                    accounts[i].bank,
                    str(accounts[i].facility),
                    _average(int(now.account_debit[i]), days, code),
                    per_year(int(paid[i])),
                    int(debit_days[i]),
                )
                for i in sorted(lines, key=lambda i: -int(now.account_debit[i]))
            ),
        ),
        netting_gap=tuple(gaps),
        netting_gap_multi_bank_per_year=gap_totals["multi-bank"],
        netting_gap_multi_currency_per_year=gap_totals["multi-currency"],
        home_countries=home,
    )


@attrs.frozen
class NeedScore:
    """How much one of the six areas matters to this client, and why."""

    area: str
    score: int  # 0..100
    stated: bool  # the RM wrote it in the case
    reason: str
    facts: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "area": self.area,
            "score": self.score,
            "stated": self.stated,
            "reason": self.reason,
            "facts": dict(self.facts),
        }


def score_needs(
    case: Case, cov: Coverage, d: Diagnostics, weigh: Materiality | None = None
) -> tuple[NeedScore, ...]:
    """Each area scored 0..100: 40 points when the RM stated it, the rest from evidence;
    evidence that is an amount earns its points weighted by its materiality (`weigh`, from
    the case when not given): none when clearly trivial, in full when material."""
    stated = {NEED_AREAS[n] for n in case.client.needs}
    code = d.currency
    weigh = weigh or case_materiality(case, cov, d)

    def money(v: Decimal) -> str:
        return f"{round_money(v, code):,} {code}"

    evidence: dict[str, list[tuple[int, str, str, str]]] = {a: [] for a in AREAS}
    trivial: dict[str, list[str]] = {a: [] for a in AREAS}

    def add(area: str, points: int, why: str, key: str, value: str) -> None:
        evidence[area].append((points, why, key, value))

    def weighed(area: str, full: int, weight: Decimal, why: str, key: str, value: str) -> None:
        """Evidence that is an amount: left out of the score (and named as not material)
        when its weight gives no point."""
        got = scaled_points(full, weight)
        if got > 0:
            add(area, got, why, key, value)
        else:
            trivial[area].append(why)

    netting = d.netting_gap_per_year
    sweeping = max(netting, d.netting_gap_multi_bank_per_year)
    if netting > 0:
        weighed(
            "liquidity",
            30,
            weigh.flow(netting),
            f"a pool per currency at each bank could close about {money(netting)} a year of "
            "debit interest paid while holding credit in the same currency at the same bank",
            "netting_gap_per_year",
            str(netting),
        )
    if sweeping > netting:
        extra = scaled_points(30, weigh.flow(sweeping)) - scaled_points(30, weigh.flow(netting))
        why = (
            f"a sweep per currency across banks could close about {money(sweeping)} a year "
            "of debit interest"
        )
        if extra > 0:
            add("liquidity", extra, why, "netting_gap_multi_bank_per_year", str(sweeping))
        elif scaled_points(30, weigh.flow(sweeping)) == 0:
            trivial["liquidity"].append(why)
    idle = d.average_idle_credit
    if idle > 0 and d.accounts > 1:
        weighed(
            "liquidity",
            20,
            weigh.stock(idle),
            f"{money(idle)} sits on average outside the largest account",
            "average_idle_credit",
            str(idle),
        )
    if d.overdraft_days > d.days // 10:
        weighed(
            "liquidity",
            10,
            weigh.flow(d.debit_interest_per_year),
            f"some account outside committed facilities was overdrawn on {d.overdraft_days} "
            f"of {d.days} days",
            "overdraft_days",
            str(d.overdraft_days),
        )
    if d.accounts >= 10:
        add("account-management", 30, f"{d.accounts} accounts to run", "accounts", str(d.accounts))
    if d.banks >= 3:
        add("account-management", 20, f"accounts at {d.banks} banks", "banks", str(d.banks))
        add(
            "information-reporting",
            25,
            f"balances spread over {d.banks} banks",
            "banks",
            str(d.banks),
        )
    if d.share_at_bank is not None and d.share_at_bank < Decimal("0.7"):
        add(
            "information-reporting",
            25,
            f"only {round_ratio(d.share_at_bank * 100, 0)}% of balances are at {d.proposing_bank}",
            "share_at_bank",
            str(d.share_at_bank),
        )
    if len(d.countries) >= 3:
        add(
            "information-reporting",
            10,
            f"entities in {len(d.countries)} countries",
            "countries",
            str(len(d.countries)),
        )
    if d.entities >= 5:
        add(
            "receivables-payables",
            30,
            f"{d.entities} entities collecting and paying",
            "entities",
            str(d.entities),
        )
    if cov.segment in ("large", "mid"):
        add(
            "receivables-payables",
            20,
            f"a {cov.segment} client's payment volumes",
            "segment",
            cov.segment,
        )
    if d.average_credit > 0 and idle > 0:
        weighed(
            "investment-financing",
            30,
            weigh.stock(idle),
            f"idle credit of {money(idle)} could be invested",
            "average_idle_credit",
            str(idle),
        )
    if d.debit_interest_per_year > 0:
        weighed(
            "investment-financing",
            20,
            weigh.flow(d.debit_interest_per_year),
            f"{money(d.debit_interest_per_year)} a year of debit "
            "interest could be refinanced more cheaply",
            "debit_interest_per_year",
            str(d.debit_interest_per_year),
        )
    if len(d.currencies) >= 2:
        add(
            "risk",
            30,
            f"balances in {len(d.currencies)} currencies ({', '.join(d.currencies)})",
            "currencies",
            ",".join(d.currencies),
        )
    if d.average_trapped_credit > 0:
        weighed(
            "risk",
            20,
            weigh.stock(d.average_trapped_credit),
            f"{money(d.average_trapped_credit)} of credit sits in "
            f"{', '.join(d.trapped_countries)}, where rules restrict moving cash abroad",
            "average_trapped_credit",
            str(d.average_trapped_credit),
        )
    if len(d.countries) >= 2:
        add(
            "risk",
            15,
            "cross-border flows between " + ", ".join(d.countries),
            "countries",
            ",".join(d.countries),
        )

    def quiet(reasons: list[str]) -> str:
        """The reason of an area with no evidence that scores."""
        nothing = "no sign of this need in the data"
        return f"{nothing} ({reasons[-1]})" if reasons else nothing

    scores = []
    for area in AREAS:
        found = sorted(evidence[area], key=lambda e: -e[0])
        points = min(100, (40 if area in stated else 0) + sum(p for p, *_ in found))
        reasons = [why for _, why, _, _ in found]
        if area in stated:
            reasons.insert(0, "stated by the RM")
        if trivial[area]:
            reasons.append("not material: " + ", ".join(trivial[area]))
        scores.append(
            NeedScore(
                area,
                points,
                area in stated,
                "; ".join(reasons) if found or area in stated else quiet(reasons),
                tuple((key, value) for _, _, key, value in found),
            )
        )
    return tuple(sorted(scores, key=lambda s: (-s.score, AREAS.index(s.area))))


@attrs.frozen
class Assessment:
    """The assess phase's result: everything later phases and documents need."""

    client: str
    coverage: Coverage
    diagnostics: Diagnostics
    needs: tuple[NeedScore, ...]
    materiality: Materiality | None = None  # the yardsticks the needs were weighed with

    @property
    def segment(self) -> Segment:
        """large, mid, small-mid or micro."""
        return self.coverage.segment

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `cashmgmt assess --json`."""
        return {
            "client": self.client,
            "segment": self.segment,
            "coverage": self.coverage.to_dict(),
            "diagnostics": self.diagnostics.to_dict(),
            "needs": [n.to_dict() for n in self.needs],
            "materiality": self.materiality.to_dict() if self.materiality else None,
        }


def assess(case: Case, *, replay: Replay | None = None) -> Assessment:
    """Assess a client group: segment and coverage, diagnostics, needs (`replay`: the case's
    shared engine parts, if the caller holds them)."""
    cov = coverage(case)
    diagnostics = diagnose(case, replay=replay)
    weigh = case_materiality(case, cov, diagnostics)
    return Assessment(
        case.client.name, cov, diagnostics, score_needs(case, cov, diagnostics, weigh), weigh
    )


def case_materiality(case: Case, cov: Coverage, d: Diagnostics) -> Materiality:
    """The yardsticks of the needs: revenue, the group's gross balances (credit, overdrafts
    and drawn facilities) and its credit, in the base currency."""
    gross = d.average_credit + d.average_debit + d.facilities.average_drawn
    return materiality(case, cov.revenue_usd, gross, d.average_credit)
