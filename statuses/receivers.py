"""Placeholder: listeners of orders.events.order_event_committed (issue 5)."""
