"""Renderings of a ``GradingResult``: each module is one output format, a function from the result to text."""
