"""Marshmallow schemas: each validates a request, shapes the response and feeds the OpenAPI document."""
