import shutil, sys
from pathlib import Path
from derisk.store import DuckStore
from derisk.data.loader import build_database
from derisk.api import create_app
from fastapi.testclient import TestClient
sys.path.insert(0, '.')
from tests.trust_fixtures import build
base = Path('.scratch/built.duckdb')
if not base.exists():
    with DuckStore(base) as s: build_database(s)
env = build(Path('.scratch/r1.duckdb'), base, ("acme","beta"))
app = create_app(env.path, multi_user=True, writable=True)
with TestClient(app, raise_server_exceptions=False) as c:
    h = {"Authorization": f"Bearer {env.tokens['bob']}", "content-type": "text/csv"}
    r = c.post("/api/imports/sources?dataset=beta-supply", headers=h, content=b"source_id,publisher,title\nbob-n2,B,T\n")
    print(r.status_code, r.text[:300])
