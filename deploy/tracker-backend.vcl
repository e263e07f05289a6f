# Included by varnish.vcl: the app servers (nginx in front of gunicorn; several: add a
# directors.round_robin()) and the addresses allowed to PURGE (the tracker's workers).
backend tracker {
    .host = "127.0.0.1";
    .port = "8080";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .probe = {
        .url = "/healthz";
        .interval = 1s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
    }
}

acl purgers {
    "127.0.0.1";
    "::1";
}
