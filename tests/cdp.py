"""cdp.py: headless Chromium driven over the DevTools protocol (a websocket, python3-websocket), for the browser
tests of the report pages: open a page, evaluate JavaScript in it, wait for a condition, take a screenshot, and
record the network requests the page makes."""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websocket

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-proxy-server", "--disable-extensions", "--remote-debugging-port=0",
                  "--remote-allow-origins=*", "--window-size=1280,1000"]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, binary=None, timeout=30):
        binary = binary or find_chromium()
        if not binary:
            raise RuntimeError("chromium not found (scripts/install-deps.sh installs Debian's chromium)")
        self.profile = tempfile.mkdtemp(prefix="gk-chromium-")
        self.proc = subprocess.Popen([binary] + CHROMIUM_FLAGS + ["--user-data-dir=" + self.profile, "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        end = time.time() + timeout
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if time.time() > end or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.1)
        port = int(open(port_file).read().split()[0])
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        targets = json.loads(opener.open("http://127.0.0.1:%d/json/list" % port, timeout=10).read())
        page = [t for t in targets if t.get("type") == "page"][0]
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.events = []
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Network.enable")

    def send(self, method, params=None, timeout=60):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params or {}}))
        end = time.time() + timeout
        while time.time() < end:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(method)

    def eval(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"].get("exception", {}).get("description")))
        return r["result"].get("value")

    def goto(self, url, timeout=30):
        self.events = []
        self.send("Page.navigate", {"url": url})
        self.wait("document.readyState === 'complete'", timeout)

    def wait(self, expr, timeout=30, every=0.2):
        """Polls expr until it is truthy; returns its value (raises TimeoutError naming it)."""
        end = time.time() + timeout
        while True:
            try:
                v = self.eval(expr)
            except RuntimeError:
                v = None
            if v:
                return v
            if time.time() > end:
                raise TimeoutError("waited %g s for %s" % (timeout, expr))
            time.sleep(every)

    def offline(self, on=True):
        self.send("Network.emulateNetworkConditions", {"offline": on, "latency": 0, "downloadThroughput": -1,
                                                       "uploadThroughput": -1})

    def requests(self):
        """The URLs the page asked for since the last goto."""
        self.send("Runtime.evaluate", {"expression": "1"})  # drains the events that came before
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, path):
        r = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def close(self):
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)
