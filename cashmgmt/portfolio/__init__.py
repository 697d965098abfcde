"""Portfolio runs: the assessment and design of a bank's whole book of corporate clients,
ranked by opportunity, with the coverage plan the book needs (issue 16)."""
