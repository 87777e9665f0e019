#!/usr/bin/python3
"""Generate data/survey-cn.csv: a Chinese survey export as Wenjuanxing
(问卷星) gives it and Excel on Chinese Windows saves it: GB18030, CRLF,
Chinese header names, answers on the platforms' default satisfaction scale
非常满意/满意/一般/不满意/非常不满意, times written 2025/3/1 10:02:11, free-text
comments with commas, quotes and line breaks.

Deterministic (fixed seed):
    /usr/bin/python3 tests/make-survey-cn.py > data/survey-cn.csv
"""
import csv
import datetime
import io
import random
import sys

rng = random.Random(20250315)
channels = {"小程序": 0.45, "门店": 0.35, "电话": 0.20}
stores = ["朝阳店", "海淀店", "浦东店"]
sources = ["微信", "手机提交", "链接"]
score_weights = {
    "小程序": [2, 1, 1, 2, 2, 4, 6, 10, 14, 18, 20],
    "门店":   [1, 1, 1, 1, 2, 3, 5, 9, 15, 22, 30],
    "电话":   [5, 3, 3, 4, 4, 6, 8, 10, 10, 10, 12],
}
labels = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
comments = ["", "", "", "", "服务很好，下次再来", "排队太久,希望改进", "店员态度\"很好\"",
            "价格偏贵\n但是质量不错", "送货慢", "小程序经常卡顿", "会推荐给朋友"]

buf = io.StringIO()
w = csv.writer(buf, lineterminator="\r\n")
w.writerow(["序号", "提交答卷时间", "所用时间", "来源", "会员号", "渠道", "门店",
            "推荐意愿", "满意度", "意见"])
start = datetime.datetime(2025, 1, 1)
for i in range(1, 601):
    ch = rng.choices(list(channels), weights=list(channels.values()))[0]
    when = start + datetime.timedelta(seconds=rng.randrange(181 * 86400))
    score = rng.choices(range(11), weights=score_weights[ch])[0]
    nps = "" if rng.random() < 0.04 else str(score)
    base = max(1, min(5, round(score / 2.2 + rng.gauss(0, 0.7))))
    sat = "" if rng.random() < 0.05 else labels[base]
    stamp = f"{when.year}/{when.month}/{when.day} {when:%H:%M:%S}"
    w.writerow([i, stamp, f"{rng.randrange(20, 400)}秒", rng.choice(sources),
                f"M{rng.randrange(1, 400):04d}", ch, rng.choice(stores), nps, sat,
                rng.choice(comments)])
sys.stdout.buffer.write(buf.getvalue().encode("gb18030"))
