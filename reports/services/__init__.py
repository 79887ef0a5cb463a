"""Writes of the reports app: briefs (jobs, rendering), the recommendation library, PDFs."""
