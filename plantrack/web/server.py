"""How the dashboard is served by uvicorn, for ``plantrack serve`` and ``testing.serving`` alike.

The client address that sign-ins are throttled by (``guards.LoginThrottle``) is the peer's,
unless the peer is a proxy listed in ``forwarded_allow_ips`` (comma-separated addresses or
networks, ``*`` for any): only then are X-Forwarded-For and X-Forwarded-Proto read. By default
no proxy is trusted (uvicorn's own default trusts 127.0.0.1, and its FORWARDED_ALLOW_IPS
variable is not read), so a client cannot pick the address it is counted under.
"""

from __future__ import annotations


def server_config(app, host: str, port: int, forwarded_allow_ips: str | None = None):
    """The ``uvicorn.Config`` serving ``app`` on ``host:port``, trusting only the proxies named."""
    import uvicorn

    trusted = (forwarded_allow_ips or "").strip()
    return uvicorn.Config(app, host=host, port=port, log_level="warning", server_header=False,
                          proxy_headers=bool(trusted), forwarded_allow_ips=trusted)
