"""Reading and writing files: text decoding, atomic writes, tables, the .bib and its cache, the guideline folder."""
