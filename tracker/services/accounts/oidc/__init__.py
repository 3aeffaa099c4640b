"""Signing in with the organisation's OpenID Connect provider (Entra ID, Keycloak, Okta...).

`provider` reads the provider's discovery document and keys (cached, the keys fetched again
when a token names one the tracker has not seen); `tokens` checks ID tokens and logout tokens
against them; `refusals` names why a sign-in was refused; `flow` starts a sign-in (state, nonce,
PKCE) and finishes it (the callback: the code exchanged, the ID token checked); `roles` turns
the provider's groups into a role and programmes, by the rules in the settings and those set
on the administration page; `people` finds the account by its subject at the provider (never
by email alone), creates or updates it, opens the session and audits it; `logout` ends
sessions with the provider's: RP-initiated and back-channel logout.
"""
