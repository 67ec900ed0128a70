"""Mail templates, group mails and the send log."""
