"""Text in, records out: commitments and achievements of a government report.

Pure Python, no Django: `from reports.extraction import extract_commitments, extract_achievements`.
"""

from reports.extraction.achievements import extract_achievements
from reports.extraction.commitments import extract_commitments
from reports.extraction.records import Achievement, Commitment

__all__ = ["Achievement", "Commitment", "extract_achievements", "extract_commitments"]
