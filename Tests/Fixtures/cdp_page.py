"""Headless Chromium driven over the DevTools protocol, for the dashboard tests: one page,
with `call` (a DevTools method), `evaluate` (JavaScript, by value) and `wait_for` (an
expression until it is true). A failed check prints {"ok": false, "reason": …} and exits 1;
the browser and its profile are removed however the script ends."""
import json, os, shutil, subprocess, sys, tempfile, time, urllib.request

from websockets.sync.client import connect


def fail(reason):
    print(json.dumps({"ok": False, "reason": reason}))
    sys.exit(1)


class Page:
    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix="rakis-chromium-")
        # With --disable-dev-shm-usage Chromium keeps its shared memory in files under TMPDIR,
        # which a killed browser leaves behind: inside the profile, they go with it.
        scratch = os.path.join(self.profile, "tmp")
        os.mkdir(scratch)
        self.browser = subprocess.Popen(
            [shutil.which("chromium") or "/usr/bin/chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-dev-shm-usage", f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
             "--window-size=1440,1000", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, TMPDIR=scratch))
        try:
            port_file = os.path.join(self.profile, "DevToolsActivePort")
            deadline = time.time() + 60
            while not (os.path.exists(port_file) and open(port_file).read().strip()):
                if time.time() > deadline or self.browser.poll() is not None:
                    fail("chromium did not start its DevTools endpoint")
                time.sleep(0.1)
            port = open(port_file).read().split()[0]
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
            page = next(t for t in targets if t["type"] == "page")
            self.socket = connect(page["webSocketDebuggerUrl"], max_size=64 << 20)
            self.counter = 0
            self.call("Page.enable")
            self.call("Runtime.enable")
            self.call("Emulation.setDeviceMetricsOverride", width=1440, height=1000, deviceScaleFactor=1, mobile=False)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        self.browser.kill()
        self.browser.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
        return False

    def call(self, method, **params):
        self.counter += 1
        self.socket.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.counter:
                if "error" in message:
                    fail(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            fail(f"script error in {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.5)
        self.call("Page.captureScreenshot")  # keeps the connection honest
        fail(f"timed out waiting for {what}; page said: {self.evaluate('document.body.innerText.slice(0, 3000)')}")

    def open_dashboard(self, url, token):
        """Loads the dashboard with the API token and waits for its live event stream."""
        self.call("Page.navigate", url=f"{url}#token={token}")
        self.wait_for("document.readyState === 'complete' && document.querySelector('#node-id').textContent.length > 0",
                      "the dashboard to load", 30)
        self.wait_for("document.querySelector('#live').textContent === 'live'", "the live event stream", 30)
