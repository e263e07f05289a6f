"""Project configuration: settings, URLs, WSGI/ASGI entry points, embedded database bootstrap."""
