"""Charts: pure functions from plain values to a Plotly figure or an SVG. No database, no
Flask, no services or web (tests/test_architecture.py checks it).

prices.py       a model's price history as step lines (the profile), and figure_json
svg.py          the same history drawn as SVG, for a page without JavaScript
compare.py      several models' shown prices over time (the compare page)
availability.py probe latency and outcomes per day (the profile's availability)
"""
