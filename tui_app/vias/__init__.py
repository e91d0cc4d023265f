"""The only code that talks to VIAS (and IAM): URLs, headers, response bodies."""
