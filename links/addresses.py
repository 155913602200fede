"""Which addresses a link preview may connect to: public ones only, unless an operator allows a
network (PARLEY_PREVIEW_ALLOWED_NETWORKS; the tests allow their local server's)."""

import ipaddress
import socket
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud instance metadata services (AWS, GCP and Azure, AWS over IPv6, Alibaba, Oracle): each
# hands out the machine's credentials to whoever asks from inside. Refused even on a network an
# operator allowed.
METADATA = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)

# IPv6 forms that carry an IPv4 address: NAT64's well-known prefix reaches it through a
# translator, as an IPv4-mapped address reaches it through a dual-stack socket.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(Exception):
    """The URL's host is, or resolves to, an address a preview may not reach."""


def networks_parse(values: Iterable[str]) -> list[IPNetwork]:
    """PARLEY_PREVIEW_ALLOWED_NETWORKS as networks ("127.0.0.2/32", "10.1.0.0/16", "::1")."""
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip()]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return None


def address_refusal(address: IPAddress, allowed: Iterable[IPNetwork] = ()) -> str | None:
    """Why `address` may not be connected to, or None when it may: a cloud metadata address
    never; one in an `allowed` network always; otherwise only a globally reachable unicast
    address (not private, loopback, link-local, multicast, reserved, unspecified, shared or
    documentation space), also when it is written as an IPv4-mapped, NAT64 or 6to4 IPv6
    address."""
    if address in METADATA:
        return f"{address} is a cloud metadata address"
    allowed = list(allowed)
    if any(address.version == network.version and address in network for network in allowed):
        return None
    if isinstance(address, ipaddress.IPv6Address) and (inner := _embedded_ipv4(address)):
        refusal = address_refusal(inner, allowed)
        return f"{address} carries {inner}: {refusal}" if refusal else None
    for kind in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(address, f"is_{kind}"):
            return f"{address} is a {kind.replace('_', '-')} address"
    if not address.is_global:
        return f"{address} is not a public address"
    return None


def host_resolve(host: str, port: int, allowed: Iterable[IPNetwork] = ()) -> IPAddress:
    """The one address to connect to for `host`: every address the name resolves to must be
    allowed (a name that also points inside is refused whole), and the caller connects to the
    returned one, never resolving the name again (a second answer could point inside: DNS
    rebinding). A literal address, in any form getaddrinfo reads ("2130706433", "0x7f.1"), is
    vetted the same way. Raises AddressRefused."""
    allowed = list(allowed)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise AddressRefused(f"{host!r} does not resolve ({error})") from error
    addresses: list[IPAddress] = []
    for _, _, _, _, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if (refusal := address_refusal(address, allowed)) is not None:
            raise AddressRefused(f"{host!r} resolves to a refused address: {refusal}")
        addresses.append(address)
    if not addresses:
        raise AddressRefused(f"{host!r} has no address")
    return addresses[0]
