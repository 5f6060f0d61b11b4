"""Reading papers: find each use of a known term, the sense it is used in, and draft claims.

See `scan.scan_file` for the whole pipeline; the modules are usable on their own:
`extract` (prose lines with locations), `sentences`, `mentions` (terms and their variants),
`classify` (behavioral / mechanistic / unclear from cue phrases).
"""

from kb.paper.classify import Classification, Sense, Vocabulary, classify_sentence, load_vocabulary
from kb.paper.extract import TextFormat, TextLine, detect_format, extract_file, extract_text
from kb.paper.mentions import ConceptTerms, TermMatch, find_mentions
from kb.paper.scan import ConceptSummary, Mention, ScanResult, draft_claims, scan_file, scan_text

__all__ = [
    "Classification",
    "ConceptSummary",
    "ConceptTerms",
    "Mention",
    "ScanResult",
    "Sense",
    "TermMatch",
    "TextFormat",
    "TextLine",
    "Vocabulary",
    "classify_sentence",
    "detect_format",
    "draft_claims",
    "extract_file",
    "extract_text",
    "find_mentions",
    "load_vocabulary",
    "scan_file",
    "scan_text",
]
