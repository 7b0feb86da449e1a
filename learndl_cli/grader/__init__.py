"""The grader: runs a learner's exercise file in a child process and judges it from the parent.

- ``api``       what an exercise's checks.py imports (documented in docs/exercises.md)
- ``runner``    the parent: one grade, its child, its checks, its verdict
- ``worker``    the child: the only process that runs the learner's code
- ``protocol``  safe transport of results (torch.save / torch.load(weights_only=True))
- ``forbid``    forbidden shortcuts: static scan (parent) and call traps (child)
- ``limits``    the child's resource limits
- ``notebook``  code cells of an .ipynb, and writing one
- ``boot``      torch and its meta kernels loaded with the GC paused, then frozen

Importing this package imports nothing heavy; ``runner`` and ``api`` import torch.
"""
