"""Writes an XML StructureDefinition of HL7's extensions pack as the JSON fhircraft reads, beside this file.

    python tests/data/fhir/convert_extensions.py StructureDefinition-artifact-url.xml ...

fhir.resources parses the XML; it drops an element's `id` (an XML attribute), which this restores in order."""

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from fhir.resources.structuredefinition import StructureDefinition

FHIR = "{http://hl7.org/fhir}"


def convert(xml: bytes) -> dict:
    """The StructureDefinition as FHIR JSON, its differential elements' ids as the XML gives them."""
    data = json.loads(StructureDefinition.model_validate_xml(xml).model_dump_json())
    ids = [e.get("id") for e in ET.fromstring(xml).find(f"{FHIR}differential").iter(f"{FHIR}element")]
    data["differential"]["element"] = [{"id": i, **e} for i, e in zip(ids, data["differential"]["element"],
                                                                      strict=True)]
    return data


if __name__ == "__main__":
    for name in sys.argv[1:]:
        data = convert(Path(name).read_bytes())
        out = Path(__file__).parent / "extensions" / f"StructureDefinition-{data['id']}.json"
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
