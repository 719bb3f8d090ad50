"""Every default in one place, and the environment variables that change them.

Read only at the entry points (the CLI, the flows, the dashboard): everything below them
takes its values as arguments or imports the constants from here.
``DeliverySettings.from_environment()`` and ``keys.Keyring.from_environment()`` are the
readers of the environment.

Delivery variables:

- ``PLANTRACK_ENVIRONMENT``: ``production`` lets mail reach the addresses in the plan files
  through a non-local SMTP server, and lets units' own channel URLs be posted to. Anything
  else (the default, ``staging``) refuses both unless ``PLANTRACK_MAIL_REDIRECT`` is set.
- ``PLANTRACK_MAIL_REDIRECT``: one address that receives every e-mail instead of the units
  (a staging run against a real server). The message keeps its original To and Cc in
  ``X-Plantrack-Original-To`` / ``-Cc`` and its subject says ``[THỬ NGHIỆM]``.
- ``PLANTRACK_SMTP_DATA_TIMEOUT``: seconds to wait for the server's final answer to DATA
  (RFC 5321 §4.5.3.2.6 asks the client for 10 minutes).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from .errors import PlantrackError

ENVIRONMENT_VARIABLE = "PLANTRACK_ENVIRONMENT"
MAIL_REDIRECT_VARIABLE = "PLANTRACK_MAIL_REDIRECT"
DATA_TIMEOUT_VARIABLE = "PLANTRACK_SMTP_DATA_TIMEOUT"

PRODUCTION = "production"

# SMTP: the final reply to DATA may take the server 10 minutes (RFC 5321 §4.5.3.2.6); other
# commands get the connect timeout of the SMTP URL (apprise's default, 15 s).
DATA_TIMEOUT_S = 600.0

# The outbox: a claim is leased for LEASE and renewed every LEASE / 3 while its run works.
LEASE = dt.timedelta(minutes=10)
# Temporary failures back off 5 min, 10, 20... capped at 6 h, and give up after GIVE_UP_AFTER
# in the outbox (RFC 5321 §4.5.4.1: "at least 4-5 days").
FIRST_RETRY = dt.timedelta(minutes=5)
LONGEST_RETRY = dt.timedelta(hours=6)
GIVE_UP_AFTER = dt.timedelta(days=5)
# A message the server rejected (5xx after DATA, e.g. 554) is tried this many times in all,
# backing off in between, before it is undeliverable: some filters reject then accept.
REJECTED_TRIES = 3

# The coordinating office's daily digest of undeliverable notices goes out with the next
# morning's watch: alerts are due at this local hour on the day after the failure.
ALERT_HOUR = 7

# --- the dashboard and its access model ------------------------------------------------
PUBLIC_URL_VARIABLE = "PLANTRACK_PUBLIC_URL"  # the address people use; links are built from it
RATE_LIMIT_STORAGE_VARIABLE = "PLANTRACK_RATE_LIMIT_STORAGE"  # a `limits` storage URI, default memory://
SESSION_LIFETIME = dt.timedelta(hours=12)
PASSWORD_LENGTH = (10, 256)
# argon2id at its defaults takes 64 MB for each hash: 16 sign-ins at once took a gigabyte. At most
# this many hash at a time; the others wait their turn (a few hundred milliseconds each).
HASHING_AT_ONCE = 2
# Failed sign-ins within a moving window (``web.guards.LoginThrottle``): a login is locked only
# from the address that failed with it, so an attacker elsewhere cannot lock its owner out; one
# address spraying many logins, and many addresses together, are bounded too.
SIGN_IN_LIMIT_PER_LOGIN_AND_ADDRESS = "5/15 minutes"
SIGN_IN_LIMIT_PER_ADDRESS = "10/15 minutes"
SIGN_IN_LIMIT_EVERYWHERE = "300/15 minutes"
# Sign-ins being checked at once (hashing or waiting for the hashing pool); beyond, 429 at once.
SIGN_IN_AT_ONCE = 8
# Threads of the sign-in route's own hashing pool. One argon2id hash already runs its 4 lanes in
# 4 threads: on a 2-core server two at once left a page at 4-8 times its time alone while eight
# sign-ins were checked, one at once at about its time (bench/abuse_benchmark.py).
SIGN_IN_HASHING_THREADS = 1
FORWARDED_ALLOW_IPS_VARIABLE = "PLANTRACK_FORWARDED_ALLOW_IPS"  # proxies trusted for X-Forwarded-For; default none
FLASH_LIFETIME = dt.timedelta(minutes=10)  # a signed "done" message after an action
LINK_LIFETIME = dt.timedelta(days=90)  # a submission link, after the deadline in force

# --- what agencies hand in ---------------------------------------------------------------
MAX_FILE = 20 * 1024 * 1024  # one file
LINK_QUOTA = 40 * 1024 * 1024  # every file through one link
MAX_CORRECTIONS = 3  # after the first hand-in, through one link
FORM_LIMIT = 64 * 1024  # the body of any other form
HANDIN_LIMIT = MAX_FILE + 256 * 1024  # a hand-in's body: the file and the other fields

# --- the master secret ---------------------------------------------------------------------
SECRET_MIN_LENGTH = 32  # characters; secrets.token_urlsafe(32) gives 43
SECRET_MIN_DISTINCT = 16  # different characters

# --- plan files ------------------------------------------------------------------------------
MAX_DEFINITION_BYTES = 1024 * 1024  # one file; the largest real one is about 25 KB (a 1 MB one of 8,000 units takes 9 s to check)
MAX_YAML_VALUES = 200_000  # in one file once its aliases are expanded
MAX_DEFINITION_FILES = 1000


@dataclass(frozen=True)
class DeliverySettings:
    environment: str = "staging"
    redirect_to: str | None = None
    data_timeout_s: float = DATA_TIMEOUT_S

    @property
    def production(self) -> bool:
        return self.environment == PRODUCTION

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> "DeliverySettings":
        environ = os.environ if environ is None else environ
        timeout = environ.get(DATA_TIMEOUT_VARIABLE) or str(DATA_TIMEOUT_S)
        try:
            data_timeout = float(timeout)
        except ValueError:
            raise PlantrackError(f"{DATA_TIMEOUT_VARIABLE} must be a number of seconds, not {timeout!r}") from None
        if not 1 <= data_timeout <= 3600:
            raise PlantrackError(f"{DATA_TIMEOUT_VARIABLE} must be between 1 and 3600 seconds, not {timeout}")
        redirect = (environ.get(MAIL_REDIRECT_VARIABLE) or "").strip() or None
        if redirect is not None and ("@" not in redirect or any(c in redirect for c in " ,;<>\r\n")):
            raise PlantrackError(f"{MAIL_REDIRECT_VARIABLE} must be one e-mail address, not {redirect!r}")
        return cls((environ.get(ENVIRONMENT_VARIABLE) or "staging").strip().lower(), redirect, data_timeout)

# plantrack import: what a document may be before it is read (a 130,000-character decision is
# about 0.3 MB of .docx; a PDF with images is larger).
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_CHARS = 1_000_000  # of text once read: eight times the largest plan of the corpus
MAX_IMPORT_PAGES = 400  # of a PDF
IMPORT_LIMIT = MAX_IMPORT_BYTES + 64 * 1024  # the dashboard's upload: the document and the form's fields
IMPORTS_PER_ACCOUNT = "30/hour"  # drafts from documents on the dashboard

# Untrusted files are parsed in a worker process (``untrusted``) with these limits.
ZIP_MEMBERS = 1000  # members of a .docx or .xlsx
DOCUMENT_INFLATED = 120 * 1024 * 1024  # a .docx's members inflated, in all
DOCUMENT_SECONDS = 60  # wall-clock time to read a document to import
DOCUMENT_MEMORY = 1536 * 1024 * 1024  # the worker's address space (RLIMIT_AS)
PDF_STREAM_BYTES = 4 * 1024 * 1024  # one page's content streams, decoded
TEMPLATE_INFLATED = 4 * 1024 * 1024  # a figures template's members inflated, in all (a real one: ~15 KB)
TEMPLATE_SHARED_STRINGS = 5000
TEMPLATE_ROWS = 500  # rows of a template's sheet (one per indicator, at most 50, and a header)
TEMPLATE_SECONDS = 10
TEMPLATE_MEMORY = 768 * 1024 * 1024
# Parses at once (the others wait their turn): on a 2-core machine one parse leaves a core to the
# pages; four at once slowed a page 4.5x (bench/abuse_benchmark.py).
PARSING_AT_ONCE = 1
