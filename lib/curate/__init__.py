"""Curation of the embedded dataset: raw public files (../shared/data/raw) -> data/seed/*.csv.

`build.curate(raw_dir, out_dir)` writes the seed; `validate.validate_seed(dir)` checks it with pandera;
`report.quality_report(dir)` renders data/QUALITY.md.
"""


def records(df):
    """`(index, row)` pairs like `DataFrame.iterrows()`, each row a dict of the row's own values (not a Series
    cast to one dtype): several times faster on the raw files' thousands of rows."""
    return zip(df.index, df.to_dict("records"))
