"""linkcheck: check, verify and archive the URLs cited in documents."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/linkcheck-citations/linkcheck"
