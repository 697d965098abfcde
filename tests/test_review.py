"""The review phase (docs/review.md): statements made from a simulated structure give back
the simulation exactly; a hand-worked case; each variance lands where it belongs; statements
that miss the sweep codes or contradict the case are located problems."""

from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from casekit import MONTH_BALANCES, write_case
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine_reference import random_case

import cashmgmt
from cashmgmt.cli import cli
from cashmgmt.cycle.actuals import simulated_statements, structure_accounts
from cashmgmt.cycle.codes import BAI2, CAMT, MT940, CodeSet, mt940_codes
from cashmgmt.cycle.review import review
from cashmgmt.errors import ReviewError
from cashmgmt.inputs.statements import Entry, Statement, Statements
from cashmgmt.model import BalanceHistory, Fees, PhysicalStructure, SweepRule, Terms, Tier
from cashmgmt.money import Money

CODE_SETS = (CAMT, BAI2, MT940)


def base_case(tmp: Path) -> cashmgmt.Case:
    """The shared test case (casekit): a ZBA between two Chinese entities, a notional pool."""
    return cashmgmt.load_case(write_case(tmp / "case", balances=MONTH_BALANCES))


def round_trip(
    case: cashmgmt.Case, structure: str, codes: CodeSet, interest: bool, fees: bool = False
) -> None:
    """Statements of the structure over the case's own history, reviewed from its first day,
    give the simulation's benefit to the minor unit and rebuild the history exactly; with
    `fees`, the fees come from the statements' fee entries and are still the simulation's."""
    history = case.balances
    simulated = cashmgmt.simulate(case, structure)
    made = simulated_statements(case, structure, history, codes=codes, interest=interest, fees=fees)
    got = review(case, structure, made, go_live=history.start)
    charged = any(codes.is_fee(e.code) for s in made for e in s.entries)
    assert got.fees_from == ("statements" if charged else "terms")
    assert charged == (fees and simulated.fees.total != 0)
    assert got.terms_fees.total == simulated.fees.total
    assert got.benefit == simulated.benefit
    assert np.array_equal(got.rebuilt.minor, history.minor)
    assert got.status_quo == simulated.baseline.net
    assert got.projected.benefit == simulated.benefit
    assert got.fees.total == simulated.fees.total and got.tax.total == simulated.tax.total
    assert sum(v.amount for v in got.variance) == got.benefit - got.promised
    assert all(v.amount == 0 for v in got.variance)
    for account in got.accounts:
        mine = simulated.account(account.id)
        assert account.realised == mine.structure.net
        assert account.status_quo == mine.baseline.net


@pytest.mark.parametrize("codes", CODE_SETS, ids=lambda c: c.format)
@pytest.mark.parametrize("structure", ["zba", "pool"])
@pytest.mark.parametrize("interest", [True, False], ids=["posted", "computed"])
def test_round_trip_gives_the_simulation_back(
    tmp_path: Path, codes: CodeSet, structure: str, interest: bool
) -> None:
    round_trip(base_case(tmp_path), structure, codes, interest)


@pytest.mark.parametrize("codes", CODE_SETS, ids=lambda c: c.format)
@pytest.mark.parametrize("structure", ["zba", "pool"])
def test_round_trip_with_fee_entries(tmp_path: Path, codes: CodeSet, structure: str) -> None:
    """The structure's fees posted as fee entries on the last day (docs/review.md, "Fees"):
    read from the statements, they are the simulation's to the minor unit, and the status
    quo rebuilt without them is the history."""
    case = base_case(tmp_path)
    round_trip(case, structure, codes, interest=True, fees=True)
    made = simulated_statements(case, structure, case.balances, codes=codes, fees=True)
    fee_entries = [e for s in made for e in s.entries if codes.is_fee(e.code)]
    assert all(e.minor < 0 and e.booked == case.balances.end for e in fee_entries)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    drawn=random_case(),
    codes=st.sampled_from(CODE_SETS),
    interest=st.booleans(),
    fees=st.booleans(),
)
def test_round_trip_on_random_sweep_trees(
    drawn: tuple[dict[str, Any], str, str, str], codes: CodeSet, interest: bool, fees: bool
) -> None:
    doc, balances, fx, _ = drawn
    with tempfile.TemporaryDirectory() as tmp:
        case = cashmgmt.load_case(write_case(Path(tmp) / "c", doc, balances, fx))
        round_trip(case, "s", codes, interest, fees and held_in_own_currency(case, "s"))


