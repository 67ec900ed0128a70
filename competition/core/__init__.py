"""Shared pieces every module uses: clock, base types, errors, permissions, mail, tokens, i18n."""
