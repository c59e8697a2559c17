"""A third-party Nostr client for the tests: pynostr builds, signs and verifies the events;
the `websockets` package (also from PyPI) talks to the relay.

  nostr-peer.py read URL KIND TOPIC AUTHOR COUNT TIMEOUT_S
      prints, one JSON line each, the first COUNT events of AUTHOR with the topic tag, after
      checking that pynostr computes the same id and accepts the signature; exits 1 otherwise.
  nostr-peer.py publish URL KIND TOPIC CONTENT_FILE
      publishes the file's text as an event with a fresh key; prints the event id once the
      relay accepted it (exits 1 if it refused).
  nostr-peer.py bench URL KIND TOPIC RECEIVERS COUNT CONTENT_FILE
      the reference for the transport benchmark: one publisher and RECEIVERS subscribers, plain
      websocket clients with events signed by pynostr beforehand; publishes COUNT events one at a
      time and prints, as JSON, the median and 95th-percentile time until every subscriber had each.
"""
import json
import sys
import time

from pynostr.event import Event
from pynostr.key import PrivateKey
from websockets.sync.client import connect


def read(url, kind, topic, author, count, timeout):
    deadline = time.time() + timeout
    with connect(url, max_size=None) as ws:
        ws.send(json.dumps(["REQ", "peer", {"kinds": [kind], "#t": [topic], "authors": [author]}]))
        found = 0
        while found < count:
            remaining = deadline - time.time()
            if remaining <= 0:
                sys.exit(f"only {found} of {count} events arrived")
            message = json.loads(ws.recv(timeout=remaining))
            if message[0] != "EVENT":
                continue
            raw = message[2]
            event = Event.from_dict(raw)
            if event.id != raw["id"]:
                sys.exit(f"pynostr computes id {event.id}, the event says {raw['id']}")
            if not event.verify():
                sys.exit(f"pynostr rejects the signature of {raw['id']}")
            print(json.dumps({"id": raw["id"], "content": raw["content"], "tags": raw["tags"]}), flush=True)
            found += 1


def publish(url, kind, topic, content_file):
    with open(content_file, encoding="utf-8") as f:
        content = f.read()
    key = PrivateKey()
    event = Event(content=content, kind=kind, tags=[["t", topic], ["expiration", str(int(time.time()) + 600)]])
    event.sign(key.hex())
    with connect(url, max_size=None) as ws:
        ws.send(json.dumps(["EVENT", event.to_dict()]))
        while True:
            message = json.loads(ws.recv(timeout=10))
            if message[0] == "OK" and message[1] == event.id:
                if not message[2]:
                    sys.exit(f"relay refused the event: {message[3]}")
                print(event.id)
                return


def bench(url, kind, topic, receivers, count, content_file):
    import threading

    with open(content_file, encoding="utf-8") as f:
        content = f.read()
    key = PrivateKey()
    events = []
    for n in range(count):
        event = Event(content=content, kind=kind, tags=[["t", topic], ["n", str(n)]])
        event.sign(key.hex())
        events.append(event)
    arrived = [threading.Semaphore(0) for _ in range(count)]
    ids = {event.id: n for n, event in enumerate(events)}
    ready = threading.Barrier(receivers + 1)

    def subscriber():
        with connect(url, max_size=None) as ws:
            ws.send(json.dumps(["REQ", "bench", {"kinds": [kind], "#t": [topic], "since": int(time.time()) - 5}]))
            while json.loads(ws.recv())[0] != "EOSE":
                pass
            ready.wait()
            seen = 0
            while seen < count:
                message = json.loads(ws.recv(timeout=30))
                if message[0] == "EVENT" and message[2]["id"] in ids:
                    arrived[ids[message[2]["id"]]].release()
                    seen += 1

    threads = [threading.Thread(target=subscriber) for _ in range(receivers)]
    for thread in threads:
        thread.start()
    ready.wait()
    latencies = []
    with connect(url, max_size=None) as ws:
        for n, event in enumerate(events):
            start = time.perf_counter()
            ws.send(json.dumps(["EVENT", event.to_dict()]))
            for _ in range(receivers):
                arrived[n].acquire(timeout=30)
            latencies.append(time.perf_counter() - start)
    for thread in threads:
        thread.join()
    latencies.sort()
    print(json.dumps({"median": latencies[len(latencies) // 2], "p95": latencies[int((len(latencies) - 1) * 0.95)]}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "read":
        read(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6]), float(sys.argv[7]))
    elif mode == "publish":
        publish(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif mode == "bench":
        bench(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7])
    else:
        sys.exit(f"unknown mode {mode}")
