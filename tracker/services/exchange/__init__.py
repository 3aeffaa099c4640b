"""Exchange: bringing portfolios in and taking them out, as spreadsheets and IATI XML.

Each format sits with its reader and writer: `spreadsheet/{columns,read,write}` and
`iati/{codes,read,write}`, where an IATI file's activities are read (`activity`), cut at a
level of their publisher's hierarchy (`hierarchy`) and planned as projects (`plan`,
`places`). An import is uploaded (`uploads`, `files` check the file itself), checked whole
into plans (`plans`), then written in batches by `runner` through `writer`, all rows or none
per batch, resumable; `jobs` tracks each import and `retention` clears old ones.
"""
