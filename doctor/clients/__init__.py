"""What talks to the outside: HTTP failures as findings (``http_errors``), the Docker engine
(``docker_host``) and the AI Server inside its container or over HTTP (``ai_fetch``)."""