def held_in_own_currency(case: cashmgmt.Case, structure: str) -> bool:
    """Whether every price of the structure is in a currency one of its accounts holds: the
    fee entries are then the prices themselves, with no conversion by the bank to round."""
    found = next(s for s in case.structures if s.id == structure)
    held = {case.account(a).currency for a in structure_accounts([found])}
    prices = [found.fees.per_sweep, found.fees.per_account_month, found.fees.setup]
    prices.append(found.fees.per_month)
    return all(p is None or p.currency in held for p in prices)


# A hand-worked case: P zero-balances daily into H, one entity, CNY, ACT/360.
# P: 1,000.00, -500.00, 2,000.00 (own flows -1,500.00 and +2,500.00); H: 5,000.00 each day.
# Status quo: P pays 500 x 7.2% / 360 = 0.10 on day 2; H earns 15,000 x 3.6% / 360 = 1.50:
# net 1.40. With the ZBA: P closes at 0 every day; H holds 6,000, 4,500, 7,000 = 17,500
# interest days, 17,500 x 3.6% / 360 = 1.75. Benefit 1.75 - 1.40 = 0.35.
START = date(2025, 3, 1)


def hand_case(tmp: Path) -> cashmgmt.Case:
    terms = {"day_count": "ACT/360", "credit_rate": "3.6%", "debit_rate": "7.2%"}
    doc = {
        "case": 1,
        "client": {
            "name": "Hand",
            "industry": "Test",
            "country": "CN",
            "annual_revenue": "1000000 CNY",
        },
        "base_currency": "CNY",
        "entities": [{"id": "E", "name": "E Co", "country": "CN"}],
        "accounts": [
            {
                "id": "P",
                "entity": "E",
                "bank": "B",
                "country": "CN",
                "currency": "CNY",
                "number": "6222 0001",
                "terms": {**terms, "credit_rate": "0%"},
            },
            {
                "id": "H",
                "entity": "E",
                "bank": "B",
                "country": "CN",
                "currency": "CNY",
                "terms": terms,
            },
        ],
        "balances": "balances.csv",
        "structures": [
            {
                "id": "zba",
                "name": "ZBA",
                "kind": "physical",
                "rules": [{"from": "P", "to": "H", "rule": "zero-balance"}],
            }
        ],
    }
    rows = ["date,account,balance"]
    for d, (p, h) in enumerate([("1000.00", "5000"), ("-500.00", "5000"), ("2000.00", "5000")]):
        day = (START + timedelta(days=d)).isoformat()
        rows += [f"{day},P,{p}", f"{day},H,{h}"]
    return cashmgmt.load_case(write_case(tmp / "hand", doc, "\n".join(rows) + "\n", None))


def day_statement(account: str, d: int, opening: int, entries: list[tuple[int, str]]) -> Statement:
    day = START + timedelta(days=d)
    made = tuple(Entry(m, day, day, code, "", f"entry {i}") for i, (m, code) in enumerate(entries))
    closing = opening + sum(m for m, _ in entries)
    return Statement(
        "hand.xml",
        f"statement {account} {day}",
        "camt.053.001.08",
        account,
        "CNY",
        day,
        day,
        opening,
        closing,
        made,
    )


