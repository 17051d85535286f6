"""A local OIDC issuer for tests: a generated RSA key, its discovery document and JWKS served on loopback.

It plays GitHub Actions' token service (``https://token.actions.githubusercontent.com``): `mint` signs RS256 ID
tokens with the claims a job of the ``production`` environment gets (platform-apis.md §10, "Claims a verifier
uses"); `mint_with_other_key` signs the same claims with a key the issuer does not publish, under the published
key id.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "stagecraft-test-key"


def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class LocalIssuer:
    """Serves ``/.well-known/openid-configuration`` and ``/.well-known/jwks`` on 127.0.0.1 while entered."""

    def __init__(self) -> None:
        self.key = _private_key()
        self.other_key = _private_key()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    def __enter__(self) -> "LocalIssuer":
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                documents = {"/.well-known/openid-configuration": issuer.discovery(),
                             "/.well-known/jwks": issuer.jwks()}
                body = documents.get(self.path)
                payload = json.dumps(body or {"message": "not found"}).encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def discovery(self) -> dict[str, Any]:
        """The discovery document (the fields a verifier reads, as GitHub's carries them)."""
        return {"issuer": self.url, "jwks_uri": f"{self.url}/.well-known/jwks",
                "id_token_signing_alg_values_supported": ["RS256"], "response_types_supported": ["id_token"],
                "subject_types_supported": ["public", "pairwise"],
                "claims_supported": ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository",
                                     "environment", "run_id", "actor"]}

    def jwks(self) -> dict[str, Any]:
        """The published key set: the issuer's one public key."""
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [dict(public, kid=KID, use="sig", alg="RS256")]}

    def claims(self, **overrides: Any) -> dict[str, Any]:
        """The claims of the approved production job of run 4242 in acme/shop (``None`` removes a claim)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url, "aud": "stagecraft", "sub": "repo:acme/shop:environment:production",
            "repository": "acme/shop", "repository_owner": "acme", "environment": "production",
            "ref": "refs/heads/main", "ref_type": "branch", "run_id": "4242", "run_attempt": "1",
            "actor": "merger", "event_name": "push", "workflow": "deploy",
            "iat": now, "nbf": now, "exp": now + 300, "jti": f"test-{now}",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def mint(self, **overrides: Any) -> str:
        """A token signed with the published key."""
        return jwt.encode(self.claims(**overrides), self.key, algorithm="RS256", headers={"kid": KID})

    def mint_with_other_key(self, **overrides: Any) -> str:
        """The same claims signed with a key the issuer does not publish (under the published kid)."""
        return jwt.encode(self.claims(**overrides), self.other_key, algorithm="RS256", headers={"kid": KID})
