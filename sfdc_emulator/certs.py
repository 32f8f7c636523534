"""TLS material: a local CA, a server certificate for 127.0.0.1/localhost, and a JWT-bearer test keypair."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class CertPaths:
    ca_file: Path
    cert_file: Path
    key_file: Path
    jwt_key_file: Path
    jwt_cert_file: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sfdc_emulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key: object) -> bytes:
    return key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _builder(subject: x509.Name, issuer: x509.Name, public_key: object, days: int) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
    )


def ensure_certs(directory: Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> CertPaths:
    """Create (once) and return the CA, server and JWT files in `directory`; existing files are reused."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = CertPaths(
        ca_file=directory / "emulator-ca.pem",
        cert_file=directory / "emulator-server.pem",
        key_file=directory / "emulator-server-key.pem",
        jwt_key_file=directory / "emulator-jwt-key.pem",
        jwt_cert_file=directory / "emulator-jwt-cert.pem",
    )
    if not (paths.ca_file.exists() and paths.cert_file.exists() and paths.key_file.exists()):
        _write_tls(paths, hosts)
    if not (paths.jwt_key_file.exists() and paths.jwt_cert_file.exists()):
        _write_jwt(paths)
    return paths


def _write_tls(paths: CertPaths, hosts: tuple[str, ...]) -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("sfdc_emulator local CA")
    ca_cert = (
        _builder(ca_name, ca_name, ca_key.public_key(), 3650)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    sans: list[x509.GeneralName] = []
    for host in hosts:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            sans.append(x509.DNSName(host))
    cert = (
        _builder(_name(hosts[0]), ca_name, key.public_key(), 825)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths.key_file.write_bytes(_pem_key(key))
    paths.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))


def _write_jwt(paths: CertPaths) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = _name("sfdc_emulator JWT test key")
    cert = _builder(name, name, key.public_key(), 3650).sign(key, hashes.SHA256())
    paths.jwt_key_file.write_bytes(_pem_key(key))
    paths.jwt_cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
