"""What a simulation returns: attrs objects with Decimal money, and their JSON form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt


def _s(value: Decimal) -> str:
    return format(value, "f")


@attrs.frozen
class Interest:
    """Interest over the period in the base currency: received, paid, paid beyond limits."""

    credit: Decimal
    debit: Decimal
    penalty: Decimal

    @property
    def net(self) -> Decimal:
        """credit - debit - penalty."""
        return self.credit - self.debit - self.penalty

    def to_dict(self) -> dict[str, str]:
        """Decimal strings."""
        return {
            "credit": _s(self.credit),
            "debit": _s(self.debit),
            "penalty": _s(self.penalty),
            "net_interest": _s(self.net),
        }


@attrs.frozen
class AccountResult:
    """One account on both sides; closing balances in the account's own currency."""

    id: str
    entity: str
    currency: str
    baseline: Interest
    structure: Interest
    baseline_closing_balance: Decimal
    closing_balance: Decimal
    #: Structure side: days its header could not fund it in full, and the largest unfunded
    #: amount (own currency; docs/simulation.md, "Funding within the header's capacity").
    shortfall_days: int = 0
    peak_shortfall: Decimal = Decimal(0)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's account entry."""
        return {
            "id": self.id,
            "entity": self.entity,
            "currency": self.currency,
            "baseline_net_interest": _s(self.baseline.net),
            "structure_net_interest": _s(self.structure.net),
            "closing_balance": _s(self.closing_balance),
            "baseline_closing_balance": _s(self.baseline_closing_balance),
            "baseline": self.baseline.to_dict(),
            "structure": self.structure.to_dict(),
            "shortfall_days": self.shortfall_days,
            "peak_shortfall": _s(self.peak_shortfall),
        }


@attrs.frozen
class EntityResult:
    """An entity's interest on both sides and its net intercompany interest (received > 0)."""

    id: str
    baseline: Interest
    structure: Interest
    intercompany_interest: Decimal
    #: Tax on the intercompany interest it receives (withholding and VAT; a cost, >= 0).
    tax: Decimal = Decimal(0)

    @property
    def benefit(self) -> Decimal:
        """Change in bank interest (intercompany interest and its tax shown apart)."""
        return self.structure.net - self.baseline.net

    def to_dict(self) -> dict[str, Any]:
        """Decimal strings."""
        return {
            "id": self.id,
            "baseline_net_interest": _s(self.baseline.net),
            "structure_net_interest": _s(self.structure.net),
            "benefit": _s(self.benefit),
            "intercompany_interest": _s(self.intercompany_interest),
            "tax": _s(self.tax),
        }


@attrs.frozen
class IntercompanyResult:
    """A loan between two entities created by sweeps in one currency."""

    lender: str
    borrower: str
    currency: str
    closing_position_local: Decimal
    peak_local: Decimal
    closing_position: Decimal  # base currency, at the last day's rate
    peak: Decimal  # base currency, at the peak day's rate
    interest: Decimal  # base currency, received by the lender
    withholding: Decimal = Decimal(0)  # base currency, withheld on its interest
    vat: Decimal = Decimal(0)  # base currency, VAT on its interest
    #: (entity, withholding, VAT) in base minor units, by the entity that bears them (the one
    #: receiving each posting's interest).
    tax_borne: tuple[tuple[str, int, int], ...] = attrs.field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's intercompany entry."""
        return {
            "lender": self.lender,
            "borrower": self.borrower,
            "currency": self.currency,
            "closing_position": _s(self.closing_position),
            "closing_position_local": _s(self.closing_position_local),
            "peak": _s(self.peak),
            "peak_local": _s(self.peak_local),
            "interest": _s(self.interest),
            "withholding": _s(self.withholding),
            "vat": _s(self.vat),
        }


@attrs.frozen
class EntityTax:
    """Tax one entity bears on the intercompany interest it receives, in the base currency."""

    id: str
    withholding: Decimal
    vat: Decimal

    @property
    def total(self) -> Decimal:
        """Withholding plus VAT."""
        return self.withholding + self.vat

    def to_dict(self) -> dict[str, Any]:
        """Decimal strings."""
        return {
            "id": self.id,
            "withholding": _s(self.withholding),
            "vat": _s(self.vat),
            "total": _s(self.total),
        }


