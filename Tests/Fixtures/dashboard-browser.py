#!/usr/bin/env python3
"""Drives the node's dashboard in headless Chromium over the DevTools protocol, as a person would:
checks the form's validation, sends a prompt through the form, waits until the request shows
consensus, checks the detail view, the heat map and the embedding picture, and saves a
screenshot.

usage: dashboard-browser.py DASHBOARD_URL TOKEN SCREENSHOT_PATH PROMPT EXPECTED_REVEALS
Prints one JSON object with what it saw; exits 1 with the reason when a check fails."""
import base64, json, os, shutil, subprocess, sys, tempfile, time, urllib.request

from websockets.sync.client import connect

url, token, screenshot, prompt, expected = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
profile = tempfile.mkdtemp(prefix="rakis-chromium-")
browser = subprocess.Popen(
    [shutil.which("chromium") or "/usr/bin/chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
     "--no-default-browser-check", "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--remote-debugging-port=0",
     "--window-size=1440,1000", "about:blank"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def fail(reason):
    print(json.dumps({"ok": False, "reason": reason}))
    sys.exit(1)


try:
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.time() + 60
    while not (os.path.exists(port_file) and open(port_file).read().strip()):
        if time.time() > deadline or browser.poll() is not None:
            fail("chromium did not start its DevTools endpoint")
        time.sleep(0.1)
    port = open(port_file).read().split()[0]
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
    page = next(t for t in targets if t["type"] == "page")
    socket = connect(page["webSocketDebuggerUrl"], max_size=64 << 20)
    counter = [0]

    def call(method, **params):
        counter[0] += 1
        socket.send(json.dumps({"id": counter[0], "method": method, "params": params}))
        while True:
            message = json.loads(socket.recv())
            if message.get("id") == counter[0]:
                if "error" in message:
                    fail(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(expression):
        result = call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            fail(f"script error in {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(expression, what, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if evaluate(expression):
                return
            time.sleep(0.5)
        call("Page.captureScreenshot")  # keeps the connection honest
        fail(f"timed out waiting for {what}; page said: {evaluate('document.body.innerText.slice(0, 3000)')}")

    call("Page.enable")
    call("Runtime.enable")
    call("Emulation.setDeviceMetricsOverride", width=1440, height=1000, deviceScaleFactor=1, mobile=False)
    call("Page.navigate", url=f"{url}#token={token}")
    wait_for("document.readyState === 'complete' && document.querySelector('#node-id').textContent.length > 0", "the dashboard to load", 30)
    wait_for("document.querySelector('#live').textContent === 'live'", "the live event stream", 30)
    wait_for("document.querySelector('#health').textContent === 'ready'", "the node to report ready", 60)

    # Validation: an empty prompt and a quorum of 0 are refused in the page, naming the fields.
    evaluate("document.querySelector('#prompt').value = ''; document.querySelector('#quorum').value = '0'; "
             "document.querySelector('#percentage').value = '1.5'; document.querySelector('#submit').click()")
    messages = evaluate("[...document.querySelectorAll('#form-errors li')].map(li => li.textContent)")
    for needed in ["Write a prompt.", "Quorum must be", "Agreement must be"]:
        if not any(needed in m for m in messages):
            fail(f"the form did not say {needed!r}; it said {messages}")

    # Sampled, with the node's default distance (the field left empty): honest nodes agree because
    # every node samples with the request's seed.
    # 20 s: on a loaded 2-core machine (the whole suite at once) a node took 10 s for 24 tokens.
    fill = {"#prompt": prompt, "#quorum": str(expected), "#time": "20", "#percentage": "0.5", "#temperature": "0.8", "#max-tokens": "24"}
    script = "".join(f"document.querySelector({k!r}).value = {v!r};" for k, v in fill.items())
    evaluate(script + "document.querySelector('#submit').click()")
    wait_for("document.querySelector('#form-errors').children.length === 0 && !document.querySelector('#detail-section').hidden",
             "the request to be accepted", 30)
    request_id = evaluate("document.querySelector('#detail-id').textContent")
    # The quorum ends either way within the request's time; a failed one fails the test at once.
    wait_for("document.querySelector('#detail-consensus') && (document.querySelector('#detail-consensus').textContent.startsWith('reached')"
             " || document.querySelector('#detail-status').textContent.startsWith('failed'))",
             "consensus on the request", 180)
    status = evaluate("document.querySelector('#detail-status').textContent")
    if status.startswith("failed"):
        fail(f"the request failed: {status}; page said: {evaluate('document.body.innerText.slice(0, 3000)')}")
    wait_for(f"document.querySelectorAll('#embedding-svg circle.reveal').length === {expected}", "the embedding picture", 30)
    # The list and the stats follow on the next live tick.
    wait_for(f"[...document.querySelectorAll('#inferences tbody tr')].some(r => r.dataset.requestId === {request_id!r} && "
             "r.querySelector('.status').textContent === 'completed')", "the inference list to show the request completed", 30)
    seen = evaluate("""({
        consensus: document.querySelector('#detail-consensus').textContent,
        sampling: document.querySelector('#detail-sampling').textContent,
        frame: document.querySelector('#detail-frame').textContent,
        status: document.querySelector('#detail-status').textContent,
        heatCells: document.querySelectorAll('#heatmap rect.heat-cell').length,
        reveals: document.querySelectorAll('#embedding-svg circle.reveal').length,
        valid: document.querySelectorAll('#embedding-svg circle.reveal.valid').length,
        selected: document.querySelectorAll('#embedding-svg circle.selected').length,
        headings: [...document.querySelectorAll('#detail h3')].map(h => h.textContent),
        listed: [...document.querySelectorAll('#inferences tbody tr')].map(r => r.dataset.requestId),
        peers: [...document.querySelectorAll('#peers tbody tr')].map(r => r.children[1].textContent),
        identities: [...document.querySelectorAll('#peers tbody tr')].map(r => r.children[5].textContent),
        networkProblemHidden: document.querySelector('#network').hidden,
        health: document.querySelector('#health').textContent,
        packets: document.querySelectorAll('#packets tbody tr').length,
        workers: document.querySelectorAll('#workers progress').length,
        logs: document.querySelectorAll('#logs div').length,
    })""")
    seen["requestId"] = request_id
    checks = [
        (seen["status"].startswith("completed"), "the detail shows the quorum completed"),
        ("temperature 0.8" in seen["sampling"] and "distance 32 bits" in seen["frame"],
         "the request was sampled, with the node's default distance for the field left empty"),
        (seen["heatCells"] == expected * expected, "the heat map has one cell per pair of reveals"),
        (seen["valid"] == expected and seen["selected"] == 1, "the picture marks the accepted cluster and the selected output"),
        (f"Commits ({expected})" in seen["headings"] and f"Reveals ({expected})" in seen["headings"], "commits and reveals are listed"),
        (request_id in seen["listed"], "the inference list shows the request"),
        (any("mesh" in p for p in seen["peers"]), "the peer is shown with the transport it was seen on"),
        (any(i.startswith("Sepolia: 0x") for i in seen["identities"]), "the peer's verified chain identity is shown"),
        (seen["networkProblemHidden"] and seen["health"] == "ready", "a connected node shows no network problem"),
        (seen["packets"] > 0 and seen["workers"] >= 2 and seen["logs"] > 0, "packets, workers and logs are shown"),
    ]
    for ok, what in checks:
        if not ok:
            fail(f"{what}: {json.dumps(seen)}")

    evaluate("document.querySelector('#detail-section').scrollIntoView()")
    size = evaluate("({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight})")
    shot = call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": size["w"], "height": min(size["h"], 2600), "scale": 1})
    os.makedirs(os.path.dirname(os.path.abspath(screenshot)), exist_ok=True)
    with open(screenshot, "wb") as out:
        out.write(base64.b64decode(shot["data"]))
    seen["ok"] = True
    print(json.dumps(seen))
finally:
    browser.kill()
    browser.wait()
    shutil.rmtree(profile, ignore_errors=True)
