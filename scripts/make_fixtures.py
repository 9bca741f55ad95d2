#!/usr/bin/env python3
"""Generates the format fixtures of ogi-extract (extract/tests/fixtures/formats/).

One synthetic report (the template of seed 001, 北关区政务服务和大数据管理局 2023,
with synthetic numbers that satisfy the accounting identities) is written as:

* ``report.grid``  – the canonical content: text lines and expanded table grids
  with explicit spans. The Rust tests render it as a GBK HTML page (rowspan /
  colspan, vertical header text, ``<br>`` inside cells) and as a DOCX (gridSpan /
  vMerge) in memory, and derive the expected text-path lines from it.
* ``report.pdf``   – the same content as a text PDF (embedded subset TrueType
  font WenQuanYi Zen Hei), one visual row per grid row, spanned text drawn in
  the top-left cell of its span.
* ``report_stsong.pdf`` – the same with the non-embedded CID font STSong-Light
  (CMap UniGB-UCS2-H), the classic pattern of older government PDFs.
* ``scan.pdf``     – an image-only page (no text layer): must give needs_ocr.
* ``scan_report.pdf`` – ``report.pdf`` rasterised (200 dpi, 1-bit) into an
  image-only PDF: needs_ocr, or read by tesseract with ``--ocr``.
* ``report.doc`` is not made here: it is LibreOffice 7.4's Word 97 export of the
  DOCX that ``extract/tests/formats/fixture.rs`` builds
  (``soffice --headless --convert-to doc report.docx``).

Grid format (UTF-8, tab-separated, one record per line):
    T<TAB>text        title line
    P<TAB>text        text line (heading or short paragraph)
    B                 table begins
    R<TAB>c1<TAB>c2…  one grid row, every column present:
                      ``<`` = covered by the cell on the left (colspan),
                      ``^`` = covered by the cell above (rowspan),
                      ``~`` inside a cell = a line break in the cell,
                      a cell ending in ``{v}`` = vertical text (one char per line)
    E                 table ends

Requirements: ``pip install reportlab`` (pulls pillow), the font package
``fonts-wqy-zenhei`` and ``poppler-utils`` (Debian). Run from the repository root:
    python3 scripts/make_fixtures.py
"""

import io
import os
import sys

OUT = os.path.join(os.path.dirname(__file__), "..", "extract", "tests", "fixtures", "formats")
FONT_PATHS = ["/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"]

COLS3 = ["natural_person", "org_commercial", "org_research", "org_social_welfare",
         "org_legal_services", "org_other"]


def table3_values():
    """Synthetic table-3 numbers per column (6 applicant columns + total) satisfying C1–C3."""
    rows = {}
    # outcome rows in template order; per applicant column a list of values
    outcome_rows = ["granted", "partially_granted",
                    "denied_state_secret", "denied_law", "denied_safety", "denied_third_party",
                    "denied_internal", "denied_process", "denied_enforcement", "denied_query",
                    "unable_not_held", "unable_create", "unable_unclear",
                    "refused_petition", "refused_repeat", "refused_publication", "refused_mass",
                    "refused_confirm",
                    "other_no_correction", "other_fee_unpaid", "other_other"]
    base = [
        [21, 3, 1, 0, 0, 1, 2, 0, 0, 0, 7, 1, 1, 2, 1, 0, 0, 0, 1, 0, 1],   # natural_person
        [6, 1, 0, 0, 0, 1, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],    # commercial
        [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],    # research
        [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],    # social welfare
        [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],    # legal services
        [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],    # other
    ]
    carried_in = [2, 1, 0, 0, 0, 0]
    carried_fw = [4, 0, 0, 0, 1, 0]
    cols = []
    for c in range(6):
        processed = sum(base[c])
        new = processed + carried_fw[c] - carried_in[c]
        cols.append({"new": new, "in": carried_in[c], "out": carried_fw[c],
                     "rows": base[c], "processed": processed})
    def with_total(vals):
        return vals + [sum(vals)]
    rows["new_received"] = with_total([c["new"] for c in cols])
    rows["carried_over_in"] = with_total([c["in"] for c in cols])
    for i, key in enumerate(outcome_rows):
        rows[key] = with_total([c["rows"][i] for c in cols])
    rows["processed_total"] = with_total([c["processed"] for c in cols])
    rows["carried_forward"] = with_total([c["out"] for c in cols])
    return rows


