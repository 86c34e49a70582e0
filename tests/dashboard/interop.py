"""libtoz side of the Dashboard end-to-end tests, through the Python binding (bindings/python,
importable from the source tree: it is pure ctypes). Each command prints one JSON object.

  roundtrip CREDS_FILE                write a record with the credentials and read it back
  register API_URL TOKEN NAME         toz.register(..., backup=True); prints the credentials
  refused API_URL TOKEN               registration must fail; prints the error's status and text
  recover QUEEN_FILE CLIENT_ID        the queen client's recover_credentials(CLIENT_ID)
"""

import json
import sys
import uuid

import toz


def load(path: str) -> toz.Credentials:
    with open(path, encoding="utf-8") as f:
        return toz.Credentials.from_json(f.read())


def roundtrip(path: str) -> dict:
    creds = load(path)
    secret = f"written by libtoz {uuid.uuid4()}"
    with toz.Client(creds) as client:
        written = client.write_record("dashboard-check", {"body": secret}, plain={"from": "python"})
        read = client.read_record(written.meta.record_id)
        page = client.query(content_types=["dashboard-check"], include_data=True)
    return {
        "record_id": written.meta.record_id,
        "writer_id": written.meta.writer_id,
        "read_back": read.data["body"] == secret,
        "queried": any(r.data.get("body") == secret for r in page.results),
    }


def main(argv: list) -> dict:
    cmd = argv[0]
    if cmd == "roundtrip":
        return roundtrip(argv[1])
    if cmd == "register":
        creds = toz.register(argv[1], argv[2], argv[3], backup=True)
        return json.loads(creds.to_json())
    if cmd == "refused":
        try:
            creds = toz.register(argv[1], argv[2], "must-be-refused", backup=False)
        except toz.TozError as e:
            return {"refused": True, "http_status": e.http_status, "message": e.message}
        return {"refused": False, "client_id": json.loads(creds.to_json())["client_id"]}
    if cmd == "recover":
        with toz.Client(load(argv[1])) as queen:
            return json.loads(queen.recover_credentials(argv[2]).to_json())
    raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    try:
        print(json.dumps(main(sys.argv[1:])))
    except toz.TozError as e:
        print(json.dumps({"error": str(e), "http_status": e.http_status}))
        sys.exit(3)
