"""What accounts tell the rest of the platform; the audit app listens (accounts may not import it).

Every signal carries `user` (the account concerned) and may carry `by` (who acted, when not the
user themselves). None carries a code, a secret or an address.
"""

from django.dispatch import Signal

second_factor_set_up = Signal()  # user
second_factor_verified = Signal()  # user, method: "totp" | "recovery_code"
second_factor_failed = Signal()  # user
second_factor_reset = Signal()  # user, by
enrolment_invited = Signal()  # user, by (a name: "cli" or a username), invitation
# scope: "account-client" or "client" (locked), "account" (slowed), "api-token" (client locked)
sign_in_locked = Signal()
api_token_created = Signal()  # token, by
api_token_revoked = Signal()  # token, by
api_token_used = Signal()  # user, prefix (the token's public part), view, method, status
