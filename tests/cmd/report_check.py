#!/usr/bin/python3
"""loyal report on the sample files and on big inputs, checked as a reader would.

    report_check.py LOYAL SRCDIR OUTDIR

- Structure: the page of data/survey.csv and data/orders.csv, in English and
  in Chinese, is well formed HTML (tests/cmd/check_html.py's parser: every
  element closed, nothing loaded from outside, no script, every SVG well
  formed XML), has every section in order with no "No data", its charts, the
  inputs with their row counts, the as-of date, the version and the man pages.
- KPIs: each key figure of the page (value, margin, change, significance)
  equals what the subcommand prints (loyal nps, csat, repurchase, retention,
  retention --inactive), formatted as the table format formats it; the
  Chinese page shows the same numbers; the call list's P(alive) and spend
  are loyal churn's and loyal summary's, in the order of value at risk; the
  P(alive) histogram counts loyal churn's customers.
- Either input alone: exit 0, the other input's sections say why they are
  empty; -o is not created when the run fails.
- Big inputs (generated): 120,000 order lines over three years by week and
  a survey of 60,000 answers in 400 groups give a page under 400 kB, with
  the heatmap, the trend, the bars and the call list cut to their bounds.
"""
import csv
import datetime
import html as htmlmod
import io
import os
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_html  # noqa: E402

failures = []


def fail(msg):
    failures.append(msg)
    print("not ok -", msg)


def ok(msg):
    print("ok -", msg)


def run(loyal, args, expect=0):
    r = subprocess.run([loyal] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL)
    if r.returncode != expect:
        fail(f"loyal {' '.join(args)}: exit {r.returncode}, expected {expect}: "
             f"{r.stderr.decode(errors='replace')[-800:]}")
    return r


def table(loyal, args):
    r = run(loyal, args + ["-q", "-f", "csv"])
    return list(csv.DictReader(io.StringIO(r.stdout.decode())))


def fmt(v, digits):
    """As the table format writes a number (html_format_number)."""
    s = "%.*f" % (digits, float(v))
    if s.startswith("-") and set(s[1:]) <= set("0."):
        s = s[1:]
    return s


# ---- the page, parsed -----------------------------------------------------

def parse(path, lang_tag):
    """Check the page as check_html.py does; return its source and text."""
    check_html.failures.clear()
    page = os.path.basename(path)
    raw = open(path, "rb").read()
    src = raw.decode("utf-8")
    p = check_html.Checker(page)
    p.feed(src)
    p.close()
    if not p.doctype:
        check_html.fail(page, "no <!DOCTYPE html>")
    if p.stack:
        check_html.fail(page, f"elements left open: {' > '.join(p.stack)}")
    if p.titles != 1:
        check_html.fail(page, f"{p.titles} <title> elements")
    if p.html_lang != lang_tag:
        check_html.fail(page, f"<html lang={p.html_lang!r}>, expected {lang_tag!r}")
    if not p.charset_pos:
        check_html.fail(page, "no <meta charset=\"utf-8\">")
    css = "".join(p.style)
    if check_html.EXTERNAL.search(css) or "@font-face" in css:
        check_html.fail(page, "the CSS loads something")
    text = "\n".join(p.text)
    for m in re.finditer(r"(?i)\b(nan|inf|infinity)\b|(?<![\w.])-0(\.0+)?(?![\d.])", text):
        check_html.fail(page, f"a number written as {m.group(0)!r}")
    nsvg = 0
    for m in re.finditer(r"<svg\b.*?</svg>", src, re.S):
        nsvg += 1
        frag = m.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
        try:
            ET.fromstring(frag)
        except ET.ParseError as e:
            check_html.fail(page, f"SVG number {nsvg} is not well formed XML: {e}")
    for f in check_html.failures:
        fail(f)
    if not check_html.failures:
        ok(f"{page}: well formed, nothing external, {nsvg} charts, {len(raw)} bytes")
    return src, text, nsvg


def strip(s):
    return htmlmod.unescape(re.sub(r"<[^>]+>", "", s)).strip()


def sections(src):
    """(title, inner html) of each <section>."""
    out = []
    for m in re.finditer(r"<section>\s*<h2>(.*?)</h2>(.*?)</section>", src, re.S):
        out.append((strip(m.group(1)), m.group(2)))
    return out


