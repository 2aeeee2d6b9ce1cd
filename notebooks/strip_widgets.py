"""Drop saved widget state from executed notebooks: it is large, changes every run, and nbval never reads it."""

import json
import sys
from pathlib import Path

for name in sys.argv[1:]:
    path = Path(name)
    nb = json.loads(path.read_text(encoding="utf-8"))
    if nb.get("metadata", {}).pop("widgets", None) is not None:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
