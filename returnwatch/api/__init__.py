"""The JSON API (/api/, docs/api.md): views and serializers (views.py), token authentication
and rate limits (auth.py), the OpenAPI schema class (schema.py), the documentation page
(docs.py) and the addresses (urls.py). The ApiToken model stays in the exports app, where its
migration is; this package has no models and is not an installed app."""
