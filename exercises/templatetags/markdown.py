"""Filters that make trainer-written text safe inside the Markdown copies."""

import re

from django import template

register = template.Library()

# Characters that would start emphasis, code (backtick or tilde fences), links or raw HTML.
INLINE_SPECIALS = re.compile(r"([\\`*_~\[\]<>])")
# What would turn a line into a heading, quote, list item, rule or table row.
LINE_START = re.compile(r"^(\s*)([#>+|=-])", re.MULTILINE)
# An ordered-list marker: only its punctuation can be escaped (“1\.”, not “\1.”).
ORDERED_MARKER = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def _escape(text):
    text = INLINE_SPECIALS.sub(r"\\\1", text)
    text = LINE_START.sub(r"\1\\\2", text)
    return ORDERED_MARKER.sub(r"\1\\\2", text)


@register.filter
def md_inline(value):
    """One line of Markdown text: whitespace (newlines included) collapses to single spaces."""
    return _escape(" ".join(str(value).split()))


@register.filter
def md_block(value):
    """Paragraphs of Markdown text: blank lines between paragraphs are kept, lines joined."""
    paragraphs = re.split(r"\n\s*\n", str(value).replace("\r\n", "\n").strip())
    return "\n\n".join(md_inline(p) for p in paragraphs if p.strip())
