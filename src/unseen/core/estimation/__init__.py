"""Estimating what cannot be counted: multiple systems estimation (MSE).

The state's revenue is `unseen.core.revenue`.

Pure Python (numpy, scipy, statsmodels); no Django. `histories` holds the data, `results` the
shape every method returns.
"""
