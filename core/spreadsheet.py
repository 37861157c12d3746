"""Every text written to a spreadsheet (XLSX or CSV) is neutralised: a cell that a spreadsheet would run as a
formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe, so an applicant named
"=HYPERLINK(…)" stays a name. Every export calls `safe_cell` / `safe_row`."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """"=HYPERLINK(…)" → "'=HYPERLINK(…)"; numbers, dates and other texts are kept as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]
