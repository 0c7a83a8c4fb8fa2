"""Signed webhooks (Standard Webhooks): endpoints, the outbox, delivery, the sweep.

- ``endpoints``: the organization's endpoints (create, update, delete, rotate, ping, redeliver)
- ``outbox``: messages and deliveries written in the transaction of the change they report
- ``delivery``: one attempt (claim, signed POST, attempt log, back-off, disabling)
- ``sweep``: due deliveries enqueued again
- ``queries``: reads for the API
"""
