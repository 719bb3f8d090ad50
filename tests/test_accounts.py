"""Password hashing: bounded at the entry, whatever the number of sign-ins."""
def test_at_most_a_few_passwords_are_hashed_at_once(monkeypatch):
    """argon2id takes 64 MB per hash: sixteen sign-ins at once must not take a gigabyte."""
    import threading
    import time

    from plantrack import accounts
    from plantrack.settings import HASHING_AT_ONCE

    running, most, lock = [0], [0], threading.Lock()

    def slow_verify(stored, password):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return False

    class SlowHasher:  # stands for argon2's, whose hash takes 64 MB and a few hundred milliseconds
        verify = staticmethod(slow_verify)

    monkeypatch.setattr(accounts, "_hasher", SlowHasher())
    threads = [threading.Thread(target=accounts._verify, args=("$argon2id$x", "mat-khau-sai-0")) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == HASHING_AT_ONCE
