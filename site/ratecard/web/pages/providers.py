"""(being written)"""
from ratecard.web.public import bp  # noqa: F401
