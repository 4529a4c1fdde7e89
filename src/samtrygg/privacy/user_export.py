"""Everything stored about one user, as a ZIP of JSON files (GDPR art. 15, the right of access).

Found generically: every row of every table with a foreign key to the user (reports they made, actions,
journal entries, audit entries, API keys, devices, subscriptions…), so a new model is included without
changing this file. Secrets are never written: password hashes, key hashes, webhook secrets, one-time
tokens and the TOTP key appear as "•••" when set.
"""

from __future__ import annotations

import io
import json
import zipfile

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

SECRET = {"password", "key", "key_hash", "secret", "token", "session_data", "bin_key"}
ACCOUNT_FIELDS = ("id", "username", "first_name", "last_name", "email", "role", "organization_id",
                  "is_active", "date_joined", "last_login")


def _user_links():
    """(model, field name) of every foreign key or one-to-one field that points at the user model."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model:
                yield model, field.name


def _clean(row: dict) -> dict:
    return {k: ("•••" if v else v) if k in SECRET else v for k, v in row.items()}


def collect(user) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    account = {name: getattr(user, name) for name in ACCOUNT_FIELDS}
    account["organization"] = user.organization.code if getattr(user, "organization_id", None) else None
    out["account"] = [account]
    for model, field in _user_links():
        rows = [_clean(r) for r in model._base_manager.filter(**{field: user}).order_by("pk").values()]
        if rows:
            key = f"{model._meta.label_lower}.by_{field}"
            out[key] = rows
    return out


def build_zip(user) -> bytes:
    data = collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        readme = {"user": user.get_username(), "exported_at": timezone.now(),
                  "files": {f"{k}.json": len(v) for k, v in data.items()}}
        archive.writestr("index.json", json.dumps(readme, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1))
        for key, rows in data.items():
            archive.writestr(f"{key}.json", json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1))
    return buffer.getvalue()


def export(user, *, actor=None) -> bytes:
    from samtrygg.audit import log

    content = build_zip(user)
    log.record(actor, "export", user, summary=f"everything stored about {user.get_username()} (zip)")
    return content