def hand_statements() -> list[Statement]:
    """What the bank sends for the hand-worked case, written out by hand (camt codes)."""
    zaba, own_in, own_out, intr = (
        "CAMT/ACCB/ZABA",
        "PMNT/RCDT/ESCT",
        "PMNT/ICDT/ESCT",
        "ACMT/MCOP/INTR",
    )
    return [
        day_statement("6222 0001", 0, 100000, [(-100000, zaba)]),
        day_statement("6222 0001", 1, 0, [(-150000, own_out), (150000, zaba)]),
        day_statement("6222 0001", 2, 0, [(250000, own_in), (-250000, zaba)]),
        day_statement("H", 0, 500000, [(100000, zaba)]),
        day_statement("H", 1, 600000, [(-150000, zaba)]),
        day_statement("H", 2, 450000, [(250000, zaba), (175, intr)]),
    ]


def test_hand_worked_review(tmp_path: Path) -> None:
    case = hand_case(tmp_path)
    got = review(case, "zba", hand_statements(), go_live=START)
    assert got.net_interest == Decimal("1.75")
    assert got.status_quo == Decimal("1.40")
    assert got.projected.benefit == Decimal("0.35")
    assert got.benefit == Decimal("0.35")
    assert got.rebuilt.minor.tolist() == [[100000, -50000, 200000], [500000, 500000, 500000]]
    # the interest credited to H is taken out of the balance the engine's convention uses
    assert got.actual.minor.tolist() == [[0, 0, 0], [600000, 450000, 700000]]
    data = got.to_dict()
    assert data["realised"]["benefit"] == "0.35" and data["status_quo"]["net_interest"] == "1.40"
    assert data["period"] == {"start": "2025-03-01", "end": "2025-03-03", "days": 3}
    assert {a["id"]: a["interest_from"] for a in data["accounts"]} == {
        "P": "terms",
        "H": "statements",
    }
    # the simulated statements of the same structure are these, entry for entry
    made = simulated_statements(case, "zba", case.balances, codes=CAMT)
    assert [
        (s.account, s.opening, s.closing, [(e.minor, e.code) for e in s.entries]) for s in made
    ] == [
        (s.account, s.opening, s.closing, [(e.minor, e.code) for e in s.entries])
        for s in sorted(hand_statements(), key=lambda s: (s.account != "6222 0001", s.start))
    ]


def test_a_rate_change_after_go_live_is_in_rates(tmp_path: Path) -> None:
    """The bank pays H 4% instead of the case's 3.6%: 17,500 x 4% / 360 = 1.94 posted,
    1.75 at the case's terms, so the rates variance is 0.19 and nothing else moves."""
    case = hand_case(tmp_path)
    four = Terms(
        day_count="ACT/360",
        credit=(Tier(Decimal(0), Decimal("0.04")),),
        debit=(Tier(Decimal(0), Decimal("0.072")),),
    )
    paid = attrs.evolve(
        case,
        accounts=tuple(attrs.evolve(a, terms=four) if a.id == "H" else a for a in case.accounts),
    )
    made = simulated_statements(paid, "zba", case.balances, codes=BAI2)
    got = review(case, "zba", made, go_live=START)
    causes = {v.cause: v.amount for v in got.variance}
    assert causes == {
        "rates": Decimal("0.19"),
        "structure": Decimal("0.00"),
        "volumes": Decimal("0.00"),
    }
    assert got.benefit == Decimal("0.54")


def priced(case: cashmgmt.Case, per_sweep: str) -> cashmgmt.Case:
    """The hand-worked case with the ZBA priced at `per_sweep` CNY a sweep and 100 CNY to
    set up."""
    fees = Fees(per_sweep=Money(Decimal(per_sweep), "CNY"), setup=Money(Decimal(100), "CNY"))
    return attrs.evolve(case, structures=tuple(attrs.evolve(s, fees=fees) for s in case.structures))


