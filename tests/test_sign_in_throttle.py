"""Sign-in floods against a served dashboard: attempts are reserved before their password is
hashed, a login is locked only from the address that failed with it, and the client address is
the peer's unless the peer is a trusted proxy."""

import threading

import httpx
import pytest

from plantrack.accounts import Role, add_account
from plantrack.keys import demo_keyring
from plantrack.testing import serving, signed_in_cookie
from plantrack.web.app import create_app

from .conftest import vn

KEYS = demo_keyring("sign-in")
NOW = vn(2020, 11, 20, 10)
PASSWORD = "mat-khau-chu-so-huu"


@pytest.fixture
def owner(store):
    with store.transaction() as session:
        add_account(session, "chuso", "Chủ tài khoản", PASSWORD, NOW, Role.COORDINATOR)
    return store


def app_for(store, tmp_path):
    return create_app(store, KEYS, lambda: NOW, tmp_path / "uploads", "http://127.0.0.1:1")


def csrf_of(html: str) -> str:
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def sign_in(client: httpx.Client, login: str, password: str, headers: dict[str, str] | None = None) -> httpx.Response:
    form = client.get("/dang-nhap")
    return client.post("/dang-nhap", data={"login": login, "password": password, "csrf": csrf_of(form.text)}, headers=headers)


def client_from(url: str, address: str) -> httpx.Client:
    """A client whose connections leave from ``address`` (any 127.x.y.z on Linux)."""
    return httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=address), timeout=120)


@pytest.mark.parametrize("logins", ["one login", "a login each"])
def test_forty_parallel_wrong_sign_ins_are_refused_before_hashing_while_pages_answer(owner, tmp_path, logins):
    cookie = signed_in_cookie(owner, KEYS, NOW, "xem", Role.VIEWER)
    with serving(app_for(owner, tmp_path)) as url:
        with httpx.Client(base_url=url) as attacker:
            form = attacker.get("/dang-nhap")
            fields, cookies = {"csrf": csrf_of(form.text), "password": "sai-mat-khau"}, dict(attacker.cookies)
        start, answers, page = threading.Barrier(41), [], []

        def attempt(n: int) -> None:
            with httpx.Client(base_url=url, cookies=cookies, timeout=120) as client:
                start.wait()
                login = "chuso" if logins == "one login" else f"tai-khoan-{n}"
                answers.append(client.post("/dang-nhap", data={**fields, "login": login}).status_code)

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(40)]
        for thread in threads:
            thread.start()
        start.wait()
        with httpx.Client(base_url=url, cookies={cookie["name"]: cookie["value"]}, timeout=120) as reader:
            page.append(reader.get("/"))  # while the sign-ins are being checked
        for thread in threads:
            thread.join()
    assert page[0].status_code == 200  # how long it took is the benchmark's business (bench/abuse_benchmark.py)
    hashed, refused = answers.count(401), answers.count(429)  # a 401 is a password checked; a 429 is not
    assert hashed + refused == 40, answers
    assert hashed <= 10 and refused >= 30, answers


def test_wrong_passwords_from_another_address_do_not_lock_the_owner_out(owner, tmp_path):
    with serving(app_for(owner, tmp_path)) as url:
        with client_from(url, "127.0.0.2") as attacker:
            for _ in range(5):
                assert sign_in(attacker, "chuso", "sai-mat-khau").status_code == 401
            locked = sign_in(attacker, "chuso", PASSWORD)  # even the right password, from there
            assert locked.status_code == 429 and "tạm bị khóa" in locked.text
        with client_from(url, "127.0.0.1") as owner_client:
            assert sign_in(owner_client, "chuso", PASSWORD).status_code == 303
            assert "plantrack_session" in owner_client.cookies


def test_one_address_spraying_many_logins_is_locked_too(owner, tmp_path):
    with serving(app_for(owner, tmp_path)) as url, client_from(url, "127.0.0.3") as sprayer:
        for n in range(10):
            assert sign_in(sprayer, f"tai-khoan-{n}", "sai-mat-khau").status_code == 401
        assert sign_in(sprayer, "chuso", PASSWORD).status_code == 429
        with client_from(url, "127.0.0.1") as owner_client:
            assert sign_in(owner_client, "chuso", PASSWORD).status_code == 303


@pytest.mark.parametrize("trusted", [None, "127.0.0.1"])
def test_x_forwarded_for_is_read_only_from_a_trusted_proxy(owner, tmp_path, trusted):
    """The same requests, each claiming another client address: without a trusted proxy they all
    count against the peer's address and the owner's login is locked from it; behind a trusted
    proxy each claimed address is counted on its own."""
    with serving(app_for(owner, tmp_path), forwarded_allow_ips=trusted) as url, httpx.Client(base_url=url) as client:
        for n in range(5):
            wrong = sign_in(client, "chuso", "sai-mat-khau", headers={"X-Forwarded-For": f"10.0.0.{n}"})
            assert wrong.status_code == 401
        right = sign_in(client, "chuso", PASSWORD, headers={"X-Forwarded-For": "10.0.0.99"})
    assert right.status_code == (303 if trusted else 429)


def test_many_addresses_together_and_attempts_in_progress_are_bounded():
    """The ceilings no single address reaches: failures everywhere, and attempts checked at once
    (reserved, not yet settled) whoever makes them."""
    from plantrack.web.guards import Attempt, LoginThrottle, Refusal

    throttle = LoginThrottle(everywhere="3/15 minutes", at_once=2)
    first, second = throttle.reserve("a", "10.0.0.1"), throttle.reserve("b", "10.0.0.2")
    assert isinstance(first, Attempt) and isinstance(second, Attempt)
    assert throttle.reserve("c", "10.0.0.3") is Refusal.BUSY  # two in progress already
    throttle.settle(first, False)
    throttle.settle(second, False)
    third = throttle.reserve("c", "10.0.0.3")
    assert isinstance(third, Attempt)
    throttle.settle(third, False)
    assert throttle.reserve("d", "10.0.0.4") is Refusal.BUSY  # three failures everywhere


def test_a_success_clears_its_login_from_its_address_only():
    from plantrack.web.guards import Attempt, LoginThrottle, Refusal

    throttle = LoginThrottle(per_login_and_address="2/15 minutes")
    for address in ("10.0.0.1", "10.0.0.2"):
        throttle.settle(throttle.reserve("chuso", address), False)
    throttle.settle(throttle.reserve("chuso", "10.0.0.1"), True)
    throttle.settle(throttle.reserve("chuso", "10.0.0.1"), False)
    assert isinstance(throttle.reserve("chuso", "10.0.0.1"), Attempt)  # one failure since the success
    throttle.settle(throttle.reserve("chuso", "10.0.0.2"), False)
    assert throttle.reserve("chuso", "10.0.0.2") is Refusal.LOCKED
