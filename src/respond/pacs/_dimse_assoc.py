"""DIMSE associations: the AE, TLS, opening one, and what a failure means.

A refused, aborted or timed-out association becomes a :class:`PacsError` naming
the node (AE titles, host and port), what happened and what to do.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from typing import TYPE_CHECKING, Final

from pynetdicom import AE

from respond.pacs.errors import PacsError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from pydicom import Dataset
    from pynetdicom.association import Association
    from pynetdicom.events import EventHandlerType
    from pynetdicom.pdu_primitives import SCP_SCU_RoleSelectionNegotiation

    from respond.pacs.nodes import PacsNode

# A-ASSOCIATE-RJ: (source, diagnostic) -> what it means; PS3.8 9.3.4
_REJECTED: Final = {
    (1, 2): "application context name not supported",
    (1, 3): "calling AE title '{calling}' not recognised; the PACS must know "
    "respond's AE title: add it to the PACS, or fix the node's calling_aet",
    (1, 7): "called AE title '{called}' not recognised; check the node's AE "
    "titles (called_aet is the PACS's own AE title)",
    (3, 1): "the PACS is busy (temporary congestion); try again later",
    (3, 2): "the PACS has too many associations open (local limit exceeded); "
    "try again later",
}

STATUS_TEXT: Final = {
    0x0122: "SOP class not supported",
    0x0124: "not authorised",
    0xA700: "out of resources",
    0xA701: "out of resources: unable to calculate the number of matches",
    0xA702: "out of resources: unable to perform the sub-operations",
    0xA801: "move destination unknown",
    0xA900: "the identifier does not match the SOP class",
    0xB000: "some sub-operations failed",
    0xFE00: "cancelled",
}


def status_text(code: int) -> str:
    """Say what a DIMSE status means, in words, with its code."""
    if code in STATUS_TEXT:
        words = STATUS_TEXT[code]
    elif 0xA700 <= code <= 0xA7FF:
        words = "out of resources"
    elif 0xC000 <= code <= 0xCFFF:
        words = "unable to process"
    else:
        words = "failed"
    return f"{words} (status 0x{code:04X})"


def make_ae(node: PacsNode) -> AE:
    """Return an AE with respond's AE title and the node's timeouts."""
    ae = AE(ae_title=node.calling_aet)
    ae.acse_timeout = node.timeout
    ae.dimse_timeout = node.timeout
    ae.network_timeout = node.timeout
    ae.connection_timeout = node.timeout
    ae.maximum_associations = 4
    return ae


def client_tls(node: PacsNode) -> tuple[ssl.SSLContext, str] | None:
    """Return the TLS arguments of an association, or None without TLS.

    Raises
    ------
    PacsConfigError
        A certificate or key file cannot be read.
    """
    if not node.tls:
        return None
    try:
        context = ssl.create_default_context(
            ssl.Purpose.SERVER_AUTH, cafile=node.ca_file
        )
        if node.cert_file:
            context.load_cert_chain(node.cert_file, node.key_file)
    except (OSError, ssl.SSLError) as exc:
        raise node.config_error(
            f"cannot load the TLS files ({exc}): check ca_file, cert_file and key_file"
        ) from None
    return context, node.host


def server_tls(node: PacsNode) -> ssl.SSLContext | None:
    """Return the TLS context of respond's C-MOVE storage SCP, or None without TLS."""
    if not node.tls:
        return None
    if not node.cert_file:
        raise node.config_error(
            "C-MOVE over TLS needs respond's own certificate (cert_file and "
            "key_file) for its storage SCP"
        )
    try:
        context = ssl.create_default_context(
            ssl.Purpose.CLIENT_AUTH, cafile=node.ca_file
        )
        context.load_cert_chain(node.cert_file, node.key_file)
    except (OSError, ssl.SSLError) as exc:
        raise node.config_error(f"cannot load the TLS files ({exc})") from None
    context.verify_mode = ssl.CERT_REQUIRED if node.ca_file else ssl.CERT_NONE
    return context


def _where(node: PacsNode) -> str:
    return f"{node.called_aet} at {node.host}:{node.port}"


