#!/usr/bin/python3
"""Measures the release desktop app (run by scripts/bench-desktop, under Xvfb and a private
D-Bus session with a real StatusNotifierWatcher, so the tray icon has somewhere to go).

Prints: launch to first telemetry drawn; total PSS of the app's processes (the resident
overtime-desktop, the overtime-dashboard window and WebKit's helpers) and CPU (% of one core,
averaged over the sample) with the dashboard open, then with the window closed to the tray;
then the time to bring the window back; last, the same figures for an empty Tauri window on the
same web engine (the baseline: what WebKitGTK and its graphics stack cost on this machine with
nothing of Overtime in it). PSS comes from /proc/<pid>/smaps_rollup, CPU from
utime+stime in /proc/<pid>/stat.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

APP = sys.argv[1]
BASELINE = sys.argv[2] if len(sys.argv) > 2 else None
# What overtime-desktop sets for its window (DASHBOARD_WEBKIT_ENV in host.rs), so the baseline
# runs the web engine the same way.
WINDOW_ENV = {"WEBKIT_DISABLE_COMPOSITING_MODE": "1", "WEBKIT_DISABLE_DMABUF_RENDERER": "1", "JSC_useJIT": "0"}
SAMPLE_S = float(os.environ.get("BENCH_SAMPLE_S", "60"))
HERE = os.path.dirname(os.path.abspath(__file__))
X11 = os.path.join(HERE, "..", "ui", "e2e", "x11.py")
TICK = os.sysconf("SC_CLK_TCK")


def tree(pid):
    pids = [pid]
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    pids.extend(tree(int(p)))
            except OSError:
                pass
    return pids


def pss_kib(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_ticks(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total


def cpu_pct(pid, seconds):
    """CPU of the process tree over `seconds`, in % of one core (processes that live through it)."""
    pids = tree(pid)
    before = {p: cpu_ticks([p]) for p in pids}
    t0 = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - t0
    used = sum(cpu_ticks([p]) - b for p, b in before.items() if os.path.exists(f"/proc/{p}"))
    return 100.0 * used / TICK / elapsed


def breakdown(pids):
    parts = []
    for p in pids:
        try:
            with open(f"/proc/{p}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        parts.append(f"{name} {pss_kib([p]) / 1024:.1f}")
    return ", ".join(parts) + " (MiB)"


def names(pids):
    out = []
    for p in pids:
        try:
            with open(f"/proc/{p}/comm") as f:
                out.append(f.read().strip())
        except OSError:
            pass
    return ", ".join(out)


def baseline(window_open_kib, window_only_kib):
    """Measures the empty Tauri window and prints it beside the dashboard's figures: with the
    resident agent, and the window's own processes alone (the dashboard and WebKit's helpers)."""
    env = dict(os.environ, **WINDOW_ENV)
    win = subprocess.Popen([BASELINE], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 30:
        shown = subprocess.run(["/usr/bin/python3", X11, "count", "Overtime baseline"], capture_output=True, text=True).stdout.strip()
        if shown == "1":
            break
        time.sleep(0.1)
    else:
        print("baseline: the empty window never appeared")
        win.kill()
        return
    time.sleep(5)
    pids = tree(win.pid)
    kib = pss_kib(pids)
    print(f"baseline, empty Tauri window (no Overtime): PSS by process: {breakdown(pids)}")
    print(f"baseline, empty Tauri window (no Overtime): PSS total {kib / 1024:.1f} MiB")
    print(f"the open dashboard and its agent add {(window_open_kib - kib) / 1024:.1f} MiB to the empty window")
    print(f"the dashboard window's processes alone add {(window_only_kib - kib) / 1024:.1f} MiB to the empty window")
    win.terminate()
    try:
        win.wait(10)
    except subprocess.TimeoutExpired:
        win.kill()


def main():
    d = tempfile.mkdtemp(prefix="overtime-bench-")
    # The API needs a port the configuration accepts (1024 and up) that is free now.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with open(f"{d}/config.toml", "w") as f:
        f.write(f"[api]\nport = {port}\n")
    watcher = subprocess.Popen(["status-notifier-watcher"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    env = dict(os.environ, OVERTIME_CONFIG=f"{d}/config.toml", OVERTIME_DATA_DIR=f"{d}/data",
               OVERTIME_STATE_DIR=f"{d}/state", OVERTIME_DEMO="1", NO_COLOR="1")
    env.setdefault("LC_ALL", "en_US.UTF-8")
    log = open(f"{d}/app.log", "w+")
    env.pop("OVERTIME_HOST_SOCKET", None)
    t0 = time.monotonic()
    app = subprocess.Popen([APP], env=env, stdout=log, stderr=log)
    launch_s = None
    while time.monotonic() - t0 < 30:
        log.seek(0)
        if "dashboard drew its first telemetry" in log.read():
            launch_s = time.monotonic() - t0
            break
        time.sleep(0.01)
    if launch_s is None:
        print("the dashboard never reported drawn telemetry; log:", open(f"{d}/app.log").read()[-2000:])
        app.kill()
        watcher.kill()
        sys.exit(1)
    print(f"launch to first telemetry drawn: {launch_s:.2f} s")
    time.sleep(5)
    pids = tree(app.pid)
    print(f"window open: PSS by process: {breakdown(pids)}")
    window_open_kib = pss_kib(pids)
    window_only_kib = pss_kib([p for p in pids if p != app.pid])
    print(f"window open: PSS total {window_open_kib / 1024:.1f} MiB")
    print(f"window open: CPU {cpu_pct(app.pid, SAMPLE_S):.2f} % of one core over {SAMPLE_S:.0f} s")

    closed = subprocess.run(["/usr/bin/python3", X11, "close", "Overtime"], capture_output=True, text=True).stdout.strip()
    if closed != "1":
        print("could not close the window")
    time.sleep(5)
    pids = tree(app.pid)
    print(f"closed to tray (+5 s): PSS by process: {breakdown(pids)}")
    print(f"closed to tray (+5 s): PSS total {pss_kib(pids) / 1024:.1f} MiB")
    print(f"closed to tray: CPU {cpu_pct(app.pid, SAMPLE_S):.2f} % of one core over {SAMPLE_S:.0f} s")
    if "no system tray found" in open(f"{d}/app.log").read():
        print("note: the app found no tray host")

    # Back from the tray: a second launch asks the running app for its window.
    log.seek(0, 2)
    mark = log.tell()
    t0 = time.monotonic()
    subprocess.run([APP], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    reopen_s = None
    while time.monotonic() - t0 < 30:
        log.seek(mark)
        if "dashboard window ready" in log.read():
            reopen_s = time.monotonic() - t0
            break
        time.sleep(0.01)
    print(f"reopen from the tray to telemetry drawn: {reopen_s:.2f} s" if reopen_s else "reopen: the window never reported drawn telemetry")
    app.terminate()
    try:
        app.wait(10)
    except subprocess.TimeoutExpired:
        app.kill()
    watcher.kill()
    if BASELINE:
        baseline(window_open_kib, window_only_kib)


main()
