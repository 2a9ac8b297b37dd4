"""Stand-in for the course's ``src/student_caller.py`` (not public): call on a random student.

The classroom notebook in ``examples/classroom/keras_digits`` imports it exactly as the
original did (``from src.student_caller import one_random_student``) after putting the folder
two levels up on ``sys.path``.
"""

from __future__ import annotations

import random


def one_random_student(students: list[str]) -> None:
    """Print the name of one student picked at random."""
    print(random.choice(students))
