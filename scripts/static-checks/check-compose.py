#!/usr/bin/env python3
"""Rules for docker/compose.yaml beyond what `docker-compose config` validates.

Reads the resolved configuration (`docker-compose -f FILE config`) on stdin and fails, one line per
problem, unless every service:
  - runs a pinned image (an explicit tag other than "latest"; services built locally are exempt),
  - has a memory limit,
  - has a healthcheck, or is a one-shot job that its dependents wait for with
    condition: service_completed_successfully,
  - waits for its dependencies with a condition (service_healthy / service_completed_successfully).
"""

import sys

import yaml

CONDITIONS = {"service_healthy", "service_completed_successfully"}


def problems_in(config):
    services = config.get("services") or {}
    awaited_completion = {
        dependency
        for service in services.values()
        for dependency, spec in (service.get("depends_on") or {}).items()
        if isinstance(spec, dict) and spec.get("condition") == "service_completed_successfully"
    }
    for name, service in sorted(services.items()):
        image = service.get("image", "")
        if "build" not in service:
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            if not tag or tag == "latest":
                yield f"service '{name}': image '{image}' is not pinned to a version tag"
        if not service.get("mem_limit"):
            yield f"service '{name}': no mem_limit"
        if "healthcheck" not in service and name not in awaited_completion:
            yield (
                f"service '{name}': no healthcheck (one-shot jobs need dependents waiting with "
                "condition: service_completed_successfully)"
            )
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, list):
            depends_on = {dependency: {} for dependency in depends_on}
        for dependency, spec in sorted(depends_on.items()):
            if not isinstance(spec, dict) or spec.get("condition") not in CONDITIONS:
                yield (
                    f"service '{name}': depends_on '{dependency}' without condition "
                    "service_healthy or service_completed_successfully"
                )


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else "compose file"
    problems = list(problems_in(yaml.safe_load(sys.stdin) or {}))
    for problem in problems:
        print(f"compose: {source}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
