"""The kernel's HTTP edge: everything of `app/` that speaks HTTP.

Request context, responses, headers and problem details serve every domain's `web/`
package; the site pages, accounts and the staff console frame are the kernel's own. Nothing
outside a `web/` package (and the app factory, `app.asgi`) imports Litestar.
"""
