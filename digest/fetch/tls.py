"""Which certificates https fetches trust, and one-line reasons when a certificate is refused.

Polling (httpcore) and feed discovery (httpx) share :func:`ssl_context`: certifi's
bundle by default; ``$SSL_CERT_FILE`` (a PEM bundle) or ``$SSL_CERT_DIR`` (a hashed
folder) instead when set -- the same variables httpx, curl and OpenSSL honour, so a
corporate proxy's CA is trusted by pointing them at a bundle that includes it.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping

from digest.errors import ConfigError

CA_FILE_ENV, CA_DIR_ENV = "SSL_CERT_FILE", "SSL_CERT_DIR"
HINT = f"if a proxy or private CA signs it, set {CA_FILE_ENV} to a PEM bundle that includes that CA"


def ssl_context(environ: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """A verifying client context: ``$SSL_CERT_FILE``, else ``$SSL_CERT_DIR``, else certifi's bundle."""
    env = os.environ if environ is None else environ
    for name, key in ((CA_FILE_ENV, "cafile"), (CA_DIR_ENV, "capath")):
        where = env.get(name)
        if not where:
            continue
        if not os.path.exists(where):
            raise ConfigError(f"${name}={where}: no such {'file' if key == 'cafile' else 'folder'}; "
                              "point it at your CA bundle or unset it")
        try:
            return ssl.create_default_context(**{key: where})
        except (OSError, ssl.SSLError) as err:
            raise ConfigError(f"${name}={where}: not a usable CA bundle ({err}); "
                              "point it at a PEM file of CA certificates or unset it") from None
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - certifi comes with httpx
        return ssl.create_default_context()


def tls_failure(err: BaseException) -> str | None:
    """A one-line reason when ``err`` (or what it wraps) is a TLS failure, else None."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            detail = current.verify_message or current.reason or str(current)
            return f"TLS certificate not trusted: {detail}; {HINT}"
        if isinstance(current, ssl.SSLError):
            return f"TLS handshake failed: {current.reason or current}"
        current = current.__cause__ or current.__context__
    return None


__all__ = ["ssl_context", "tls_failure", "CA_FILE_ENV", "CA_DIR_ENV"]
