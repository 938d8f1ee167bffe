"""The audit log: an append-only record of sensitive actions (issue 15, "Audit").

Who read another person's private data or feedback, who overrode or signed off a grade, who
exported or erased data, whose role changed. Rows are written by `audit_record` (services) in
the transaction of the action they record; nobody edits or deletes them, in the product or the
admin (models: the row, the queryset and the admin all refuse). The one change allowed is the
erasure of a person (core.privacy): the names frozen in their rows become "erased person <id>".

The models belong to the `core` app (core/models.py imports them).
"""
