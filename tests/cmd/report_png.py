#!/usr/bin/python3
"""loyal report's sample page as a person sees it: rendered by headless Chromium.

    report_png.py LOYAL SRCDIR OUTDIR

Writes the page of data/survey.csv and data/orders.csv in English and in
Chinese, renders each with Debian's chromium to a PNG of 1200 x 5000 pixels
(tests/cmd/render_png.py's rendering) and checks the picture: the size asked
for; not blank (enough ink, many colours); every chart drawn (pixels of the
exact fills of the promoters and detractors, the satisfied and dissatisfied
bars, the P(alive) bars, the trend lines, the ends of the heatmap's scale);
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

WIDTH, HEIGHT = 1200, 5000

FILLS = {
    "promoters and satisfied bars": "#1a9850", "detractors and dissatisfied bars": "#d73027",
    "passives": "#c9c9c9", "P(alive) bars": "#4e79a7", "heatmap's darkest": "#08306b",
    "trend lines": "#2f6fb0",
}


def check(png, failures):
    from PIL import Image
    name = os.path.basename(png)
    img = Image.open(png).convert("RGB")
    w, h = img.size
    if (w, h) != (WIDTH, HEIGHT):
        failures.append(f"{name}: {w} x {h} pixels, expected {WIDTH} x {HEIGHT}")
        return
    colours = {rgb: n for n, rgb in img.getcolors(maxcolors=1 << 24)}
    white = colours.pop((255, 255, 255), 0)
    share = (w * h - white) / (w * h)
    box = Image.eval(img.convert("L"), lambda v: 255 - v).getbbox() or (0, 0, 0, 0)
    print(f"{name}: {w} x {h}, {share:.1%} ink, {len(colours)} colours, "
          f"ink from x = {box[0]} to {box[2]}, y = {box[1]} to {box[3]}")
    if share < 0.02:
        failures.append(f"{name}: nearly blank ({share:.2%} of the pixels are not white)")
    if len(colours) < 100:
        failures.append(f"{name}: only {len(colours)} colours: charts missing?")
    if box[0] < 110 or box[2] > WIDTH - 110:
        failures.append(f"{name}: ink from x = {box[0]} to {box[2]}, outside the page column")
    if box[3] > HEIGHT - 100:
        failures.append(f"{name}: the page reaches the bottom of the picture (y = {box[3]})")
    if box[3] < 2500:
        failures.append(f"{name}: the page ends at y = {box[3]}: sections missing?")
    for what, fill in FILLS.items():
        n = colours.get(render_png.hexrgb(fill), 0)
        if n < 150:
            failures.append(f"{name}: {n} pixels of the {what} {fill}: not drawn")


def main():
    loyal, srcdir, outdir = os.path.abspath(sys.argv[1]), sys.argv[2], os.path.abspath(sys.argv[3])
    required = os.environ.get("LOYAL_REQUIRE_CHROMIUM") == "1"
    chromium = render_png.find_chromium()
    missing = None
    if not chromium:
        missing = "no chromium (apt-get install chromium)"
    else:
        try:
            import PIL.Image  # noqa: F401
        except ImportError:
            missing = "no Python imaging library (apt-get install python3-pil)"
    if missing:
        print(("FAIL: " if required else "SKIP: ") + missing)
        return 1 if required else 77
    render_png.WIDTH, render_png.HEIGHT = WIDTH, HEIGHT
    os.makedirs(outdir, exist_ok=True)
    os.chdir(srcdir)
    failures = []
    for lang in ("en", "zh"):
        html_path = os.path.join(outdir, f"report_{lang}.html")
        png_path = os.path.join(outdir, f"report_{lang}.png")
        if os.path.exists(png_path):
            os.remove(png_path)
        r = subprocess.run([loyal, "report", "-q", "--survey", "data/survey.csv", "--orders",
                            "data/orders.csv", "--lang", lang, "-o", html_path])
        if r.returncode != 0:
            failures.append(f"loyal report --lang {lang} exited with {r.returncode}")
            continue
        if not render_png.render(chromium, html_path, png_path):
            failures.append(f"chromium did not render {html_path}")
            continue
        check(png_path, failures)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
