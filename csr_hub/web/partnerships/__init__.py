"""Partnership, donation-record and annual-statement pages."""
