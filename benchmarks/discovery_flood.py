"""Flood the discovery listener with 100,000 random datagrams on loopback; print JSON figures.

A separate process sends the burst (sizes 0-65,507 bytes, random bytes) from 127.0.0.1 to the
listener on 127.0.0.1; then a "genuine render server" on 127.0.0.2 announces itself until the
listener has heard it (bounded). The figures: datagrams received and dropped by the kernel,
packets per second, whether the genuine sender was reported, whether listening stopped on time,
and peak memory, next to a baseline measured in the same run: the same listener on a quiet port,
and a machine yardstick (``yardstick.py``).

Stopping on time is checked during a second burst: a plain socket waits for that burst's first
datagram, and only then a short listen starts on the same port; it must end on time while the
burst is still arriving, and must have received some of it (else it proved nothing).

    python benchmarks/discovery_flood.py [--datagrams 100000] [--seconds 6]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from typing import Any

import yardstick

from vrdr_max.discovery import DiscoveryReport, listen

MAX_DATAGRAM = 65507
GENUINE = "127.0.0.2"
LOCAL = "127.0.0.1"
SHORT_LISTEN_S = 0.3
FIRST_PACKET_WAIT_S = 30.0


def send_flood(port: int, count: int, seed: int) -> None:
    """The flooding process: ``count`` datagrams of random size and content, as fast as it can."""
    rng = random.Random(seed)
    pool = os.urandom(2 * MAX_DATAGRAM)
    started = time.perf_counter()
    sent_bytes = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _ in range(count):
            size = rng.randint(0, MAX_DATAGRAM)
            offset = rng.randint(0, MAX_DATAGRAM)
            sock.sendto(pool[offset:offset + size], (LOCAL, port))
            sent_bytes += size
    print(json.dumps({"sent": count, "sent_bytes": sent_bytes,
                      "send_s": time.perf_counter() - started}))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((LOCAL, 0))
        return int(sock.getsockname()[1])


def listen_during_burst(port: int, burst: subprocess.Popen[str]) -> tuple[DiscoveryReport, bool]:
    """Wait for the burst's first datagram, then listen briefly on the same port.

    Returns the short listen's report and whether the burst was still arriving when it ended.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as gate:
        gate.bind((LOCAL, port))
        gate.settimeout(FIRST_PACKET_WAIT_S)
        gate.recv(1)  # the burst is under way
    short = listen(SHORT_LISTEN_S, port=port, bind=LOCAL)
    return short, burst.poll() is None


def traced_listen(seconds: float, port: int,
                  on_packet: Any = None) -> tuple[DiscoveryReport, int]:
    tracemalloc.start()
    try:
        report = listen(seconds, port=port, bind=LOCAL, on_packet=on_packet)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return report, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datagrams", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--seed", type=int, default=20203)
    parser.add_argument("--send", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.send:
        send_flood(args.send, args.datagrams, args.seed)
        return 0

    machine = yardstick.measure()
    quiet, quiet_peak = traced_listen(1.0, free_port())

    port = free_port()
    genuine_heard = threading.Event()
    box: dict[str, Any] = {}

    def on_packet(address: str, _size: int) -> None:
        if address == GENUINE:
            genuine_heard.set()

    def run() -> None:
        box["report"], box["peak"] = traced_listen(args.seconds, port, on_packet)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    listener = threading.Thread(target=run)
    listener.start()
    time.sleep(0.2)  # let the listener bind before the burst
    flood = subprocess.run([sys.executable, __file__, "--send", str(port), "--datagrams",
                            str(args.datagrams), "--seed", str(args.seed)],
                           capture_output=True, text=True, timeout=120, check=True)
    sent = json.loads(flood.stdout)
    announcements = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as genuine:
        genuine.bind((GENUINE, 0))
        for _ in range(100):  # bounded: the queue may still be full of the flood
            genuine.sendto(b"ready", (LOCAL, port))
            announcements += 1
            if genuine_heard.wait(0.05):
                break
    listener.join(args.seconds + 10)

    # Bounded time: a short listen that ends while a second burst is still arriving.
    short_port = free_port()
    burst = subprocess.Popen([sys.executable, __file__, "--send", str(short_port),
                              "--datagrams", str(args.datagrams), "--seed", str(args.seed + 1)],
                             stdout=subprocess.PIPE, text=True)
    try:
        short, still_sending = listen_during_burst(short_port, burst)
    finally:
        burst.communicate(timeout=120)
    report: DiscoveryReport = box["report"]
    by_address = {s.address: s for s in report.senders}
    flood_seen = by_address.get(LOCAL)
    received = flood_seen.packets if flood_seen else 0
    figures = {
        "datagrams_sent": sent["sent"],
        "bytes_sent": sent["sent_bytes"],
        "send_s": round(sent["send_s"], 3),
        "received": received,
        "kernel_dropped": report.kernel_dropped,
        "received_plus_dropped": received + (report.kernel_dropped or 0),
        "received_per_s": round(received / sent["send_s"]),
        "sent_per_s": round(sent["sent"] / sent["send_s"]),
        "genuine_sender_found": GENUINE in by_address,
        "genuine_announcements_needed": announcements,
        "senders": len(report.senders),
        "listen_s_requested": args.seconds,
        "listen_s_actual": round(report.duration, 3),
        "short_listen_s_requested": SHORT_LISTEN_S,
        "short_listen_s_actual": round(short.duration, 3),
        "short_listen_packets": short.packets,
        "short_listen_packets_per_s_untraced": round(short.packets / short.duration),
        "burst_still_arriving_when_it_stopped": still_sending,
        "peak_traced_python_kib": round(box["peak"] / 1024, 1),
        "quiet_baseline_peak_traced_python_kib": round(quiet_peak / 1024, 1),
        "quiet_baseline_senders": len(quiet.senders),
        "max_rss_kib_before_flood": rss_before,
        "max_rss_kib_after_flood": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "machine_yardstick": machine,
    }
    stopped_on_time = short.duration < SHORT_LISTEN_S + 0.5 and report.duration < args.seconds + 0.5
    figures["stopped_on_time"] = stopped_on_time
    # A short listen that heard nothing, or that outlived the burst, proves nothing.
    figures["stop_check_valid"] = short.packets > 0 and still_sending
    print(json.dumps(figures, indent=2))
    ok = figures["genuine_sender_found"] and stopped_on_time and figures["stop_check_valid"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
