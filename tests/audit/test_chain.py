"""The audit log's hash chain: written on every record, verified, and broken by direct database edits."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from samtrygg.audit import chain, log
from samtrygg.audit.models import AuditEntry


def _three(user):
    return [log.record(user, "update", object_type="test.thing", object_id=str(i), summary=f"thing {i}",
                       changes={"n": [i, i + 1], "text": ["å", "ö"]}) for i in range(3)]


def _verify_output(capsys) -> str:
    call_command("audit_verify")
    return capsys.readouterr().out


@pytest.mark.django_db
def test_entries_link_to_the_one_before_and_the_chain_verifies(admin_user, capsys):
    AuditEntry.objects.all().delete()
    first, second, third = _three(admin_user)
    assert first.prev_hash == chain.GENESIS
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert first.actor_name == "admin"
    out = _verify_output(capsys)
    assert out.startswith("intact, 3 entries")
    assert third.hash in out


def _broken(capsys) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("audit_verify")
    return str(caught.value)


@pytest.mark.django_db
def test_a_summary_changed_in_the_database_is_named(admin_user, capsys):
    AuditEntry.objects.all().delete()
    _, second, _ = _three(admin_user)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET summary = %s WHERE id = %s", ["nothing happened", second.pk])
    message = _broken(capsys)
    assert f"entry {second.pk} (" in message and "does not match its hash" in message
    assert "the 1 entries before it are intact" in message


@pytest.mark.django_db
def test_changes_or_time_altered_are_named(admin_user):
    AuditEntry.objects.all().delete()
    first, second, _ = _three(admin_user)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET changes = %s WHERE id = %s", ['{"n": [0, 99]}', first.pk])
    verdict = chain.verify()
    assert not verdict.ok and verdict.broken_id == first.pk


@pytest.mark.django_db
def test_a_deleted_entry_is_noticed_at_the_next_one(admin_user, capsys):
    AuditEntry.objects.all().delete()
    first, second, third = _three(admin_user)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [second.pk])
    message = _broken(capsys)
    assert f"entry {third.pk} (" in message and "does not link" in message


@pytest.mark.django_db
def test_an_inserted_entry_is_named(admin_user, capsys):
    AuditEntry.objects.all().delete()
    first, _, _ = _three(admin_user)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (at, actor_name, action, object_type, object_id, summary, changes, "
            "prev_hash, hash) VALUES (%s, '', 'delete', 'reports.report', '7', 'forged', '{}', %s, %s)",
            [first.at, first.hash, "f" * 64])
        cursor.execute("SELECT max(id) FROM audit_auditentry")
        forged_id = cursor.fetchone()[0]
    message = _broken(capsys)
    assert f"entry {forged_id} (" in message


@pytest.mark.django_db
def test_deleting_a_user_keeps_the_chain_and_the_name(user_factory):
    AuditEntry.objects.all().delete()
    someone = user_factory("coordinator", username="someone")
    entry = log.record(someone, "update", object_type="test.thing", object_id="1", summary="x")
    someone.delete()
    entry.refresh_from_db()
    assert entry.actor_id is None and entry.actor_name == "someone"
    assert chain.verify().ok


@pytest.mark.django_db
def test_an_entry_rolled_back_with_its_change_leaves_the_chain_whole(admin_user):
    from django.db import transaction

    AuditEntry.objects.all().delete()
    _three(admin_user)
    with pytest.raises(RuntimeError), transaction.atomic():
        log.record(admin_user, "update", object_type="test.thing", object_id="x")
        raise RuntimeError
    log.record(admin_user, "update", object_type="test.thing", object_id="y")
    assert chain.verify().ok and chain.verify().count == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite lets one writer at a time anyway")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain(admin_user):
    AuditEntry.objects.all().delete()
    errors = []

    def write(n):
        try:
            for i in range(15):
                log.record(None, "update", object_type="test.thread", object_id=f"{n}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    verdict = chain.verify()
    assert verdict.ok and verdict.count == 60
    assert AuditEntry.objects.values("prev_hash").distinct().count() == 60


@pytest.mark.django_db
def test_the_data_migration_links_entries_written_before_the_chain(admin_user):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("samtrygg.audit.migrations.0003_hash_existing")
    AuditEntry.objects.all().delete()
    _three(admin_user)
    AuditEntry.objects.update(prev_hash="", hash="", actor_name="")
    assert not chain.verify().ok
    migration.hash_existing(apps, None)
    assert chain.verify().ok and chain.verify().count == 3
    assert set(AuditEntry.objects.values_list("actor_name", flat=True)) == {"admin"}
