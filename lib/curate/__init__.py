"""Curation of the embedded dataset: raw public files (../shared/data/raw) -> data/seed/*.csv.

`build.curate(raw_dir, out_dir)` writes the seed; `validate.validate_seed(dir)` checks it with pandera;
`report.quality_report(dir)` renders data/QUALITY.md.
"""