def test_fees_the_bank_charged_otherwise_are_in_rates(tmp_path: Path) -> None:
    """The case prices a sweep at 1.50 and the set-up at 100.00 (3 sweeps: 104.50); the
    bank charges 2.00 a sweep (106.00), posted as fee entries on H on the last day. The
    realised fees are the statements' 106.00, the 1.50 more lands in `rates` (prices the
    bank applied), `structure` stays 0, and the status quo rebuilt without the fee entries
    is the history."""
    case = priced(hand_case(tmp_path), "1.5")
    charged = priced(case, "2")
    for codes in CODE_SETS:
        made = simulated_statements(charged, "zba", case.balances, codes=codes, fees=True)
        fee_entries = [
            (s.account, e.minor) for s in made for e in s.entries if codes.is_fee(e.code)
        ]
        assert sorted(fee_entries) == [("H", -10000), ("H", -600)]
        got = review(case, "zba", made, go_live=START)
        assert got.fees_from == "statements" and got.fees.total == Decimal("106.00")
        assert got.terms_fees.total == Decimal("104.50") and got.fees.sweeps == 3
        assert got.fees.setup == Decimal("100.00")  # the case's set-up fee, the one-off part
        assert got.benefit == Decimal("0.35") - Decimal("106.00")
        assert got.projected.benefit == Decimal("0.35") - Decimal("104.50")
        causes = {v.cause: v.amount for v in got.variance}
        assert causes["rates"] == Decimal("-1.50") and causes["structure"] == 0
        assert np.array_equal(got.rebuilt.minor, case.balances.minor)
        shown = got.to_dict()["realised"]
        assert shown["fees"] == "106.00" and shown["fees_at_terms"] == "104.50"
        assert shown["fees_from"] == "statements"
    # without fee entries the fees are the case's prices on the sweeps seen
    plain = review(
        case, "zba", simulated_statements(case, "zba", case.balances, codes=CAMT), go_live=START
    )
    assert plain.fees_from == "terms" and plain.fees.total == Decimal("104.50")


def test_fee_entries_off_the_structure_are_the_groups_own(tmp_path: Path) -> None:
    """A fee entry on an account in none of the structure's rules (NOR-USD beside the ZBA)
    is the group's own business: the fees stay the case's prices and the charge stays in
    the status quo rebuilt, as an own payment would."""
    case = base_case(tmp_path)
    made = list(simulated_statements(case, "zba", case.balances, codes=CAMT))
    last = max(k for k, s in enumerate(made) if s.account == "NOR-USD")
    st_ = made[last]
    fee = Entry(-500, st_.end, st_.end, "ACMT/MDOP/CHRG", "ACCOUNT FEE", "entry 9")
    made[last] = attrs.evolve(st_, entries=(*st_.entries, fee), closing=st_.closing - 500)
    got = review(case, "zba", made, go_live=case.balances.start)
    assert got.fees_from == "terms"
    assert got.fees.total == cashmgmt.simulate(case, "zba").fees.total
    want = case.balances.minor.copy()
    want[case.balances.accounts.index("NOR-USD"), -1] -= 500
    assert np.array_equal(got.rebuilt.minor, want)


def test_a_volume_change_is_in_volumes(tmp_path: Path) -> None:
    """Balances twice the design's after go-live: the structure runs as designed at the
    case's rates, so all of realised - promised is volumes (0.70 - 0.35)."""
    case = hand_case(tmp_path)
    doubled = attrs.evolve(case.balances, minor=case.balances.minor * 2)
    made = simulated_statements(case, "zba", doubled, codes=MT940)
    got = review(case, "zba", made, go_live=START)
    causes = {v.cause: v.amount for v in got.variance}
    assert causes == {
        "rates": Decimal("0.00"),
        "structure": Decimal("0.00"),
        "volumes": Decimal("0.35"),
    }
    assert got.benefit == Decimal("0.70") and got.promised == Decimal("0.35")


def test_a_structure_run_otherwise_is_in_structure(tmp_path: Path) -> None:
    """The bank keeps 1,000.00 on P (a target rule) instead of zero-balancing it: the gap
    to the projection on the same flows is the structure variance."""
    case = hand_case(tmp_path)
    target = PhysicalStructure(
        "zba", "ZBA", (SweepRule("P", "H", "target", target=cashmgmt.Money(Decimal(1000), "CNY")),)
    )
    ran = attrs.evolve(case, structures=(target,))
    made = simulated_statements(ran, "zba", case.balances, codes=CAMT)
    got = review(case, "zba", made, go_live=START)
    causes = {v.cause: v.amount for v in got.variance}
    # H holds 5,000, 3,500, 6,000 = 14,500 days: 1.45; P keeps 1,000 at 0%: realised 1.45,
    # so realised benefit 0.05 against 0.35 projected: structure -0.30
    assert causes == {
        "rates": Decimal("0.00"),
        "structure": Decimal("-0.30"),
        "volumes": Decimal("0.00"),
    }
    assert got.benefit == Decimal("0.05")


