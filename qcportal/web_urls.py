"""HTML routes of the tenancy core."""

urlpatterns: list = []
