"""Signals other apps listen to (webhooks, for one).

``signals_fired``: sent by :func:`samtrygg.weekly.notifications.notify_signals` with ``week`` and ``alarms``
(the week's :class:`~samtrygg.weekly.signal_service.SignalRow` alarms), every time it runs; receivers send
each signal once themselves.

``picture_published``: sent inside the transaction that publishes a weekly picture, with ``picture`` and
``updated`` (it was published before).
"""

from django.dispatch import Signal

signals_fired = Signal()
picture_published = Signal()
