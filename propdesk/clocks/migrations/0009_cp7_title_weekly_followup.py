"""Clocks: CP-7's clocks stored before its title became 每周跟进 (the glossary's word for the weekly
call) take the new title, so the escalation list and the clock's chips read as the policy does.
Only the shipped old title is replaced: a community's own title for the rule is its own."""

from typing import Any

from django.db import migrations

OLD_TITLE = "长期投诉每星期向业主通报进展"
NEW_TITLE = "长期投诉每周跟进业主，直到解决"


def retitle(apps: Any, schema_editor: Any) -> None:
    Clock = apps.get_model("clocks", "Clock")
    Clock.objects.filter(rule_id="CP-7", title=OLD_TITLE).update(title=NEW_TITLE)


class Migration(migrations.Migration):
    dependencies = [("clocks", "0008_clock_fk_indexes_where_set")]

    operations = [migrations.RunPython(retitle, migrations.RunPython.noop, elidable=True)]
