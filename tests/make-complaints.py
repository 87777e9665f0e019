#!/usr/bin/python3
"""Generate data/complaints.csv: a customer-service complaints export that
goes with data/orders.csv (the same customer ids).

One row per complaint: complaint_id, customer_id, created_at (a datetime),
category (delivery, product, billing, service), resolved (yes/no, 4% blank:
still open). A complaint follows an order of the customer within ten days;
an order that turns out to be the customer's last is three times as likely
to be followed by one. Frequent buyers have more orders to complain about,
so complainers are, on the whole, the customers who stay: the confounding
loyal-complaints(1) warns about under --churn. Messy on purpose: 14
complaints by customers not in the orders (a service desk also hears from
people who bought as guests), and every fifteenth id with a no-break space (U+00A0)
before or after it, as pasted from an email or a web page.

Deterministic (fixed seed), reading data/orders.csv:
    /usr/bin/python3 tests/make-complaints.py data/orders.csv > data/complaints.csv
"""
import csv
import datetime
import random
import sys

rng = random.Random(20111209)
path = sys.argv[1] if len(sys.argv) > 1 else "data/orders.csv"
END = datetime.datetime(2011, 12, 9, 18, 0)

orders = {}  # (customer, invoice) -> earliest time of a purchase line
with open(path, newline="") as f:
    for row in csv.DictReader(f):
        c = row["CustomerID"]
        if not c or row["InvoiceNo"].startswith("C"):
            continue
        t = datetime.datetime.strptime(row["InvoiceDate"], "%Y-%m-%d %H:%M:%S")
        key = (c, row["InvoiceNo"])
        if key not in orders or t < orders[key]:
            orders[key] = t
last = {}
for (c, _), t in orders.items():
    last[c] = max(last.get(c, t), t)

categories = [("delivery", 0.40), ("product", 0.30), ("billing", 0.15), ("service", 0.15)]
complaints = []
for (c, inv), t in sorted(orders.items(), key=lambda kv: (kv[1], kv[0])):
    p = 0.12 if t == last[c] else 0.04
    if rng.random() < p:
        when = t + datetime.timedelta(seconds=rng.randrange(10 * 86400))
        if when > END:
            when = END - datetime.timedelta(seconds=rng.randrange(3600))
        complaints.append((when, c))
        if rng.random() < 0.15:  # a second complaint about the same order
            complaints.append((when + datetime.timedelta(days=rng.randint(1, 5)), c))
for k in range(14):  # people the orders never saw
    when = datetime.datetime(2010, 12, 1) + datetime.timedelta(seconds=rng.randrange(370 * 86400))
    complaints.append((min(when, END), str(90001 + k)))
complaints.sort()

w = csv.writer(sys.stdout, lineterminator="\r\n")
w.writerow(["complaint_id", "customer_id", "created_at", "category", "resolved"])
spaced = 0
for i, (when, c) in enumerate(complaints, 1):
    cat = rng.choices([x for x, _ in categories], weights=[p for _, p in categories])[0]
    r = rng.random()
    resolved = "" if r < 0.04 else ("yes" if r < 0.82 else "no")
    if i % 15 == 7:
        c = "\u00a0" + c if spaced % 2 else c + "\u00a0"
        spaced += 1
    w.writerow([f"K{i:05d}", c, when.strftime("%Y-%m-%d %H:%M:%S"), cat, resolved])
