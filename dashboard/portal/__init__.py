"""The public portal: the request form and the status lookup, in English and Spanish."""