def tiles(src):
    """Each KPI tile: label, value, unit, margin, change, change text."""
    out = []
    for m in re.finditer(r'<div class="kpi">(.*?)</div></div>(?=<div class="kpi">|</div>)', src, re.S):
        t = m.group(1) + "</div>"
        d = {"label": strip(re.search(r'<div class="l">(.*?)</div>', t).group(1))}
        v = re.search(r'<div class="v">(.*?)(<span class="u">(.*?)</span>)?</div>', t)
        d["value"] = strip(v.group(1)) if v else None
        d["unit"] = strip(v.group(3)) if v and v.group(3) else ""
        mm = re.search(r'<div class="m">(.*?)</div>', t)
        d["margin"] = strip(mm.group(1)).split("\u00b1")[-1].strip("\u200a ") if mm else None
        c = re.search(r'<div class="c (\w+)">(.*?)</div><div class="x">(.*?)</div>', t)
        d["tone"] = c.group(1) if c else None
        d["change"] = strip(c.group(2))[1:].strip() if c else None
        d["arrow"] = strip(c.group(2))[0] if c else None
        d["change_text"] = strip(c.group(3)) if c else None
        notes = re.findall(r'<div class="x">(.*?)</div>', t)
        d["note"] = strip(notes[-1]) if notes else None
        out.append(d)
    return out


def table_rows(section_html):
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", section_html, re.S):
        cells = [strip(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)]
        rows.append(cells)
    return rows


EN_SECTIONS = ["Key figures", "NPS per period, with its 95% interval",
               "Promoters, passives and detractors", "Satisfaction answers", "Period retention",
               "Cohort retention (%)", "Customers by P(alive)", "Customers most worth a call",
               "Segments and tiers", "Inputs"]
ZH_SECTIONS = ["关键指标", "各周期 NPS 及其 95% 置信区间", "推荐者、被动者与贬损者", "满意度评分分布",
               "周期留存率", "同期群留存率（%）", "按存活概率划分的客户", "最值得联系的客户", "客户分群与等级",
               "输入数据"]


def check_structure(loyal, src, text, nsvg, names, what):
    got = [t for t, _ in sections(src)]
    if got != names:
        fail(f"{what}: sections {got}, expected {names}")
    else:
        ok(f"{what}: every section, in order")
    if "No data" in text or "无数据" in text:
        fail(f"{what}: a section says No data")
    if nsvg != 8:
        fail(f"{what}: {nsvg} charts, expected 8 (NPS trend, groups, CSAT, retention, cohorts, "
             "P(alive), segments, tiers)")
    version = run(loyal, ["--version"]).stdout.decode().split()[-1]
    for s in ("data/survey.csv", "data/orders.csv", "2011-12-09", "loyal-nps(1)",
              "loyal-churn(1)", "loyal " + version, "3000", "5566"):
        if s not in text:
            fail(f"{what}: the page lacks {s!r}")
    if len(tiles(src)) != 6:
        fail(f"{what}: {len(tiles(src))} KPI tiles, expected 6")


# ---- KPIs against the subcommands ------------------------------------------

NOT_SIGNIFICANT = {"en": "not significant", "zh": "不显著"}


def check_kpis(loyal, src, what, lang):
    t = {i: d for i, d in enumerate(tiles(src))}
    nps = table(loyal, ["nps", "data/survey.csv", "--period", "month"])
    csat = table(loyal, ["csat", "data/survey.csv", "--period", "month"])
    rep = table(loyal, ["repurchase", "data/orders.csv"])
    ret = table(loyal, ["retention", "data/orders.csv", "--period", "month"])
    ina = table(loyal, ["retention", "data/orders.csv", "--inactive", "90"])
    last = nps[-1]
    whole = [r for r in ret if r["complete"] == "true"]
    k, kp = whole[-1], ret[ret.index(whole[-1]) - 1]
    expect = [
        ("NPS", t[0]["value"], fmt(last["nps"], 1)),
        ("NPS margin", t[0]["margin"], fmt(last["moe95"], 1)),
        ("NPS change", t[0]["change"], fmt(last["change"], 1)),
        ("NPS significance", NOT_SIGNIFICANT[lang] in (t[0]["change_text"] or ""),
         last["significant"] == "false"),
        ("NPS period", last[list(last)[0]] in (t[0]["note"] or ""), True),
        ("CSAT", t[1]["value"], fmt(csat[-1]["csat"], 1)),
        ("CSAT change", t[1]["change"],
         fmt(float(csat[-1]["csat"]) - float(csat[-2]["csat"]), 1)),
        ("repurchase rate", t[2]["value"], fmt(rep[0]["repurchase_rate"], 1)),
        ("period retention", t[3]["value"], fmt(k["retention"], 1)),
        ("retention change", t[3]["change"],
         fmt(float(k["retention"]) - float(kp["retention"]), 1)),
        ("retention period", k["period"] in (t[3]["note"] or ""), True),
        ("churn rate", t[4]["value"], fmt(ina[0]["churn_rate"], 1)),
        ("active customers", t[5]["value"], k["active"]),
        ("active change", t[5]["change"], str(int(k["active"]) - int(kp["active"]))),
        ("units", [d["unit"] for d in t.values()], ["", "%", "%", "%", "%", ""]),
    ]
    bad = 0
    for name, got, want in expect:
        if got != want:
            fail(f"{what}: KPI {name}: page {got!r}, subcommand {want!r}")
            bad += 1
    if not bad:
        ok(f"{what}: {len(expect)} KPI figures equal the subcommands' output")
    # arrows and colours: a higher churn would be red, a fall in NPS red
    # unless not significant (grey)
    if t[0]["tone"] != ("flat" if last["significant"] == "false" else
                        "bad" if float(last["change"]) < 0 else "good"):
        fail(f"{what}: NPS change tone {t[0]['tone']}")
    arrow = "\u25b2" if float(k["retention"]) > float(kp["retention"]) else "\u25bc"
    if t[3]["arrow"] != arrow:
        fail(f"{what}: retention arrow {t[3]['arrow']!r}, expected {arrow!r}")
    return [d["value"] for d in t.values()] + [d["change"] for d in t.values()]


