"""Demo data: a service centre in Shanghai and its neighbouring cities, and a large installed base for benchmarks.

`flask --app wsgi demo-data` loads it (see commands.py); data.py holds the reference lists, load.py builds
the demo, scale.py the bulk installed base.
"""
