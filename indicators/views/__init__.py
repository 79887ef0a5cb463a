"""Views of the indicators app, one module per topic (framework, periods, entry, progress;
the spreadsheet import adds imports)."""
