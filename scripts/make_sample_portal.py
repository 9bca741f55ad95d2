#!/usr/bin/env python3
"""Generate the bundled sample portal (data/sample-portal/) from the seed reports.

Plain Python 3 standard library only. Run from the repository root:

    python3 scripts/make_sample_portal.py [--seeds extract/tests/fixtures/seeds] [--out data/sample-portal]

Three districts on three virtual hosts (served by `ogi serve-sample` / `serve_sample`):

* www.beiguan.example  安阳市北关区 410503  TRS-style static lists index.html, index_1.html …
  with createPageHTML(); reports as Word-pasted HTML tables, one DOCX attachment, an outdated
  duplicate under a second URL, a report under a robots.txt Disallow, 指南/工作要点 items.
* www.erqi.example     郑州市二七区 410103  script-paginated list (JSON endpoint
  /api/list.json?channel=ndbg&page=N); one report as HTML note + PDF attachment.
* www.xigong.example   洛阳市西工区 410303  an old GBK-encoded site.

Derived variants ("variant") use different numbers that satisfy identities C1–C4.
The exact set of report documents is written to EXPECTED.md and expected.json.
Output is deterministic (fixed zip timestamps, sorted keys).
"""
import argparse
import html
import io
import json
import os
import shutil
import unicodedata
import zipfile
from pathlib import Path

