"""Reading the text in screenshots and pictures (OCR), and a chat screenshot's messages.

- `engine`: Tesseract through tesserocr, and how to tell whether it is installed;
- `picture`: decoding a stored picture by the report previews' rules (bombs, damage, animation);
- `layout`: the header, bubbles and lines of text found in a picture, each read on its own;
- `chat`: those regions as messages, with their sides, senders and times as shown;
- `service`: which pictures may be read, the derived files, the capture enricher and the
  `evidencekit ocr` command's work.
"""
