"""Perceptual hashes of pictures (PDQ), for the hash lists that stop images spreading.

`pdq` is the algorithm; `facts` reads one file where it is and returns its hashes, or why it has
none; `enrich` is the capture enricher; `hashlist` writes the lists for StopNCII, NCMEC and
platforms; `backfill` adds what older cases lack. A picture is only ever decoded in memory, for the
hash: never written, previewed or kept.
"""