def rejection_error(node: PacsNode, assoc: Association) -> PacsError:
    """Return the error of an association the PACS rejected."""
    primitive = assoc.acceptor.primitive
    source = getattr(primitive, "result_source", None)
    diagnostic = getattr(primitive, "diagnostic", None)
    template = _REJECTED.get(
        (int(source or 0), int(diagnostic or 0)),
        "no reason given; check the node's AE titles, and that the PACS lets "
        "'{calling}' connect",
    )
    reason = template.format(called=node.called_aet, calling=node.calling_aet)
    return PacsError(
        f"{node.label}: association rejected by {_where(node)}: {reason}",
        node=node.name,
    )


def unreachable_error(node: PacsNode) -> PacsError:
    """Return the error of an association that could not be opened (probing why)."""
    wait = min(node.timeout, 5.0)
    try:
        with socket.create_connection((node.host, node.port), timeout=wait) as sock:
            reason = _tls_problem(node, sock) or (
                "it accepted the connection but did not answer the association "
                f"request within {node.timeout:g} s, or dropped it: check that "
                "the port is the PACS's DICOM port (not its web port) and that "
                "TLS is on or off on both sides alike"
            )
    except ConnectionRefusedError:
        reason = (
            "connection refused: nothing listens there; is the PACS running, "
            "and are the host and port right?"
        )
    except socket.gaierror:
        reason = f"unknown host '{node.host}': check the node's host"
    except TimeoutError:
        reason = f"no connection within {wait:g} s: check the host, port and network"
    except OSError as exc:
        reason = f"cannot connect ({exc.strerror or exc}): check the host and port"
    return PacsError(
        f"{node.label}: no association with {_where(node)}: {reason}", node=node.name
    )


def _tls_problem(node: PacsNode, sock: socket.socket) -> str | None:
    """Return why a TLS handshake with the PACS fails, or None."""
    if not node.tls:
        return None
    tls = client_tls(node)
    assert tls is not None
    context, hostname = tls
    try:
        with context.wrap_socket(sock, server_hostname=hostname) as secure:
            secure.settimeout(1.0)
            secure.recv(1)  # TLS 1.3 reports a refused client certificate here
    except ssl.SSLError as exc:
        words = str(exc.reason or exc).lower().replace("_", " ")
        return (
            f"the TLS handshake failed ({words}): check ca_file (the "
            "authority that signed the PACS's certificate), and cert_file and "
            "key_file (respond's own certificate, when the PACS asks for one)"
        )
    except OSError:
        return None
    return None


def lost_error(node: PacsNode, action: str) -> PacsError:
    """Return the error of an association that ended without an answer."""
    return PacsError(
        f"{node.label}: {action} failed: the PACS stopped answering (the "
        f"association was aborted, the connection lost, or no answer came "
        f"within {node.timeout:g} s); try again, or raise the node's timeout",
        node=node.name,
    )


@contextlib.contextmanager
def associated(
    node: PacsNode,
    ae: AE,
    *,
    ext_neg: Sequence[SCP_SCU_RoleSelectionNegotiation] = (),
    handlers: Sequence[EventHandlerType] = (),
) -> Iterator[Association]:
    """Yield an established association; release it after (abort on failure).

    A PACS that rejects an association may close the connection at once; on a
    busy machine the rejection can then be lost and the association looks
    aborted. One more request tells a rejection from a dropped connection.
    """
    for attempt in range(2):
        try:
            assoc = ae.associate(
                node.host,
                node.port,
                ae_title=node.called_aet,
                ext_neg=list(ext_neg) or None,
                evt_handlers=list(handlers) or None,
                tls_args=client_tls(node),
            )
        except (OSError, ValueError):
            raise unreachable_error(node) from None
        if assoc.is_established or assoc.is_rejected or not assoc.is_aborted:
            break
        if attempt == 0:
            time.sleep(0.2)
    if assoc.is_rejected:
        raise rejection_error(node, assoc)
    if not assoc.is_established:
        raise unreachable_error(node)
    try:
        yield assoc
    except BaseException:
        assoc.abort()
        raise
    if assoc.is_established:
        assoc.release()


def check_accepted(
    node: PacsNode, assoc: Association, sop_class: str, what: str
) -> None:
    """Raise when the PACS accepted no presentation context for ``sop_class``."""
    if not any(c.abstract_syntax == sop_class for c in assoc.accepted_contexts):
        raise PacsError(
            f"{node.label}: the PACS does not offer {what} to "
            f"'{node.calling_aet}': ask its administrator to allow it",
            node=node.name,
        )


def status_of(response: Dataset | None) -> int | None:
    """Return the Status of a DIMSE response, None when the PACS sent none."""
    if response is None or "Status" not in response:
        return None
    return int(response.Status)
