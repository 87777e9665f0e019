#!/usr/bin/python3
"""Generate data/orders.csv: an order-line export as online shops produce it.

Shaped like the UCI "Online Retail" data set: one row per order line,
InvoiceNo / StockCode / Description / Quantity / InvoiceDate / UnitPrice /
CustomerID / Country, 2010-12-01 to 2011-12-09. Messy on purpose: several
lines per order, returns as separate "C" invoices with negative quantities,
guest orders without a customer id, descriptions with commas and quotes,
two returns of customers whose purchase predates the export.

Customers buy as in the models of loyal-churn(1): while active at a rate
that varies between customers (gamma distributed), and after each order
they leave for good with a probability that varies between customers
(beta distributed).

Deterministic (fixed seed), so the man pages' figures stay reproducible:
    /usr/bin/python3 tests/make-orders.py > data/orders.csv
"""
import csv
import datetime
import random
import sys

rng = random.Random(20110101)
START = datetime.datetime(2010, 12, 1)
END = datetime.datetime(2011, 12, 9, 20, 0)
SPAN = (END - START).total_seconds()

countries = [("United Kingdom", 0.72), ("Germany", 0.07), ("France", 0.06),
             ("EIRE", 0.04), ("Spain", 0.03), ("Netherlands", 0.03),
             ("Belgium", 0.03), ("Portugal", 0.02)]
words_a = ["WHITE", "RED", "PINK", "BLUE", "VINTAGE", "REGENCY", "JUMBO", "PAPER",
           "GLASS", "HEART", "RETRO", "SPOTTY", "FLORAL", "CHRISTMAS", "WOODEN"]
words_b = ["T-LIGHT HOLDER", "CAKE TINS", "BAG", "LANTERN", "MUG", "TEACUP AND SAUCER",
           "BUNTING", "ALARM CLOCK", "NAPKINS", "DOORMAT", "CHALKBOARD", "PHOTO FRAME"]
catalogue = []
for i in range(160):
    desc = f"{rng.choice(words_a)} {rng.choice(words_b)}"
    if i % 9 == 0:
        desc = f"SET OF {rng.randint(2, 6)} {desc}, ASSORTED"   # a comma: quoted
    if i % 37 == 0:
        desc = f'{desc} "LOVE"'                                    # quotes inside
    price = rng.choice([0.42, 0.85, 1.25, 1.65, 2.1, 2.55, 2.95, 3.75, 4.95, 7.95, 12.75])
    catalogue.append((f"{84000 + i * 7}{'' if i % 5 else 'B'}", desc, price))


def pick_country():
    x, acc = rng.random(), 0.0
    for name, p in countries:
        acc += p
        if x < acc:
            return name
    return countries[0][0]


def shop_time(t):
    """Move a timestamp into opening hours (08:00-19:59), whole minutes."""
    t = t.replace(hour=rng.randint(8, 19), minute=rng.randint(0, 59), second=0, microsecond=0)
    return min(t, END)


orders = []  # (time, customer or "", country, [(stock, desc, qty, price)])
customers = []
for n in range(620):
    cid = str(12346 + n * 3 + rng.randint(0, 2))
    first = START + datetime.timedelta(seconds=SPAN * rng.random() ** 1.4)
    rate = rng.gammavariate(0.9, 1 / 24.0)  # orders per day while active
    # Leaves for good after each order, the first included, with a
    # probability that differs widely between customers (mean 0.23): many
    # one-time buyers, and loyal customers who almost never leave. The
    # drop-out models (BG/NBD, MBG/NBD, Pareto/NBD) need this heterogeneity
    # to be determined from the data at most as-of dates.
    p_drop = rng.betavariate(0.6, 2.0)
    customers.append(cid)
    country = pick_country()
    t = first
    while t <= END:
        lines = []
        for _ in range(min(1 + int(rng.expovariate(0.7)), 12)):
            stock, desc, price = rng.choice(catalogue)
            lines.append((stock, desc, rng.choice([1, 2, 3, 4, 6, 12, 24]), price))
        orders.append((shop_time(t), cid, country, lines))
        if rng.random() < p_drop:
            break
        t += datetime.timedelta(days=rng.expovariate(rate) + 0.5)

for _ in range(150):  # guest checkouts
    t = START + datetime.timedelta(seconds=SPAN * rng.random())
    lines = [(s, d, rng.choice([1, 2, 6]), p) for s, d, p in rng.sample(catalogue, rng.randint(1, 4))]
    orders.append((shop_time(t), "", pick_country(), lines))

orders.sort(key=lambda o: o[0])
rows = []
invoice = 536365
returns = 0
for t, cid, country, lines in orders:
    for stock, desc, qty, price in lines:
        rows.append((t, str(invoice), stock, desc, qty, price, cid, country))
    invoice += 1
    # some orders come back in part, days later, as a "C" invoice
    if cid and rng.random() < 0.05:
        back = t + datetime.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 3))
        if back <= END:
            returns += 1
            for stock, desc, qty, price in rng.sample(lines, min(len(lines), rng.randint(1, 2))):
                rows.append((back, returns, stock, desc, -qty, price, cid, country))
# returns of purchases made before the export started
for cid in ("99901", "99902"):
    stock, desc, price = catalogue[3]
    returns += 1
    rows.append((START + datetime.timedelta(days=rng.randint(2, 40), hours=10), returns, stock,
                 desc, -1, price, cid, "United Kingdom"))

rows.sort(key=lambda r: r[0])
credit = {}  # return number -> its "C" invoice, numbered in date order
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
            "UnitPrice", "CustomerID", "Country"])
for t, inv, stock, desc, qty, price, cid, country in rows:
    if isinstance(inv, int):
        if inv not in credit:
            credit[inv] = f"C{invoice}"
            invoice += 1
        inv = credit[inv]
    w.writerow([inv, stock, desc, qty, t.strftime("%Y-%m-%d %H:%M:%S"), f"{price:.2f}",
                cid, country])
