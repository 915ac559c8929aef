"""Panel tests (a package, so helper imports are unambiguous)."""
