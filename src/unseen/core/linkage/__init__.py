"""Record linkage: the same person, site or organisation across sources, on Splink.

Pure Python (no Django): `names` folds Korean romanisations, `persons`/`places` hold the Splink
settings per entity, `linking` trains, predicts and clusters, `evaluation` measures against truth,
`synthetic` makes worker records with known truth.
"""
