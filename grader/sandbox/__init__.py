"""The trust boundary.

The learner's module runs in a worker process (``worker``), never in the
process that runs the tests. Calls cross as framed messages (``protocol``) of
plain data (``wire``); the worker confines itself (``policy``) before any
learner code loads; the trusted side (``client``) enforces time limits and
restarts a worker that died.
"""
