#!/bin/sh
# The official image's /start.sh contract, minus gunicorn: prestart hook,
# then the server. See the Dockerfile: a stand-in.
set -e
if [ -f /app/app/main.py ]; then DEFAULT_MODULE_NAME=app.main; elif [ -f /app/main.py ]; then DEFAULT_MODULE_NAME=main; fi
MODULE_NAME=${MODULE_NAME:-$DEFAULT_MODULE_NAME}
VARIABLE_NAME=${VARIABLE_NAME:-app}
export APP_MODULE=${APP_MODULE:-"$MODULE_NAME:$VARIABLE_NAME"}
PRE_START_PATH=${PRE_START_PATH:-/app/prestart.sh}
if [ -f "$PRE_START_PATH" ]; then
    echo "Running script $PRE_START_PATH"
    . "$PRE_START_PATH"
else
    echo "There is no script $PRE_START_PATH"
fi
exec python3 /usr/local/bin/fastapi-standin
