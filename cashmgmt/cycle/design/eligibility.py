"""Eligibility computed from the case: the parameters of the country rules (thresholds,
quotas, the minority policy) applied to a structure, each test with its status, reason and
figures, rather than a flag that only says "confirm the thresholds".

- `minority`: entities the group does not wholly own, in a structure joining several
  entities (the stated policy in country_rules.yaml, `policies`);
- `integrated_pool`: China's cross-border pool entry tests (银发〔2025〕251号) for a structure
  that sweeps across China's border;
- `cross_border_lending`: the outbound lending (境外放款) and foreign debt (外债) each Chinese
  entity would carry, from the history, against its equity-linked quota.

Statuses: `met`, `not-met`, `needs-data` (a figure the case does not hold; what is assumed
or needed is said), `not-applicable`. `rule_status` is what a flag says: permitted,
needs-approval or not-permitted.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs

from cashmgmt.model import Case, NotionalPool, PhysicalStructure, SweepRule
from cashmgmt.money import from_minor, round_money
from cashmgmt.reference.rates import reference_usd_rates
from cashmgmt.reference.rules import (
    LendingQuota,
    foreign_debt_quota,
    integrated_pool_tests,
    minority_policy,
    outbound_lending_quota,
)

#: Eligibility statuses, worst first.
STATUSES = ("not-met", "needs-data", "met", "not-applicable")


@attrs.frozen
class Eligibility:
    """One computed test: its status, one sentence in English and Chinese, the figures it
    rests on (name, decimal text with its currency) and the entities and accounts it
    concerns (those a carve-out would remove)."""

    topic: str  # minority-shareholders, cross-border-pool, outbound-lending, foreign-debt
    status: str  # met, not-met, needs-data, not-applicable
    rule_status: str  # permitted, needs-approval, not-permitted
    reason: str
    reason_zh: str
    figures: tuple[tuple[str, str], ...] = ()
    entities: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    country: str = "*"
    documents: tuple[str, ...] = ()
    source: str = ""


def _pct(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('0.1')).normalize():f}%"


def _amount(value: Decimal, currency: str) -> str:
    return f"{round_money(value, currency):,f} {currency}"


# ------------------------------------------------------------------ ownership


def effective_ownership(case: Case) -> dict[str, Decimal]:
    """Each entity's share held by the group's top entity, multiplied along the ownership
    chain (an ownership left out counts as 100%, as in the case format)."""
    by_id = {e.id: e for e in case.entities}
    out: dict[str, Decimal] = {}

    def share(entity_id: str, seen: frozenset[str]) -> Decimal:
        if entity_id in out:
            return out[entity_id]
        e = by_id[entity_id]
        if e.parent is None or e.parent not in by_id or e.parent in seen:
            value = Decimal(1)
        else:
            own = Decimal(1) if e.ownership is None else e.ownership
            value = own * share(e.parent, seen | {entity_id})
        out[entity_id] = value
        return value

    for e in case.entities:
        share(e.id, frozenset())
    return out


def _links(case: Case, structure: PhysicalStructure | NotionalPool) -> list[tuple[str, str]]:
    """Pairs of accounts of different entities a structure joins: each cross-entity sweep;
    for a notional pool of several entities, every member with the header (or the first)."""
    if isinstance(structure, PhysicalStructure):
        return [
            (r.participant, r.header)
            for r in structure.rules
            if case.account(r.participant).entity != case.account(r.header).entity
        ]
    members = list(structure.accounts)
    if len({case.account(a).entity for a in members}) < 2:
        return []
    head = structure.header if structure.header in members else members[0]
    return [(a, head) for a in members if a != head]


def minority(case: Case, structure: PhysicalStructure | NotionalPool) -> list[Eligibility]:
    """The entities of a multi-entity structure that the group does not wholly own, under the
    stated minority policy (consent below `consent_below`, excluded below `exclude_below`):
    one result per country of the entities concerned, so that the approval is the country's
    (none when every entity joined with another is wholly owned)."""
    policy = minority_policy()
    shares = effective_ownership(case)
    country = {e.id: e.country for e in case.entities}
    touched: dict[str, set[str]] = {}
    for a, b in _links(case, structure):
        for account in (a, b):
            touched.setdefault(case.account(account).entity, set()).add(account)
    concerned = sorted(
        (e for e in touched if policy.status(shares[e]) != "permitted"),
        key=lambda e: (shares[e], e),
    )
    source = f"{policy.sources[0].cite()}; country_rules.yaml, policies: minority-shareholders"
    out = []
    for where in sorted({country[e] for e in concerned}):
        here = [e for e in concerned if country[e] == where]
        worst = (
            "not-permitted"
            if any(policy.status(shares[e]) == "not-permitted" for e in here)
            else "needs-approval"
        )
        listed = ", ".join(f"{e} ({_pct(shares[e])})" for e in here)
        out.append(
            Eligibility(
                "minority-shareholders",
                "not-met",
                worst,
                f"{listed} not wholly owned: sweeping their cash to the group lends the minority "
                f"shareholders' money to a related party and funding them is financial "
                f"assistance, so under the stated policy they join only with a board and "
                f"shareholder resolution the minority shareholders approve (below "
                f"{_pct(policy.consent_below)}), and never below {_pct(policy.exclude_below)}; "
                f"carve them out or obtain the consent",
                f"{listed}非集团全资持有：将其资金归集至集团即以少数股东的资金向关联方提供借款，"
                f"向其下拨资金则构成财务资助；按本工具的既定政策，持股低于"
                f"{_pct(policy.consent_below)}的成员须经少数股东同意的董事会及股东会决议方可加入，"
                f"低于{_pct(policy.exclude_below)}的成员不得加入；应将其剔除或取得同意",
                tuple((f"ownership {e}", _pct(shares[e])) for e in here),
                tuple(here),
                tuple(sorted(a for e in here for a in touched[e])),
                where,
                policy.documents,
                source,
            )
        )
    return out


# ------------------------------------------------------------------ conversion


def _daily_rates(case: Case, currency: str) -> list[Decimal]:
    """Units of the base currency per unit of `currency` on each day of the history."""
    days = case.balances.dates()
    if currency == case.base_currency:
        return [Decimal(1)] * len(days)
    points = list(case.fx.series.get(currency, ()))
    out: list[Decimal] = []
    k, found = 0, None
    for d in days:
        while k < len(points) and points[k][0] <= d:
            found = points[k][1]
            k += 1
        if found is None:
            found = points[0][1] if points else None
        if found is None:
            raise KeyError(currency)
        out.append(found)
    return out


def cny_per_base(case: Case) -> Decimal | None:
    """Units of CNY per unit of the base currency on the history's last day: the case's FX
    table, else the reference table through USD; None if neither has them."""
    base = case.base_currency
    if base == "CNY":
        return Decimal(1)
    try:
        return 1 / case.fx.rate("CNY", case.balances.end)
    except KeyError:
        pass
    table = reference_usd_rates()
    cny, own = table.rate("CNY"), table.rate(base)
    if cny is None or own is None:
        return None
    return cny / own


def _to_cny(case: Case, amount: Decimal, currency: str) -> Decimal | None:
    """An amount in CNY at the history's last day's rates (None if no rate converts it)."""
    if currency == "CNY":
        return amount
    per_base = cny_per_base(case)
    if per_base is None:
        return None
    try:
        in_base = amount * case.fx.rate(currency, case.balances.end)
    except KeyError:
        table = reference_usd_rates()
        own, base = table.rate(currency), table.rate(case.base_currency)
        if own is None or base is None:
            return None
        in_base = amount / own * base
    return in_base * per_base


# ------------------------------------------------------------------ China's cross-border pool


def crosses_china(case: Case, structure: PhysicalStructure | NotionalPool) -> list[SweepRule]:
    """The sweeps of a physical structure between an account in China and one abroad."""
    if not isinstance(structure, PhysicalStructure):
        return []
    out = []
    for r in structure.rules:
        countries = {case.account(r.participant).country, case.account(r.header).country}
        if "CN" in countries and len(countries) == 2:
            out.append(r)
    return out


def cross_border_flows(case: Case) -> tuple[Decimal, int]:
    """An estimate of the domestic (Chinese) entities' cross-border receipts and payments a
    year, in CNY: the day-to-day movements (sizes) of their foreign-currency accounts over the
    history's last 365 days (annualised when shorter), each at that day's rate. Day-to-day
    movements net a day's receipts against its payments, and RMB cross-border payments are not
    told apart from domestic ones, so it is an estimate, stated as such. Also returns the
    number of days it covers."""
    history = case.balances
    dates = history.dates()
    first = max(0, len(dates) - 365)
    days = len(dates) - first
    per_base = cny_per_base(case)
    entity_country = {e.id: e.country for e in case.entities}
    total = Decimal(0)
    for account in case.accounts:
        if entity_country.get(account.entity) != "CN" or account.currency == "CNY":
            continue
        row = history.row(account.id)
        rates = _daily_rates(case, account.currency)
        for i in range(max(first, 1), len(dates)):
            move = abs(int(row[i]) - int(row[i - 1]))
            if move:
                total += from_minor(move, account.currency) * rates[i]
    if per_base is None or days <= 1:
        return Decimal(0), days
    return total * per_base * Decimal(365) / Decimal(max(days - 1, 1)), days


def integrated_pool(case: Case, structure: PhysicalStructure | NotionalPool) -> Eligibility:
    """China's integrated cross-border pool entry tests (银发〔2025〕251号, section 3), computed
    from the case for a structure that sweeps across China's border."""
    rules = crosses_china(case, structure)
    tests = integrated_pool_tests()
    cite = tests.notice.cite()
    if not rules:
        return Eligibility(
            "cross-border-pool", "not-applicable", "permitted", "", "", country="CN", source=cite
        )
    accounts = tuple(sorted({a for r in rules for a in (r.participant, r.header)}))
    entities = tuple(sorted({case.account(a).entity for a in accounts}))
    domestic = [e for e in case.entities if e.country == "CN"]
    overseas = [e for e in case.entities if e.country != "CN"]
    revenue = case.client.annual_revenue
    revenue_cny = _to_cny(case, revenue.amount, revenue.currency)
    flows, days = cross_border_flows(case)
    results: list[tuple[str, str]] = []  # (status, English clause)
    zh: list[str] = []
    figures: list[tuple[str, str]] = []
    # Revenue: the case holds the group's consolidated revenue only. Members' revenues summed
    # can exceed it by intra-group sales; the design takes the consolidated figure as the
    # estimate of the members' and says so.
    dom_min, ovs_min = tests.domestic_revenue_min.amount, tests.overseas_revenue_min.amount
    if revenue_cny is None:
        results.append(("needs-data", "the group's revenue cannot be converted to CNY"))
        zh.append("集团营业收入无法折算为人民币")
    else:
        figures.append(("group revenue", _amount(revenue_cny, "CNY")))
        if revenue_cny < dom_min:
            results.append(
                (
                    "not-met",
                    f"group revenue {_amount(revenue_cny, 'CNY')} is below the "
                    f"{_amount(dom_min, 'CNY')} the domestic members alone must show "
                    f"(consolidated; members' own revenues summed may be higher by intra-group "
                    f"sales)",
                )
            )
            zh.append(
                f"集团营业收入{_amount(revenue_cny, 'CNY')}低于境内成员企业合计须达到的"
                f"{_amount(dom_min, 'CNY')}（合并口径，成员单体合计可能因集团内销售而更高）"
            )
        elif revenue_cny < dom_min + ovs_min:
            results.append(
                (
                    "needs-data",
                    f"group revenue {_amount(revenue_cny, 'CNY')} is below the "
                    f"{_amount(dom_min + ovs_min, 'CNY')} the domestic and overseas tests need "
                    f"together: the members' own revenues are needed",
                )
            )
            zh.append("须提供境内外成员企业单体营业收入")
        else:
            results.append(
                ("needs-data", "the split of revenue between domestic and overseas members")
            )
            zh.append("须提供境内外成员企业营业收入的划分")
    if not overseas:
        results.append(("not-met", "the group has no overseas member"))
        zh.append("集团无境外成员企业")
    figures.append(("cross-border flows a year (estimate)", _amount(flows, "CNY")))
    flows_min = tests.cross_border_flows_min.amount
    if flows >= flows_min:
        results.append(("met", "cross-border flows estimated from the history meet the test"))
        zh.append("根据历史余额估算的跨境收支规模达到门槛")
    else:
        results.append(
            (
                "not-met",
                f"the domestic members' cross-border receipts and payments, estimated from "
                f"their foreign-currency accounts over {days} days, are "
                f"{_amount(flows, 'CNY')} a year against {_amount(flows_min, 'CNY')}",
            )
        )
        zh.append(
            f"根据境内成员外币账户{days}天的余额变动估算，跨境收支规模约为每年"
            f"{_amount(flows, 'CNY')}，低于{_amount(flows_min, 'CNY')}"
        )
    members = len(domestic) + len(overseas)
    figures.append(("members", str(members)))
    if members < tests.members_min:
        results.append(("not-met", f"{members} members, fewer than {tests.members_min}"))
        zh.append(f"成员企业{members}家，少于{tests.members_min}家")
    status = next(s for s in STATUSES if any(r[0] == s for r in results))
    rule_status = tests.if_not_met if status == "not-met" else "needs-approval"
    failed = [text for s, text in results if s != "met"]
    head = {
        "not-met": "does not meet the entry tests of China's integrated cross-border pool",
        "needs-data": "needs data to test the entry of China's integrated cross-border pool",
        "met": "meets the entry tests of China's integrated cross-border pool",
    }[status]
    head_zh = {
        "not-met": "不符合跨国公司本外币一体化资金池的准入条件",
        "needs-data": "尚缺数据，无法判断能否办理跨国公司本外币一体化资金池",
        "met": "符合跨国公司本外币一体化资金池的准入条件",
    }[status]
    tail = (
        "; without a filed pool the sweep cannot run (another scheme, such as cross-border "
        "centralised fund operation or the two-way RMB pool, is for the bank to confirm)"
        if status == "not-met"
        else "; the pool is filed with the local SAFE branch"
    )
    return Eligibility(
        "cross-border-pool",
        status,
        rule_status,
        f"{head} ({tests.notice.number}): " + "; ".join(failed or ["every test met"]) + tail,
        f"{head_zh}（{tests.notice.number}）：" + "；".join(zh),
        tuple(figures),
        entities,
        accounts,
        "CN",
        ("regulatory-filing",),
        cite,
    )


