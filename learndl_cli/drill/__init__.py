"""The drill loop around the grader: what the learner sees and how saves become grades.

- ``render``  a grade, a hint and the statement, for any width (text wraps at words with a hanging
              indent; code is cropped with a marker, never wrapped); re-drill intervals in days
- ``watch``   ``learndl exercise NAME`` in a terminal: watchfiles (inotify, debounced) and keys
- ``diff``    the learner's file against the reference (``learndl solution NAME --diff``)

Nothing here imports torch: the grader is imported by the commands only when they grade.
"""
