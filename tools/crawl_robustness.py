"""Usage: python tools/crawl_robustness.py [DATABASE_URL]

The thorough hostile-input crawl: every page, form and API call of each role, with every hostile value, one
parameter at a time too (tests/web/test_robustness_crawl.py runs the quick one with the suite). It takes
minutes per database; DATABASE_URL (postgresql+psycopg://…, an empty test database) runs it on PostgreSQL.
Each answer of 500 or more is listed once per route and error, with the logged exception.
"""
import os
import subprocess
import sys
from pathlib import Path

env = {**os.environ, "CRAWL_THOROUGH": "1"}
if len(sys.argv) > 1:
    env["TEST_DATABASE_URL"] = sys.argv[1]
sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:logging", "-p", "no:cacheprovider",
                          "tests/web/test_robustness_crawl.py"], env=env, cwd=Path(__file__).resolve().parent.parent))
