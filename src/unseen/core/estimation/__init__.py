"""Estimating what cannot be counted: multiple systems estimation (MSE) and the state's revenue.

Pure Python (numpy, scipy, statsmodels); no Django. `histories` holds the data, `results` the
shape every method returns.
"""
