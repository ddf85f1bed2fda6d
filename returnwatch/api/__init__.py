"""The JSON API (/api/, docs/api.md): views and serializers (views.py), token authentication
and rate limits (auth.py), the OpenAPI schema class (schema.py), the documentation page
(docs.py), the addresses (urls.py), and the tokens: their model (models.py, table
exports_apitoken from before this app) and the workspace pages that make and revoke them
(staff_views.py, staff_urls.py)."""
