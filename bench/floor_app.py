"""The machine's floor for bench_warranty.py: a bare Flask page of the warranty page's size, no session,
no database, no template. Served by gunicorn with the same settings, it shows what this machine gives
any Python web page at that moment (its speed varies with its neighbours)."""
from flask import Flask

app = Flask(__name__)
PAGE = "<!doctype html><title>floor</title><p class=warranty-decision>" + "x" * 7000


@app.get("/warranty")
def warranty():
    return PAGE