def problems_of(
    case: cashmgmt.Case, statements: list[Statement], structure: str = "zba"
) -> list[str]:
    with pytest.raises(ReviewError) as caught:
        review(case, structure, statements, go_live=START)
    return [str(p) for p in caught.value.problems]


def test_sweeps_without_their_codes_are_a_located_problem(tmp_path: Path) -> None:
    case = hand_case(tmp_path)
    plain = [
        attrs.evolve(s, entries=tuple(attrs.evolve(e, code="PMNT/ICDT/ESCT") for e in s.entries))
        for s in hand_statements()
    ]
    found = problems_of(case, plain)
    assert any(
        "statement 6222 0001 2025-03-01: account P on 2025-03-01: an entry of" in p for p in found
    ), found
    # a set in which only some sweeps lost their code: the others still show P is short of them
    some = [*hand_statements()[:3], *plain[3:]]
    assert any(
        "account H on 2025-03-01: expected sweep entries adding up to 100000" in p
        for p in problems_of(case, some)
    )
    # a case's own MT940 codes and references mark its bank's sweeps
    mt = [
        attrs.evolve(
            s,
            format="MT940",
            entries=tuple(
                attrs.evolve(
                    e, code="NTRF", reference="POOL 1" if e.code == "CAMT/ACCB/ZABA" else ""
                )
                for e in s.entries
            ),
        )
        for s in hand_statements()
    ]
    with pytest.raises(ReviewError):
        review(case, "zba", mt, go_live=START)
    got = review(case, "zba", mt, go_live=START, mt940=mt940_codes(references=["POOL"]))
    assert got.benefit == Decimal("0.35")


def test_statements_that_contradict_the_case_are_located_problems(tmp_path: Path) -> None:
    case = hand_case(tmp_path)
    good = hand_statements()
    unknown = [*good, attrs.evolve(good[0], account="DE00 9999", where="statement X")]
    assert any("statement X: unknown account 'DE00 9999'" in p for p in problems_of(case, unknown))
    dollars = [attrs.evolve(good[0], currency="USD"), *good[1:]]
    assert any("account P is in CNY in the case, not USD" in p for p in problems_of(case, dollars))
    missing = [s for s in good if not (s.account == "H" and s.start == START + timedelta(days=1))]
    assert any("no statement of account H for 2025-03-02" in p for p in problems_of(case, missing))
    disagree = [
        *good,
        attrs.evolve(good[3], opening=good[3].opening + 1, closing=good[3].closing + 1),
    ]
    assert any(
        "overlapping statements disagree on 2025-03-01" in p for p in problems_of(case, disagree)
    )
    unbalanced = [attrs.evolve(good[0], closing=good[0].closing + 1), *good[1:]]
    assert any(
        "its entries take the opening balance 100000 to 0 minor units; "
        "expected its closing balance, 1" in p
        for p in problems_of(case, unbalanced)
    )
    # H's sweep credit does not match what P sent it
    wrong = [
        *good[:3],
        day_statement("H", 0, 500000, [(90000, "CAMT/ACCB/ZABA"), (10000, "PMNT/RCDT/ESCT")]),
        *good[4:],
    ]
    found = problems_of(case, wrong)
    assert any(
        "hand.xml: statement H 2025-03-01: account H on 2025-03-01: "
        "expected sweep entries adding up to 100000" in p
        for p in found
    ), found
    agreeing = [*good, good[3]]  # the same statement twice: merged, nothing counted twice
    assert review(case, "zba", agreeing, go_live=START).benefit == Decimal("0.35")


