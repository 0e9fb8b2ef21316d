"""Placeholder until the achievements extractor lands."""


def extract_achievements(text):
    raise NotImplementedError
