"""Fill in the actor's name and link every existing audit entry into the hash chain, oldest first."""

from django.db import migrations


def hash_existing(apps, schema_editor):
    from samtrygg.audit import chain

    AuditEntry = apps.get_model("audit", "AuditEntry")
    prev = chain.GENESIS
    for entry in AuditEntry.objects.select_related("actor").order_by("id").iterator(chunk_size=2000):
        entry.actor_name = entry.actor.username if entry.actor_id else ""
        entry.prev_hash = prev
        entry.hash = chain.entry_hash(entry.__dict__, prev)
        AuditEntry.objects.filter(pk=entry.pk).update(actor_name=entry.actor_name, prev_hash=prev, hash=entry.hash)
        prev = entry.hash


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain")]
    operations = [migrations.RunPython(hash_existing, migrations.RunPython.noop)]
