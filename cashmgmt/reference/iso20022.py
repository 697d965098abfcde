"""The official ISO 20022 XML schemas of the camt.052 and camt.053 messages the statement
reader validates against (data/iso20022/README.md says where they come from).

Each schema is compiled once per process, on first use, with a parser that reads no DTD,
resolves no entity and opens no network connection.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

#: The folder of the shipped XSD files (inside the installed package).
SCHEMAS = Path(__file__).resolve().parent / "data" / "iso20022"

#: The messages whose schemas ship: camt.052 (account report), camt.053 (statement).
CAMT_MESSAGES = ("052", "053")
#: The message versions (`camt.053.001.<version>`) whose schemas ship.
CAMT_VERSIONS = ("02", "03", "04", "05", "06", "07", "08")


def camt_namespace(message: str, version: str) -> str:
    """The XML namespace of `camt.<message>.001.<version>`."""
    return f"urn:iso:std:iso:20022:tech:xsd:camt.{message}.001.{version}"


@cache
def camt_schema(message: str, version: str) -> etree.XMLSchema:
    """The compiled official schema of `camt.<message>.001.<version>` (one of CAMT_MESSAGES
    and CAMT_VERSIONS); ValueError for any other."""
    if message not in CAMT_MESSAGES or version not in CAMT_VERSIONS:
        raise ValueError(f"no schema ships for camt.{message}.001.{version}")
    path = SCHEMAS / f"camt.{message}.001.{version}.xsd"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(path), parser))
