"""The pages of the cases app, one module per desk: desk (intake, lists, the dossier), overdue (the
director's overdue desk and the apology slip), slips, tracking_book."""