ROWS = [
    ("new_received", "一、本年新收政府信息公开申请数量"),
    ("carried_over_in", "二、上年结转政府信息公开申请数量"),
    ("granted", "（一）予以公开"),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("denied_state_secret", "1.属于国家秘密"),
    ("denied_law_prohibited", "2.其他法律行政法规禁止公开"),
    ("denied_security_stability", "3.危及“三安全一稳定”"),
    ("denied_third_party", "4.保护第三方合法权益"),
    ("denied_internal_affairs", "5.属于三类内部事务信息"),
    ("denied_process_info", "6.属于四类过程性信息"),
    ("denied_enforcement_file", "7.属于行政执法案卷"),
    ("denied_admin_query", "8.属于行政查询事项"),
    ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable_unclear", "3.补正后申请内容仍不明确"),
    ("not_processed_petition", "1.信访举报投诉类申请"),
    ("not_processed_duplicate", "2.重复申请"),
    ("not_processed_publication", "3.要求提供公开出版物"),
    ("not_processed_vexatious", "4.无正当理由大量反复申请"),
    ("not_processed_confirm_reissue", "5.要求行政机关确认或重新出具已获取信息"),
    ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_other", "3.其他"),
    ("processed_total", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
]
COLS = ["natural_person", "org_commercial", "org_research", "org_social_welfare",
        "org_legal_services", "org_other", "total"]
OUTCOMES = [k for k, _ in ROWS[2:23]]
T4 = ["review_upheld", "review_corrected", "review_other", "review_pending", "review_total",
      "lit_direct_upheld", "lit_direct_corrected", "lit_direct_other", "lit_direct_pending", "lit_direct_total",
      "lit_after_review_upheld", "lit_after_review_corrected", "lit_after_review_other",
      "lit_after_review_pending", "lit_after_review_total"]
LAST_MODIFIED_NOTE = "Served with Last-Modified: Mon, 15 Jan 2024 08:00:00 GMT and a content-hash ETag."
TD = ('style="border:solid windowtext 1.0pt;padding:0cm 5.4pt;text-align:center;'
      'font-family:仿宋_GB2312;font-size:12pt"')


def table3(cells):
    """Complete a sparse {row: {col: n}} so that C1–C3 hold."""
    t = {r: {c: 0 for c in COLS} for r, _ in ROWS}
    for r, cols in cells.items():
        for c, v in cols.items():
            t[r][c] = v
    for r in t:
        if r not in ("processed_total", "carried_forward"):
            t[r]["total"] = sum(t[r][c] for c in COLS[:-1])
    for c in COLS:
        t["processed_total"][c] = sum(t[r][c] for r in OUTCOMES)
        t["carried_forward"][c] = t["new_received"][c] + t["carried_over_in"][c] - t["processed_total"][c]
        assert t["carried_forward"][c] >= 0, c
    return t


def table4(vals):
    t = {k: 0 for k in T4}
    t.update(vals)
    for block in ("review", "lit_direct", "lit_after_review"):
        t[f"{block}_total"] = sum(t[f"{block}_{k}"] for k in ("upheld", "corrected", "other", "pending"))
    return t


def check(rep):
    t3 = rep["table3"]
    for c in COLS:
        assert t3["new_received"][c] + t3["carried_over_in"][c] == t3["processed_total"][c] + t3["carried_forward"][c]
        assert t3["processed_total"][c] == sum(t3[r][c] for r in OUTCOMES)
    for r in t3:
        assert t3[r]["total"] == sum(t3[r][c] for c in COLS[:-1]), r


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return ("%.4f" % v).rstrip("0").rstrip(".")
    return str(v)


def td(v, attrs=""):
    return f'<td {TD} {attrs}><p style="text-align:center"><span>{html.escape(fmt(v))}</span></p></td>'


def tables_html(rep):
    t2, t3, t4 = rep["table2"], rep["table3"], rep["table4"]
    o = ['<p><strong>二、主动公开政府信息情况</strong></p>',
         '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">']
    o.append("<tr>" + td('第二十条第（一）项', 'colspan="4"') + "</tr>")
    o.append("<tr>" + "".join(td(x) for x in ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]) + "</tr>")
    o.append("<tr>" + td("规章") + "".join(td(t2[k]) for k in ["regulations_issued", "regulations_repealed", "regulations_in_force"]) + "</tr>")
    o.append("<tr>" + td("行政规范性文件") + "".join(td(t2[k]) for k in ["normative_docs_issued", "normative_docs_repealed", "normative_docs_in_force"]) + "</tr>")
    for head, label, items in [
        ("第二十条第（五）项", "本年处理决定数量", [("行政许可", "licensing_decisions")]),
        ("第二十条第（六）项", "本年处理决定数量", [("行政处罚", "penalty_decisions"), ("行政强制", "coercion_decisions")]),
        ("第二十条第（八）项", "本年收费金额（单位：万元）", [("行政事业性收费", "admin_fees_10k_cny")]),
    ]:
        o.append("<tr>" + td(head, 'colspan="4"') + "</tr>")
        o.append("<tr>" + td("信息内容") + td(label, 'colspan="3"') + "</tr>")
        for name, key in items:
            o.append("<tr>" + td(name) + td(t2[key], 'colspan="3"') + "</tr>")
    o.append("</table>")
    o.append('<p><strong>三、收到和处理政府信息公开申请情况</strong></p>')
    o.append('<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">')
    o.append("<tr>" + td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 'colspan="3" rowspan="3"')
             + td("申请人情况", 'colspan="7"') + "</tr>")
    o.append("<tr>" + td("自然人", 'rowspan="2"') + td("法人或其他组织", 'colspan="5"') + td("总计", 'rowspan="2"') + "</tr>")
    o.append("<tr>" + "".join(td(x) for x in ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]) + "</tr>")
    labels = dict(ROWS)
    groups = {"denied_state_secret": ("（三）不予公开", 8), "unavailable_not_held": ("（四）无法提供", 3),
              "not_processed_petition": ("（五）不予处理", 5), "other_no_correction": ("（六）其他处理", 3)}
    in_group = {k for k, _ in ROWS[4:23]}
    for key, label in ROWS:
        vals = "".join(td(t3[key][c]) for c in COLS)
        if key in ("new_received", "carried_over_in", "carried_forward"):
            o.append("<tr>" + td(label, 'colspan="3"') + vals + "</tr>")
        elif key == "granted":
            o.append("<tr>" + td("三、本年度办理结果", 'rowspan="22"') + td(label, 'colspan="2"') + vals + "</tr>")
        elif key in groups:
            g, n = groups[key]
            o.append("<tr>" + td(g, f'rowspan="{n}"') + td(labels[key]) + vals + "</tr>")
        elif key in in_group:
            o.append("<tr>" + td(labels[key]) + vals + "</tr>")
        else:
            o.append("<tr>" + td(label, 'colspan="2"') + vals + "</tr>")
    o.append("</table>")
    o.append('<p><strong>四、政府信息公开行政复议、行政诉讼情况</strong></p>')
    o.append('<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">')
    o.append("<tr>" + td("行政复议", 'colspan="5" rowspan="2"') + td("行政诉讼", 'colspan="10"') + "</tr>")
    o.append("<tr>" + td("未经复议直接起诉", 'colspan="5"') + td("复议后起诉", 'colspan="5"') + "</tr>")
    o.append("<tr>" + "".join(td(x) for x in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3) + "</tr>")
    o.append("<tr>" + "".join(td(t4[k]) for k in T4) + "</tr>")
    o.append("</table>")
    return "\n".join(o)


