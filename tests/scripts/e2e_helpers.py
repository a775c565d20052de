"""Helpers the end-to-end test scripts share: a free loopback port, JSON over HTTP, bounded waits."""
import json
import socket
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.load(r)


def wait_for(what, fn, seconds):
    """fn()'s first truthy value within `seconds` (exceptions count as not yet); else fail."""
    end = time.monotonic() + seconds
    last = None
    while time.monotonic() < end:
        try:
            value = fn()
            if value:
                return value
        except Exception as e:  # not up yet
            last = e
        time.sleep(0.5)
    raise SystemExit(f"FAIL: timed out after {seconds} s waiting for {what} (last error: {last})")
