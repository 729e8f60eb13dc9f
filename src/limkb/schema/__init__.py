"""What an entry is: ids, units, vocabularies, shared field types, the kinds and their relations."""