def check_call_list(loyal, src, what):
    sec = dict(sections(src))
    rows = table_rows(sec["Customers most worth a call"])
    head, body = rows[0], rows[1:]
    churn = {r["customer"]: r for r in table(loyal, ["churn", "data/orders.csv"])}
    summ = {r["customer"]: r for r in table(loyal, ["summary", "data/orders.csv"])}
    if len(body) != 20:
        fail(f"{what}: {len(body)} customers in the call list, expected --top's default 20")
    prev, bad = None, 0
    for r in body:
        cust, last, purchases, spend, pa, risk = r
        want = (fmt(churn[cust]["p_alive"], 4), fmt(summ[cust]["spend"], 2),
                summ[cust]["last_purchase"])
        if (pa, spend, last) != want:
            fail(f"{what}: call list {cust}: p_alive, spend, last {(pa, spend, last)}, "
                 f"subcommands {want}")
            bad += 1
        v = float(summ[cust]["spend"]) * (1 - float(churn[cust]["p_alive"]))
        if fmt(v, 2) != risk:
            fail(f"{what}: call list {cust}: value at risk {risk}, expected {fmt(v, 2)}")
            bad += 1
        if prev is not None and v > prev + 1e-9:
            fail(f"{what}: call list not in order of value at risk at {cust}")
            bad += 1
        prev = v
    # nobody left out ranks above the last one shown
    risks = sorted((float(summ[c]["spend"]) * (1 - float(churn[c]["p_alive"])) for c in churn
                    if float(summ[c]["spend"]) > 0), reverse=True)
    if body and abs(risks[len(body) - 1] - prev) > 1e-6:
        fail(f"{what}: the call list is not the top {len(body)} by value at risk")
        bad += 1
    if not bad:
        ok(f"{what}: call list = loyal churn's p_alive and loyal summary's spend, top 20 by value at risk")
    # the P(alive) histogram counts every customer of loyal churn
    counts = [0] * 10
    for r in churn.values():
        counts[min(9, int(float(r["p_alive"]) * 10))] += 1
    svg = re.search(r"<svg\b.*?</svg>", sec["Customers by P(alive)"], re.S).group(0)
    labels = [strip(x) for x in re.findall(r"<text[^>]*>(.*?)</text>", svg)]
    pos = 0
    for c in counts:
        try:
            pos = labels.index(str(c), pos) + 1
        except ValueError:
            fail(f"{what}: P(alive) histogram lacks the count {c} of {counts}")
            return
    ok(f"{what}: P(alive) histogram counts {counts}")


# ---- segments and value tiers against loyal segment / loyal tiers ----------

