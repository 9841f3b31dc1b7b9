"""The example Scrapy project: a news spider with scrapy-newsclean enabled."""
