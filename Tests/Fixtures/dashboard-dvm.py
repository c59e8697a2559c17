#!/usr/bin/env python3
"""Checks a --dvm node's dashboard in headless Chromium: the "NIP-90 jobs" table lists the job
with its customer, status and result event, and its request link opens the request's detail.

usage: dashboard-dvm.py DASHBOARD_URL TOKEN JOB_ID CUSTOMER RESULT_EVENT_ID
Prints one JSON object with what it saw; exits 1 with the reason when a check fails."""
import json, sys

from cdp_page import Page, fail

url, token, job, customer, result = sys.argv[1:6]

with Page() as page:
    page.open_dashboard(url, token)
    row = f"document.querySelector('#dvm-jobs tbody tr[data-job-id=\"{job}\"]')"
    page.wait_for(f"!document.querySelector('#dvm-section').hidden && {row} !== null", "the job in the NIP-90 table", 30)
    seen = page.evaluate(f"""(() => {{ const cells = [...{row}.children];
        return {{ pubkey: document.querySelector('#dvm-pubkey').title, customer: cells[1].title, input: cells[2].textContent,
                 status: cells[3].textContent, request: cells[4].textContent, result: cells[5].title }}; }})()""")
    page.evaluate(f"{row}.children[4].querySelector('a').click()")
    page.wait_for(f"!document.querySelector('#detail-section').hidden && document.querySelector('#detail-id').textContent === 'dvm:{job}'",
                  "the job's request detail", 30)
    checks = [
        (len(seen["pubkey"]) == 64, "the section names the node's key"),
        (seen["customer"] == customer, "the customer is shown"),
        (seen["status"] == "success", "the job shows success"),
        (seen["result"] == result, "the result event is shown"),
        (seen["request"].startswith("dvm:"), "the request is linked"),
    ]
    for ok, what in checks:
        if not ok:
            fail(f"{what}: {json.dumps(seen)}")
    seen["ok"] = True
    print(json.dumps(seen))