@attrs.frozen
class TaxResult:
    """The structure's tax leakage on intercompany interest (docs/simulation.md), per entity
    that bears it and in total; a cost of the structure."""

    entities: tuple[EntityTax, ...] = ()

    @property
    def withholding(self) -> Decimal:
        """All withholding tax."""
        return sum((e.withholding for e in self.entities), Decimal(0))

    @property
    def vat(self) -> Decimal:
        """All VAT."""
        return sum((e.vat for e in self.entities), Decimal(0))

    @property
    def total(self) -> Decimal:
        """Withholding plus VAT."""
        return self.withholding + self.vat

    def of(self, entity: str) -> Decimal:
        """One entity's tax (0 if it bears none)."""
        return next((e.total for e in self.entities if e.id == entity), Decimal(0))

    def to_dict(self, currency: str) -> dict[str, Any]:
        """Decimal strings, in the base currency (sums keep its decimals)."""
        from cashmgmt.money import from_minor

        zero = from_minor(0, currency)
        return {
            "total": _s(self.total + zero),
            "withholding": _s(self.withholding + zero),
            "vat": _s(self.vat + zero),
            "entities": [e.to_dict() for e in self.entities],
        }


@attrs.frozen
class FeeResult:
    """Fees of the structure over the period, in the base currency."""

    per_sweep: Decimal
    per_account_month: Decimal
    setup: Decimal
    sweeps: int
    #: The structure's own monthly fee over the period (a catalog product's monthly price).
    per_month: Decimal = Decimal(0)
    #: Months the set-up fee is spread over in annual figures (the case's contract_months).
    contract_months: int = 36

    @property
    def total(self) -> Decimal:
        """All fees."""
        return self.per_sweep + self.per_account_month + self.setup + self.per_month

    def to_dict(self) -> dict[str, Any]:
        """Decimal strings."""
        return {
            "total": _s(self.total),
            "per_sweep": _s(self.per_sweep),
            "per_account_month": _s(self.per_account_month),
            "setup": _s(self.setup),
            "sweeps": self.sweeps,
            "per_month": _s(self.per_month),
            "contract_months": self.contract_months,
        }


@attrs.frozen
class Liquidity:
    """Liquidity of one side, in the base currency."""

    net_position_average: Decimal
    net_position_closing: Decimal
    peak_debit: Decimal
    overdraft_days: int
    average_idle_credit: Decimal
    #: Days on which some account closes beyond the overdraft limit its terms state.
    limit_breach_days: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Decimal strings."""
        return {
            "net_position_average": _s(self.net_position_average),
            "net_position_closing": _s(self.net_position_closing),
            "peak_debit": _s(self.peak_debit),
            "overdraft_days": self.overdraft_days,
            "average_idle_credit": _s(self.average_idle_credit),
            "limit_breach_days": self.limit_breach_days,
        }


@attrs.frozen
class ShiftResult:
    """The benefit per year with every rate moved by `shift_bp` basis points."""

    shift_bp: int
    benefit_annual: Decimal

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's sensitivity entry."""
        return {"shift_bp": self.shift_bp, "benefit_annual": _s(self.benefit_annual)}


@attrs.frozen
class BankResult:
    """The proposing bank's side of a structure, per year, in the base currency (for the
    RM; never printed in a client's document). Positive: the bank gains."""

    bank: str
    interest_change: Decimal  # debit and penalty interest earned less credit interest paid
    fee_income: Decimal  # the structure's fees, set-up spread over the contract
    funding_value: Decimal  # change in average balances at the bank × funds-transfer price
    #: Currencies whose balances at the bank changed but that have no funds-transfer price.
    unpriced: tuple[str, ...] = ()

    @property
    def total(self) -> Decimal:
        """interest_change + fee_income + funding_value."""
        return self.interest_change + self.fee_income + self.funding_value

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's bank entry."""
        return {
            "bank": self.bank,
            "interest_change": _s(self.interest_change),
            "fee_income": _s(self.fee_income),
            "funding_value": _s(self.funding_value),
            "total": _s(self.total),
            "unpriced_currencies": list(self.unpriced),
        }


