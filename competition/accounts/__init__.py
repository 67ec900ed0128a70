"""Users, roles, login, registration, password reset and invitations."""
