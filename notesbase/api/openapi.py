"""The OpenAPI document of ``/api/v1``, served by the app."""
