"""A third-party NIP-90 customer for the tests and the DVM latency figure: pynostr builds,
signs and verifies the events; the `websockets` package (PyPI) talks to the relay.

  dvm-customer.py job URL SECONDS INPUT [--param NAME VALUE]... [--tag NAME VALUE...]... [--linger S] [--first ID --among IDS]
      publishes a kind 5050 job with a fresh key, then prints, one JSON line each, every kind
      7000 and 6050 event that names the job, until a result or an error feedback has arrived
      and LINGER more seconds have passed (SECONDS at most). Each event's id and signature are
      checked with pynostr first; `received` is seconds after the job was published. Exits 1
      when nothing final arrived in time. With --first and --among (comma-separated synthientIds)
      the job gets a `nonce` param chosen so that sha256(job id ‖ FIRST) is the smallest among
      them: FIRST ranks first to answer it.
  dvm-customer.py events URL JOB_ID SECONDS
      prints, one JSON line each, every kind 7000 and 6050 event the relay holds or receives
      for the job within SECONDS.
  dvm-customer.py providers URL
      prints, one JSON line each, the NIP-89 announcements (kind 31990) of text-generation
      providers (`k` 5050) the relay holds, each checked with pynostr.
  dvm-customer.py jobs URL COUNT SECONDS INPUT [--param NAME VALUE]...
      publishes COUNT jobs one after another (each once the previous one's result arrived) and
      prints, as JSON, each job's time from publishing to its kind 6050 result.
"""
import hashlib
import json
import sys
import time

from pynostr.event import Event
from pynostr.key import PrivateKey
from websockets.sync.client import connect


def checked(raw):
    event = Event.from_dict(raw)
    if event.id != raw["id"]:
        sys.exit(f"pynostr computes id {event.id}, the event says {raw['id']}")
    if not event.verify():
        sys.exit(f"pynostr rejects the signature of {raw['id']}")
    return raw


def make_job(text, params, tags, first=None, among=()):
    key = PrivateKey().hex()
    for nonce in range(10_000):
        extra = [["param", "nonce", str(nonce)]] if first else []
        event = Event(content="", kind=5050, tags=[["i", text, "text"]] + [["param", n, v] for n, v in params] + extra + tags)
        event.sign(key)
        rank = lambda sid: hashlib.sha256((event.id + sid).encode()).hexdigest()
        if not first or min(among, key=rank) == first:
            return event
    sys.exit("no nonce puts the node first")


def publish(ws, event_dict):
    ws.send(json.dumps(["EVENT", event_dict]))
    while True:
        message = json.loads(ws.recv(timeout=10))
        if message[0] == "OK" and message[1] == event_dict["id"]:
            return message


def follow(ws, job_id, started, deadline, linger, emit):
    """Reads the job's feedback and results until something final arrived and `linger` passed."""
    ws.send(json.dumps(["REQ", "answers", {"kinds": [6050, 7000], "#e": [job_id]}]))
    final_at = None
    seen = set()
    while True:
        stop = deadline if final_at is None else min(deadline, final_at + linger)
        remaining = stop - time.time()
        if remaining <= 0:
            return final_at is not None
        try:
            message = json.loads(ws.recv(timeout=remaining))
        except TimeoutError:
            return final_at is not None
        if message[0] != "EVENT" or message[2]["id"] in seen:
            continue
        raw = checked(message[2])
        seen.add(raw["id"])
        received = time.time() - started
        emit({"received": round(received, 3), **{k: raw[k] for k in ("id", "pubkey", "kind", "content", "tags")}})
        status = next((t[1] for t in raw["tags"] if t[0] == "status" and len(t) > 1), None)
        if final_at is None and (raw["kind"] == 6050 or status == "error"):
            final_at = time.time()


def parse_options(args):
    params, tags, linger, first, among = [], [], 3.0, None, ()
    i = 0
    while i < len(args):
        if args[i] == "--param":
            params.append((args[i + 1], args[i + 2]))
            i += 3
        elif args[i] == "--tag":
            name, values = args[i + 1], args[i + 2].split(",")
            tags.append([name] + values)
            i += 3
        elif args[i] == "--first":
            first = args[i + 1]
            i += 2
        elif args[i] == "--among":
            among = args[i + 1].split(",")
            i += 2
        elif args[i] == "--linger":
            linger = float(args[i + 1])
            i += 2
        else:
            sys.exit(f"unknown option {args[i]}")
    return params, tags, linger, first, among


def job(url, seconds, text, options):
    params, tags, linger, first, among = parse_options(options)
    event = make_job(text, params, tags, first, among)
    with connect(url, max_size=None) as ws:
        started = time.time()
        answer = publish(ws, event.to_dict())
        if not answer[2]:
            sys.exit(f"relay refused the job: {answer[3]}")
        print(json.dumps({"job": event.id, "customer": event.pubkey}), flush=True)
        done = follow(ws, event.id, started, started + seconds, linger, lambda e: print(json.dumps(e), flush=True))
    if not done:
        sys.exit(f"no result or error for job {event.id} within {seconds} s")


def events(url, job_id, seconds):
    with connect(url, max_size=None) as ws:
        started = time.time()
        follow(ws, job_id, started, started + seconds, seconds, lambda e: print(json.dumps(e), flush=True))


def providers(url):
    with connect(url, max_size=None) as ws:
        ws.send(json.dumps(["REQ", "providers", {"kinds": [31990], "#k": ["5050"]}]))
        while True:
            message = json.loads(ws.recv(timeout=10))
            if message[0] == "EOSE":
                return
            if message[0] == "EVENT":
                raw = checked(message[2])
                print(json.dumps({k: raw[k] for k in ("id", "pubkey", "kind", "content", "tags")}), flush=True)


def jobs(url, count, seconds, text, options):
    params, tags, _, _, _ = parse_options(options)
    latencies = []
    with connect(url, max_size=None) as ws:
        for n in range(count):
            event = make_job(f"{text} ({n + 1})" if count > 1 else text, params, tags)
            started = time.time()
            answer = publish(ws, event.to_dict())
            if not answer[2]:
                sys.exit(f"relay refused job {n}: {answer[3]}")
            results = []
            follow(ws, event.id, started, started + seconds, 0, lambda e: results.append(e) if e["kind"] == 6050 else None)
            if not results:
                sys.exit(f"job {n} ({event.id}) got no result within {seconds} s")
            latencies.append(results[0]["received"])
            ws.send(json.dumps(["CLOSE", "answers"]))
    ordered = sorted(latencies)
    print(json.dumps({"jobs": count, "latencies": latencies, "median": round(ordered[len(ordered) // 2] if count % 2 else
                      (ordered[count // 2 - 1] + ordered[count // 2]) / 2, 3)}), flush=True)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "job":
        job(sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5:])
    elif command == "events":
        events(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    elif command == "providers":
        providers(sys.argv[2])
    elif command == "jobs":
        jobs(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6:])
    else:
        sys.exit(__doc__)
