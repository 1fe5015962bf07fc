"""The route inventory of the URL configuration, for the generated isolation test and the
permission matrices."""

from django.urls import URLResolver, get_resolver


def all_routes() -> dict[str, str]:
    """Every named route of the project: ``{"namespace:name": "pattern"}``."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif pattern.name:
                yield (
                    (f"{namespace}:{pattern.name}" if namespace else pattern.name),
                    prefix + str(pattern.pattern),
                )

    return dict(walk(get_resolver().url_patterns))
