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


def edit_form_routes() -> dict[str, str]:
    """The HTML routes that render a form over an existing object: every route whose name
    ends in ``edit`` and every form view (``FormMixin``: FormView, UpdateView, …) whose URL
    names an object (``<…>``). ``{"namespace:name": "pattern"}``, API routes excluded."""
    from django.views.generic.edit import FormMixin

    views = {}

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, ns)
            elif pattern.name:
                views[f"{namespace}:{pattern.name}" if namespace else pattern.name] = getattr(
                    pattern.callback, "view_class", None
                )

    walk(get_resolver().url_patterns)
    return {
        name: route
        for name, route in all_routes().items()
        if not name.startswith("api:")
        and (
            name.endswith("edit")
            or ("<" in route and isinstance(views.get(name), type) and issubclass(views[name], FormMixin))
        )
    }
