"""Colours and line styles shared by the drawn outputs (SVG maps, DOT, Mermaid).

Kinds are told apart by colour and by the label written in each node, so the maps do not rely
on colour alone. Fills are light enough for dark text (contrast above 7:1).
"""

from __future__ import annotations

# kind label -> (fill, stroke)
KIND_PALETTE: dict[str, tuple[str, str]] = {
    "behavioral": ("#dbeafe", "#1d4ed8"),
    "mechanistic": ("#fde68a", "#b45309"),
    "both": ("#e9d5ff", "#7e22ce"),
    "none": ("#f3f4f6", "#4b5563"),
}

KIND_LEGEND = {
    "behavioral": "behavioral definitions",
    "mechanistic": "mechanistic definitions",
    "both": "both kinds",
    "none": "no definitions",
}

# relation -> (stroke colour, dash pattern or "", has an arrowhead)
EDGE_STYLE: dict[str, tuple[str, str, bool]] = {
    "broader": ("#374151", "", True),
    "part_of": ("#0f766e", "", True),
    "depends_on": ("#9a3412", "6 3", True),
    "related": ("#9ca3af", "2 3", False),
}

EDGE_LEGEND = {
    "broader": "broader (points to the more general)",
    "part_of": "part of (points to the whole)",
    "depends_on": "a definition depends on",
    "related": "related",
}

TEXT_COLOUR = "#111827"
