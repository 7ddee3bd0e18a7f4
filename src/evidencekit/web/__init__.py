"""Archiving web pages while they are still online: a WARC of the HTTP exchange, a screenshot and a
PDF rendered by a real browser, stored as one `url-capture` item per capture.

Nothing here touches the network unless `archive.archive_url()` is called, which only the
`add-url --archive` and `archive-urls` commands do.
"""
