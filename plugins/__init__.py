"""Cross-cutting plugins: the results.json writer, the HTML report, exporters."""
