"""Signals other apps listen to, so this app does not need to know them (webhooks, for one).

``reports_created``: sent inside the transaction that created the reports, once their areas are assigned,
with ``report_ids`` (a list). Sent by :func:`samtrygg.reports.services.create_report` (the web form, the API,
Open311, safety-walk observations) and by the file importer (files, the police feed) once per chunk of new
reports. Receivers write in the same transaction and must stay cheap when they have nothing to do.
"""

from django.dispatch import Signal

reports_created = Signal()
