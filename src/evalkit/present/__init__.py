"""Presentation: Swedish number formatting, HTML tables, charts and page furniture for reports."""
