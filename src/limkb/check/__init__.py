"""Reading and validating: the strict YAML reader, the validator and its rules, ``--changed``."""
