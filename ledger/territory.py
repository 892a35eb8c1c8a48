# TEMPORARY shim until the real territory module lands (being written).
from functools import cache


class Territory:
    def __init__(self, codes):
        self.codes = set(codes)

    def __contains__(self, insee):
        return insee in self.codes


@cache
def default_territory():
    return Territory(["26362", "26113", "26281", "26198", "26108", "26220", "26235"])
