"""Run any OpenAI-compatible server command as an inference job.

    python -m forgather_lab.inference.external --port 8137 [--token-env VLLM_API_KEY] -- CMD...

Inside the job: create the upstream token file (0600) when the command asks
for one (``{token_file}`` in argv, or ``--token-env``), fill in ``{host}``,
``{port}`` and ``{token_file}``, announce the endpoint for the supervisor, and
exec the command, so the job's process is the server itself (signals and
exit codes go straight to it). The token never appears in argv: only its path.
"""

from __future__ import annotations

import argparse
import os
import sys

from .endpoint import job_dir_from_env, new_upstream_token, write_endpoint


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="exec an OpenAI-compatible server as a job")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-path", default="/v1")
    parser.add_argument("--health-path", default="/health")
    parser.add_argument("--token-env", help="environment variable to pass the token in")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    job_dir = job_dir_from_env()
    env = dict(os.environ)
    token_file = ""
    if job_dir is not None and (args.token_env or any("{token_file}" in a for a in command)):
        path = new_upstream_token(job_dir)
        token_file = str(path)
        if args.token_env:
            # The environment is private to our uid (/proc/PID/environ is 0400).
            env[args.token_env] = path.read_text().strip()
    host = "127.0.0.1" if args.host == "0.0.0.0" else args.host  # noqa: S104
    values = {"host": args.host, "port": str(args.port), "token_file": token_file}
    final = [_fill(a, values) for a in command]
    if job_dir is not None:
        origin = f"http://{host}:{args.port}"
        write_endpoint(job_dir, origin + args.api_path, origin + args.health_path)
    sys.stdout.flush()
    os.execvpe(final[0], final, env)  # noqa: S606 (the job's whole point)


def _fill(arg: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        arg = arg.replace("{" + key + "}", value)
    return arg


if __name__ == "__main__":
    main()