def _array_eq(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> bool:
    return bool(np.array_equal(a, b))


@attrs.frozen
class AccountTable:
    """Per-account figures as arrays (built fast); AccountResult objects are made on demand."""

    ids: tuple[str, ...]
    entities: tuple[str, ...]
    currencies: tuple[str, ...]
    base_currency: str
    #: (6, accounts) base minor units: baseline credit, debit, penalty; structure the same.
    interest: npt.NDArray[np.int64] = attrs.field(eq=attrs.cmp_using(eq=_array_eq), repr=False)
    #: (2, accounts) closing balances on the last day, own currency: baseline, structure.
    closing: npt.NDArray[np.int64] = attrs.field(eq=attrs.cmp_using(eq=_array_eq), repr=False)
    #: (2, accounts) structure side, own currency: shortfall days, peak shortfall (None: 0).
    shortfall: npt.NDArray[np.int64] | None = attrs.field(
        default=None, eq=attrs.cmp_using(eq=_array_eq), repr=False
    )

    def rows(self) -> tuple[AccountResult, ...]:
        """One AccountResult per account, in the history's order."""
        from cashmgmt.money import exponent

        base = -exponent(self.base_currency)
        figures = self.interest.T.tolist()
        closing = self.closing.T.tolist()
        short = (
            self.shortfall.T.tolist() if self.shortfall is not None else [[0, 0]] * len(self.ids)
        )
        out = []
        for i, account in enumerate(self.ids):
            f = [Decimal(v).scaleb(base) for v in figures[i]]
            own = -exponent(self.currencies[i])
            out.append(
                AccountResult(
                    id=account,
                    entity=self.entities[i],
                    currency=self.currencies[i],
                    baseline=Interest(f[0], f[1], f[2]),
                    structure=Interest(f[3], f[4], f[5]),
                    baseline_closing_balance=Decimal(closing[i][0]).scaleb(own),
                    closing_balance=Decimal(closing[i][1]).scaleb(own),
                    shortfall_days=short[i][0],
                    peak_shortfall=Decimal(short[i][1]).scaleb(own),
                )
            )
        return tuple(out)


@attrs.frozen
class SimulationResult:
    """A structure replayed on the history, side by side with the status quo."""

    structure_id: str
    name: str
    kind: str
    currency: str
    start: date
    end: date
    days: int
    baseline: Interest
    structure: Interest
    fees: FeeResult
    benefit: Decimal
    benefit_annual: Decimal
    account_table: AccountTable
    entities: tuple[EntityResult, ...]
    intercompany: tuple[IntercompanyResult, ...]
    baseline_liquidity: Liquidity
    structure_liquidity: Liquidity
    #: Group's total balance per day in base minor units, both sides (for charts).
    baseline_daily: npt.NDArray[np.int64] = attrs.field(
        eq=attrs.cmp_using(eq=_array_eq), repr=False
    )
    structure_daily: npt.NDArray[np.int64] = attrs.field(
        eq=attrs.cmp_using(eq=_array_eq), repr=False
    )
    #: Tax on intercompany interest, counted in `benefit` and `benefit_annual`.
    tax: TaxResult = TaxResult()

    _made: dict[str, object] = attrs.field(
        init=False, eq=False, repr=False, factory=dict, alias="_made"
    )
    #: The benefit per year under parallel rate shifts (empty unless asked for).
    sensitivity: tuple[ShiftResult, ...] = ()
    #: The proposing bank's side (None when the case names no proposing bank).
    bank: BankResult | None = None

    @property
    def accounts(self) -> tuple[AccountResult, ...]:
        """Every account's result, in the history's order (made on first use)."""
        if "accounts" not in self._made:
            self._made["accounts"] = self.account_table.rows()
        made = self._made["accounts"]
        assert isinstance(made, tuple)
        return made

    def account(self, account_id: str) -> AccountResult:
        """One account's result."""
        return self.accounts[self.account_table.ids.index(account_id)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (the contract in docs/simulation.md): amounts as decimal strings."""
        return {
            "structure": {
                "id": self.structure_id,
                "name": self.name,
                "kind": self.kind,
                **self.structure.to_dict(),
                "liquidity": self.structure_liquidity.to_dict(),
            },
            "currency": self.currency,
            "period": {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "days": self.days,
            },
            "baseline": {
                **self.baseline.to_dict(),
                "liquidity": self.baseline_liquidity.to_dict(),
            },
            "fees": self.fees.to_dict(),
            "benefit": {"total": _s(self.benefit), "annual": _s(self.benefit_annual)},
            "accounts": [a.to_dict() for a in self.accounts],
            "entities": [e.to_dict() for e in self.entities],
            "intercompany": [i.to_dict() for i in self.intercompany],
            "sensitivity": [x.to_dict() for x in self.sensitivity],
            "bank": None if self.bank is None else self.bank.to_dict(),
            "tax": self.tax.to_dict(self.currency),
        }
