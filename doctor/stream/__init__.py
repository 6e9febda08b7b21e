"""The SSE stream: the parser (``parser``), the timed observation of one response
(``observer``) and the judgement of that observation against the guide's criteria
(``verdict``)."""
