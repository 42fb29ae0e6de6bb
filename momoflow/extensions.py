"""Flask extensions, created unbound and initialised in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from momoflow import ratelimit
from momoflow.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)  # batch mode lets SQLite alter tables
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI, Redis when REDIS_URL is set (one storage per
# process: the last app initialised owns it, which matters only to tests). If Redis
# goes away, limits fall back to per-process memory instead of failing requests.
limiter = Limiter(get_remote_address, strategy=ratelimit.NAME, in_memory_fallback_enabled=True,
                  headers_enabled=False)