def check_segments(loyal, src, what, lang, title):
    """The two tables of the section equal loyal segment --summary and loyal
    tiers --summary, every row and number (names only in English: the
    Chinese page translates them). Returns the numbers, for the en/zh
    comparison."""
    sec = dict(sections(src))[title]
    rows = [r for r in table_rows(sec) if r]
    heads = [i for i, r in enumerate(rows) if r[1] in ("customers", "客户数")]
    if len(heads) != 2:
        fail(f"{what}: segments section has {len(heads)} tables, expected 2")
        return []
    seg_rows, tier_rows = rows[heads[0] + 1:heads[1]], rows[heads[1] + 1:]
    got = []
    for name, page, args, key in (
            ("segments", seg_rows, ["segment", "data/orders.csv", "--summary"], "segment"),
            ("tiers", tier_rows, ["tiers", "data/orders.csv", "--summary"], "tier")):
        want = table(loyal, args)
        if len(page) != len(want):
            fail(f"{what}: {len(page)} {name} rows, expected {len(want)}")
            continue
        bad = 0
        for r, w in zip(page, want):
            exp = [str(int(w["customers"])), fmt(w["customers_pct"], 1), fmt(w["spend"], 2),
                   fmt(w["spend_pct"], 1),
                   fmt(w["mean_spend"], 2) if w["mean_spend"] else "-"]
            if r[1:] != exp or (lang == "en" and r[0] != w[key]):
                fail(f"{what}: {name} row {r}, expected {w[key]} {exp}")
                bad += 1
            got.append(r[1:])
        if not bad:
            ok(f"{what}: {name} table = loyal {args[0]} --summary ({len(page)} rows)")
    return got



# ---- a survey without a date column ----------------------------------------

