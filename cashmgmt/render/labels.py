"""Words for the codes the documents show (segments, areas, channels, owners, tasks...),
marked for translation here and translated where they are shown."""

from __future__ import annotations

from collections.abc import Iterable

from cashmgmt.cycle.design import Candidate
from cashmgmt.cycle.design.names import name_of
from cashmgmt.cycle.execute import Task
from cashmgmt.model import Case
from cashmgmt.regions import country_name
from cashmgmt.render.environment import Gettext, make_ngettext


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


SEGMENT_NAMES = {
    "large": N_("Large corporate"),
    "mid": N_("Mid-sized corporate"),
    "small-mid": N_("Small and mid-sized business"),
    "micro": N_("Micro business"),
}
COVERAGE_NAMES = {
    "large": N_(
        "A dedicated face-to-face team: relationship manager, cash-management and "
        "credit product providers (1 : 1 : 1)"
    ),
    "mid": N_("A face-to-face relationship manager shared 2-3 : 1 : 1 with the product providers"),
    "small-mid": N_(
        "A relationship manager face-to-face (10 : 1 : 1) or by telephone (25-30 : 1 : 1)"
    ),
    "micro": N_("Online banking and branches"),
}
AREA_NAMES = {
    "account-management": N_("Account management"),
    "receivables-payables": N_("Receivables and payables"),
    "liquidity": N_("Liquidity management"),
    "investment-financing": N_("Investment and financing"),
    "risk": N_("Risk management"),
    "information-reporting": N_("Information reporting"),
}
CHANNEL_NAMES = {
    "counter": N_("Branch counter"),
    "online-banking": N_("Online banking"),
    "host-to-host": N_("Host-to-host connectivity"),
    "cash-management-platform": N_("Cash-management platform"),
    "mobile": N_("Mobile banking"),
}
TOPIC_NAMES = {
    "physical-pooling": N_("Physical pooling"),
    "cross-border-sweep": N_("Cross-border sweeping"),
    "notional-pooling": N_("Notional pooling"),
    "cross-border-notional": N_("Cross-border notional pooling"),
    "multi-currency-notional": N_("Multi-currency notional pooling"),
    "intercompany-loans": N_("Intercompany loans"),
    "cross-guarantees": N_("Cross guarantees"),
    "minority-shareholders": N_("Minority shareholders"),
    "cross-border-pool": N_("Cross-border pool entry tests"),
    "outbound-lending": N_("Outbound lending quota"),
    "foreign-debt": N_("Foreign debt quota"),
}
RULE_NAMES = {
    "zero-balance": N_("zero balance"),
    "target": N_("target"),
    "threshold": N_("threshold"),
    "range": N_("range"),
}
STATUS_NAMES = {
    "permitted": N_("permitted"),
    "needs-approval": N_("needs approval"),
    "not-permitted": N_("not permitted"),
}
KIND_NAMES = {
    "physical": N_("Physical cash concentration"),
    "notional": N_("Notional pool"),
    "hybrid": N_("Country pools with a notional overlay"),
}
OWNER_NAMES = {
    "client": N_("Client"),
    "bank": N_("Bank"),
    "both": N_("Client and bank"),
}
WORKSTREAM_NAMES = {
    "project": N_("Project"),
    "kyc": N_("KYC"),
    "credit": N_("Credit approval"),
    "legal": N_("Legal documentation"),
    "transfer-pricing": N_("Transfer pricing"),
    "regulatory": N_("Regulatory filings"),
    "accounts": N_("Accounts"),
    "connectivity": N_("Connectivity"),
    "erp": N_("ERP and accounting"),
    "testing": N_("Testing"),
    "go-live": N_("Go-live"),
}
TASK_NAMES = {
    "kickoff": N_("Kick-off and data confirmation"),
    "kyc-onboarding": N_("KYC onboarding in %(country)s"),
    "kyc-refresh": N_("KYC refresh in %(country)s"),
    "transfer-pricing": N_("Transfer-pricing documentation"),
    "open-header-accounts": N_("Open %(n)s header accounts"),  # the plural: COUNTED_TASKS
    "move-accounts": N_("Move %(n)s pooled accounts from other banks"),
    "set-up-structure": N_("Set up the structure in the bank's liquidity system"),
    "erp-set-up": N_("ERP and in-house bank set-up"),
    "user-acceptance-test": N_("User acceptance test"),
    "parallel-run": N_("Parallel run and testing"),
    "user-training": N_("User training"),
    "go-live": N_("Go-live"),
}
#: The steps whose name counts something: singular and plural, through ngettext.
COUNTED_TASKS = {
    "open-header-accounts": (N_("Open %(n)s header account"), N_("Open %(n)s header accounts")),
    "move-accounts": (
        N_("Move %(n)s pooled account from other banks"),
        N_("Move %(n)s pooled accounts from other banks"),
    ),
}
LIMIT_NAMES = {
    "pool": N_("Credit approval of the pool limits"),
    "intraday": N_("Credit approval of the intraday limits"),
    "pool-and-intraday": N_("Credit approval of the pool and intraday limits"),
}
FILING_NAMES = {
    "cn-cross-border-pool": N_("Cross-border cash pool filing with SAFE"),
}
DOCUMENT_NAMES = {
    "cash-pool-agreement": N_("Cash pool agreement"),
    "intercompany-loan-agreement": N_("Intercompany loan agreements"),
    "cross-guarantee": N_("Cross guarantees"),
    "regulatory-filing": N_("Regulatory filing"),
    "central-bank-approval": N_("Central bank approval"),
    "board-resolution": N_("Board resolutions"),
    "tax-opinion": N_("Tax opinion"),
    "account-opening": N_("Account opening documents"),
}