def grid_records():
    """The canonical content as grid records (see module doc)."""
    v = table3_values()
    def nums(key):
        return [str(x) for x in v[key]]
    recs = []
    T = lambda s: recs.append(["T", s])
    P = lambda s: recs.append(["P", s])
    R = lambda *cells: recs.append(["R", *cells])
    T("北关区政务服务和大数据管理局2023年政府信息公开工作年度报告")
    P("一、总体情况")
    P("2023年，我局认真贯彻落实政府信息公开条例。")
    P("二、主动公开政府信息情况")
    recs.append(["B"])
    R("第二十条第（一）项", "<", "<", "<")
    R("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")
    R("规章", "0", "0", "0")
    R("行政规范性文件", "3", "1", "12")
    R("第二十条第（五）项", "<", "<", "<")
    R("信息内容", "本年处理决定数量", "<", "<")
    R("行政许可", "57", "<", "<")
    R("第二十条第（六）项", "<", "<", "<")
    R("信息内容", "本年处理决定数量", "<", "<")
    R("行政处罚", "8", "<", "<")
    R("行政强制", "2", "<", "<")
    R("第二十条第（八）项", "<", "<", "<")
    R("信息内容", "本年收费金额（单位：万元）", "<", "<")
    R("行政事业性收费", "0.35", "<", "<")
    recs.append(["E"])
    P("三、收到和处理政府信息公开申请情况")
    recs.append(["B"])
    R("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "<", "<",
      "申请人情况", "<", "<", "<", "<", "<", "<")
    R("^", "^", "^", "自然人", "法人或其他组织", "<", "<", "<", "<", "总计")
    R("^", "^", "^", "^", "商业~企业", "科研~机构", "社会公益~组织", "法律服务~机构", "其他", "^")
    R("一、本年新收政府信息公开申请数量", "<", "<", *nums("new_received"))
    R("二、上年结转政府信息公开申请数量", "<", "<", *nums("carried_over_in"))
    R("三、本年度办理结果{v}", "（一）予以公开", "<", *nums("granted"))
    R("^", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "<", *nums("partially_granted"))
    denied = [("1.属于国家秘密", "denied_state_secret"), ("2.其他法律行政法规禁止公开", "denied_law"),
              ("3.危及“三安全一稳定”", "denied_safety"), ("4.保护第三方合法权益", "denied_third_party"),
              ("5.属于三类内部事务信息", "denied_internal"), ("6.属于四类过程性信息", "denied_process"),
              ("7.属于行政执法案卷", "denied_enforcement"), ("8.属于行政查询事项", "denied_query")]
    for i, (label, key) in enumerate(denied):
        R("^", "（三）不予公开" if i == 0 else "^", label, *nums(key))
    unable = [("1.本机关不掌握相关政府信息", "unable_not_held"), ("2.没有现成信息需要另行制作", "unable_create"),
              ("3.补正后申请内容仍不明确", "unable_unclear")]
    for i, (label, key) in enumerate(unable):
        R("^", "（四）无法提供" if i == 0 else "^", label, *nums(key))
    refused = [("1.信访举报投诉类申请", "refused_petition"), ("2.重复申请", "refused_repeat"),
               ("3.要求提供公开出版物", "refused_publication"), ("4.无正当理由大量反复申请", "refused_mass"),
               ("5.要求行政机关确认或重新出具已获取信息", "refused_confirm")]
    for i, (label, key) in enumerate(refused):
        R("^", "（五）不予处理" if i == 0 else "^", label, *nums(key))
    other = [("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_no_correction"),
             ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_fee_unpaid"),
             ("3.其他", "other_other")]
    for i, (label, key) in enumerate(other):
        R("^", "（六）其他处理" if i == 0 else "^", label, *nums(key))
    R("^", "（七）总计", "<", *nums("processed_total"))
    R("四、结转下年度继续办理", "<", "<", *nums("carried_forward"))
    recs.append(["E"])
    P("四、政府信息公开行政复议、行政诉讼情况")
    recs.append(["B"])
    R("行政复议", "<", "<", "<", "<", "行政诉讼", "<", "<", "<", "<", "<", "<", "<", "<", "<")
    R("结果~维持", "结果~纠正", "其他~结果", "尚未~审结", "总计", "未经复议直接起诉", "<", "<", "<", "<",
      "复议后起诉", "<", "<", "<", "<")
    R("^", "^", "^", "^", "^", "结果~维持", "结果~纠正", "其他~结果", "尚未~审结", "总计",
      "结果~维持", "结果~纠正", "其他~结果", "尚未~审结", "总计")
    R("2", "1", "0", "1", "4", "1", "0", "0", "1", "2", "0", "0", "0", "0", "0")
    recs.append(["E"])
    P("五、存在的主要问题及改进情况")
    P("本年度政府信息公开工作仍存在不足。")
    P("六、其他需要报告的事项")
    P("本年度未收取信息处理费。")
    return recs


def cell_text(c):
    """Text of a grid cell as a reader should return it (markers removed)."""
    if c in ("<", "^"):
        return ""
    if c.endswith("{v}"):
        c = c[:-3]
    return c.replace("~", "")


