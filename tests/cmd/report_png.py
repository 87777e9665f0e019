#!/usr/bin/python3
"""loyal report's sample page as a person sees it: rendered by headless Chromium.

    report_png.py LOYAL SRCDIR OUTDIR

Writes the page of data/survey.csv and data/orders.csv in English and in
Chinese, renders each with Debian's chromium to a PNG of 1200 x 5000 pixels
(tests/cmd/render_png.py's rendering and checks) and checks the picture: the size asked
for; not blank (enough ink, many colours); every chart drawn (pixels of the
exact fills of the promoters and detractors, the satisfied and dissatisfied
bars, the P(alive) bars, the trend lines, the ends of the heatmap's scale,
the segments' and value tiers' bars);
nothing outside the 960-pixel page column; the page ending before the
bottom of the picture. The PNGs stay in OUTDIR (the README's picture is
made from report_en.png). Exit 77 (skipped) when chromium or python3-pil is
missing, unless LOYAL_REQUIRE_CHROMIUM=1 (.ci/run sets it): then it fails.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import render_png  # noqa: E402

FILLS = {
    "promoters and satisfied bars": "#1a9850", "detractors and dissatisfied bars": "#d73027",
    "passives": "#c9c9c9", "P(alive) bars": "#4e79a7", "heatmap's darkest": "#08306b",
    "trend lines": "#2f6fb0", "Lost segment": "#a50026", "At Risk segment": "#f46d43",
    "mid value tier and Potential Loyalist": "#a6d96a",
}


def main():
    loyal, srcdir, outdir = os.path.abspath(sys.argv[1]), sys.argv[2], os.path.abspath(sys.argv[3])
    os.chdir(srcdir)

    def write_page(lang, html_path):
        r = subprocess.run([loyal, "report", "-q", "--survey", "data/survey.csv", "--orders",
                            "data/orders.csv", "--lang", lang, "-o", html_path])
        if r.returncode != 0:
            return f"loyal report --lang {lang} exited with {r.returncode}"
        return None

    return render_png.run_pages(write_page, outdir, "report", (1200, 5000), FILLS, 2500)


if __name__ == "__main__":
    sys.exit(main())
