#!/usr/bin/python3
"""Generate data/survey.csv: a realistic survey export for the examples.

The customer ids are those of data/orders.csv, so that `loyal loyalty`
can join the answers to the orders: respondents drawn as numbers 1-1680
are the customers of the orders (560 of its 620 buyers, in a shuffled
order, three numbers each; the other 60 buyers never answer), numbers
1681-1799 are people without a purchase in the orders (ids 89681-89799),
and every 101st answer's id carries a no-break space (U+00A0) pasted from
an email, which `loyal loyalty` matches after trimming. The ids come from
a second random stream, so every other value of the file is the same as
before the ids were joined to the orders.

Deterministic (fixed seeds), so the README's figures stay reproducible:
    /usr/bin/python3 tests/make-survey.py data/orders.csv > data/survey.csv
"""
import csv
import datetime
import random
import sys

rng = random.Random(20250101)

# The buyers of the orders (customers with a purchase, not only returns).
orders_path = sys.argv[1] if len(sys.argv) > 1 else "data/orders.csv"
with open(orders_path, newline="") as f:
    buyers = sorted({r["CustomerID"] for r in csv.DictReader(f)
                     if r["CustomerID"] and not r["InvoiceNo"].startswith("C")}, key=int)
random.Random(620).shuffle(buyers)


def customer_id(n, i):
    """The id of respondent number n (1-1799) on answer i."""
    cid = buyers[(n - 1) % 560] if n <= 1680 else str(88000 + n)
    return cid + "\u00a0" if i % 101 == 0 else cid

channels = {"web": 0.40, "store": 0.30, "app": 0.20, "phone": 0.10}
# each channel has its own score distribution (weights for 0..10)
score_weights = {
    "web":   [2, 1, 1, 2, 2, 4, 6, 10, 14, 18, 20],
    "store": [1, 1, 1, 1, 2, 3, 5, 9, 15, 22, 30],
    "app":   [3, 2, 2, 3, 3, 5, 7, 11, 14, 14, 16],
    "phone": [5, 3, 3, 4, 4, 6, 8, 10, 10, 10, 12],
}
comments = [
    "", "", "", "Great service, thanks!", "Delivery was late, again.",
    'The "express" option is not express', "ok", "Staff were friendly,\nbut the queue was long",
    "Price, quality, speed: all fine", "App crashed twice; had to call support",
    "Would recommend to friends", "Too expensive, \"premium\" my foot",
]
labels = {5: "Very satisfied", 4: "Satisfied", 3: "Neutral", 2: "Dissatisfied", 1: "Very dissatisfied"}

w = csv.writer(sys.stdout, lineterminator="\r\n")
w.writerow(["response_id", "Submitted At", "customer_id", "channel",
            "likelihood_to_recommend", "satisfaction", "product", "service", "price", "comment"])
start = datetime.datetime(2025, 1, 1)
for i in range(1, 3001):
    ch = rng.choices(list(channels), weights=list(channels.values()))[0]
    when = start + datetime.timedelta(seconds=rng.randrange(365 * 86400))
    score = rng.choices(range(11), weights=score_weights[ch])[0]
    nps = "" if rng.random() < 0.04 else str(score)
    base = max(1, min(5, round(score / 2.2 + rng.gauss(0, 0.7))))
    sat = "" if rng.random() < 0.05 else (labels[base] if rng.random() < 0.15 else str(base))
    dims = [str(max(1, min(5, base + rng.choice([-1, 0, 0, 1])))) if rng.random() > 0.03 else ""
            for _ in range(3)]
    w.writerow([f"R{i:05d}", when.strftime("%Y-%m-%d %H:%M:%S"), customer_id(rng.randrange(1, 1800), i),
                ch, nps, sat, *dims, rng.choice(comments)])
