"""The Scrapy glue: add-on, error-page middleware, pipelines, crawl report.

Everything here reads the crawler's settings (``_settings``, the one module
that does) and hands the pure core plain values. Users import the components
from :mod:`scrapy_newsclean`.
"""
