"""The office service (``jpki-office``): kiosks submit signed requests, staff decide, and the
audit trail shows anything done behind the service's back.

* :mod:`~office.api` — the HTTP API (Starlette); :mod:`~office.server` — serving it over TLS;
* :mod:`~office.service` — who may do what, on the ledger (:mod:`jpki.ledger`);
* :mod:`~office.writer` — verified submissions stored in batches;
* :mod:`~office.holders` — an applicant's card proving who they are;
* :mod:`~office.credentials` — tokens, argon2id passwords, TOTP;
* :mod:`~office.database` — migrations and the PostgreSQL owner and service roles;
* :mod:`~office.config` — ``office.toml``; :mod:`~office.cli` — ``jpki-office``.

Layers: ``office`` imports ``jpki``; nothing in ``jpki`` imports ``office``.
"""
