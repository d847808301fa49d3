# The official image's default application (tiangolo/uvicorn-gunicorn-fastapi,
# python3.11/app/main.py): two routes and no /health. The stand-in serves
# the routes an application module declares, so this one fails a /health
# check exactly as the real image does.
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def root():
    return {"message": "Hello world! From FastAPI running on Uvicorn with Gunicorn. Using Python 3.11"}
