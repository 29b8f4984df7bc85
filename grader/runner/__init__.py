"""The runner: the only code that touches student code, run in a child process.

Everything under this package is copied into the child's job folder and
imported there on its own: it may import the standard library, numpy and
torch (and torchvision), never the rest of :mod:`grader`. The parent imports
the same modules for the shared constants and for nothing that runs student
code.
"""
