"""The OpenAPI schema class of the API (settings REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]):
drf-spectacular's, declaring what the API really answers (docs/api.md)."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ApiSchema(AutoSchema):
    """The schema as the API answers. Reads are anonymous: they declare no token security
    (a token sent with a read only moves the client to its user's rate limit; an unknown or
    revoked one answers 401). Every status code an operation can answer is declared."""

    def get_auth(self) -> list[dict[str, Any]]:
        if self.method in SAFE_METHODS:
            return []
        return super().get_auth()

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        # After the answers an operation declares (extend_schema), the ones every operation
        # of its kind can give.
        bodies: dict[str, Any] = super()._get_response_bodies(direction)
        for code, answer in self.common_answers().items():
            if str(code) not in bodies:
                bodies[str(code)] = self._get_response_for_code(
                    answer, str(code), direction=direction
                )
        return bodies

    def common_answers(self) -> dict[int, Any]:
        answers: dict[int, Any] = {
            401: OpenApiResponse(ErrorSerializer, "The token sent is unknown or revoked."),
            429: OpenApiResponse(ErrorSerializer, "Too many requests: wait and try again."),
        }
        if "{" in self.path:
            answers[404] = OpenApiResponse(ErrorSerializer, "There is no such public record.")
        if self.method not in SAFE_METHODS:
            answers[400] = OpenApiResponse(
                OpenApiTypes.OBJECT, "What is wrong, by field name (nothing was stored)."
            )
            answers[403] = OpenApiResponse(
                ErrorSerializer, "No token, or this account may not make this change."
            )
        return answers
