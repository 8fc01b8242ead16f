"""`python -m bench app [--rounds N]`: the people's app on a cheap phone.

Imports the demo county into a fresh data dir, runs `sishuang serve`, and opens each
page in Debian's Chromium at 390 × 844 as a phone on a slow network would (CPU slowed
4×, 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip: Chrome DevTools' "Fast 3G"),
with an empty cache each round. For each page it prints the bytes transferred (every
response: headers and compressed body) and the time to the first contentful paint and
to the page's data being shown (its parts loaded), as min / median / max over the
rounds. Figures, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-app-pages-token-secret"
FAST_3G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": int(1.6 * 1024 * 1024 / 8),
    "uploadThroughput": int(750 * 1024 / 8),
}
# (name, path, signed in as) — pages whose data comes in parts wait for them
PAGES = [
    ("入口 /app/", "/app/", None),
    ("登录", "/app/sign-in", None),
    ("党员首页", "/app/home", "member"),
    ("群众首页", "/app/home", "resident"),
    ("消息", "/app/inbox", "resident"),
    ("群众点单", "/app/resident/post", "resident"),
    ("党员积分", "/app/member/points", "member"),
    ("党员服务记录", "/app/member/record", "member"),
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _sign_in(page: Any, url: str, env: dict[str, str], phone: str) -> dict[str, Any]:
    """A session for ``phone`` (asked once; reused by every round)."""
    page.goto(f"{url}/app/sign-in")
    page.fill("#phone", phone)
    page.click("#send-code")
    page.wait_for_selector("#code-form .form-status.ok")
    code = re.search(r"\b(\d{6})\b", _cli(env, "phone-code", phone))
    assert code is not None
    page.fill("#code", code.group(1))
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_url("**/app/home")
    stored: str = page.evaluate("() => localStorage.getItem('sishuang.session')")
    return {"session": stored}


def measure(rounds: int) -> list[tuple[str, list[int], list[float], list[float]]]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("SISHUANG_CHROMIUM") or shutil.which("chromium")
    if not chromium:
        raise SystemExit("no Chromium: apt-get install chromium")
    data = Path(tempfile.mkdtemp(prefix="bench-app-"))
    env = {
        **os.environ,
        "SISHUANG_DATA_DIR": str(data),
        "SISHUANG_TOKEN_SECRET": SECRET,
        "SISHUANG_DATABASE_URL": "",
        "SISHUANG_LOG_LEVEL": "warning",
    }
    demo = _cli(env, "demo")
    phones = {m[1]: m[2] for m in re.finditer(r"^\s+(\w+)\s+手机号 (\d{11})", demo, re.M)}
    port = _port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    results: dict[str, tuple[list[int], list[float], list[float]]] = {
        name: ([], [], []) for name, _, _ in PAGES
    }
    try:
        import httpx

        for _ in range(300):
            try:
                if httpx.get(f"{url}/app/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            sessions: dict[str, str] = {}
            for role in ("member", "resident"):
                ctx = browser.new_context(viewport={"width": 390, "height": 844})
                sessions[role] = _sign_in(ctx.new_page(), url, env, phones[role])["session"]
                ctx.close()
            for _ in range(rounds):  # pages interleaved within each round
                for name, path, who in PAGES:
                    ctx = browser.new_context(
                        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
                    )
                    if who:
                        literal = json.dumps(sessions[who])
                        ctx.add_init_script(f"localStorage.setItem('sishuang.session', {literal})")
                    page = ctx.new_page()
                    cdp = ctx.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                    cdp.send("Network.emulateNetworkConditions", FAST_3G)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                    sizes: list[int] = []
                    cdp.on(
                        "Network.loadingFinished",
                        lambda e, sizes=sizes: sizes.append(int(e["encodedDataLength"])),
                    )
                    started = time.perf_counter()
                    page.goto(url + path, wait_until="load")
                    page.wait_for_function(
                        "() => !document.querySelector('[data-part] .loading')", timeout=60000
                    )
                    shown = (time.perf_counter() - started) * 1000
                    page.wait_for_load_state("networkidle")
                    fcp = page.evaluate(
                        "() => (performance.getEntriesByName('first-contentful-paint')[0]"
                        " || {startTime: 0}).startTime"
                    )
                    weights, paints, shows = results[name]
                    weights.append(sum(sizes))
                    paints.append(float(fcp))
                    shows.append(shown)
                    ctx.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
    return [(name, *results[name]) for name, _, _ in PAGES]


def _mmm(values: list[float]) -> str:
    return f"{min(values):7.0f} {statistics.median(values):7.0f} {max(values):7.0f}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench app")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    rows = measure(args.rounds)
    print(
        f"the people's app at 390×844, Fast 3G, CPU 4× slower, empty cache, {args.rounds} rounds"
    )
    print(
        f"{'page':<14} {'KB transferred':>15}   {'first paint ms (min med max)':>28}"
        f"   {'data shown ms (min med max)':>28}"
    )
    for name, weights, paints, shows in rows:
        kb = statistics.median(weights) / 1024
        print(f"{name:<14} {kb:15.1f}   {_mmm(paints):>28}   {_mmm(shows):>28}")
    return 0
