"""Cross-binding interop step for scripts/test-interop.sh (Python side).

    python interop.py <register|write|read> <dir> <lang> [other langs...]

register: registers a client and saves its e3db.json as <dir>/<lang>.e3db.json.
write:    writes a record and shares its type with the other languages' clients, whose ids it
          reads from the e3db.json files *they* saved.
read:     reads every other language's record with its own client, then loads another
          language's e3db.json and reads that language's record with it.
"""
import os
import sys

import toz

RECORD_TYPE = "interop"


def main() -> None:
    step, directory, lang, others = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    own_path = os.path.join(directory, f"{lang}.e3db.json")
    if step == "register":
        creds = toz.register(os.environ["TOZ_TEST_API_URL"], os.environ["TOZ_TEST_REGISTRATION_TOKEN"], f"interop-{lang}")
        creds.save_file(own_path)
        return
    with toz.Credentials.load_file(own_path) as creds, toz.Client(creds) as client:
        if step == "write":
            record = client.write_record(RECORD_TYPE, {"from": lang, "secret": f"{lang}-secret"}, {"lang": lang})
            for other in others:
                with toz.Credentials.load_file(os.path.join(directory, f"{other}.e3db.json")) as theirs:
                    client.share(RECORD_TYPE, theirs.public_info().client_id)
            with open(os.path.join(directory, f"{lang}.record"), "w") as out:
                out.write(record.meta.record_id or "")
        elif step == "read":
            for other in others:
                record_id = open(os.path.join(directory, f"{other}.record")).read().strip()
                record = client.read_record(record_id)
                assert record.data == {"from": other, "secret": f"{other}-secret"}, record.data
                print(f"python read {other}'s record: {record.data['from']}")
            other = others[0]
            with toz.Credentials.load_file(os.path.join(directory, f"{other}.e3db.json")) as theirs, toz.Client(theirs) as as_other:
                record_id = open(os.path.join(directory, f"{other}.record")).read().strip()
                assert as_other.read_record(record_id).data["from"] == other
                print(f"python loaded {other}'s e3db.json and read its record as {other}")
        else:
            raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    main()
