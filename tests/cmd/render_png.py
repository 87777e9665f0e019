#!/usr/bin/python3
"""The report's page as a person sees it: rendered by headless Chromium.

    render_png.py REPORT_DEMO OUTDIR

Writes the demonstration page (tests/cmd/report_demo.c) in English and in
Chinese, renders each with Debian's chromium to a PNG of 1200 x HEIGHT
pixels, and checks the picture: the size asked for; not blank (enough ink,
many colours); the charts drawn (pixels of the exact fills of the NPS parts,
the bars and the dark end of the heatmap's scale); nothing outside the
960-pixel page column (no chart wider than the page); and the page ending
before the bottom of the picture (nothing cut off). The PNGs stay in
OUTDIR to look at. Exit 77 (skipped) when chromium or python3-pil (which
reads the PNG) is not installed.
"""
import os
import shutil
import subprocess
import sys
import tempfile

WIDTH, HEIGHT = 1200, 9000


def find_chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def render(chromium, html_path, png_path):
    profile = tempfile.mkdtemp(prefix="loyal-chromium-")
    try:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--hide-scrollbars",
               "--force-device-scale-factor=1", f"--user-data-dir={profile}",
               f"--screenshot={png_path}", f"--window-size={WIDTH},{HEIGHT}",
               "file://" + os.path.abspath(html_path)]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=240)
        if r.returncode != 0 or not os.path.exists(png_path):
            sys.stdout.write(r.stdout.decode(errors="replace")[-3000:])
            return False
        return True
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def hexrgb(s):
    return tuple(int(s[i:i + 2], 16) for i in (1, 3, 5))


# Fills the demonstration page must show (cmd/svg_chart.c, tests/cmd/report_demo.c)
FILLS = {
    "promoters": "#1a9850", "detractors": "#d73027", "passives": "#c9c9c9",
    "neutral bars": "#4e79a7", "heatmap's darkest": "#08306b", "heatmap's lightest": "#deebf7",
    "first series": "#2f6fb0", "second series": "#e07b00",
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
    ink = w * h - white
    # the bounding box of everything that is not white
    inverted = Image.eval(img.convert("L"), lambda v: 255 - v)
    box = inverted.getbbox() or (0, 0, 0, 0)
    share = ink / (w * h)
    print(f"{name}: {w} x {h}, {share:.1%} ink, {len(colours)} colours, "
          f"ink from x = {box[0]} to {box[2]}, y = {box[1]} to {box[3]}")
    if share < 0.02:
        failures.append(f"{name}: nearly blank ({share:.2%} of the pixels are not white)")
    if len(colours) < 100:
        failures.append(f"{name}: only {len(colours)} colours: charts missing?")
    # the page column is 960 px wide and centred: 120 px of margin each side
    if box[0] < 110 or box[2] > WIDTH - 110:
        failures.append(f"{name}: ink from x = {box[0]} to {box[2]}, outside the page column: "
                        "a chart or table is too wide")
    if box[3] > HEIGHT - 100:
        failures.append(f"{name}: the page reaches the bottom of the picture (y = {box[3]}): "
                        "longer than expected or cut off")
    if box[3] < 3000:
        failures.append(f"{name}: the page ends at y = {box[3]}: sections missing?")
    for what, fill in FILLS.items():
        n = colours.get(hexrgb(fill), 0)
        if n < 150:
            failures.append(f"{name}: {n} pixels of {what} {fill}: that part is not drawn")


def main():
    demo, outdir = sys.argv[1], sys.argv[2]
    chromium = find_chromium()
    # .ci/run sets LOYAL_REQUIRE_CHROMIUM=1: there a missing tool fails
    skip = 1 if os.environ.get("LOYAL_REQUIRE_CHROMIUM") == "1" else 77
    if not chromium:
        print("SKIP: no chromium (apt-get install chromium); .ci/run installs it")
        return skip
    try:
        import PIL.Image  # noqa: F401
    except ImportError:
        print("SKIP: no Python imaging library (apt-get install python3-pil); .ci/run installs it")
        return skip
    os.makedirs(outdir, exist_ok=True)
    failures = []
    for lang in ("en", "zh"):
        html_path = os.path.join(outdir, f"report_demo_{lang}.html")
        png_path = os.path.join(outdir, f"report_demo_{lang}.png")
        if os.path.exists(png_path):
            os.remove(png_path)
        if subprocess.run([demo, "--lang", lang, html_path]).returncode != 0:
            failures.append(f"report_demo --lang {lang} failed")
            continue
        if not render(chromium, html_path, png_path):
            failures.append(f"chromium did not render {html_path}")
            continue
        check(png_path, failures)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
