"""A third-party check: says how many checks ran before it."""

from doctor.model import Check


class ExampleCheck(Check):
    id = "example.proxy"
    layer = "backend"
    title = "Example plugin check"
    depends_on = ()

    def run(self, ctx):
        return self.passed("Hello from a plugin.", evidence={"backend_url": ctx.config.backend_url})


CHECKS = [ExampleCheck()]
