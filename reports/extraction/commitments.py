"""Placeholder until the commitments extractor lands."""


def extract_commitments(text):
    raise NotImplementedError