# ------------------------------------------------------------------ lending quotas


def _subtree(structure: PhysicalStructure, root: str) -> list[SweepRule]:
    """The rules of the accounts that sweep (directly or through others) into `root`, and
    `root`'s own rules are not included."""
    below: dict[str, list[SweepRule]] = {}
    for r in structure.rules:
        below.setdefault(r.header, []).append(r)
    out: list[SweepRule] = []
    stack = [root]
    while stack:
        for r in below.get(stack.pop(), []):
            out.append(r)
            stack.append(r.participant)
    return out


def _moved(case: Case, structure: PhysicalStructure, rule: SweepRule) -> list[Decimal]:
    """What a sweep `rule` would carry each day, in the sweep's own currency, from the
    history (interest aside): the balances of the participant and every account sweeping
    into it, less the balances they keep (a target, where the rule has one)."""
    rules = [rule, *_subtree(structure, rule.participant)]
    history = case.balances
    total = [Decimal(0)] * history.days
    for r in rules:
        account = case.account(r.participant)
        row = history.row(account.id)
        keep = r.target.amount if r.target is not None else Decimal(0)
        for i in range(history.days):
            total[i] += from_minor(int(row[i]), account.currency) - keep
    return total


def _quota_text(quota: LendingQuota) -> str:
    return f"{quota.leverage} × {quota.factor} = {quota.share_of_equity} × equity"


