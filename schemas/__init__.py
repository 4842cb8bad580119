"""Data contracts of flowgen: the flow format, the instance catalog, validation issues."""
