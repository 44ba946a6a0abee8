"""The REST API, version 1: OpenAPI document at /api/v1/openapi.json, documentation at /api/v1/docs."""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Swagger

from . import endpoints_employer, endpoints_unit, endpoints_verify, endpoints_webhooks, problems

PROBLEM_REF = "#/components/schemas/ProblemOut"


class WifAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Problems are served as `application/problem+json` (RFC 9457): say so in the contract."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    if content.get("application/json", {}).get("schema", {}).get("$ref") == PROBLEM_REF:
                        response["content"] = {"application/problem+json": content["application/json"]}
        return schema


api = WifAPI(
    title="Work in France API",
    version="1.0.0",
    description=(
        "Temporary work authorisations (APT): a unit's dossiers and actions, an employer's dossiers and "
        "permits, permit verification, and signed webhooks (Standard Webhooks). Errors are RFC 9457 "
        "problem details in the language of `Accept-Language` (fr, en). Create tokens at /api/acces/."
    ),
    urls_namespace="api-v1",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
)
problems.install(api)
api.add_router("/unit", endpoints_unit.router)
api.add_router("/employer", endpoints_employer.router)
api.add_router("/", endpoints_verify.router)
api.add_router("/", endpoints_webhooks.router)

__all__ = ["api", "_"]
