#!/usr/bin/python3
"""The report's page is well formed HTML and loads nothing external.

    check_html.py REPORT_DEMO OUTDIR

Writes the demonstration page of cmd/html.c and cmd/svg_chart.c in English
and in Chinese (tests/cmd/report_demo.c) and checks each with Python's
html.parser: every element closed in order, one title, the lang attribute
and the UTF-8 declaration; no script, no element or attribute that loads a
resource (src, href other than #fragment, url() in CSS, @import), no event
handler; valid UTF-8 without control characters; every inline SVG is well
formed XML too; the hostile names of the demo come through as text; no
number is written as nan, inf or -0.0; the page stays small.
"""
import html.parser
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "link", "img", "base", "form",
                  "input", "audio", "video", "source", "frame", "frameset", "image",
                  "use", "foreignobject", "picture", "track", "applet", "noscript"}
LOADING_ATTRS = {"src", "srcset", "action", "formaction", "poster", "background", "data",
                 "xlink:href", "codebase", "cite", "longdesc", "manifest", "ping"}
EXTERNAL = re.compile(r"(?i)(https?:|ftp:|file:|data:|javascript:|//|@import|url\((?!#))")

failures = []


def fail(page, msg):
    failures.append(f"{page}: {msg}")


class Checker(html.parser.HTMLParser):
    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack = []
        self.text = []
        self.titles = 0
        self.html_lang = None
        self.charset_pos = None
        self.ids = set()
        self.in_style = False
        self.style = []
        self.doctype = False

    def where(self):
        return "line %d" % self.getpos()[0]

    def attrs_check(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name in LOADING_ATTRS:
                fail(self.page, f"{self.where()}: <{tag} {name}=...> loads a resource")
            if name == "href" and not value.startswith("#"):
                fail(self.page, f"{self.where()}: <{tag} href={value!r}> is not a fragment")
            if name.startswith("on"):
                fail(self.page, f"{self.where()}: event handler {name} on <{tag}>")
            if EXTERNAL.search(value):
                fail(self.page, f"{self.where()}: <{tag} {name}={value!r}> refers outside")
            if name == "id":
                if value in self.ids:
                    fail(self.page, f"{self.where()}: id {value!r} twice")
                self.ids.add(value)
            if name == "http-equiv":
                fail(self.page, f"{self.where()}: <meta http-equiv>")

    def handle_decl(self, decl):
        if decl.lower() == "doctype html":
            self.doctype = True

    def handle_starttag(self, tag, attrs):
        self.start(tag, attrs, closed=False)

    def handle_startendtag(self, tag, attrs):
        self.start(tag, attrs, closed=True)

    def start(self, tag, attrs, closed):
        if tag in FORBIDDEN_TAGS:
            fail(self.page, f"{self.where()}: <{tag}> is not allowed in the report")
        self.attrs_check(tag, attrs)
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "meta" and (a.get("charset") or "").lower() == "utf-8":
            self.charset_pos = self.getpos()
        if tag == "title" and not any(t == "svg" for t in self.stack):
            self.titles += 1
        if tag == "style":
            self.in_style = True
        if tag in VOID:
            return
        if closed:
            # a self-closed element is only right in SVG (foreign content)
            if "svg" not in self.stack and tag != "svg":
                fail(self.page, f"{self.where()}: <{tag}/> self-closed outside SVG")
            return
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            fail(self.page, f"{self.where()}: </{tag}> closes a void element")
            return
        if not self.stack:
            fail(self.page, f"{self.where()}: </{tag}> with nothing open")
            return
        if self.stack[-1] != tag:
            fail(self.page, f"{self.where()}: </{tag}> closes <{self.stack[-1]}> "
                            f"(open: {' > '.join(self.stack)})")
            if tag in self.stack:
                while self.stack and self.stack[-1] != tag:
                    self.stack.pop()
        if self.stack:
            self.stack.pop()
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.style.append(data)
        else:
            self.text.append(data)


def check_page(path, lang_tag, must_contain):
    page = os.path.basename(path)
    raw = open(path, "rb").read()
    try:
        src = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        fail(page, f"not valid UTF-8: {e}")
        return
    if len(raw) > 400_000:
        fail(page, f"{len(raw)} bytes: the page should stay well under 400 kB")
    bad = [c for c in src if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
    if bad:
        fail(page, f"control characters in the page: {sorted(set(map(ord, bad)))}")
    if "\ufffd" not in src:
        fail(page, "the invalid UTF-8 of the demo should show as U+FFFD")
    p = Checker(page)
    p.feed(src)
    p.close()
    if not p.doctype:
        fail(page, "no <!DOCTYPE html>")
    if p.stack:
        fail(page, f"elements left open: {' > '.join(p.stack)}")
    if p.titles != 1:
        fail(page, f"{p.titles} <title> elements in <head>, expected 1")
    if p.html_lang != lang_tag:
        fail(page, f"<html lang={p.html_lang!r}>, expected {lang_tag!r}")
    if not p.charset_pos or src.find('<meta charset="utf-8">') > 1024:
        fail(page, "no <meta charset=\"utf-8\"> in the first 1024 bytes")
    css = "".join(p.style)
    if EXTERNAL.search(css):
        fail(page, f"the CSS refers outside: {EXTERNAL.search(css).group(0)!r}")
    if "@font-face" in css:
        fail(page, "the CSS loads a font")
    text = "\n".join(p.text)
    for s in must_contain:
        if s not in text:
            fail(page, f"the text of the page lacks {s!r}")
    for m in re.finditer(r"(?i)\b(nan|inf|infinity)\b|(?<![\w.])-0(\.0+)?(?![\d.])", text):
        fail(page, f"a number written as {m.group(0)!r}: ...{text[max(0, m.start() - 40):m.end() + 20]!r}")
    # every chart is well formed XML on its own (it can be saved as .svg)
    nsvg = 0
    for m in re.finditer(r"<svg\b.*?</svg>", src, re.S):
        nsvg += 1
        frag = m.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
        try:
            ET.fromstring(frag)
        except ET.ParseError as e:
            fail(page, f"SVG number {nsvg} is not well formed XML: {e}")
    if nsvg < 10:
        fail(page, f"only {nsvg} charts in the demonstration page")
    return nsvg


def main():
    demo, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    common = [
        # hostile names arrive as text, whole
        "<script>alert(1)</script>", "At risk & \"lapsing\"", "<P(alive)> & \"mean\"",
        "data/survey.csv & data/orders.csv <as of 2011-12-09> \"demo\"",
        # numbers as the table format writes them
        "21.8", "-12.1", "-27.6", "0.0312", "1520.50", "100.0", "12.7",
    ]
    pages = {
        "en": ("en", common + ["No data", "4 more rows not shown (first 3 of 7)",
                               "16 earlier cohorts not shown", "1 more rows not shown (first 4 of 5)",
                               "280 earlier periods not shown", "not significant",
                               "Customers most worth a call"]),
        "zh": ("zh-Hans", common + ["无数据", "净推荐值", "最值得联系的客户",
                                    "较早的 16 个同期群未显示", "不显著"]),
    }
    for lang, (tag, must) in pages.items():
        path = os.path.join(outdir, f"report_demo_{lang}.html")
        r = subprocess.run([demo, "--lang", lang, path])
        if r.returncode != 0:
            fail(path, f"report_demo exited with {r.returncode}")
            continue
        n = check_page(path, tag, must)
        print(f"ok {lang}: {os.path.getsize(path)} bytes, {n} charts, well formed, nothing external")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
