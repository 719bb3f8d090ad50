"""Files for people: the progress report as an Excel workbook and as a printable HTML page."""
