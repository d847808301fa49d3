# Placeholder for the official image's default /app/main.py; the stand-in
# server (/usr/local/bin/fastapi-standin) never imports it.
