"""The ``pytest11`` plugin: its fixtures in a real inner pytest run, and its light import."""

from __future__ import annotations

import sys

import pytest

pytest_plugins = ["pytester"]


def test_fixtures_serve_and_scope(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_a="""
        import requests

        SEEN = []

        def test_module_provider_serves(oauthkit_dev_provider):
            SEEN.append(oauthkit_dev_provider)
            reply = requests.get(oauthkit_dev_provider.resource_url, timeout=10)
            assert reply.status_code == 401  # unsigned: the provider really verifies

        def test_module_provider_is_shared(oauthkit_dev_provider, oauthkit_fresh_dev_provider):
            assert oauthkit_dev_provider is SEEN[0]
            assert oauthkit_fresh_dev_provider is not oauthkit_dev_provider
            assert oauthkit_fresh_dev_provider.base_url != oauthkit_dev_provider.base_url
            SEEN.append(oauthkit_fresh_dev_provider)
        """,
        test_b="""
        from test_a import SEEN

        def test_providers_of_finished_tests_are_stopped(oauthkit_dev_provider):
            assert len(SEEN) == 2
            assert all("not running" in repr(p) for p in SEEN)
            assert oauthkit_dev_provider is not SEEN[0]
        """,
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_plugin_loads_without_oauthlib(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_c="""
        def test_unrelated():
            assert True

        def test_uses_provider(oauthkit_dev_provider):
            pass
        """
    )
    # oauthlib is hidden before pytest starts, so the plugin is loaded without it.
    code = (
        "import sys; sys.modules['oauthlib'] = None\n"
        "import pytest\n"
        "raise SystemExit(pytest.main(['-p', 'no:cacheprovider', 'test_c.py']))\n"
    )
    result = pytester.run(sys.executable, "-c", code, timeout=120)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*MissingExtraError*pip install 'oauthkit[[]dev[]]'*"])


def test_the_fixture_serves_an_openid_connect_app(pytester: pytest.Pytester) -> None:
    """What a user's own test writes: their app logs in with issuer= against the fixture."""
    pytester.makepyfile(
        test_oidc="""
        import requests

        from oauthkit.requests import OAuth2Session

        def test_login(oauthkit_dev_provider):
            p = oauthkit_dev_provider
            with OAuth2Session(
                p.oauth2_client_id,
                redirect_uri=p.callback_url,
                scope=["openid", "email"],
                issuer=p.issuer,
                pkce="S256",
            ) as session:
                url, _ = session.authorization_url()
                callback = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
                session.fetch_token(
                    authorization_response=callback, client_secret=p.oauth2_client_secret
                )
                assert session.id_token_claims.issuer == p.issuer
                assert session.userinfo()["sub"] == session.id_token_claims.subject
        """
    )
    # in a subprocess: an in-process inner run unloads the modules it imported, and
    # cryptography does not survive being imported twice in one interpreter
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=1)
