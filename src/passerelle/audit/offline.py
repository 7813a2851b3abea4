"""Verifying an exported log file offline, with only the node's public key.

Never raises on bad input: unreadable files, truncated or garbled lines, wrong
types and foreign keys all come back as findings in the report.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from passerelle.audit.canonical import GENESIS, dumps, export_message, parse_iso
from passerelle.audit.chain import ChainWalker, Finding, VerifyReport
from passerelle.audit.export import FORMAT, heads_digest
from passerelle.audit.reader import SignedHead
from passerelle.audit.verify import check_heads, signature_finding
from passerelle.domain.countries import Country
from passerelle.federation.keys import key_id_for

_PREFIX = b'{"entry":'
_TAIL = re.compile(
    rb',"hash":"([0-9a-f]{64})","position":(\d+),"prev_hash":"([0-9a-f]{64})","type":"entry"}'
)
_HEX64 = re.compile(r"[0-9a-f]{64}")


class _Bad(Exception):
    pass


def _entry_row(line: bytes) -> tuple[Any, bytes, str, str]:
    """(position, canonical, prev_hash, hash) of an entry line; position None if unusable."""
    cut = line.rfind(b',"hash":"')
    if line.startswith(_PREFIX) and cut > 0:
        m = _TAIL.fullmatch(line, cut)
        if m is not None:
            return (
                int(m.group(2)),
                line[len(_PREFIX) : cut],
                m.group(3).decode(),
                m.group(1).decode(),
            )
    try:  # not in canonical form: read it as JSON and re-serialise the entry
        obj = json.loads(line)
        if not isinstance(obj, dict) or obj.get("type") != "entry":
            raise _Bad
        position, prev_hash, digest = obj["position"], obj["prev_hash"], obj["hash"]
        if not (
            isinstance(position, int) and isinstance(prev_hash, str) and isinstance(digest, str)
        ):
            raise _Bad
        if not isinstance(obj.get("entry"), dict):
            raise _Bad
        return position, dumps(obj["entry"]).encode(), prev_hash, digest
    except (ValueError, KeyError, _Bad, RecursionError):
        return None, b"", "", ""


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        for raw in fh:
            line = raw.rstrip(b"\r\n")
            if line.strip():
                yield line


def _head(obj: dict[str, Any]) -> SignedHead:
    position, hash_ = obj["position"], obj["hash"]
    signature, key_id = obj["signature"], obj["key_id"]
    if not (isinstance(position, int) and isinstance(hash_, str) and _HEX64.fullmatch(hash_)):
        raise _Bad
    if not (isinstance(signature, str) and isinstance(key_id, str)):
        raise _Bad
    return SignedHead(
        position=position,
        hash=hash_,
        signature=signature,
        key_id=key_id,
        at=parse_iso(str(obj["at"])),
    )


def _header_findings(header: dict[str, Any], key: Ed25519PublicKey) -> list[Finding]:
    node = header["node"]
    country = Country(node)
    try:
        signature = str(header["signature"])
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        key.verify(raw, export_message(header))
        return []
    except KeyError:
        return [Finding(None, "bad_signature", "the export header is not signed")]
    except (InvalidSignature, ValueError, TypeError):
        pass
    expected = key_id_for(country, key)
    if header.get("key_id") != expected:
        return [
            Finding(
                None,
                "wrong_key",
                f"the export was signed by key {header.get('key_id')}, not by {expected}",
            )
        ]
    return [Finding(None, "bad_signature", "the signature of the export header is not valid")]


def verify_file(
    path: Path,
    public_key: Ed25519PublicKey,
    *,
    progress: Callable[[int], None] | None = None,
) -> VerifyReport:
    """Verify an export (``export_jsonl``) offline; see the module docstring."""
    started = time.perf_counter()
    report = VerifyReport()
    try:
        _verify(path, public_key, report, progress)
    except OSError as e:
        report.findings.append(Finding(None, "unreadable", f"cannot read {path}: {e.strerror}"))
    except Exception as e:  # last resort: the verifier reports, it never crashes
        report.findings.append(
            Finding(None, "malformed", f"the file is not a readable export ({type(e).__name__})")
        )
    report.seconds = time.perf_counter() - started
    return report


def _verify(
    path: Path,
    key: Ed25519PublicKey,
    report: VerifyReport,
    progress: Callable[[int], None] | None,
) -> None:
    lines = _lines(path)
    try:
        header = json.loads(next(lines))
        if not isinstance(header, dict) or header.get("type") != "header":
            raise _Bad
        if header.get("format") != FORMAT:
            raise _Bad
        node = Country(header["node"]).value
        first, last = int(header["first_position"]), int(header["last_position"])
        last_hash, start_hash = str(header["last_hash"]), str(header["start_hash"])
        anchor = header.get("anchor")
    except (StopIteration, ValueError, KeyError, TypeError, _Bad, RecursionError):
        report.findings.append(Finding(None, "malformed", "the file has no valid export header"))
        return
    report.findings.extend(_header_findings(header, key))
    if isinstance(anchor, dict):
        try:
            bad = signature_finding(
                key,
                node,
                str(anchor["key_id"]),
                int(anchor["position"]),
                str(anchor["hash"]),
                str(anchor["signature"]),
                "the retention anchor",
            )
        except (KeyError, ValueError, TypeError):
            bad = Finding(None, "malformed", "the retention anchor in the header is malformed")
        if bad is not None:
            report.findings.append(bad)
        elif int(anchor["position"]) != first - 1 or anchor["hash"] != start_hash:
            report.findings.append(
                Finding(first, "malformed", "the header's start does not match its anchor")
            )
    elif first != 1 or start_hash != GENESIS:
        report.findings.append(
            Finding(1, "deleted", f"the export starts at entry {first} without a retention anchor")
        )
    heads: list[SignedHead] = []
    head_lines: list[bytes] = []
    pending: bytes | None = None
    for line in lines:
        if not line.startswith(b'{"at"'):
            pending = line
            break
        head_lines.append(line)
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or obj.get("type") != "head":
                raise _Bad
            heads.append(_head(obj))
        except (ValueError, KeyError, TypeError, _Bad, RecursionError):
            report.findings.append(Finding(None, "malformed", "a signed head line is malformed"))

    if heads_digest([h.decode("utf-8", "replace") for h in head_lines]) != header.get(
        "heads_sha256"
    ):
        report.findings.append(
            Finding(None, "changed", "the signed heads in the file are not the ones exported")
        )

    def rows() -> Iterator[tuple[Any, bytes, str, str]]:
        if pending is not None:
            yield _entry_row(pending)
        for line in lines:
            yield _entry_row(line)

    def later(position: int) -> bool:
        return any(_entry_row(line)[0] == position for line in _lines(path))

    walker = ChainWalker(
        first - 1, start_hash, frozenset(h.position for h in heads), later, progress
    )
    walker.walk(rows())
    report.entries = walker.count
    report.first_position = first if walker.count else None
    report.last_position = walker.last_position
    if walker.finding is not None:
        report.findings.append(walker.finding)
    check_heads(report, heads, walker.seen, first, key, node, walker.finding is None)
    if walker.finding is None:
        end = walker.last_position or first - 1
        if end < last:
            report.findings.append(
                Finding(
                    end + 1, "truncated", f"the file ends at entry {end}; the export signed {last}"
                )
            )
        elif end == last and walker.last_hash != last_hash:
            report.findings.append(
                Finding(last, "replaced_head", f"entry {last} is not the entry the export signed")
            )
        elif end > last:
            report.findings.append(
                Finding(last + 1, "inserted", f"entries after {last} were added to the export")
            )
