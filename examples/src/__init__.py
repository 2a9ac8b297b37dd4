"""Stand-ins for the course's own helper package (``src``) that the classroom notebooks import."""
