"""Placeholder: the /System routes (issue 3). Mounted at /System/ and /v1/System/."""

urlpatterns = []
