"""Test-time converters: a Bibliography written out as RIS (rispy's writer), CSL-JSON, EndNote XML and MEDLINE.

Each goes from an entry's CSL item (render/csl.py, what the formatter formats) to the format by tables of its own,
independent of the readers, so a round trip checks the readers against what the BibTeX reader yields."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from grading.io.bib import Bibliography
from grading.render.csl import csl_item

RIS = {"article-journal": "JOUR", "book": "BOOK", "chapter": "CHAP", "paper-conference": "CPAPER",
       "report": "RPRT", "thesis": "THES", "manuscript": "UNPB", "webpage": "ELEC", "patent": "PAT",
       "dataset": "DATA", "periodical": "JFULL", "pamphlet": "PAMP", "entry-encyclopedia": "ENCYC",
       "article": "GEN"}
ENDNOTE = {"article-journal": ("Journal Article", 17), "book": ("Book", 6), "chapter": ("Book Section", 5),
           "paper-conference": ("Conference Paper", 47), "report": ("Report", 27), "thesis": ("Thesis", 32),
           "manuscript": ("Unpublished Work", 34), "webpage": ("Web Page", 12), "patent": ("Patent", 25),
           "dataset": ("Dataset", 59), "pamphlet": ("Pamphlet", 24), "entry-encyclopedia": ("Encyclopedia", 53),
           "periodical": ("Journal", 0), "article": ("Generic", 13)}
SYNTHETIC_PMID = 90000000  # plus the entry's number: the PMID of an entry that has none (PubMed's all have one)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def items(bib: Bibliography) -> list[dict[str, Any]]:
    """Each entry's CSL item, with what the formatter links (DOI, URL, PMID) and the guideline's own fields."""
    out = []
    for key in bib.keys:
        item, _ = csl_item(bib.data.entries[key], bib.data, key)
        fields = {k.lower(): v for k, v in bib.fields(key).items()}
        for name, variable in (("doi", "DOI"), ("url", "URL"), ("pmid", "PMID")):
            if fields.get(name):
                item[variable] = fields[name]
        if fields.get("refnumber"):
            item["citation-number"] = fields["refnumber"]
        if fields.get("identification"):
            item["custom"] = {"identification": fields["identification"]}
        out.append(item)
    return out


def csljson(bib: Bibliography) -> str:
    """The list as a CSL-JSON array."""
    return json.dumps(items(bib), ensure_ascii=False, indent=1)


def _name(n: dict[str, str]) -> str:
    if "literal" in n:
        return n["literal"] + ","  # EndNote's mark of a corporate author, in RIS as in its XML
    family = " ".join(x for x in (n.get("non-dropping-particle"), n.get("family")) if x)
    return ", ".join(x for x in (family, n.get("given", ""), n.get("suffix", "")) if x)


def _date(item: dict) -> tuple[str, str]:
    """(year, 'YYYY/MM/DD/'-style date) of an item."""
    issued = item.get("issued") or {}
    if "literal" in issued:
        return issued["literal"], ""
    parts = (issued.get("date-parts") or [[]])[0]
    if not parts:
        return "", ""
    return str(parts[0]), "/".join(f"{p:02d}" for p in parts) + "/"


def ris(bib: Bibliography) -> str:
    """The list as RIS, written by rispy."""
    import rispy

    records = []
    for item in items(bib):
        year, date = _date(item)
        r: dict[str, Any] = {"type_of_reference": RIS.get(item["type"], "GEN"), "id": item["id"]}
        for variable, tag in (("author", "authors"), ("editor", "secondary_authors"),
                              ("translator", "subsidiary_authors")):
            if item.get(variable):
                r[tag] = [_name(n) for n in item[variable]]
        for variable, tag in (("title", "title"), ("volume", "volume"), ("edition", "edition"),
                              ("publisher", "publisher"), ("publisher-place", "place_published"),
                              ("collection-title", "tertiary_title"), ("language", "language"),
                              ("genre", "type_of_work"), ("DOI", "doi"), ("PMID", "accession_number"),
                              ("citation-number", "label")):
            if item.get(variable):
                r[tag] = str(item[variable])
        if item.get("issue") or item.get("number"):
            r["number"] = item.get("issue") or item.get("number")
        if item.get("ISBN") or item.get("ISSN"):
            r["issn"] = item.get("ISBN") or item.get("ISSN")
        if item.get("container-title"):
            r["journal_name" if item["type"] in ("article-journal", "periodical") else "secondary_title"] = \
                item["container-title"]
        if item.get("page"):
            start, _, end = item["page"].partition("-")
            r["start_page"] = start
            if end:
                r["end_page"] = end
        if year:
            r["year"] = year
        if date:
            r["date"] = date
        if item.get("URL"):
            r["urls"] = [item["URL"]]
        if item.get("custom"):
            r["custom1"] = item["custom"]["identification"]
        records.append(r)
    return rispy.dumps(records)


def endnote(bib: Bibliography) -> str:
    """The list as EndNote XML."""
    root = ET.Element("xml")
    recs = ET.SubElement(root, "records")
    for item in items(bib):
        rec = ET.SubElement(recs, "record")
        ET.SubElement(rec, "rec-number").text = item["id"]
        name, code = ENDNOTE.get(item["type"], ("Generic", 13))
        ET.SubElement(rec, "ref-type", name=name).text = str(code)

        def styled(parent: ET.Element, tag: str, text: str) -> None:
            ET.SubElement(ET.SubElement(parent, tag), "style", face="normal", font="default", size="100%").text = text

        contributors = ET.SubElement(rec, "contributors")
        for variable, tag in (("author", "authors"), ("editor", "secondary-authors"),
                              ("translator", "subsidiary-authors")):
            if item.get(variable):
                group = ET.SubElement(contributors, tag)
                for n in item[variable]:
                    styled(group, "author", _name(n))
        titles = ET.SubElement(rec, "titles")
        if item.get("title"):
            styled(titles, "title", item["title"])
        if item.get("container-title"):
            styled(titles, "secondary-title", item["container-title"])
            if item["type"] in ("article-journal", "periodical"):
                styled(ET.SubElement(rec, "periodical"), "full-title", item["container-title"])
        if item.get("collection-title"):
            styled(titles, "tertiary-title", item["collection-title"])
        for variable, tag in (("page", "pages"), ("volume", "volume"), ("edition", "edition"),
                              ("publisher", "publisher"), ("publisher-place", "pub-location"),
                              ("language", "language"), ("genre", "work-type"), ("DOI", "electronic-resource-num"),
                              ("PMID", "accession-num"), ("citation-number", "label")):
            if item.get(variable):
                styled(rec, tag, str(item[variable]))
        if item.get("issue") or item.get("number"):
            styled(rec, "number", str(item.get("issue") or item.get("number")))
        if item.get("ISBN") or item.get("ISSN"):
            styled(rec, "isbn", item.get("ISBN") or item.get("ISSN"))
        year, _ = _date(item)
        if year:
            dates = ET.SubElement(rec, "dates")
            styled(dates, "year", year)
            issued = (item.get("issued") or {}).get("date-parts", [[]])[0]
            if len(issued) > 1:
                styled(ET.SubElement(dates, "pub-dates"), "date", MONTHS[issued[1] - 1])
        if item.get("URL"):
            styled(ET.SubElement(ET.SubElement(rec, "urls"), "related-urls"), "url", item["URL"])
        if item.get("custom"):
            styled(rec, "custom1", item["custom"]["identification"])
    return '<?xml version="1.0" encoding="UTF-8" ?>' + ET.tostring(root, encoding="unicode")


def medline(bib: Bibliography, types: tuple[str, ...] = ("article-journal",)) -> str:
    """The list's journal articles as MEDLINE records, as PubMed writes them (title ending in a full stop)."""
    out = []
    for number, item in enumerate(items(bib), start=1):
        if item["type"] not in types:
            continue
        lines = [f"PMID- {item.get('PMID') or SYNTHETIC_PMID + number}"]  # PubMed's records all carry one
        title = item.get("title", "")
        if title:
            lines.append(f"TI  - {title if title[-1] in '.?!' else title + '.'}")
        for n in item.get("author", []):
            if "literal" in n:
                lines.append(f"CN  - {n['literal']}")
            else:
                lines.append(f"FAU - {_name(n)}")
        year, _ = _date(item)
        issued = (item.get("issued") or {}).get("date-parts", [[]])[0]
        month = MONTHS[issued[1] - 1] if len(issued) > 1 else ""
        if year:
            lines.append(f"DP  - {year} {month}".rstrip())
        for variable, tag in (("volume", "VI  "), ("issue", "IP  "), ("page", "PG  "), ("container-title", "JT  ")):
            if item.get(variable):
                lines.append(f"{tag}- {item[variable]}")
        if item.get("DOI"):
            lines.append(f"AID - {item['DOI']} [doi]")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"
