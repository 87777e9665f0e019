#!/usr/bin/python3
"""Generate data/survey.csv: a realistic survey export for the examples.

Deterministic (fixed seed), so the README's figures stay reproducible:
    /usr/bin/python3 tests/make-survey.py > data/survey.csv
"""
import csv
import datetime
import random
import sys

rng = random.Random(20250101)
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
    w.writerow([f"R{i:05d}", when.strftime("%Y-%m-%d %H:%M:%S"), f"C{rng.randrange(1, 1800):04d}",
                ch, nps, sat, *dims, rng.choice(comments)])