def check_undated(loyal, out):
    """data/survey.csv without its date column: the NPS and CSAT tiles are
    loyal nps's and loyal csat's figures of the whole file, the trend says
    why it is empty, and the other survey sections are drawn."""
    src_path = os.path.join(out, "undated.csv")
    with open("data/survey.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    drop = rows[0].index("Submitted At")
    with open(src_path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([r[:drop] + r[drop + 1:] for r in rows])
    p = os.path.join(out, "undated.html")
    run(loyal, ["report", "-q", "--survey", src_path, "-o", p])
    src, text, nsvg = parse(p, "en")
    t = tiles(src)
    nps = table(loyal, ["nps", src_path])[0]
    csat = table(loyal, ["csat", src_path])[0]
    want = (fmt(nps["nps"], 1), fmt(csat["csat"], 1))
    if (t[0]["value"], t[1]["value"]) != want:
        fail(f"undated survey: NPS and CSAT tiles {(t[0]['value'], t[1]['value'])}, "
             f"expected the whole file's {want}")
    elif t[0]["change"] is not None or "no date column" not in (t[0]["note"] or ""):
        fail(f"undated survey: the NPS tile has a change or no note saying why: {t[0]}")
    elif "has no date column" not in strip(dict(sections(src))[EN_SECTIONS[1]]):
        fail("undated survey: the NPS trend does not say why it is empty")
    elif nsvg != 2:
        fail(f"undated survey: {nsvg} charts, expected 2 (groups and CSAT answers)")
    else:
        ok(f"undated survey: NPS {want[0]} and CSAT {want[1]} of every answer, as loyal nps "
           "and loyal csat without --period; no trend")
    # with --survey-date-col naming a missing column it is an error, as before
    run(loyal, ["report", "-q", "--survey", src_path, "--survey-date-col", "Submitted At",
                "-o", os.path.join(out, "x.html")], expect=65)



# ---- either input alone ----------------------------------------------------

def check_alone(loyal, out):
    p = os.path.join(out, "survey_only.html")
    run(loyal, ["report", "-q", "--survey", "data/survey.csv", "-o", p])
    src, text, _ = parse(p, "en")
    secs = dict(sections(src))
    for s in ("Period retention", "Cohort retention (%)", "Customers by P(alive)",
              "Customers most worth a call", "Segments and tiers"):
        if "No data: no order file given (--orders)" not in strip(secs.get(s, "")):
            fail(f"survey only: section {s!r} does not say why it is empty")
    if "No data" in strip(secs["NPS per period, with its 95% interval"]):
        fail("survey only: the NPS section is empty")
    p = os.path.join(out, "orders_only.html")
    run(loyal, ["report", "-q", "--orders", "data/orders.csv", "--lang", "zh", "-o", p])
    src, text, _ = parse(p, "zh-Hans")
    secs = dict(sections(src))
    for s in ZH_SECTIONS[1:4]:
        if "未提供问卷文件" not in strip(secs.get(s, "")):
            fail(f"orders only: section {s!r} does not say why it is empty")
    t = tiles(src)
    if t[0]["value"] is not None or t[2]["value"] is None:
        fail("orders only: the NPS tile should say No data and the repurchase tile have a value")
    ok("either input alone: the page has the other's sections, saying why they are empty")
    # a failed run writes nothing, and keeps the previous page
    bad = os.path.join(out, "failed.html")
    if os.path.exists(bad):
        os.remove(bad)
    run(loyal, ["report", "-q", "--survey", "data/orders.csv", "-o", bad], expect=65)
    if os.path.exists(bad):
        fail("a failed report left its output file")
    run(loyal, ["report", "-q", "--survey", "data/survey.csv", "-o", "data/survey.csv"],
        expect=64)
    run(loyal, ["report", "-q"], expect=64)
    run(loyal, ["report", "-q", "data/survey.csv"], expect=64)
    ok("usage errors and failed runs: exit status, no output file")


# ---- big inputs ------------------------------------------------------------

def make_big(out):
    """Customers who buy at their own rate and leave after a purchase with
    their own probability (the BG/NBD story), over three years."""
    rnd = random.Random(15)
    day0 = datetime.date(2022, 1, 1)
    orders = os.path.join(out, "big_orders.csv")
    with open(orders, "w") as f:
        f.write("order_id,customer_id,order_date,amount\n")
        oid = 0
        for c in range(25000):
            gap, leave = rnd.gammavariate(2.0, 30.0), rnd.betavariate(2.0, 10.0)
            day = rnd.randrange(0, 1000)
            while day < 1095 and oid < 120000:
                oid += 1
                f.write(f"{oid},C{c:05d},{day0 + datetime.timedelta(days=day)},"
                        f"{rnd.randrange(100, 20000) / 100:.2f}\n")
                day += int(rnd.expovariate(1 / gap)) + 1
                if rnd.random() < leave:
                    break
    survey = os.path.join(out, "big_survey.csv")
    with open(survey, "w") as f:
        f.write("date,store,nps,satisfaction\n")
        for i in range(60000):
            d = day0 + datetime.timedelta(days=rnd.randrange(0, 1095))
            f.write(f"{d},store {rnd.randrange(400):03d},{rnd.randrange(11)},{rnd.randrange(1, 6)}\n")
    return orders, survey


def check_big(loyal, out):
    orders, survey = make_big(out)
    p = os.path.join(out, "big.html")
    r = run(loyal, ["report", "-q", "--survey", survey, "--orders", orders, "--by", "store",
                    "--period", "week", "--top", "15", "-o", p])
    if r.returncode != 0:
        return
    size = os.path.getsize(p)
    src, text, nsvg = parse(p, "en")
    if size > 400_000:
        fail(f"big inputs: the page is {size} bytes, more than 400 kB")
    secs = dict(sections(src))
    rows = table_rows(secs["Customers most worth a call"])
    if len(rows) != 16:
        fail(f"big inputs: {len(rows) - 1} customers in the call list, expected --top 15")
    for s in ("more rows not shown", "earlier cohorts not shown", "earlier periods not shown"):
        if s not in text:
            fail(f"big inputs: no note {s!r}: a chart was not cut to its bound")
    cells = len(re.findall(r"<rect", secs["Cohort retention (%)"]))
    if cells > 24 * 40:
        fail(f"big inputs: {cells} heatmap cells")
    ok(f"big inputs (120,000 order lines, 157 weeks, 400 survey groups): {size} bytes, "
       f"{nsvg} charts, lists and charts cut to their bounds")


def main():
    loyal, srcdir, out = os.path.abspath(sys.argv[1]), sys.argv[2], os.path.abspath(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    os.chdir(srcdir)
    values = {}
    for lang, tag, names in (("en", "en", EN_SECTIONS), ("zh", "zh-Hans", ZH_SECTIONS)):
        p = os.path.join(out, f"report_{lang}.html")
        run(loyal, ["report", "-q", "--survey", "data/survey.csv", "--orders", "data/orders.csv",
                    "--lang", lang, "-o", p])
        src, text, nsvg = parse(p, tag)
        check_structure(loyal, src, text, nsvg, names, f"sample page ({lang})")
        values[lang] = check_kpis(loyal, src, f"sample page ({lang})", lang)
        if lang == "en":
            check_call_list(loyal, src, "sample page (en)")
        values[lang] += check_segments(loyal, src, f"sample page ({lang})", lang, names[-2])
    if values["en"] != values["zh"]:
        fail(f"the Chinese page's figures {values['zh']} differ from the English {values['en']}")
    else:
        ok("the Chinese page shows the same figures")
    check_alone(loyal, out)
    check_undated(loyal, out)
    check_big(loyal, out)
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