def narrative(rep):
    paras = rep.get("intro") or [
        f"根据《中华人民共和国政府信息公开条例》规定，现公布{rep['agency']}{rep['year']}年政府信息公开工作年度报告。",
    ]
    return "\n".join(f'<p style="text-indent:2em"><span>{html.escape(p)}</span></p>' for p in paras)


def page(site, title, body, charset="utf-8", pubdate="2024-01-15"):
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{html.escape(title)}_{html.escape(site['name'])}</title>
<meta name="SiteName" content="{html.escape(site['name'])}">
<meta name="SiteDomain" content="{site['host']}">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ArticleTitle" content="{html.escape(title)}">
<meta name="PubDate" content="{pubdate}">
</head>
<body>
<div class="top"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="#">长者模式</a> | <a href="#">无障碍浏览</a>
<form action="/search"><input name="q" placeholder="请输入关键字"><button>搜索</button></form></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; 政务公开 &gt; 政府信息公开年报</div>
{body}
<div class="footer">主办：{html.escape(site['name'])} 网站标识码：4105000001 ICP备案号：豫ICP备00000000号</div>
</body>
</html>
"""


def report_page(site, rep, charset="utf-8"):
    body = (f'<h1 class="title">{html.escape(rep["title"])}</h1>\n'
            f'<div class="info">发布时间：{rep["date"]} 来源：{html.escape(rep["agency"])}</div>\n'
            '<div class="TRS_Editor" id="zoom">\n'
            '<p><strong>一、总体情况</strong></p>\n' + narrative(rep) + "\n" + tables_html(rep) +
            '\n<p><strong>五、存在的主要问题及改进情况</strong></p><p>无。</p>'
            '\n<p><strong>六、其他需要报告的事项</strong></p><p>无。</p>\n</div>')
    return page(site, rep["title"], body, charset, rep["date"])


def list_page(site, title, items, n, count, charset="utf-8", pattern=True):
    lis = "\n".join(f'<li><a href="{html.escape(href)}" title="{html.escape(t)}" target="_blank">{html.escape(t)}</a>'
                    f'<span class="date">{d}</span></li>' for t, href, d in items)
    script = (f'<script type="text/javascript">var currentPage = {n};var countPage = {count};\n'
              f'createPageHTML({count}, {n}, "index", "html");</script>') if pattern else ""
    body = f'<div class="list"><h2>{html.escape(title)}</h2>\n<ul class="xxgk-list">\n{lis}\n</ul>\n<div class="page">{script}</div></div>'
    return page(site, title, body, charset)


def w_p(text, bold=False):
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:p><w:r>{rpr}<w:t xml:space="preserve">{html.escape(text)}</w:t></w:r></w:p>'


def w_tbl(rows):
    out = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>']
    for r in rows:
        out.append("<w:tr>" + "".join(f"<w:tc><w:tcPr><w:tcW w:w=\"1200\" w:type=\"dxa\"/></w:tcPr>{w_p(fmt(c))}</w:tc>" for c in r) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def flat_rows(rep):
    """Table rows as plain label + values (for DOCX and PDF)."""
    t2, t3, t4 = rep["table2"], rep["table3"], rep["table4"]
    group_of = {}
    for k, _ in ROWS[4:12]:
        group_of[k] = "（三）不予公开 "
    for k, _ in ROWS[12:15]:
        group_of[k] = "（四）无法提供 "
    for k, _ in ROWS[15:20]:
        group_of[k] = "（五）不予处理 "
    for k, _ in ROWS[20:23]:
        group_of[k] = "（六）其他处理 "
    r2 = [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
          ["规章", t2["regulations_issued"], t2["regulations_repealed"], t2["regulations_in_force"]],
          ["行政规范性文件", t2["normative_docs_issued"], t2["normative_docs_repealed"], t2["normative_docs_in_force"]],
          ["行政许可", t2["licensing_decisions"]], ["行政处罚", t2["penalty_decisions"]],
          ["行政强制", t2["coercion_decisions"]], ["行政事业性收费（万元）", t2["admin_fees_10k_cny"]]]
    r3 = [["申请人情况", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]]
    for k, label in ROWS:
        r3.append([group_of.get(k, "") + label] + [t3[k][c] for c in COLS])
    r4 = [["行政复议 结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
          [t4[k] for k in T4[:5]],
          ["行政诉讼 未经复议直接起诉 结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
          [t4[k] for k in T4[5:10]],
          ["复议后起诉 结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
          [t4[k] for k in T4[10:]]]
    return r2, r3, r4


def make_docx(rep):
    r2, r3, r4 = flat_rows(rep)
    body = (w_p(rep["title"], True) + w_p("一、总体情况", True) +
            "".join(w_p(p) for p in rep.get("intro", [])) +
            w_p("二、主动公开政府信息情况", True) + w_tbl(r2) +
            w_p("三、收到和处理政府信息公开申请情况", True) + w_tbl(r3) +
            w_p("四、政府信息公开行政复议、行政诉讼情况", True) + w_tbl(r4) +
            w_p("五、存在的主要问题及改进情况", True) + w_p("无。") +
            w_p("六、其他需要报告的事项", True) + w_p("无。"))
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           f'<w:body>{body}<w:sectPr/></w:body></w:document>')
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '</Relationships>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [("[Content_Types].xml", ct), ("_rels/.rels", rels), ("word/document.xml", doc)]:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 15, 8, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode("utf-8"))
    return buf.getvalue()


def make_pdf(rep):
    """A text PDF with the non-embedded STSong-Light CID font (UniGB-UCS2-H)."""
    r2, r3, r4 = flat_rows(rep)
    lines = [rep["title"], "一、总体情况"] + rep.get("intro", [])
    lines.append("二、主动公开政府信息情况")
    # Table rows are never wrapped (a wrapped row would split numbers across
    # lines, which no real report does); the landscape page is wide enough.
    table_rows = ["  ".join(fmt(c) for c in r) for r in r2 + r3 + r4]
    lines += table_rows[:len(r2)]
    lines.append("三、收到和处理政府信息公开申请情况")
    lines += table_rows[len(r2):len(r2) + len(r3)]
    lines.append("四、政府信息公开行政复议、行政诉讼情况")
    lines += table_rows[len(r2) + len(r3):]
    lines += ["五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]
    keep = set(table_rows)
    pages, cur = [], []
    for ln in lines:
        while len(ln) > 60 and ln not in keep:
            cur.append(ln[:60])
            ln = ln[60:]
            if len(cur) == 44:
                pages.append(cur)
                cur = []
        cur.append(ln)
        if len(cur) == 44:
            pages.append(cur)
            cur = []
    if cur:
        pages.append(cur)
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
            3: b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
            4: b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 >>",
            5: b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"}
    kids = []
    n = 6
    for pg in pages:
        ops = ["BT", "/F1 9 Tf", "12 TL", "30 560 Td"]
        for ln in pg:
            ops.append("<" + ln.encode("utf-16-be").hex().upper() + "> Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("ascii")
        objs[n + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        objs[n] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (n + 1))
        kids.append(n)
        n += 2
    objs[2] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n"
    xref = len(out)
    size = max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for i in range(1, size):
        out += b"%010d 00000 n \n" % offsets[i]
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info << /Title <FEFF%s> >> >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, rep["title"].encode("utf-16-be").hex().upper().encode(), xref)
    return bytes(out)


def intro_from_seed(path):
    """Paragraphs of section 一 of a seed text, NFKC-normalised."""
    try:
        text = unicodedata.normalize("NFKC", open(path, encoding="utf-8").read())
    except OSError:
        return []
    text = text.replace("⺠", "民")
    lines = [ln.strip().lstrip("#").strip() for ln in text.splitlines()]
    out, on = [], False
    for ln in lines:
        if "总体情况" in ln and ln.startswith("一"):
            on = True
            continue
        if on and ln.startswith("二、"):
            break
        if on and len(ln) > 15 and "年度报告" not in ln:
            out.append(ln)
    return out[:6]


def seed_report(seeds, name, title, date, **over):
    g = json.load(open(os.path.join(seeds, "gold", name + ".json"), encoding="utf-8"))
    rep = {"agency": g["agency"], "year": g["year"], "region": g["region"], "region_code": g["region_code"],
           "table2": g["table2"], "table3": g["table3"], "table4": g["table4"], "title": title, "date": date,
           "intro": intro_from_seed(os.path.join(seeds, name + ".txt")), "source": f"seed {name}"}
    rep.update(over)
    check(rep)
    return rep


def variant(base, title, date, year, t3cells, t2=None, t4=None, intro=None):
    rep = dict(base)
    rep.update({"title": title, "date": date, "year": year, "table3": table3(t3cells),
                "table2": dict(base["table2"], **(t2 or {})), "table4": table4(t4 or {}),
                "source": f"variant of {base['source']}"})
    rep["intro"] = intro or [f"{year}年，{base['agency']}认真贯彻落实《中华人民共和国政府信息公开条例》，"
                             f"全年共收到政府信息公开申请{rep['table3']['new_received']['total']}件，"
                             f"均已按时办结或依法结转。"]
    check(rep)
    return rep


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default=str(Path(__file__).resolve().parent.parent / "extract/tests/fixtures/seeds"))
    ap.add_argument("--out", default="data/sample-portal")
    a = ap.parse_args()
    out, seeds = a.out, a.seeds
    for d in ("www.beiguan.example", "www.erqi.example", "www.xigong.example"):
        shutil.rmtree(os.path.join(out, d), ignore_errors=True)
    expected = []

    def expect(portal, url, kind, rep, content_type, note=None, dup_of=None):
        e = {"portal_id": portal, "url": url, "kind": kind, "content_type": content_type,
             "agency": rep["agency"], "region_code": rep["region_code"], "year": rep["year"],
             "list_title": rep["title"], "source": rep["source"]}
        if kind == "attachment" or note != "note_only":
            e["new_received_total"] = rep["table3"]["new_received"]["total"]
            e["granted_total"] = rep["table3"]["granted"]["total"]
            e["processed_total"] = rep["table3"]["processed_total"]["total"]
        if note:
            e["note"] = note
        if dup_of:
            e["outdated_duplicate_of"] = dup_of
        expected.append(e)

    excluded = []

    # ---------------- 北关区 (TRS static lists) ----------------
    bg = {"host": "www.beiguan.example", "name": "安阳市北关区人民政府"}
    base = f"http://{bg['host']}"
    col = "/zwgk/zfxxgknb/"
    mz22 = seed_report(seeds, "000_9f2b57b5771a8cdb", "北关区民政局2022年政府信息公开工作年度报告", "2023-01-18")
    zw23 = seed_report(seeds, "001_f34c183db723c9dd", "北关区政务服务和大数据管理局2023年政府信息公开工作年度报告", "2024-01-22")
    hq22 = seed_report(seeds, "002_46d3d5d51a8cc641", "北关区红旗路街道办事处2022年政府信息公开工作年度报告", "2023-01-20")
    mz23 = variant(mz22, "北关区民政局2023年政府信息公开工作年度报告", "2024-01-18", 2023, {
        "new_received": {"natural_person": 3, "org_commercial": 1},
        "granted": {"natural_person": 2}, "partially_granted": {"org_commercial": 1},
        "unavailable_not_held": {"natural_person": 1}})
    mz21 = variant(mz22, "北关区民政局2021年政府信息公开工作年度报告", "2022-01-20", 2021, {
        "new_received": {"natural_person": 5}, "carried_over_in": {"natural_person": 1},
        "granted": {"natural_person": 3}, "not_processed_duplicate": {"natural_person": 1},
        "other_other": {"natural_person": 1}}, t4={"review_upheld": 1})
    mz22_old = dict(variant(mz22, mz22["title"], "2023-01-10", 2022, {
        "new_received": {"natural_person": 1}, "granted": {"natural_person": 1}}), source="outdated first version of seed 000_9f2b57b5771a8cdb")
    items = [
        (mz23, "./202401/t20240118_1023.html"),
        (zw23, "./202401/t20240122_1031.html"),
        ("2024年北关区政务公开工作要点", "./202401/t20240105_1002.html"),
        (hq22, "./202301/P020230120_hongqilu2022.docx"),
        (mz22, "./202301/t20230118_0918.html"),
        ("北关区人民政府政府信息公开指南", "/zwgk/zfxxgkzn/index.html"),
        ("北关区财政局2022年政府信息公开工作年度报告（征求意见稿）", "/zwgk/draft/t20230105_0901.html"),
        (mz22_old, "./202301/t20230110_0900.html"),
        (mz21, "./202201/t20220120_0712.html"),
    ]
    pages = [items[0:4], items[4:8], items[8:]]
    for n, chunk in enumerate(pages):
        rows = []
        for it, href in chunk:
            t = it if isinstance(it, str) else it["title"]
            d = "2024-01-05" if isinstance(it, str) else it["date"]
            rows.append((t, href, d))
        name = "index.html" if n == 0 else f"index_{n}.html"
        write(f"{out}/{bg['host']}{col}{name}", list_page(bg, "政府信息公开年报", rows, n, len(pages)))
    for it, href in items:
        url = base + col + href[2:] if href.startswith("./") else base + href
        path = f"{out}/{bg['host']}" + url[len(base):]
        if "/draft/" in url:
            continue
        if isinstance(it, str):
            write(path, page(bg, it, f"<h1>{html.escape(it)}</h1><div class=\"TRS_Editor\"><p>（正文略）</p></div>"))
            excluded.append({"url": url, "reason": "not a report (title filter)"})
            continue
        if href.endswith(".docx"):
            write(path, make_docx(it))
            expect("sample-beiguan", url, "attachment", it,
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        else:
            write(path, report_page(bg, it))
            expect("sample-beiguan", url, "page", it, "text/html",
                   dup_of=(base + col + "202301/t20230118_0918.html") if it is mz22_old else None)
    draft = base + "/zwgk/draft/t20230105_0901.html"
    write(f"{out}/{bg['host']}/zwgk/draft/t20230105_0901.html",
          page(bg, "征求意见稿", "<h1>北关区财政局2022年政府信息公开工作年度报告（征求意见稿）</h1>"))
    excluded.append({"url": draft, "reason": "robots.txt Disallow: /zwgk/draft/"})
    write(f"{out}/{bg['host']}/robots.txt", "User-agent: *\nDisallow: /zwgk/draft/\nDisallow: /search\n\nUser-agent: BadBot\nDisallow: /\n")
    write(f"{out}/{bg['host']}/index.html", page(bg, "首页", '<a href="/zwgk/zfxxgknb/index.html">政府信息公开年报</a>'))

    # ---------------- 二七区 (script-paginated JSON list) ----------------
    eq = {"host": "www.erqi.example", "name": "郑州市二七区人民政府"}
    base = f"http://{eq['host']}"
    bgz22 = seed_report(seeds, "003_df7582ad909b4c7e", "二七区人民政府办公室2022年政府信息公开工作年度报告", "2023-01-30")
    bgz23 = variant(bgz22, "二七区人民政府办公室2023年政府信息公开工作年度报告", "2024-01-29", 2023, {
        "new_received": {"natural_person": 71, "org_commercial": 4, "org_legal_services": 1},
        "carried_over_in": {"natural_person": 2},
        "granted": {"natural_person": 50, "org_commercial": 3},
        "partially_granted": {"natural_person": 6},
        "denied_third_party": {"natural_person": 1},
        "unavailable_not_held": {"natural_person": 9, "org_legal_services": 1},
        "not_processed_petition": {"natural_person": 3},
        "other_other": {"natural_person": 2, "org_commercial": 1}},
        t2={"normative_docs_issued": 4, "normative_docs_in_force": 22}, t4={"review_upheld": 2, "review_corrected": 1, "lit_direct_pending": 1})
    bgz21 = variant(bgz22, "二七区人民政府办公室2021年政府信息公开工作年度报告", "2022-01-28", 2021, {
        "new_received": {"natural_person": 40, "org_commercial": 2},
        "granted": {"natural_person": 30, "org_commercial": 2},
        "partially_granted": {"natural_person": 4},
        "unavailable_not_held": {"natural_person": 4},
        "not_processed_duplicate": {"natural_person": 2}}, t4={"review_upheld": 1})
    write(f"{out}/{eq['host']}/xxgk/ndbg/index.html", page(eq, "政府信息公开年度报告",
          '<div class="list"><h2>政府信息公开年度报告</h2><ul id="list"></ul><div id="page"></div>\n'
          '<script src="/js/list.js"></script>\n<script>loadList("ndbg", 1, 2);</script></div>'))
    write(f"{out}/{eq['host']}/js/list.js", "function loadList(ch,p,size){fetch('/api/list.json?channel='+ch+'&page='+p)"
          ".then(r=>r.json()).then(d=>{/* render d.data.list */});}\n")
    erqi_items = [
        {"title": bgz23["title"], "url": "/xxgk/ndbg/202401/t20240129_5512.html", "pubDate": bgz23["date"]},
        {"title": "二七区政府信息公开指南（2023年版）", "url": "/xxgk/zn/202301/t20230301_4410.html", "pubDate": "2023-03-01"},
        {"title": bgz22["title"], "url": "/xxgk/ndbg/202301/t20230130_4120.html", "pubDate": bgz22["date"]},
        {"title": bgz21["title"], "url": "/xxgk/ndbg/202201/t20220128_3305.html", "pubDate": bgz21["date"]},
    ]
    for p, chunk in enumerate([erqi_items[:2], erqi_items[2:]], start=1):
        write(f"{out}/{eq['host']}/api/list.json@channel=ndbg&page={p}",
              json.dumps({"code": 200, "data": {"list": chunk, "pageCount": 2, "total": len(erqi_items), "page": p}},
                         ensure_ascii=False, indent=1, sort_keys=True))
    write(f"{out}/{eq['host']}/xxgk/zn/202301/t20230301_4410.html", page(eq, "指南", "<h1>二七区政府信息公开指南（2023年版）</h1>"))
    excluded.append({"url": base + "/xxgk/zn/202301/t20230301_4410.html", "reason": "not a report (title filter)"})
    for rep, url in [(bgz23, erqi_items[0]["url"]), (bgz22, erqi_items[2]["url"])]:
        write(f"{out}/{eq['host']}{url}", report_page(eq, rep))
        expect("sample-erqi", base + url, "page", rep, "text/html")
    note_url = erqi_items[3]["url"]
    pdf_path = "/xxgk/ndbg/202201/P020220128_3305.pdf"
    body = (f'<h1>{html.escape(bgz21["title"])}</h1><div class="TRS_Editor"><p>现将《{html.escape(bgz21["title"])}》予以公布，'
            f'详见附件。</p><p>附件：<a href="./P020220128_3305.pdf">{html.escape(bgz21["title"])}.pdf</a></p></div>')
    write(f"{out}/{eq['host']}{note_url}", page(eq, bgz21["title"], body))
    expect("sample-erqi", base + note_url, "page", bgz21, "text/html", note="note_only")
    write(f"{out}/{eq['host']}{pdf_path}", make_pdf(bgz21))
    expect("sample-erqi", base + pdf_path, "attachment", bgz21, "application/pdf")
    write(f"{out}/{eq['host']}/robots.txt", "User-agent: *\nAllow: /\nCrawl-delay: 0.1\n")

    # ---------------- 西工区 (GBK) ----------------
    xg = {"host": "www.xigong.example", "name": "洛阳市西工区人民政府"}
    base = f"http://{xg['host']}"
    xmz23 = seed_report(seeds, "004_c5c1b09c05bce4b4", "西工区民政局2023年政府信息公开工作年度报告", "2024-01-25")
    xmz22 = variant(xmz23, "2022年度西工区民政局政府信息公开工作年度报告", "2023-01-16", 2022, {
        "new_received": {"natural_person": 2}, "granted": {"natural_person": 1},
        "unavailable_needs_creation": {"natural_person": 1}})
    xitems = [(xmz23, "./202401/t20240125_778.html"), ("西工区2024年政务公开工作要点", "./202401/t20240110_760.html"),
              (xmz22, "./202301/t20230116_612.html")]
    for n, chunk in enumerate([xitems[:2], xitems[2:]]):
        rows = [((it if isinstance(it, str) else it["title"]), href, ("2024-01-10" if isinstance(it, str) else it["date"])) for it, href in chunk]
        name = "index.html" if n == 0 else f"index_{n}.html"
        write(f"{out}/{xg['host']}/zwgk/gknb/{name}", list_page(xg, "政府信息公开年报", rows, n, 2, charset="gbk").encode("gbk"))
    for it, href in xitems:
        url = base + "/zwgk/gknb/" + href[2:]
        path = f"{out}/{xg['host']}/zwgk/gknb/{href[2:]}"
        if isinstance(it, str):
            write(path, page(xg, it, f"<h1>{html.escape(it)}</h1>", charset="gbk").encode("gbk"))
            excluded.append({"url": url, "reason": "not a report (title filter)"})
            continue
        write(path, report_page(xg, it, charset="gbk").encode("gbk"))
        expect("sample-xigong", url, "page", it, "text/html")
    # no robots.txt on this host: 404 means "allow all"

    expected.sort(key=lambda e: e["url"])
    excluded.sort(key=lambda e: e["url"])
    doc = {"generator": "scripts/make_sample_portal.py", "hosts": ["www.beiguan.example", "www.erqi.example", "www.xigong.example"],
           "portal_ids": ["sample-beiguan", "sample-erqi", "sample-xigong"], "documents": expected, "excluded": excluded}
    write(f"{out}/expected.json", json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    md = ["# Sample portal: expected crawl result", "",
          "Generated by `scripts/make_sample_portal.py`; do not edit by hand. Machine-readable: `expected.json`.", "",
          "Three virtual hosts served by `serve_sample` (routing by `Host` header; files under `<host>/`, a query",
          "string maps to `<file>@<query>`). " + LAST_MODIFIED_NOTE, "",
          "robots.txt: www.beiguan.example disallows /zwgk/draft/; www.erqi.example sets Crawl-delay: 0.1;",
          "www.xigong.example has none (404 = allow all). www.xigong.example is GBK-encoded.", "",
          "A full crawl of portals `sample-beiguan`, `sample-erqi`, `sample-xigong` must store exactly these",
          f"{len(expected)} report documents:", "",
          "| url | kind | agency | year | new_received total | granted total | note |", "|---|---|---|---|---|---|---|"]
    for e in expected:
        note = e.get("note", "")
        if "outdated_duplicate_of" in e:
            note = "outdated duplicate of " + e["outdated_duplicate_of"]
        md.append(f"| {e['url']} | {e['kind']} | {e['agency']} | {e['year']} | {e.get('new_received_total', '—')} | "
                  f"{e.get('granted_total', '—')} | {note} |")
    md += ["", "And must not store (or, for robots, not even request) these:", ""]
    md += [f"- {x['url']} — {x['reason']}" for x in excluded]
    md += ["", "Variants were derived from the seeds with different numbers; all satisfy C1–C4.", ""]
    write(f"{out}/EXPECTED.md", "\n".join(md))


if __name__ == "__main__":
    main()
