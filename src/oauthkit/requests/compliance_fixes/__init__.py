"""Hooks that adapt an OAuth 2 session to providers that deviate from RFC 6749 / RFC 6750.

The same eight fixes as ``requests_oauthlib.compliance_fixes``, with the same effect on the
same responses and requests::

    from oauthkit.requests import OAuth2Session
    from oauthkit.requests.compliance_fixes import facebook_compliance_fix

    session = facebook_compliance_fix(OAuth2Session(client_id, redirect_uri=redirect_uri))

Each fix takes any session with ``register_compliance_hook`` (the fixes that send the token
themselves also read ``access_token``; the Weibo fix sets ``token_placement``) and returns it.
Where requests-oauthlib's hooks fail with ``JSONDecodeError``, ``KeyError`` or ``TypeError`` on
a body they cannot read, these raise :class:`~oauthkit.MalformedResponseError`, a
``ValueError`` like ``JSONDecodeError``.
"""

from ._ebay import ebay_compliance_fix as ebay_compliance_fix
from ._facebook import facebook_compliance_fix as facebook_compliance_fix
from ._fitbit import fitbit_compliance_fix as fitbit_compliance_fix
from ._instagram import instagram_compliance_fix as instagram_compliance_fix
from ._mailchimp import mailchimp_compliance_fix as mailchimp_compliance_fix
from ._plentymarkets import plentymarkets_compliance_fix as plentymarkets_compliance_fix
from ._slack import slack_compliance_fix as slack_compliance_fix
from ._weibo import weibo_compliance_fix as weibo_compliance_fix

__all__ = [
    "ebay_compliance_fix",
    "facebook_compliance_fix",
    "fitbit_compliance_fix",
    "instagram_compliance_fix",
    "mailchimp_compliance_fix",
    "plentymarkets_compliance_fix",
    "slack_compliance_fix",
    "weibo_compliance_fix",
]