def client_name(case: Case, language: str) -> str:
    """The client's name in a language: its local name in Chinese documents, if it has one."""
    client = case.client
    return client.local_name if language == "zh-CN" and client.local_name else client.name


def client_address(case: Case, language: str) -> tuple[str, ...]:
    """The client's address lines in a language: its local address in Chinese documents, if
    it has one (() if the case gives no address)."""
    client = case.client
    return client.local_address if language == "zh-CN" and client.local_address else client.address


def client_industry(case: Case, language: str) -> str:
    """The client's industry in a language: its local wording in Chinese documents, if the
    case gives one (`local_industry`)."""
    client = case.client
    return (
        client.local_industry if language == "zh-CN" and client.local_industry else client.industry
    )


def candidate_label(candidate: Candidate, case: Case, gettext: Gettext, language: str) -> str:
    """A candidate's name: the RM's own name for a structure from the case, else what
    distinguishes it (kind, currency, countries, levels, buffers) in the document's language."""
    s = candidate.structure
    if candidate.origin == "case":
        local = getattr(s, "local_name", None)
        return local if language == "zh-CN" and local else s.name
    return name_of(s, case).text(
        gettext, lambda code: country_name(code, language), "、" if language == "zh-CN" else ", "
    )


def candidate_labels(
    candidates: Iterable[Candidate], case: Case, gettext: Gettext, language: str
) -> dict[str, str]:
    """Every candidate's label by id, each distinct: a label an earlier candidate already
    has gains a variant number (never the internal id, which the client does not read)."""
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for c in candidates:
        label = candidate_label(c, case, gettext, language)
        seen[label] = seen.get(label, 0) + 1
        out[c.id] = (
            label
            if seen[label] == 1
            else gettext("%(name)s, variant %(n)s", name=label, n=seen[label])
        )
    return out


def task_label(task: Task, gettext: Gettext, language: str) -> str:
    """A plan step in the document's language."""
    params = dict(task.params)
    if task.key == "sign-document":
        doc = params["document"]
        name = gettext(DOCUMENT_NAMES[doc]) if doc in DOCUMENT_NAMES else doc
        return gettext("Sign: %(doc)s", doc=name)
    if task.key == "obtain-approval":
        return gettext("Approval in %(country)s", country=country_name(params["country"], language))
    if task.key == "file-with-regulator":
        return gettext(FILING_NAMES[params["filing"]])
    if task.key == "approve-limits":
        return gettext(LIMIT_NAMES[params["limits"]])
    if task.key == "set-up-channel":
        return gettext("Set up %(channel)s", channel=gettext(CHANNEL_NAMES[params["channel"]]))
    if task.key in COUNTED_TASKS:
        singular, plural = COUNTED_TASKS[task.key]
        return make_ngettext(language)(singular, plural, int(params["count"]))
    if task.key in ("kyc-onboarding", "kyc-refresh"):
        return gettext(TASK_NAMES[task.key], country=country_name(params["country"], language))
    return gettext(TASK_NAMES[task.key])
