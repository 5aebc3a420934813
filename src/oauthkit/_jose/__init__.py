"""Policy over joserfc: reading compact JWS/JWE, choosing keys, verifying with an allow-list.

joserfc (the ``jose`` extra) imports the keys and runs the algorithms; this package decides
what is acceptable before and around it: the size and shape of a compact token, which header
members are refused (``crit`` with anything, ``alg`` ``none``), which key may verify it (only
keys the client was given or fetched from the issuer's ``jwks_uri``: never one the token names
through ``jku``, ``x5u``, ``jwk`` or ``x5c``), and which algorithm (an allow-list; an HMAC
algorithm only with the client's own secret, never with a public key as the secret).

joserfc loads on first use, never when oauthkit is imported.
"""

__all__: list[str] = []
