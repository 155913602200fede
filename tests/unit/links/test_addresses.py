"""Which addresses a link preview may reach: public ones, and an operator's allowed networks."""

import ipaddress

import pytest

from links.addresses import AddressRefused, address_refusal, host_resolve, networks_parse


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.1.1",
        "100.64.0.1",
        "100.100.100.200",
        "0.0.0.0",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "192.0.0.192",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
        "2001:db8::1",
    ],
)
def test_private_loopback_link_local_metadata_and_reserved_addresses_are_refused(address):
    assert address_refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "::ffff:1.1.1.1"]
)
def test_public_addresses_are_allowed(address):
    assert address_refusal(ipaddress.ip_address(address)) is None


def test_an_allowed_network_lets_its_addresses_through_and_no_other():
    allowed = networks_parse(["127.0.0.2/32", " 10.1.0.0/16 ", ""])
    assert address_refusal(ipaddress.ip_address("127.0.0.2"), allowed) is None
    assert address_refusal(ipaddress.ip_address("10.1.200.3"), allowed) is None
    assert address_refusal(ipaddress.ip_address("::ffff:127.0.0.2"), allowed) is None
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), allowed) is not None
    assert address_refusal(ipaddress.ip_address("10.2.0.1"), allowed) is not None


def test_metadata_addresses_are_refused_even_inside_an_allowed_network():
    allowed = networks_parse(["169.254.0.0/16", "fd00::/8", "100.64.0.0/10"])
    for address in (
        "169.254.169.254",
        "fd00:ec2::254",
        "100.100.100.200",
        "::ffff:169.254.169.254",
    ):
        assert "metadata" in address_refusal(ipaddress.ip_address(address), allowed)
    assert address_refusal(ipaddress.ip_address("169.254.1.1"), allowed) is None


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "2130706433",
        "0x7f.1",
        "0x7f000001",
        "017700000001",
        "127.1",
        "::1",
        "0.0.0.0",
        "169.254.169.254",
        "0xa9fea9fe",
        "::ffff:7f00:1",
    ],
)
def test_names_and_numeric_forms_are_resolved_then_vetted(host):
    with pytest.raises(AddressRefused):
        host_resolve(host, 80)


def test_the_vetted_address_is_returned_to_connect_to():
    allowed = networks_parse(["127.0.0.2/32"])
    assert str(host_resolve("127.0.0.2", 80, allowed)) == "127.0.0.2"
    assert str(host_resolve("2130706434", 80, allowed)) == "127.0.0.2"  # 127.0.0.2 as a number


def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(AddressRefused, match="does not resolve"):
        host_resolve("no-such-host.invalid", 80)


def test_a_name_resolving_to_a_public_and_a_private_address_is_refused(monkeypatch):
    import socket

    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 80)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    with pytest.raises(AddressRefused, match=r"10\.0\.0\.5"):
        host_resolve("split.example", 80)
