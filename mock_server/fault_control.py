"""The fault plan in the app: its middleware, and GET and PUT /_test/faults over it."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server.auth import Tenants
from mock_server.bodies import read_json
from mock_server.fault_injection import FaultInjection, Faults
from mock_server.faults import FaultPlan, problem_in
from mock_server.json_text import JSONAnswer
from mock_server.problems import Problem, field_error
from spec import Spec

PATH = "/_test/faults"


def fault_injection(
    spec: Spec, plan: FaultPlan | None, tenants: Tenants, base: str, *, test_control: bool
) -> tuple[list[Route], list[Middleware]]:
    """With test control the faults' route; and their middleware, unless no plan can come."""
    faults = Faults(spec, plan)
    routes = [fault_route(base, faults, tenants)] if test_control else []
    # Without test control the plan never changes: with none in force, nothing to wrap.
    if not (test_control or faults.active):
        return routes, []
    return routes, [Middleware(FaultInjection, faults=faults)]


def fault_route(base: str, faults: Faults, tenants: Tenants) -> Route:
    """The route of control.yaml's getFaults and replaceFaults under the API's `base` path."""

    async def endpoint(request: Request) -> Response:
        tenants.authenticate(request.headers.get("authorization"))
        if request.method == "PUT":
            body = await read_json(request)
            problem = problem_in(body, faults.operation_ids)
            if problem is not None:
                where, message = problem
                raise Problem(
                    400,
                    "validation",
                    f"The body is no fault plan: {where or '/'}: {message}",
                    errors=[field_error(where, message)],
                )
            faults.replace(FaultPlan.from_data(body))
        return JSONAnswer(faults.state())

    return Route(base + PATH, endpoint, methods=["GET", "PUT"])
