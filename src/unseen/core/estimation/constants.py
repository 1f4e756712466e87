"""The names and defaults of the MSE options, in a module of their own.

Apart from `mse` so that importing them loads no SciPy: Django's models, forms and commands need
them on every start-up, the numbers only when a method runs. `mse` re-exports them under the same
names.
"""

LOGLINEAR = ("main-effects", "stepwise-aic", "stepwise-poisson", "bic")
CIS = ("profile", "wald", "bca")
#: The interval each log-linear rule's authors report with it.
DEFAULT_CI = {
    "main-effects": "wald",
    "stepwise-aic": "profile",
    "stepwise-poisson": "bca",
    "bic": "profile",
}
DEFAULT_METHOD = "stepwise-poisson"
DEFAULT_LEVEL = 0.95