def test_sweep_entries_on_an_account_in_no_rule(tmp_path: Path) -> None:
    case = base_case(tmp_path)
    made = list(simulated_statements(case, "zba", case.balances, codes=CAMT))
    k = next(i for i, s in enumerate(made) if s.account == "NOR-USD")
    s = made[k]
    made[k] = attrs.evolve(
        s, closing=s.closing + 5, entries=(*s.entries, Entry(5, s.start, s.start, "CAMT/ACCB/SWEP"))
    )
    later = [i for i, x in enumerate(made) if x.account == "NOR-USD" and x.start > s.start]
    for i in later:
        made[i] = attrs.evolve(made[i], opening=made[i].opening + 5, closing=made[i].closing + 5)
    with pytest.raises(ReviewError) as caught:
        review(case, "zba", made, go_live=case.balances.start)
    assert any(
        "account NOR-USD" in p.message and "it is in no sweep rule" in p.message
        for p in caught.value.problems
    )


def test_statements_as_records_set_or_sequence(tmp_path: Path) -> None:
    case = hand_case(tmp_path)
    as_set = Statements(statements=tuple(hand_statements()))
    assert review(case, "zba", as_set, go_live=START).benefit == Decimal("0.35")
    with pytest.raises(cashmgmt.SimulationError, match="no structure 'nope'"):
        review(case, "nope", as_set, go_live=START)


def test_cli_review_bad_input_exits_2(tmp_path: Path) -> None:
    folder = write_case(tmp_path / "case", balances=MONTH_BALANCES)
    runner = CliRunner()
    args = ["review", str(folder), "--structure", "zba", "--go-live", "2025-01-01", "--json"]
    result = runner.invoke(cli, [*args, "--actuals", str(tmp_path / "none.xml")])
    assert result.exit_code == 2, result.output
    problems = json.loads(result.output)["problems"]
    assert problems[0]["message"].startswith("no such file")
    usage = runner.invoke(cli, ["review", str(folder), "--structure", "zba", "--actuals", "x"])
    assert usage.exit_code == 64


def test_rebuilt_history_is_a_case_history(tmp_path: Path) -> None:
    case = hand_case(tmp_path)
    got = review(case, "zba", hand_statements(), go_live=START)
    assert isinstance(got.rebuilt, BalanceHistory) and got.rebuilt.end == date(2025, 3, 3)


def test_case_states_its_mt940_codes(tmp_path: Path) -> None:
    """`statement_codes: mt940:` is read, written back by save, and marks sweeps; a wrong
    code is a located problem."""
    from casekit import BASE_CASE

    doc = {**BASE_CASE, "statement_codes": {"mt940": {"sweeps": ["NSWP"], "references": ["ZBA"]}}}
    case = cashmgmt.load_case(write_case(tmp_path / "a", doc, MONTH_BALANCES))
    assert case.statement_codes is not None
    assert case.statement_codes.mt940_sweeps == ("NSWP",)
    saved = cashmgmt.load_case(cashmgmt.save_case(case, tmp_path / "b"))
    assert saved.statement_codes == case.statement_codes
    made = simulated_statements(case, "zba", case.balances, codes=MT940)
    own = [
        attrs.evolve(
            s,
            entries=tuple(
                attrs.evolve(e, code="NSWP") if e.code == "NCMZ" else e for e in s.entries
            ),
        )
        for s in made
    ]
    assert review(case, "zba", own, go_live=case.balances.start).benefit == (
        cashmgmt.simulate(case, "zba").benefit
    )
    bad = {**BASE_CASE, "statement_codes": {"mt940": {"sweeps": ["SWEEP!"]}, "bai2": 1}}
    with pytest.raises(cashmgmt.CaseError) as caught:
        cashmgmt.load_case(write_case(tmp_path / "c", bad, MONTH_BALANCES))
    found = [p.where for p in caught.value.problems]
    assert "statement_codes.mt940.sweeps[0]" in found and "statement_codes.bai2" in found
