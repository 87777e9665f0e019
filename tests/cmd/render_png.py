#!/usr/bin/python3
"""The report's page as a person sees it: rendered by headless Chromium.

    render_png.py REPORT_DEMO OUTDIR

Writes the demonstration page (tests/cmd/report_demo.c) in English and in
Chinese, renders each with Debian's chromium to a PNG of 1200 x 9000
pixels, and checks the picture: the size asked for; not blank (enough ink,
many colours); the charts drawn (pixels of the exact fills of the NPS parts,
the bars and the dark end of the heatmap's scale); nothing outside the
960-pixel page column (no chart wider than the page); and the page ending
before the bottom of the picture (nothing cut off). The PNGs stay in
OUTDIR to look at. Exit 77 (skipped) when chromium or python3-pil (which
reads the PNG) is not installed, unless LOYAL_REQUIRE_CHROMIUM=1 (.ci/run
sets it): then it fails. report_png.py renders and checks loyal report's
page through the same functions.
"""
import os
import shutil
import subprocess
import sys
import tempfile


def find_chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def find_tools():
    """(chromium, None) when chromium and python3-pil are there; else
    (None, exit status) after saying what is missing: 77 (skipped), or 1
    (failed) under LOYAL_REQUIRE_CHROMIUM=1, which .ci/run sets."""
    required = os.environ.get("LOYAL_REQUIRE_CHROMIUM") == "1"
    chromium = find_chromium()
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
        return None, 1 if required else 77
    return chromium, None


def render(chromium, html_path, png_path, size):
    profile = tempfile.mkdtemp(prefix="loyal-chromium-")
    try:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--hide-scrollbars",
               "--force-device-scale-factor=1", f"--user-data-dir={profile}",
               f"--screenshot={png_path}", f"--window-size={size[0]},{size[1]}",
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


def check(png, failures, size, fills, min_end):
    """The picture png: size (width, height) pixels, enough ink and
    colours, within the page column, ending between y = min_end and 100
    pixels above the bottom, and at least 150 pixels of each of fills
    ({what: "#rrggbb"}). Appends what is wrong to failures."""
    from PIL import Image
    width, height = size
    name = os.path.basename(png)
    img = Image.open(png).convert("RGB")
    w, h = img.size
    if (w, h) != (width, height):
        failures.append(f"{name}: {w} x {h} pixels, expected {width} x {height}")
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
    if box[0] < 110 or box[2] > width - 110:
        failures.append(f"{name}: ink from x = {box[0]} to {box[2]}, outside the page column: "
                        "a chart or table is too wide")
    if box[3] > height - 100:
        failures.append(f"{name}: the page reaches the bottom of the picture (y = {box[3]}): "
                        "longer than expected or cut off")
    if box[3] < min_end:
        failures.append(f"{name}: the page ends at y = {box[3]}: sections missing?")
    for what, fill in fills.items():
        n = colours.get(hexrgb(fill), 0)
        if n < 150:
            failures.append(f"{name}: {n} pixels of the {what} {fill}: not drawn")


def run_pages(write_page, outdir, stem, size, fills, min_end):
    """For lang en and zh: write_page(lang, html_path) writes the page (a
    failure message, or None), chromium renders it to OUTDIR/STEM_LANG.png
    (kept to look at) and check() judges it. Returns the exit status."""
    chromium, status = find_tools()
    if not chromium:
        return status
    os.makedirs(outdir, exist_ok=True)
    failures = []
    for lang in ("en", "zh"):
        html_path = os.path.join(outdir, f"{stem}_{lang}.html")
        png_path = os.path.join(outdir, f"{stem}_{lang}.png")
        if os.path.exists(png_path):
            os.remove(png_path)
        failed = write_page(lang, html_path)
        if failed:
            failures.append(failed)
            continue
        if not render(chromium, html_path, png_path, size):
            failures.append(f"chromium did not render {html_path}")
            continue
        check(png_path, failures, size, fills, min_end)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


# Fills the demonstration page must show (cmd/svg_chart.c, tests/cmd/report_demo.c)
FILLS = {
    "promoters": "#1a9850", "detractors": "#d73027", "passives": "#c9c9c9",
    "neutral bars": "#4e79a7", "heatmap's darkest": "#08306b", "heatmap's lightest": "#deebf7",
    "first series": "#2f6fb0", "second series": "#e07b00",
}


def main():
    demo, outdir = sys.argv[1], sys.argv[2]

    def write_page(lang, html_path):
        if subprocess.run([demo, "--lang", lang, html_path]).returncode != 0:
            return f"report_demo --lang {lang} failed"
        return None

    return run_pages(write_page, outdir, "report_demo", (1200, 9000), FILLS, 3000)


if __name__ == "__main__":
    sys.exit(main())
