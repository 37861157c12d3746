"""The documents of the cases app (slips and the tracking book), built from rows as core.documents.Document."""
