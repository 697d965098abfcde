"""Documents: jinja2 templates rendered to HTML and PDF, in English and Simplified Chinese."""
