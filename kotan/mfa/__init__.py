"""Two-step login (MFA) with django-otp: a TOTP authenticator app plus one-time recovery codes
(django-otp's static device), required for the roles in settings.MFA_REQUIRED_ROLES.

After the password, a user of such a role is sent to `mfa:verify` (or, without a device yet,
to `mfa:enrol`) by MfaRequiredMiddleware before any other page answers."""
