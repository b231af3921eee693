"""`sre-agent bot`: the Slack bot, in Socket Mode or over HTTP, until Ctrl-C or SIGTERM."""

from __future__ import annotations

from typing import Annotated

import typer

from sre_agent.cli.common import app, err, friendly


@app.command()
@friendly
def bot(
    http: Annotated[
        bool, typer.Option("--http", help="serve the Events API over HTTP instead of Socket Mode")
    ] = False,
    port: Annotated[int, typer.Option(help="HTTP port (--http)", min=0, max=65535)] = 3000,
    host: Annotated[str, typer.Option(help="HTTP address to listen on (--http)")] = "0.0.0.0",
) -> None:
    """Run the Slack bot: Socket Mode (SLACK_BOT_TOKEN, SLACK_APP_TOKEN) or --http (SLACK_SIGNING_SECRET)."""
    import logging
    import signal

    from sre_agent.bot.app import banner, create, http_server, socket_mode_handler
    from sre_agent.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # SIGTERM (docker stop, systemd, Kubernetes) stops the bot the way Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    runtime = create(get_settings(), http=http)
    mode = f"HTTP on {host}:{port} (POST /slack/events, GET /healthz)" if http else "Socket Mode"
    for line in banner(runtime, mode=mode):
        err.print(line, highlight=False, soft_wrap=True)
    if runtime.scheduler is not None:
        runtime.scheduler.start()
    try:
        if http:
            http_server(runtime, host=host, port=port).run()
        else:
            socket_mode_handler(runtime).start()
    except KeyboardInterrupt:
        err.print("stopping: finishing the questions already running…")
    finally:
        if runtime.scheduler is not None:
            runtime.scheduler.stop()
        runtime.bot.close()
