"""Static files in production: WhiteNoise's hashed, compressed storage, gzip only.

WhiteNoise adds Brotli files whenever the `brotli` package is importable, and WeasyPrint
(the invoice PDFs) brings it in through fonttools[woff]. Brotli at its default quality over
the API console's bundles made `collectstatic` several times slower (past a minute on a
2-core machine), for files that the gzip ones already serve well; so they stay gzip only,
as before WeasyPrint came in.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)
