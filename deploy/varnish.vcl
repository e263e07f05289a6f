# Varnish in front of the tracker (README "Deploying beyond one machine"). Debian: `varnish` and
# `varnish-modules` (the xkey module). Run:
#   varnishd -a :80 -f /etc/varnish/varnish.vcl -p vcl_path=/etc/varnish -s malloc,1G
# with tracker-backend.vcl (the app servers and who may purge) beside this file.
#
# - Caches what the app marks `Cache-Control: public` (anonymous public reads), for its max-age,
#   revalidating with its ETag (Varnish sends If-None-Match when an object it keeps is stale).
# - Never caches, and never serves from the cache, a signed-in (sessionid) or pinned (tracker_pin)
#   client, the admin, or anything but GET and HEAD: those reach the app, which reads them from
#   the primary.
# - Purged by the tracker's worker (HTTP_CACHE_PURGE_URL=http://varnish/, style "varnish"):
#   `PURGE /` with `xkey-purge: statement-42 statements …` drops every object whose `xkey`
#   header names one of them, the moment a statement is published, corrected, retracted or
#   reinstated. `xkey-softpurge` marks them stale instead (served while refetched).
# - When the app is down (its /healthz probe fails), keeps serving what it has for up to 24 h
#   past its max-age (grace); while it is up, a stale object is served for at most 10 s while it
#   is refetched in the background.
vcl 4.1;

import std;
import xkey;

include "tracker-backend.vcl";

sub vcl_recv {
    if (req.method == "PURGE") {
        if (!client.ip ~ purgers) {
            return (synth(403, "Not allowed to purge"));
        }
        if (req.http.xkey-purge) {
            set req.http.x-purged = xkey.purge(req.http.xkey-purge);
            return (synth(200, "Purged " + req.http.x-purged));
        }
        if (req.http.xkey-softpurge) {
            set req.http.x-purged = xkey.softpurge(req.http.xkey-softpurge);
            return (synth(200, "Soft-purged " + req.http.x-purged));
        }
        return (purge);  # the URL itself
    }
    if (req.method == "BAN") {
        # The alternative to xkey measured in bench/scale.py: a ban on the Surrogate-Key header,
        # evaluated by the ban lurker (obj.* only). One key, [A-Za-z0-9_-] (the app's keys).
        if (!client.ip ~ purgers) {
            return (synth(403, "Not allowed to ban"));
        }
        if (req.http.ban-key !~ "^[A-Za-z0-9_-]+$") {
            return (synth(400, "ban-key: one surrogate key"));
        }
        ban("obj.http.Surrogate-Key ~ (^|\s)" + req.http.ban-key + "(\s|$)");
        return (synth(200, "Banned"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Staff and clients pinned after their own write read the primary, never a shared copy.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|tracker_pin)=" || req.http.Authorization) {
        return (pass);
    }
    # Any other cookie (a CSRF token) changes nothing a public page shows.
    unset req.http.Cookie;
    # ?a=1&b=2 and ?b=2&a=1 are one page: one object.
    set req.url = std.querysort(req.url);
    if (std.healthy(req.backend_hint)) {
        # The app is up: serve a stale object for at most 10 s while it is fetched again.
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_backend_response {
    # What the app did not mark public (the admin, errors, private answers) is not kept.
    if (beresp.http.Cache-Control !~ "public" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Past its max-age, an object is kept to be served while the app is down (vcl_recv), and
    # then to be revalidated with its ETag (a 304 from the app refreshes it).
    set beresp.grace = 24h;
    set beresp.keep = 1h;
    return (deliver);
}

sub vcl_backend_error {
    # A background refetch that failed leaves the stale object in place.
    if (bereq.is_bgfetch) {
        return (abandon);
    }
}

sub vcl_deliver {
    # The keys are for caches, not for clients.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
