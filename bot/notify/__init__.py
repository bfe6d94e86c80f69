"""Email: templates, the transactional outbox and its senders."""
