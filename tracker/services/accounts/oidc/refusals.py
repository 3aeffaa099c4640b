"""Why a sign-in with the provider was refused, in words for the person and a reason code for
the audit trail."""

from __future__ import annotations

from tracker.formats import Text
from tracker.locales import N_


class SignInRefused(Exception):
    """A sign-in that could not be finished; nothing was created. `status` is the answer's."""

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        status: int = 400,
        who: dict[str, str] | None = None,
    ):
        self.reason = reason
        self.message = message
        self.status = status
        # What is known of the person (issuer, subject, email, name) once a token was checked.
        self.who = who or {}
        super().__init__(f"{reason}: {message}")


class ProviderUnavailable(SignInRefused):
    """The provider did not answer in time, or not as an OpenID Connect provider does."""

    def __init__(self, label: str, detail: str):
        super().__init__(
            "provider_unavailable",
            Text(
                N_(
                    "The tracker could not reach %(provider)s (%(detail)s). Nothing was changed. "
                    "Try again in a few minutes; if it goes on, tell whoever looks after the "
                    "tracker."
                ),
                provider=label,
                detail=detail,
            ),
            status=502,
        )
        self.detail = detail
