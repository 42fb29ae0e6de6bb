"""MomoFlow: approval workflows and flow assignment in one Flask app."""

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from momoflow.config import load_config


def create_app(config=None):
    """Build the app: configuration, extensions, blueprints, error handlers, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.json.sort_keys = False  # keep fields in the seed documents' order
    load_config(app, config)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_response_hooks(app)
    register_background_work(app)
    register_transactions(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def register_logging(app):
    """Log to stderr, where gunicorn and platforms collect it, unless logging is set up
    already (tests capture it themselves). Extensions' warnings, such as the rate
    limiter falling back to memory when Redis goes away, must reach the operator."""
    # Alembic announces its plugins at INFO on import, so on every flask command.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    root = logging.getLogger()
    if app.config["MOMOFLOW_ENV"] == "testing" or root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])


def register_extensions(app):
    from momoflow.directory import init_directory
    from momoflow.extensions import csrf, db, limiter, login_manager, migrate

    import momoflow.models  # noqa: F401  (every table in the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=app.config.get("MIGRATIONS_DIRECTORY", _migrations_path()))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    import momoflow.auth.session  # noqa: F401  (registers the user loader)

    init_directory(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_blueprints(app):
    # Route modules add their routes to their package's blueprint when imported.
    import momoflow.accounts.absence_api  # noqa: F401  (on the JSON API's blueprint)
    import momoflow.accounts.api  # noqa: F401  (on the JSON API's blueprint)
    import momoflow.accounts.views  # noqa: F401
    import momoflow.auth.api  # noqa: F401  (on the JSON API's blueprint)
    import momoflow.auth.views  # noqa: F401
    import momoflow.dashboard.views  # noqa: F401
    import momoflow.email_decisions.views  # noqa: F401
    import momoflow.exports.api  # noqa: F401  (on the integrator API's blueprint)
    import momoflow.flows.api  # noqa: F401  (on the integrator API's blueprint)
    import momoflow.flows.analytics_views  # noqa: F401
    import momoflow.flows.assign_views  # noqa: F401
    import momoflow.flows.assignment_views  # noqa: F401
    import momoflow.flows.bulk_views  # noqa: F401
    import momoflow.flows.manage_views  # noqa: F401
    import momoflow.flows.schedule_views  # noqa: F401
    import momoflow.flows.schedules_api  # noqa: F401  (on the integrator API's blueprint)
    import momoflow.flows.views  # noqa: F401
    import momoflow.notifications.views  # noqa: F401
    import momoflow.reports.api  # noqa: F401  (on the JSON API's blueprint)
    import momoflow.reports.views  # noqa: F401
    import momoflow.scim.views  # noqa: F401
    import momoflow.sso.views  # noqa: F401
    import momoflow.request_templates.api  # noqa: F401  (on the JSON API's blueprint)
    import momoflow.request_templates.views  # noqa: F401  (on the workflows pages' blueprint)
    import momoflow.settings.api_keys  # noqa: F401
    import momoflow.settings.approvals  # noqa: F401
    import momoflow.settings.groups  # noqa: F401
    import momoflow.settings.notifications  # noqa: F401
    import momoflow.settings.out_of_office  # noqa: F401
    import momoflow.settings.people  # noqa: F401
    import momoflow.settings.provisioning  # noqa: F401
    import momoflow.settings.reminders  # noqa: F401
    import momoflow.settings.sign_in  # noqa: F401
    import momoflow.settings.templates  # noqa: F401
    import momoflow.settings.webhooks  # noqa: F401
    import momoflow.settings.working_time  # noqa: F401
    import momoflow.workflows.api  # noqa: F401  (on the JSON API's blueprint)
    import momoflow.workflows.bulk_views  # noqa: F401
    import momoflow.workflows.list_views  # noqa: F401
    import momoflow.workflows.views  # noqa: F401
    from momoflow.accounts import bp as people_bp
    from momoflow.api import bp as api_bp
    from momoflow.auth import bp as auth_bp
    from momoflow.dashboard import bp as dashboard_bp
    from momoflow.email_decisions import bp as email_decisions_bp
    from momoflow.extensions import csrf
    from momoflow.flows import bp as flows_bp
    from momoflow.health import bp as health_bp
    from momoflow.integrator import bp as integrator_bp
    from momoflow.integrator.scopes import check_every_route_declares_a_scope
    from momoflow.notifications import bp as notifications_bp
    from momoflow.openapi import bp as openapi_bp
    from momoflow.reports import bp as reports_bp
    from momoflow.scim import bp as scim_bp
    from momoflow.settings import bp as settings_bp
    from momoflow.sso import bp as sso_bp
    from momoflow.workflows import bp as workflows_bp

    # The JSON API authenticates with bearer tokens, never cookies, so CSRF cannot apply.
    csrf.exempt(api_bp)
    csrf.exempt(integrator_bp)
    csrf.exempt(scim_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(integrator_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(workflows_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(openapi_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(flows_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(email_decisions_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(scim_bp)
    app.register_blueprint(sso_bp)
    check_every_route_declares_a_scope(app, integrator_bp.name)


def register_response_hooks(app):
    from momoflow import templating
    from momoflow.htmx import add_vary_header
    from momoflow.security import PageSessionInterface, add_hsts, add_security_headers

    app.session_interface = PageSessionInterface()
    app.after_request(add_security_headers)
    app.after_request(add_vary_header)
    if app.config["SESSION_COOKIE_SECURE"]:
        app.after_request(add_hsts)
    templating.register(app)


def register_background_work(app):
    """Without Redis, background work runs in this process at the end of each request
    (and, in development, the periodic tick piggybacks on requests)."""
    if app.config["REDIS_URL"]:
        return
    from momoflow import jobs
    from momoflow.jobs import tick

    @app.after_request
    def _run_background_work(response):
        try:
            jobs.run_pending_in_process()
            if app.config["IN_PROCESS_TICK"]:
                tick.maybe_run_in_process()
        except Exception:  # the user's request succeeded; the tick retries what failed
            app.logger.exception("in-process background work failed")
        return response


def register_transactions(app):
    """The request owns its transaction (after the background-work hook, so it runs first)."""
    from momoflow import transactions

    transactions.register(app)


def register_error_handlers(app):
    from momoflow.errors import register_error_handlers as register

    register(app)


def register_cli(app):
    from momoflow.cli import register_commands

    register_commands(app)


def _migrations_path():
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")