def cross_border_lending(
    case: Case, structure: PhysicalStructure | NotionalPool
) -> list[Eligibility]:
    """For each Chinese entity a cross-border sweep between entities makes a lender abroad
    (境外放款) or a borrower from abroad (外债): the peak from the history, in the base
    currency, and the equity its quota needs. The case holds no equity, so the status is
    `needs-data` with the equity required; `met` when nothing crosses."""
    if not isinstance(structure, PhysicalStructure):
        return []
    lent: dict[str, list[Decimal]] = {}
    borrowed: dict[str, list[Decimal]] = {}
    accounts: dict[str, set[str]] = {}
    # the same in the sweeps' own currency, per (topic, entity): for the reason's figures
    own: dict[tuple[str, str], dict[str, list[Decimal]]] = {}
    days = case.balances.days
    for rule in crosses_china(case, structure):
        p, h = case.account(rule.participant), case.account(rule.header)
        if p.entity == h.entity:
            continue
        currency = p.currency
        rates = _daily_rates(case, currency)
        native = _moved(case, structure, rule)
        cn_is_participant = p.country == "CN"
        entity = p.entity if cn_is_participant else h.entity
        out = lent.setdefault(entity, [Decimal(0)] * days)
        into = borrowed.setdefault(entity, [Decimal(0)] * days)
        out_own = own.setdefault(("outbound-lending", entity), {}).setdefault(
            currency, [Decimal(0)] * days
        )
        into_own = own.setdefault(("foreign-debt", entity), {}).setdefault(
            currency, [Decimal(0)] * days
        )
        for i, amount in enumerate(native):
            # the participant's surplus goes to the header; its shortfall comes from it
            outward = amount if cn_is_participant else -amount
            if outward > 0:
                out[i] += outward * rates[i]
                out_own[i] += outward
            else:
                into[i] -= outward * rates[i]
                into_own[i] -= outward
        accounts.setdefault(entity, set()).update(
            {rule.participant, rule.header, *(r.participant for r in _subtree(structure, p.id))}
        )
    code = case.base_currency
    dates = case.balances.dates()
    results: list[Eligibility] = []
    for topic, table, quota in (
        ("outbound-lending", lent, outbound_lending_quota()),
        ("foreign-debt", borrowed, foreign_debt_quota()),
    ):
        for entity, series in sorted(table.items()):
            peak = max(series, default=Decimal(0))
            if peak <= 0:
                continue
            day = dates[series.index(peak)]
            needed = peak / quota.share_of_equity
            by_currency = own[(topic, entity)]
            shown = _amount(peak, code)
            if len(by_currency) == 1 and code not in by_currency:
                ((cur, native_series),) = by_currency.items()
                shown += f" ({_amount(native_series[series.index(peak)], cur)})"
            what = (
                "outbound lending (境外放款)"
                if topic == "outbound-lending"
                else "foreign debt (外债)"
            )
            what_zh = "境外放款" if topic == "outbound-lending" else "外债"
            results.append(
                Eligibility(
                    topic,
                    "needs-data",
                    "needs-approval",
                    f"{entity}'s {what} through the sweep peaks at {shown} "
                    f"({day.isoformat()}, from the history); its quota is {_quota_text(quota)} "
                    f"({quota.notice.number}, in force from {quota.effective.isoformat()}), so "
                    f"{entity} needs owner's equity of at least {_amount(needed, code)}: the case "
                    f"holds no equity, so the bank checks it and registers the loan with SAFE",
                    f"{entity}通过归集形成的{what_zh}峰值为{shown}"
                    f"（{day.isoformat()}，按历史余额测算）；额度为{_quota_text(quota)}"
                    f"（{quota.notice.number}），需所有者权益不低于{_amount(needed, code)}；"
                    f"案例未提供所有者权益，须由银行核实并办理登记",
                    (
                        (f"peak {topic}", shown),
                        ("peak day", day.isoformat()),
                        ("quota share of equity", f"{quota.share_of_equity}"),
                        ("equity needed", _amount(needed, code)),
                    ),
                    (entity,),
                    tuple(sorted(accounts[entity])),
                    "CN",
                    ("regulatory-filing",),
                    quota.notice.cite(),
                )
            )
    return results


def evaluate(case: Case, structure: PhysicalStructure | NotionalPool) -> list[Eligibility]:
    """Every computed test that says something about a structure: left out are those that do
    not apply and those met with nothing to do (a wholly owned group)."""
    found: Iterable[Eligibility] = [
        *minority(case, structure),
        integrated_pool(case, structure),
        *cross_border_lending(case, structure),
    ]
    quiet = ("not-applicable", "met")
    return [e for e in found if e.status not in quiet or e.rule_status != "permitted"]
