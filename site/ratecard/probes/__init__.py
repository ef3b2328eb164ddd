"""Probes: one real API call to a model, timed and classified (clients per API shape).

No database here: services.probes records what these return. A key is passed in by the
caller, sent in a header, and never put in a result, a URL or an error excerpt.
"""
