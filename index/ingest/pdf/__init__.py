"""PDF sources: text layer (PDFium), layout repair, printed pages and the file's own metadata."""
