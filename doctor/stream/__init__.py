"""The SSE stream: the parser (``parser``), the timed observation of one response
(``observer``, with its bounded ``transcript``), and its judgement (``verdict``): the
events' meaning (``frames``), the real stack's failure texts (``signatures``), how the
stream ended (``ending``), each named as a ``problems.StreamProblem``."""
