"""Admin for the change-event listener's state: the channels with their replay ids, and its status row."""

from __future__ import annotations

from django.contrib import admin

from syncapp.admin.mixins import ReadOnlyAdminMixin
from syncapp.models import ListenerState, StreamChannel

NOTICE = (
    "Written by the change-event listener (manage.py listen): where each channel resumes after a restart, "
    "and whether an object owes a read. Read-only; the dashboard summarises it."
)


@admin.register(StreamChannel)
class StreamChannelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    notice = NOTICE
    list_display = ("sobject", "channel", "replay_id", "last_event_at", "dirty_since")
    search_fields = ("sobject",)


@admin.register(ListenerState)
class ListenerStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    notice = NOTICE
    list_display = ("__str__", "connected", "heartbeat_at", "last_event_at", "events_today", "last_error")