def write_grid(recs):
    with open(os.path.join(OUT, "report.grid"), "w", encoding="utf-8") as f:
        f.write("# generated by scripts/make_fixtures.py; see its docstring for the format\n")
        for r in recs:
            f.write("\t".join(r) + "\n")


def tables(recs):
    """Splits records into ('text', s) and ('table', rows) items."""
    items, cur = [], None
    for r in recs:
        if r[0] == "B":
            cur = []
        elif r[0] == "E":
            items.append(("table", cur))
            cur = None
        elif r[0] == "R":
            cur.append(r[1:])
        else:
            items.append(("text", r[1]))
    return items


def write_pdf(recs, name, font, size=7.0):
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas
    from reportlab.pdfbase.pdfmetrics import stringWidth

    page_w, page_h = landscape(A4)
    margin, row_h, pad = 28, size * 2.2, size * 1.6
    c = canvas.Canvas(os.path.join(OUT, name), pagesize=(page_w, page_h), invariant=1)
    c.setTitle("北关区政务服务和大数据管理局2023年政府信息公开工作年度报告")
    c.setFont(font, size)
    y = page_h - margin

    def newline(h):
        nonlocal y
        if y - h < margin:
            c.showPage()
            c.setFont(font, size)
            y = page_h - margin
        y -= h

    for kind, item in tables(recs):
        if kind == "text":
            newline(row_h)
            c.drawString(margin, y, item)
            continue
        ncol = len(item[0])
        widths = [0.0] * ncol
        for row in item:  # single-column cells set the widths
            for j, cell in enumerate(row):
                span = 1
                while j + span < ncol and row[j + span] == "<":
                    span += 1
                if span == 1 and cell not in ("<", "^"):
                    widths[j] = max(widths[j], stringWidth(cell_text(cell), font, size) + pad)
        widths = [max(w, size * 3) for w in widths]
        for row in item:  # spanned cells widen the last column of their span if needed
            for j, cell in enumerate(row):
                span = 1
                while j + span < ncol and row[j + span] == "<":
                    span += 1
                need = stringWidth(cell_text(cell), font, size) + pad
                have = sum(widths[j:j + span])
                if cell not in ("<", "^") and need > have:
                    widths[j + span - 1] += need - have
        scale = min(1.0, (page_w - 2 * margin) / sum(widths))
        if scale < 1.0:
            sys.exit(f"table too wide for {name}: {sum(widths)}")
        for row in item:
            newline(row_h)
            x = margin
            for j, cell in enumerate(row):
                if cell not in ("<", "^"):
                    c.drawString(x + 1, y, cell_text(cell))
                x += widths[j]
    c.showPage()
    c.save()


def write_scan_pdf():
    """An image-only page: no text layer at all."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (600, 800), 255)
    d = ImageDraw.Draw(img)
    for i in range(20):  # table rulings, as on a scanned form
        d.line([(40, 60 + i * 30), (560, 60 + i * 30)], fill=0, width=2)
    for x in (40, 200, 300, 400, 560):
        d.line([(x, 60), (x, 630)], fill=0, width=2)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    c = canvas.Canvas(os.path.join(OUT, "scan.pdf"), pagesize=A4, invariant=1)
    c.drawImage(ImageReader(buf), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()


def write_scan_report_pdf():
    """report.pdf as a scan: each page rendered by pdftoppm (poppler-utils) at
    200 dpi, 1-bit, and embedded as the only content of a page of the same size."""
    import glob
    import subprocess
    import tempfile
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "200", "-mono", os.path.join(OUT, "report.pdf"),
                        os.path.join(tmp, "p")], check=True)
        pages = sorted(glob.glob(os.path.join(tmp, "p-*.pbm")))
        c = None
        for page in pages:
            img = Image.open(page).convert("1")
            w, h = img.size[0] * 72 / 200, img.size[1] * 72 / 200
            if c is None:
                c = canvas.Canvas(os.path.join(OUT, "scan_report.pdf"), pagesize=(w, h), invariant=1)
            c.setPageSize((w, h))
            buf = io.BytesIO()
            img.save(buf, format="PNG", optimize=True)
            buf.seek(0)
            c.drawImage(ImageReader(buf), 0, 0, width=w, height=h)
            c.showPage()
        c.save()


def main():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    os.makedirs(OUT, exist_ok=True)
    recs = grid_records()
    write_grid(recs)
    font_path = next((p for p in FONT_PATHS if os.path.exists(p)), None)
    if font_path is None:
        sys.exit("install fonts-wqy-zenhei (Debian) first")
    pdfmetrics.registerFont(TTFont("WQY", font_path, subfontIndex=0))
    write_pdf(recs, "report.pdf", "WQY")
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    write_pdf(recs, "report_stsong.pdf", "STSong-Light")
    write_scan_pdf()
    write_scan_report_pdf()
    print("wrote", OUT)


if __name__ == "__main__":
    main()
