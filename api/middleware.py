"""Cache headers for anonymous public reads."""

from django.utils.cache import patch_cache_control

PUBLIC_PREFIXES = ("/api/", "/feeds/", "/oembed", "/statements/", "/positions/", "/embed/")


class PublicCacheMiddleware:
    """`Cache-Control: public, max-age=60` on successful anonymous GETs of public URLs (SPEC §5)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code in (200, 304)
            and request.path.startswith(PUBLIC_PREFIXES)
            and not request.path.startswith("/api/docs")
            and "Cache-Control" not in response
        ):
            patch_cache_control(response, public=True, max_age=60)
        return response
