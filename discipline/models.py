"""discipline: built by later issues."""
